"""Writes of a region's office: the reference values it publishes for its counties."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction

from monitoring_site.audit import history_user
from results.models import ReferenceValue

if TYPE_CHECKING:
    from django.contrib.auth.models import User


@transaction.atomic
def region_reference_publish(*, ref: ReferenceValue, user: User) -> ReferenceValue:
    """A city's or province's value for a year: every county of the region is compared with it
    (in place of a value the county typed for the same indicator). Checked by its form; the
    database refuses a second value for the same year and indicator."""
    assert ref.region_id is not None and ref.county_id is None and ref.round_id is None
    history_user(ref, user)
    ref.save()
    return ref


@transaction.atomic
def region_reference_withdraw(*, ref: ReferenceValue, user: User) -> None:
    history_user(ref, user)
    ref.delete()
