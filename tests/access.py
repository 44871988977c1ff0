"""The access matrix every app's view tests use.

Each row names a URL, its method, the roles allowed, how to build the own-object kwargs
and (if the view takes an object) the foreign-object kwargs. Anonymous → login page; a
role outside ``allowed`` → 403; another county's, school's or department's object → 404;
an allowed role → 200, or a redirect that is not the login page.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import transaction
from django.urls import reverse

COUNTY_ROLES = ["staff", "leader", "inspector", "coord_a", "coord_b", "monitor", "dept"]
# The county's city and province offices: every county page is a 403 to them (their pages are
# the regions app's).
REGION_ROLES = ["city", "province"]
ROLES = COUNTY_ROLES + REGION_ROLES
EVERYONE = frozenset(COUNTY_ROLES)
REGION = frozenset(REGION_ROLES)
READERS = frozenset({"staff", "leader"})
STAFF = frozenset({"staff"})


@dataclass(frozen=True)
class Row:
    name: str
    method: str
    allowed: frozenset
    own: Callable = lambda world: {}
    foreign: Callable | None = None
    foreign_as: str = "staff"  # who tries the foreign object


@contextmanager
def undone() -> Iterator[None]:
    """What the requests inside did, rolled back: every role of one test meets the world as it
    was built (one world per URL, not one per URL and role: the matrix is most of the suite)."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def _request(client, method: str, url: str):
    return client.post(url) if method == "post" else client.get(url)


def check_anonymous(client, world, row: Row) -> None:
    response = _request(client, row.method, reverse(row.name, kwargs=row.own(world)))
    assert response.status_code == 302, response.status_code
    assert response["Location"].startswith(reverse("login"))


def check_role(client, world, row: Row, role: str) -> None:
    client.force_login(world.users()[role])
    response = _request(client, row.method, reverse(row.name, kwargs=row.own(world)))
    if role in row.allowed:
        assert response.status_code in (200, 302), f"{row.name} as {role}: {response.status_code}"
        if response.status_code == 302:
            assert not response["Location"].startswith(reverse("login"))
    else:
        assert response.status_code == 403, f"{row.name} as {role}: {response.status_code}"


def check_foreign(client, world, row: Row) -> None:
    client.force_login(world.users()[row.foreign_as])
    response = _request(client, row.method, reverse(row.name, kwargs=row.foreign(world)))
    assert response.status_code == 404, f"{row.name} foreign as {row.foreign_as}: {response.status_code}"
