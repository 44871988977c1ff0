"""Every URL pattern of the project × every role × own and foreign object (issue 9 §4).

The apps' own matrices (``tests/<app>/test_access.py``) run their rows; this module imports
them rather than running them again, and asserts that together with the project-level rows
below (login, logout, password change, language, the public questionnaire pages and the
Django admin) they cover every pattern that ``get_resolver()`` knows, and that every pattern
taking an object id has a foreign-object row. A new view without a row fails here with the
list of the patterns that lack one.
"""

from dataclasses import dataclass

import pytest
from django.contrib import admin
from django.urls import URLResolver, get_resolver, reverse

from questionnaires.views.public import COOKIE
from tests.access import ROLES
from tests.logistics.test_access import MATRIX as LOGISTICS
from tests.questionnaires.test_access import MATRIX as QUESTIONNAIRES
from tests.questionnaires.test_access import PUBLIC as QUESTIONNAIRES_PUBLIC
from tests.rectification.test_access import MATRIX as RECTIFICATION
from tests.regions.test_access import MATRIX as REGIONS
from tests.results.test_access import MATRIX as RESULTS
from tests.rounds.test_access import MATRIX as ROUNDS
from tests.sampling.test_access import MATRIX as SAMPLING

ANONYMOUS = "anonymous"

# The apps' rows, by URL name (logistics keeps (row, school-scoped) pairs).
APP_ROWS = {
    **ROUNDS,
    **SAMPLING,
    **{name: row for name, (row, _scoped) in LOGISTICS.items()},
    **QUESTIONNAIRES,
    **RESULTS,
    **RECTIFICATION,
    **REGIONS,
}


@dataclass(frozen=True)
class Answer:
    status: int
    location: str | None = None  # URL name the redirect must point to


@dataclass(frozen=True)
class ProjectRow:
    """A URL outside the apps' matrices: the same answer for every role unless ``signed_in`` differs."""

    name: str
    method: str
    anonymous: Answer
    signed_in: Answer


PROJECT_ROWS = {
    row.name: row
    for row in [
        ProjectRow("login", "get", Answer(200), Answer(302, "home")),
        ProjectRow("logout", "post", Answer(302, "login"), Answer(302, "login")),
        ProjectRow("password_change", "get", Answer(302, "login"), Answer(200)),
        ProjectRow("set_language", "post", Answer(302), Answer(302)),
        ProjectRow("healthz", "get", Answer(200), Answer(200)),
        ProjectRow("service_worker", "get", Answer(200), Answer(200)),  # a script, the same for all
        # Public questionnaire pages: the object is the access code in a signed cookie, so
        # without one every page but the code entry sends the visitor back to it.
        ProjectRow("respond_start", "get", Answer(200), Answer(200)),
        ProjectRow("respond_form", "get", Answer(302, "respond_start"), Answer(302, "respond_start")),
        ProjectRow("respond_save", "post", Answer(403), Answer(403)),
        ProjectRow("respond_submit", "post", Answer(302, "respond_start"), Answer(302, "respond_start")),
        ProjectRow("respond_done", "get", Answer(302, "respond_start"), Answer(302, "respond_start")),
    ]
}


def url_patterns(resolver=None, prefix="", namespace=None):
    """(namespace, name, route) of every pattern, included ones too."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            yield from url_patterns(pattern, prefix + str(pattern.pattern), pattern.namespace or namespace)
        else:
            yield namespace, pattern.name, prefix + str(pattern.pattern)


def _project_patterns():
    return [(name, route) for namespace, name, route in url_patterns() if namespace != "admin"]


def test_every_url_pattern_of_the_project_has_a_row_in_an_access_matrix():
    known = set(APP_ROWS) | set(PROJECT_ROWS)
    uncovered = sorted(f"{route}  (name={name})" for name, route in _project_patterns() if name not in known)
    assert not uncovered, "URL patterns without a row in any access matrix (add one to tests/<app>/test_access.py):\n" + "\n".join(
        uncovered
    )


def test_every_pattern_that_takes_an_object_id_has_a_foreign_object_row():
    missing = sorted(route for name, route in _project_patterns() if "<" in route and name in APP_ROWS and APP_ROWS[name].foreign is None)
    assert not missing, "Patterns with an object id but no foreign-object row:\n" + "\n".join(missing)


def test_the_public_questionnaire_pages_are_the_project_rows_and_take_no_object_id():
    assert set(PROJECT_ROWS) >= QUESTIONNAIRES_PUBLIC
    routes = dict(_project_patterns())
    assert all("<" not in routes[name] for name in PROJECT_ROWS)
    assert not set(PROJECT_ROWS) & set(APP_ROWS)


def _check(client, row: ProjectRow, expected: Answer):
    url = reverse(row.name)
    response = client.post(url) if row.method == "post" else client.get(url)
    assert response.status_code == expected.status, f"{row.name}: {response.status_code}"
    if expected.location:
        assert response["Location"].split("?")[0] == reverse(expected.location), f"{row.name}: {response['Location']}"


@pytest.mark.parametrize("who", [ANONYMOUS, *ROLES])
def test_each_project_level_url_gives_the_expected_answer_to_everyone(client, world, who):
    for row in PROJECT_ROWS.values():
        client.logout()
        if who != ANONYMOUS:
            client.force_login(world.users()[who])
        _check(client, row, row.anonymous if who == ANONYMOUS else row.signed_in)


def test_a_forged_respondent_cookie_reaches_no_questionnaire(client, world):
    """The own object of the public pages is the signed code; an unsigned id of anyone's code is nobody's."""
    client.cookies[COOKIE] = "1"
    assert client.get(reverse("respond_form"))["Location"] == reverse("respond_start")
    assert client.post(reverse("respond_save"), {"item": "q1", "value": "1"}).status_code == 403


def _admin_urls():
    urls = [reverse("admin:index")]
    for model in admin.site._registry:
        urls.append(reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist"))
    return urls


@pytest.mark.parametrize("who", [ANONYMOUS, *ROLES, "foreign"])
def test_the_django_admin_is_for_the_it_administrator_only(client, world, who):
    if who != ANONYMOUS:
        client.force_login(world.users()[who])
    login = reverse("admin:login")
    for url in _admin_urls():
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(login), f"{url} as {who}: {response.status_code}"


def test_the_it_administrator_reaches_every_admin_page(client, django_user_model, world):
    client.force_login(django_user_model.objects.create_superuser("it", password="x-Long-pass-1"))
    failing = [url for url in _admin_urls() if client.get(url).status_code != 200]
    assert not failing, failing
