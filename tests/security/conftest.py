"""The apps' worlds, shared with the project-wide security tests."""

from tests.questionnaires.conftest import qworld  # noqa: F401 - a fixture
from tests.sampling.conftest import drawn_schools  # noqa: F401 - a fixture
