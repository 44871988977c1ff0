"""Access, decided in one place.

A person holds one role with a scope: county staff and leaders see their county, inspectors,
coordinators and monitors their schools, department users their department; a city or
province supervision office reads its region's counties side by side on its own pages (the
``regions`` app) and none of the county pages, whose scope helpers give it nothing. Querysets are
narrowed to the scope before anything else, so another county's or school's object is a 404;
a visible object the role may not change is a 403. Each app adds its permissions in its
own ``rules.py`` built from the predicates below.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any

import rules
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.shortcuts import get_object_or_404

from .roles import COUNTY_ROLES, REGION_ROLES, SCHOOL_SCOPED_ROLES, Role

if TYPE_CHECKING:
    from rounds.models import County, Person, Region


def person_of(user) -> Person | None:
    """The user's Person, or None for anonymous users and accounts without a role."""
    if not getattr(user, "is_authenticated", False):
        return None
    try:
        return user.person
    except Exception:  # RelatedObjectDoesNotExist: an account without a role (e.g. the IT admin)
        return None


def required_person(user) -> Person:
    """The Person of a user past ``require_perm``, which lets no one in without one."""
    person = person_of(user)
    assert person is not None, "require_perm lets no one in without a role"
    return person


def role_of(user) -> str | None:
    person = person_of(user)
    return person.role if person else None


def _has_role(*roles: str):
    @rules.predicate(name="has_role_" + "_".join(roles))
    def predicate(user) -> bool:
        return role_of(user) in roles

    return predicate


is_county_staff = _has_role(Role.COUNTY_STAFF)
is_leader = _has_role(Role.LEADER)
is_inspector = _has_role(Role.INSPECTOR)
is_coordinator = _has_role(Role.COORDINATOR)
is_monitor = _has_role(Role.MONITOR)
is_department = _has_role(Role.DEPARTMENT)
is_county_reader = _has_role(Role.COUNTY_STAFF, Role.LEADER)
is_city_office = _has_role(Role.CITY_OFFICE)
is_province_office = _has_role(Role.PROVINCE_OFFICE)
is_region_office = _has_role(*REGION_ROLES)
# Any role of a county's workflow (a region's office has its own pages).
has_any_role = _has_role(*COUNTY_ROLES)


def scope_county_id(user) -> int | None:
    person = person_of(user)
    return person.county_id if person else None


def scope_region(user) -> Region | None:
    """The city or province of a region office; None for everyone else."""
    person = person_of(user)
    if person is None or person.role not in REGION_ROLES:
        return None
    return person.region


def counties_visible_to(user) -> QuerySet[County]:
    """The counties a region office reads (its city's, or its province's cities'); a county
    role's own county; every county for a superuser."""
    from rounds.models import County

    if user.is_superuser:
        return County.objects.all()
    region = scope_region(user)
    if region is not None:
        return region.counties()
    county_id = scope_county_id(user)
    return County.objects.filter(pk=county_id) if county_id is not None else County.objects.none()


def scope_school_ids(user) -> set[int] | None:
    """The schools a school-scoped role may see; None when the role is not school-scoped."""
    person = person_of(user)
    if person is None or person.role not in SCHOOL_SCOPED_ROLES:
        return None
    cache = getattr(person, "_school_ids", None)
    if cache is None:
        cache = set(person.schools.values_list("pk", flat=True))
        person._school_ids = cache
    return cache


def schools_visible_to(user, queryset: QuerySet | None = None) -> QuerySet:
    from rounds.models import School

    qs = School.objects.all() if queryset is None else queryset
    if user.is_superuser:
        return qs
    person = person_of(user)
    if person is None or person.role == Role.DEPARTMENT or person.county_id is None:  # a region's office too
        return qs.none()
    qs = qs.filter(county_id=person.county_id)
    school_ids = scope_school_ids(user)
    return qs if school_ids is None else qs.filter(pk__in=school_ids)


def county_filtered(user, queryset: QuerySet, field: str = "county") -> QuerySet:
    """Narrow any queryset that hangs off a county to the user's county."""
    if user.is_superuser:
        return queryset
    county_id = scope_county_id(user)
    if county_id is None:
        return queryset.none()
    return queryset.filter(**{f"{field}_id" if "__" not in field else field: county_id})


def get_visible_or_404[M: Model](queryset: QuerySet[M], **lookup: Any) -> M:
    """Fetch one object from an already-scoped queryset: not in scope is not found."""
    return get_object_or_404(queryset, **lookup)


def require_perm(perm: str) -> Callable:
    """Anonymous → login page; logged in without the permission → 403."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            # App pages need a role; the IT administrator without one works in /admin/.
            if person_of(request.user) is None or not request.user.has_perm(perm):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapped.required_perm = perm  # type: ignore[attr-defined]  # read by the access-matrix tests
        return wrapped

    return decorator
