"""The apps' worlds, shared with the project-wide security tests."""

from tests.questionnaires.conftest import qworld  # noqa: F401 - a fixture
