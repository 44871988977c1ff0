"""The references a round is compared with: those typed for this round (with where they come
from), and the county's own earlier rounds in the system, whose estimates and standard errors
are worked out from their stored scores and measurements (same domain, grade and indicator).

A reference typed for one round is never used for another; an earlier round in the system
takes the place of a previous-round value typed by hand for the same indicator."""

from __future__ import annotations

import math
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _

from rounds.models import Domain, Region, Round

from .models import ReferenceValue


def earlier_rounds(rnd: Round) -> list[Round]:
    """The county's rounds before this one in the system, the newest first."""
    return list(Round.objects.filter(county_id=rnd.county_id, year__lt=rnd.year).order_by("-year", "-pk"))


def _estimates_of(rnd: Round) -> dict[tuple[str, int, str], Any]:
    """Every indicator a round has an estimate of: (domain, grade, indicator) → Estimate."""
    from .pe import pe_indicator_values, pe_result
    from .selectors import _indicator_values, results_of

    out: dict[tuple[str, int, str], Any] = {}
    for result in results_of(rnd=rnd, references=[]):
        for indicator, est in _indicator_values(result).items():
            out[(result.domain, result.grade, indicator)] = est
    pe = pe_result(rnd=rnd)
    for grade in rnd.grades:
        for indicator, est in pe_indicator_values(pe, grade=grade).items():
            out[(Domain.PE_HEALTH, grade, indicator)] = est
    return {key: est for key, est in out.items() if est is not None and math.isfinite(est.estimate)}


def system_previous(rnd: Round) -> list[ReferenceValue]:
    """For each indicator of the round's domains and grades, the newest earlier round's
    estimate with its SE, as unsaved previous-round references marked ``from_system``."""
    seen: dict[tuple[str, int, str], ReferenceValue] = {}
    for earlier in earlier_rounds(rnd):
        if not set(earlier.domains) & set(rnd.domains):
            continue
        for (domain, grade, indicator), est in _estimates_of(earlier).items():
            if (domain, grade, indicator) in seen or domain not in rnd.domains or grade not in rnd.grades:
                continue
            ref = ReferenceValue(
                county_id=rnd.county_id,
                round=rnd,
                source=ReferenceValue.Source.PREVIOUS,
                year=earlier.year,
                domain=domain,
                grade=grade,
                indicator=indicator,
                value=est.estimate,
                se=est.se if math.isfinite(est.se) else 0.0,
                note=_("estimated in the system from %(round)s") % {"round": earlier},
            )
            ref.from_system = True
            seen[(domain, grade, indicator)] = ref
    return list(seen.values())


def published_references(rnd: Round) -> list[ReferenceValue]:
    """The values the county's city and province offices published for the round's year."""
    regions = Region.objects.filter(Q(counties_of_city=rnd.county_id) | Q(children__counties_of_city=rnd.county_id))
    return list(ReferenceValue.objects.filter(region__in=regions, year=rnd.year).select_related("region"))


def round_references(rnd: Round) -> list[ReferenceValue]:
    """What the round is compared with: the values its city and province offices published
    for the year, its own typed references (but where an office published the same value),
    the county's earlier rounds in the system, and a typed previous-round value only where
    the system has none."""
    system = system_previous(rnd)
    published = published_references(rnd)
    covered = {(r.domain, r.grade, r.indicator) for r in system}
    official = {(r.source, r.year, r.domain, r.grade, r.indicator) for r in published}
    typed = [
        r
        for r in ReferenceValue.objects.filter(round=rnd)
        if not (r.source == ReferenceValue.Source.PREVIOUS and (r.domain, r.grade, r.indicator) in covered)
        and (r.source, r.year, r.domain, r.grade, r.indicator) not in official
    ]
    for r in typed + published:
        r.from_system = False
    return published + typed + system


def origin(ref: ReferenceValue) -> str:
    """Where a reference comes from, for pages and evidence."""
    if getattr(ref, "from_system", False):
        return ref.note
    if ref.region_id is not None:
        return _("published by %(region)s: %(note)s") % {"region": ref.region, "note": ref.note}
    return ref.note or _("typed in, source not given")
