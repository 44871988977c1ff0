"""A region's estimates pooled from its counties' samples, each county a stratum.

Every county draws its own sample of schools (its own frame, its own probabilities), so the
counties are strata of the region's design: independent samples that together cover its pupils.
Pooled correctly:

- the region's mean is Σ w·y / Σ w over every tested pupil of every county, with the weights
  each county's design gives its pupils (a county's weights add up to its own enrolment, so a
  county counts by its pupils, not one county one vote);
- its standard error is the stratified jackknife: each county's sampled schools are dropped in
  turn *within that county* (the rest of the county's schools carry its weight, × n_h/(n_h − 1)),
  and the squared deviations of the replicates are summed with (n_h − 1)/n_h per county, so
  var = Σ_h (n_h − 1)/n_h Σ_j (θ̂_(hj) − θ̂)². A county that pairs its schools in zones (JK2)
  keeps its zones inside its stratum; certainty schools stay strata of their pupils;
- a pupil's level is set by the cut scores of the pupil's own county, and the shares pooled
  the same way.

``results.estimation`` does the arithmetic: the counties become zones of one replicate design.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from results.estimation import (
    Estimate,
    Level,
    Proportion,
    Replication,
    VarianceComponents,
    assign_levels,
    jackknife,
    variance_components,
)
from results.selectors import Sample


@dataclass(frozen=True)
class Stratum:
    """One county's part: its sample of one domain and grade, and its cut scores (Ⅱ, Ⅲ, Ⅳ)."""

    county: Hashable
    sample: Sample
    cuts: Sequence[float]


@dataclass(frozen=True)
class Pooled:
    counties: int
    schools: int
    students: int
    mean: Estimate | None
    levels: dict[Level, Estimate] | None
    variance: VarianceComponents | None


def _safe(fn, *args, **kwargs):
    try:
        return fn(*args, **kwargs)
    except ValueError:  # e.g. a county with a single sampled school: no replicate of its own
        return None


def stratified(strata: Sequence[Stratum]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, Replication]:
    """Values, weights, clusters and levels of every pupil, and the replicate design with each
    county a stratum (its zones inside it)."""
    zones: dict[Hashable, Hashable] = {}
    certainty: set[Hashable] = set()
    for part in strata:
        rep = part.sample.replication
        certainty.update(rep.certainty)
        for school in np.unique(part.sample.clusters):
            key = school.item()
            if key in rep.certainty:
                continue
            inner = rep.zones[key] if rep.zones is not None else 0
            zones[key] = (part.county, inner)
    values = np.concatenate([p.sample.values for p in strata])
    weights = np.concatenate([p.sample.weights for p in strata])
    clusters = np.concatenate([p.sample.clusters for p in strata])
    levels = np.concatenate([assign_levels(scores=p.sample.values, cuts=p.cuts) for p in strata])
    return values, weights, clusters, levels, Replication(method="JK2", zones=zones, certainty=frozenset(certainty))


def pooled(strata: Sequence[Stratum]) -> Pooled | None:
    """The region's mean, level shares and between-school variation from its counties' samples."""
    strata = [s for s in strata if len(s.sample)]
    if not strata:
        return None
    values, weights, clusters, levels, replication = stratified(strata)
    common: Mapping = {"weights": weights, "clusters": clusters, "replication": replication}
    mean = _safe(jackknife, values=values, **common)
    shares = {lv: _safe(jackknife, values=levels, statistic=Proportion(of=int(lv)), **common) for lv in Level}
    return Pooled(
        counties=len(strata),
        schools=len(np.unique(clusters)),
        students=len(values),
        mean=mean,
        levels=None if any(v is None for v in shares.values()) else shares,
        variance=_safe(variance_components, values=values, weights=weights, clusters=clusters),
    )
