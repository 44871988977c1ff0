import pytest

from rounds.models import Stage

from .factories import make_sample


@pytest.fixture
def results_world(world):
    """The world's round in the results stage, with 4 grade-4 students in each of two schools."""
    world.round.stage = Stage.RESULTS
    world.round.save()
    world.students = make_sample(world.round, schools=[world.school_a, world.school_b], weights=[10.0, 30.0])
    return world
