import pytest

from .helpers import build


@pytest.fixture
def rect(world):
    """The shared world with an approved rectification plan on both counties."""
    return build(world)
