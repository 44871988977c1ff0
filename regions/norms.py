"""The norms a county uses: its own, but where its city's or province's office published one
for the same key (the nearest office wins: a city's over its province's)."""

from __future__ import annotations

from django.db.models import Model, Q, QuerySet

from rounds.models import County, Region

from .models import PublishedNorm, RegionBmiRow, RegionLessonNorm, RegionNorm

PUBLISHED: dict[str, type[PublishedNorm]] = {"norm": RegionNorm, "lesson": RegionLessonNorm, "bmi": RegionBmiRow}


def published_for[P: PublishedNorm](model: type[P], county: County) -> dict[tuple, P]:
    """The county's city's and province's published rows of ``model`` by key, the city's kept
    where both published one."""
    city = county.city
    rows = model._default_manager.filter(region_id__in=[city.pk, city.parent_id]).select_related("region")
    nearest_last = sorted(rows, key=lambda row: row.region.kind == Region.Kind.CITY)
    return {row.lookup(): row for row in nearest_last}


def unpublished[M: Model](queryset: QuerySet[M], published: dict[tuple, PublishedNorm]) -> QuerySet[M]:
    """The county's own rows that no office's value replaces (the ones it still edits)."""
    replaced = Q(pk__in=[])
    for row in published.values():
        replaced |= Q(**{field: getattr(row, field) for field in row.KEY})
    return queryset.exclude(replaced)
