"""Warnings (预警) for a region: counties whose results fall clearly below the region's or
their own previous round's, and counties whose rectification is overdue, each with its evidence.

"Clearly below" is the findings' test (``results.estimation.compare_to_reference``): a z-test
of the difference with the two standard errors combined, significant at 5 % and negative. A
county is compared with the region pooled from every county's sample, itself included (so the
test is, if anything, cautious); with its previous round by ``compare_rounds`` (independent
samples, the variances add), the newest earlier round of the county in the system.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.db.models import Max
from django.utils.translation import gettext as _

from results.estimation import Comparison, Estimate, compare_rounds, compare_to_reference, jackknife
from results.selectors import safe, score_samples_of
from rounds.models import County, Round

from .selectors import Rollup


@dataclass(frozen=True)
class Alert:
    county: County
    kind: str  # below_region, below_previous, overdue
    title: str
    evidence: str


def _usable(e: Estimate | None) -> bool:
    return e is not None and math.isfinite(e.estimate) and math.isfinite(e.se)


def _evidence(e: Estimate, ref: Estimate, c: Comparison, ref_label: str) -> str:
    return _("mean %(m).1f (SE %(se).1f) against %(ref)s %(r).1f (SE %(rse).1f): difference %(d).1f, z = %(z).2f, p = %(p).3f") % {
        "m": e.estimate,
        "se": e.se,
        "ref": ref_label,
        "r": ref.estimate,
        "rse": ref.se,
        "d": c.difference,
        "z": c.z,
        "p": c.p_value,
    }


def previous_means(rollup: Rollup) -> dict[int, tuple[int, dict[tuple[str, int], Estimate]]]:
    """Each county's newest earlier round in the system: county pk → (year, (domain, grade) →
    mean), in three queries whatever the number of counties."""
    counties = [r.county.pk for r in rollup.rows]
    latest = Round.objects.filter(county__in=counties, year__lt=rollup.year).values("county_id").annotate(year=Max("year"))
    wanted = {(row["county_id"], row["year"]) for row in latest}
    rounds = [r for r in Round.objects.filter(county__in=counties, year__lt=rollup.year) if (r.county_id, r.year) in wanted]
    by_pk = {r.pk: r for r in rounds}
    out: dict[int, tuple[int, dict[tuple[str, int], Estimate]]] = {}
    for round_id, samples in score_samples_of(rounds=rounds).items():
        rnd = by_pk[round_id]
        means = {}
        for key, s in samples.items():
            mean = safe(jackknife, values=s.values, weights=s.weights, clusters=s.clusters, replication=s.replication)
            if mean is not None:
                means[key] = mean
        out[rnd.county_id] = (rnd.year, means)
    return out


def region_alerts(rollup: Rollup, previous: dict[int, tuple[int, dict[tuple[str, int], Estimate]]]) -> list[Alert]:
    alerts: list[Alert] = []
    for row in rollup.rows:
        for key in rollup.keys:
            h = row.headlines.get(key)
            if h is None or not _usable(h.mean):
                continue
            assert h.mean is not None
            label = rollup.key_label(key)
            region = rollup.pooled.get(key)
            if region is not None and _usable(region.mean) and region.counties > 1:
                assert region.mean is not None
                c = safe(
                    compare_to_reference,
                    estimate=h.mean.estimate,
                    se=h.mean.se,
                    reference=region.mean.estimate,
                    reference_se=region.mean.se,
                )
                if c is not None and c.significant and c.difference < 0:
                    alerts.append(
                        Alert(
                            row.county,
                            "below_region",
                            _("%(what)s: clearly below the region") % {"what": label},
                            _evidence(h.mean, region.mean, c, str(rollup.region)),
                        )
                    )
            year, means = previous.get(row.county.pk, (0, {}))
            before = means.get(key)
            if before is not None and _usable(before):
                c = safe(compare_rounds, current=h.mean, previous=before)
                if c is not None and c.significant and c.difference < 0:
                    alerts.append(
                        Alert(
                            row.county,
                            "below_previous",
                            _("%(what)s: clearly below its %(year)s round") % {"what": label, "year": year},
                            _evidence(h.mean, before, c, _("the %(year)s round") % {"year": year}),
                        )
                    )
        if row.late:
            alerts.append(
                Alert(
                    row.county,
                    "overdue",
                    _("Rectification overdue"),
                    _("%(n)s rectification items past their approved deadline") % {"n": row.late},
                )
            )
    return alerts
