"""The hand-worked sample of tests/results (two schools, four grade-4 students each, scores
and PE-health measurements through the real imports), with students' names filled in so that
the letters can be checked for never showing them."""

import pytest

from tests.results.conftest import results_world  # noqa: F401
from tests.results.data import SCORES, load_pe, load_scores

NAMES = ["赵一鸣", "钱二娃", "孙三丰", "李四海", "周五洲", "吴六顺", "郑七星", "王八方"]


@pytest.fixture
def report_world(results_world, django_capture_on_commit_callbacks):  # noqa: F811
    world = results_world
    for student, name in zip(world.students, NAMES, strict=True):
        student.name = name
        student.save()
    load_scores(world, django_capture_on_commit_callbacks)
    load_pe(world, django_capture_on_commit_callbacks)
    world.scores = SCORES
    return world
