"""Weighted estimates with jackknife standard errors for one county's sample (no Django).

Design. Schools are drawn by PPS, then 30 students per school by SRS; a student's final
weight is w = (1/π_school)·(N_school/n_school). Students of one school are not independent,
so every standard error comes from replicates over schools, never from the SRS formula.

Replicates. Each replicate drops one *unit* of a *zone* and multiplies the weights of the
other units of that zone by n_h/(n_h−1); V = Σ_h (n_h−1)/n_h · Σ_j (θ_(hj) − θ̂)², centred
on the full-sample estimate θ̂ (the conservative choice).
- ``"JK1"`` (default): one zone holding all k schools, i.e. delete-one-school with the
  others inflated by k/(k−1) and V = (k−1)/k · Σ(θ_(j) − θ̂)². Default because a county's
  school sample has no explicit strata, and with only 8–12 schools JK1 keeps the most
  replicates (k − 1 degrees of freedom); pairing would halve them and make the SE itself
  unstable.
- ``"JK2"``: paired zones of schools adjacent in the sorted frame (``paired_zones``), which
  mirrors the implicit stratification of systematic PPS (TIMSS/PIRLS practice). Both schools
  of a pair are dropped in turn (n_h = 2, factor 1/2); for linear statistics this equals the
  classic one-replicate-per-zone JK2 and it does not depend on which school is "first".
  An odd school joins the last pair (a zone of three).
- Certainty schools (π = 1) are not sampled, so dropping them would invent variance: each
  becomes its own zone whose units are its students (the SRS stage), as in a stratified
  jackknife.
Nonresponse. Absent students' weight goes to the tested students of their own school
(``nonresponse_factors``): within a school the students were drawn by SRS, so the tested
ones stand for the absent ones best; excluded and exempt students are outside the tested
population and are not compensated.
Sampling without replacement is treated as with replacement (no finite-population
correction), which slightly overstates the SE. Means, shares and domain gaps are ratios of
weighted totals, so replicates are computed from per-school totals with array operations.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Collection, Hashable, Mapping, Sequence
from dataclasses import dataclass
from enum import IntEnum
from typing import Any, Literal, Protocol, runtime_checkable

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import stats

FloatArray = NDArray[np.float64]
Method = Literal["JK1", "JK2"]


class Level(IntEnum):
    """The four performance levels (水平划定) of the national monitoring."""

    NEEDS_IMPROVEMENT = 1
    MEDIUM = 2
    GOOD = 3
    EXCELLENT = 4

    @property
    def label(self) -> str:
        return ("水平Ⅰ 待提高", "水平Ⅱ 中等", "水平Ⅲ 良好", "水平Ⅳ 优秀")[self - 1]


@dataclass(frozen=True, slots=True)
class Estimate:
    """A weighted estimate, its jackknife SE and the number of replicates behind it.

    ``se`` is nan when some replicate is undefined, e.g. a domain present in one school only.
    """

    estimate: float
    se: float
    replicates: int


@dataclass(frozen=True, slots=True)
class GapEstimate:
    """Two domain means (e.g. girls, boys) and their difference ``first − second``."""

    first: Estimate
    second: Estimate
    gap: Estimate


# --- inputs ---------------------------------------------------------------------------


def _floats(name: str, x: ArrayLike, *, finite: bool = True) -> FloatArray:
    a = np.asarray(x, dtype=float)
    if a.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional")
    if finite and not np.all(np.isfinite(a)):
        raise ValueError(f"{name} has missing or infinite values: drop or impute them first")
    return a


def _weights(x: ArrayLike) -> FloatArray:
    w = _floats("weights", x)
    if np.any(w < 0):
        raise ValueError("weights must not be negative")
    return w


def _same_length(n: int, **arrays: ArrayLike) -> None:
    for name, a in arrays.items():
        if len(np.asarray(a)) != n:
            raise ValueError(f"{name} has {len(np.asarray(a))} rows, expected {n}")


# --- statistics as functions of weighted totals ----------------------------------------


@runtime_checkable
class TotalsStatistic(Protocol):
    """A statistic that is a function of weighted totals Σ w·x of a few columns x."""

    def columns(self, values: ArrayLike) -> FloatArray: ...

    def combine(self, totals: FloatArray) -> FloatArray: ...


class _Ratio:
    __slots__ = ()

    def combine(self, totals: FloatArray) -> FloatArray:
        return totals[..., 0] / totals[..., 1]


@dataclass(frozen=True, slots=True)
class Mean(_Ratio):
    """Weighted mean Σwy / Σw; a proportion is the mean of a 0/1 indicator."""

    def columns(self, values: ArrayLike) -> FloatArray:
        y = _floats("values", values)
        return np.column_stack([y, np.ones_like(y)])


@dataclass(frozen=True, slots=True)
class Proportion(_Ratio):
    """Weighted share of students whose value equals ``of`` (e.g. a level, a sex code)."""

    of: object = True

    def columns(self, values: ArrayLike) -> FloatArray:
        hit = (np.asarray(values) == self.of).astype(float)
        return np.column_stack([hit, np.ones_like(hit)])


def _domain_columns(values: ArrayLike, groups: ArrayLike, labels: Sequence[object]) -> FloatArray:
    """Columns (y·1[g=a], 1[g=a]) per label. Every student stays in the design (domain
    estimation), so the replicates see the domain's true spread over schools."""
    y = _floats("values", values, finite=False)
    g = np.asarray(groups)
    _same_length(len(y), groups=g)
    cols = []
    for label in labels:
        member = g == label
        if not np.all(np.isfinite(y[member])):
            raise ValueError(f"values of group {label!r} have missing values")
        cols += [np.where(member, y, 0.0), member.astype(float)]
    return np.column_stack(cols)


@dataclass(frozen=True, slots=True, eq=False)
class DomainMean(_Ratio):
    """Weighted mean of ``values`` among students whose ``groups`` value is ``group``."""

    groups: ArrayLike
    group: object

    def columns(self, values: ArrayLike) -> FloatArray:
        return _domain_columns(values, self.groups, [self.group])


@dataclass(frozen=True, slots=True, eq=False)
class MeanGap:
    """Difference of domain means, mean(first) − mean(second): sex or urban/rural gaps."""

    groups: ArrayLike
    first: object
    second: object

    def columns(self, values: ArrayLike) -> FloatArray:
        return _domain_columns(values, self.groups, [self.first, self.second])

    def combine(self, totals: FloatArray) -> FloatArray:
        return totals[..., 0] / totals[..., 1] - totals[..., 2] / totals[..., 3]


MEAN = Mean()


# --- the replicate design --------------------------------------------------------------


@dataclass(frozen=True, slots=True, eq=False)
class Replication:
    """How replicates are formed; see the module docstring. ``zones`` (JK2 only) maps each
    sampled school to its zone, ``certainty`` lists the schools drawn with π = 1."""

    method: Method = "JK1"
    zones: Mapping[Hashable, Hashable] | None = None
    certainty: Collection[Hashable] = ()

    def __post_init__(self) -> None:
        if self.method not in ("JK1", "JK2"):
            raise ValueError(f"unknown method {self.method!r}")
        if (self.method == "JK2") != (self.zones is not None):
            raise ValueError("zones go with method='JK2' and only with it (see paired_zones)")


JK1 = Replication()
_CERTAIN = object()  # zone label for certainty schools, which get their own zones anyway


@dataclass(frozen=True, slots=True, eq=False)
class _Design:
    weights: FloatArray
    unit: NDArray[np.intp]  # replicate unit of each student (a school, or a student)
    zone_of_unit: NDArray[np.intp]
    inflation: FloatArray  # n_h / (n_h − 1) for the unit's zone
    factor: FloatArray  # (n_h − 1) / n_h


def paired_zones(*, frame_order: Sequence[Hashable]) -> dict[Hashable, int]:
    """JK2 zones: sampled schools paired in sorted-frame order; an odd last school joins
    the last pair so that no zone has a single school."""
    if len(frame_order) < 2:
        raise ValueError("paired zones need at least two schools")
    last = len(frame_order) // 2 - 1
    return {school: min(i // 2, last) for i, school in enumerate(frame_order)}


def _design(*, weights: ArrayLike, clusters: ArrayLike, replication: Replication) -> _Design:
    """The replicate design of these weights and clusters. A page asks for a dozen estimates
    of the same sample (mean, levels, gaps, locations…), so the JK1 design of integer
    clusters is kept for the next call with equal arrays (compared by content)."""
    if replication is JK1:
        w, c = np.asarray(weights), np.asarray(clusters)
        if w.dtype == np.float64 and c.dtype.kind in "iu" and w.ndim == c.ndim == 1:
            return _jk1_design(w.tobytes(), c.tobytes(), c.dtype.str)
    return _build_design(weights=weights, clusters=clusters, replication=replication)


@functools.lru_cache(maxsize=64)
def _jk1_design(weights: bytes, clusters: bytes, clusters_dtype: str) -> _Design:
    design = _build_design(weights=np.frombuffer(weights), clusters=np.frombuffer(clusters, dtype=clusters_dtype), replication=JK1)
    for array in (design.weights, design.unit, design.zone_of_unit, design.inflation, design.factor):
        array.flags.writeable = False  # shared by every later call (and thread): never changed
    return design


def _build_design(*, weights: ArrayLike, clusters: ArrayLike, replication: Replication) -> _Design:
    w = _weights(weights)
    if len(w) == 0:
        raise ValueError("no students")
    _same_length(len(w), clusters=clusters)
    schools, school_of = np.unique(np.asarray(clusters), return_inverse=True)
    certainty, zones = replication.certainty, replication.zones or {}
    if replication.method == "JK2":
        missing = [s for s in schools if s not in zones and s not in certainty]
        if missing:
            raise ValueError(f"schools without a zone: {missing[:5]}")
    # JK1 is one zone of all schools. Zone labels may be any hashables: code by appearance.
    codes: dict[object, int] = {}
    school_zone = np.array([codes.setdefault(zones.get(s, _CERTAIN), len(codes)) for s in schools], dtype=np.intp)
    is_certain = np.array([s in certainty for s in schools], dtype=bool)[school_of]
    # A certainty school becomes a zone of its own whose units are its students.
    zone = np.where(is_certain, school_zone.max() + 1 + school_of, school_zone[school_of])
    raw_unit = np.where(is_certain, len(schools) + np.arange(len(w)), school_of)
    _, first, unit = np.unique(raw_unit, return_index=True, return_inverse=True)
    zone_of_unit = np.unique(zone[first], return_inverse=True)[1]
    size = np.bincount(zone_of_unit)[zone_of_unit].astype(float)
    if np.any(size < 2):
        raise ValueError("every zone needs at least two schools (or students) to drop in turn")
    return _Design(w, unit, zone_of_unit, size / (size - 1), (size - 1) / size)


def _replicate_totals(design: _Design, columns: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Full-sample totals (p,) and replicate totals (R, p) of Σ w·x per column."""
    weighted = columns * design.weights[:, None]
    n_units = len(design.zone_of_unit)
    per_unit = np.column_stack([np.bincount(design.unit, weights=col, minlength=n_units) for col in weighted.T])
    per_zone = np.zeros((design.zone_of_unit.max() + 1, columns.shape[1]))
    np.add.at(per_zone, design.zone_of_unit, per_unit)
    full = per_zone.sum(axis=0)
    zone_total = per_zone[design.zone_of_unit]
    replicates = full - zone_total + (zone_total - per_unit) * design.inflation[:, None]
    return full, replicates


def _jackknife_se(full: FloatArray, replicates: FloatArray, factor: FloatArray) -> FloatArray:
    return np.sqrt(np.tensordot(factor, (replicates - full) ** 2, axes=1))


def _replicate_weight_matrix(design: _Design) -> FloatArray:
    n_rep = len(design.zone_of_unit)
    same_zone = design.zone_of_unit[design.unit][None, :] == design.zone_of_unit[:, None]
    multiplier = np.where(same_zone, design.inflation[:, None], 1.0)
    multiplier[design.unit[None, :] == np.arange(n_rep)[:, None]] = 0.0
    return multiplier * design.weights


# --- estimators ------------------------------------------------------------------------


def nonresponse_factors(*, schools: ArrayLike, weights: ArrayLike, eligible: ArrayLike, responded: ArrayLike) -> dict[Hashable, float]:
    """Within-school nonresponse adjustment of the student weights: for each school,
    Σ w (eligible sampled students) / Σ w (those tested). Excluded and exempt students are
    not eligible (outside the population tested, so nobody stands in for them); an absent
    one is, and the school's tested students carry their weight. A school none of whose
    eligible students was tested gets no factor (its weight is lost, and seen to be)."""
    school = np.asarray(schools)
    w = _weights(weights)
    ok, tested = np.asarray(eligible, dtype=bool), np.asarray(responded, dtype=bool)
    _same_length(len(w), schools=school, eligible=ok, responded=tested)
    if np.any(tested & ~ok):
        raise ValueError("a tested student must be eligible")
    factors: dict[Hashable, float] = {}
    for s in np.unique(school):
        here = school == s
        answered = w[here & tested].sum()
        if answered > 0:
            factors[s.item() if hasattr(s, "item") else s] = float(w[here & ok].sum() / answered)
    return factors


def weighted_mean(*, values: ArrayLike, weights: ArrayLike) -> float:
    """Σ w·y / Σ w."""
    y, w = _floats("values", values), _weights(weights)
    _same_length(len(y), weights=w)
    if w.sum() <= 0:
        raise ValueError("the weights sum to zero")
    return float(np.dot(w, y) / w.sum())


def jackknife(
    *,
    values: ArrayLike,
    weights: ArrayLike,
    clusters: ArrayLike,
    statistic: TotalsStatistic | Callable[[FloatArray, FloatArray], float] = MEAN,
    replication: Replication = JK1,
) -> Estimate:
    """Estimate and jackknife SE of ``statistic`` (``MEAN``, ``Proportion``, ``DomainMean``,
    ``MeanGap``, or any ``f(values, weights) -> float``, evaluated once per replicate)."""
    design = _design(weights=weights, clusters=clusters, replication=replication)
    _same_length(len(design.weights), values=values)
    with np.errstate(divide="ignore", invalid="ignore"):
        if isinstance(statistic, TotalsStatistic):
            full, replicates = _replicate_totals(design, statistic.columns(values))
            estimate, rep = statistic.combine(full), statistic.combine(replicates)
        else:
            y = np.asarray(values)
            estimate = np.asarray(statistic(y, design.weights), dtype=np.float64)
            rep = np.array([statistic(y, row) for row in _replicate_weight_matrix(design)])
        se = _jackknife_se(estimate, rep, design.factor)
    if not np.isfinite(estimate):
        raise ValueError("the statistic is undefined on the full sample (an empty group?)")
    return Estimate(float(estimate), float(se), len(design.factor))


def group_gap(
    *,
    values: ArrayLike,
    weights: ArrayLike,
    clusters: ArrayLike,
    groups: ArrayLike,
    first: object,
    second: object,
    replication: Replication = JK1,
) -> GapEstimate:
    """Both domain means and their gap, all from the same replicates, so the gap's SE keeps
    the covariance of two groups that share schools instead of assuming independence."""
    common: dict[str, Any] = dict(values=values, weights=weights, clusters=clusters, replication=replication)
    return GapEstimate(
        first=jackknife(**common, statistic=DomainMean(groups, first)),
        second=jackknife(**common, statistic=DomainMean(groups, second)),
        gap=jackknife(**common, statistic=MeanGap(groups, first, second)),
    )


def _cut_scores(cuts: Sequence[float]) -> FloatArray:
    c = _floats("cuts", cuts)
    if len(c) != 3 or np.any(np.diff(c) <= 0):
        raise ValueError("cuts must be three increasing lower bounds, for levels Ⅱ, Ⅲ and Ⅳ")
    return c


def assign_levels(*, scores: ArrayLike, cuts: Sequence[float]) -> NDArray[np.intp]:
    """Level 1–4 of each score; a score equal to a cut belongs to the higher level."""
    return np.searchsorted(_cut_scores(cuts), _floats("scores", scores), side="right") + 1


def assign_level(*, score: float, cuts: Sequence[float]) -> Level:
    return Level(int(assign_levels(scores=[score], cuts=cuts)[0]))


def level_shares(
    *,
    scores: ArrayLike,
    weights: ArrayLike,
    cuts: Sequence[float],
    clusters: ArrayLike,
    replication: Replication = JK1,
) -> dict[Level, Estimate]:
    """Weighted share of students in each level, with jackknife SEs. The shares share one
    denominator in every replicate, so they sum to 1 in each."""
    levels = assign_levels(scores=scores, cuts=cuts)
    design = _design(weights=weights, clusters=clusters, replication=replication)
    _same_length(len(design.weights), scores=levels)
    columns = np.column_stack([levels == lv for lv in Level] + [np.ones(len(levels))])
    full, replicates = _replicate_totals(design, columns.astype(float))
    if full[-1] <= 0:
        raise ValueError("the weights sum to zero")
    with np.errstate(divide="ignore", invalid="ignore"):
        share, rep_share = full[:-1] / full[-1], replicates[:, :-1] / replicates[:, -1:]
        se = _jackknife_se(share, rep_share, design.factor)
    return {lv: Estimate(float(share[i]), float(se[i]), len(design.factor)) for i, lv in enumerate(Level)}


# --- between-school variation, district tables, comparisons ---------------------------


@dataclass(frozen=True, slots=True)
class VarianceComponents:
    between: float  # σ²_b, between-school variance
    within: float  # σ²_w, within-school variance
    icc: float  # σ²_b / (σ²_b + σ²_w): share of variance between schools
    cv: float  # 差异系数: SD of school means / mean of school means
    schools: int
    students: int
    n0: float  # the "average" school size of the unbalanced ANOVA


def variance_components(*, values: ArrayLike, weights: ArrayLike, clusters: ArrayLike) -> VarianceComponents:
    """One-way random-effects ANOVA (method of moments) and the 差异系数.

    Unweighted: weights are equal within a school by design, so the ANOVA is on the
    students as sampled. MSB = Σ n_j(ȳ_j − ȳ)²/(k−1), MSW = ΣΣ(y_ij − ȳ_j)²/(N−k),
    n0 = (N − Σn_j²/N)/(k−1), σ²_b = max(0, (MSB − MSW)/n0) (truncated at zero),
    σ²_w = MSW (Searle, Casella & McCulloch, *Variance Components*, 1992, §3.6).

    CV: population SD (divide by the total, not by k − 1) of the school means, each school
    weighted by W_j = Σ_i w_i = N_j/π_j, its enrolment as the sample estimates it, divided by
    the same weighted mean of school means. This is the official balanced-development
    formula CV = S/X̄, S = √(Σ P_j(X_j − X̄)²/P) with enrolments P_j, estimated from the
    sample; with a self-weighting PPS sample every W_j is equal and it is the plain
    population SD over the sampled schools.
    """
    y, w = _floats("values", values), _weights(weights)
    _same_length(len(y), weights=w, clusters=clusters)
    school = np.unique(np.asarray(clusters), return_inverse=True)[1]
    n_j = np.bincount(school).astype(float)
    k, total = len(n_j), len(y)
    if k < 2 or total <= k:
        raise ValueError("need at least two schools and more students than schools")
    means = np.bincount(school, weights=y) / n_j
    msb = np.sum(n_j * (means - y.mean()) ** 2) / (k - 1)
    msw = np.sum((y - means[school]) ** 2) / (total - k)
    n0 = float((total - np.sum(n_j**2) / total) / (k - 1))
    between = max(0.0, (msb - msw) / n0)
    icc = between / (between + msw) if between + msw > 0 else float("nan")
    school_weight = np.bincount(school, weights=w)
    if np.any(school_weight <= 0):
        raise ValueError("every school needs a positive total weight")
    school_mean = np.bincount(school, weights=w * y) / school_weight
    centre = np.average(school_mean, weights=school_weight)
    sd = np.sqrt(np.average((school_mean - centre) ** 2, weights=school_weight))
    cv = sd / centre if centre > 0 else float("nan")
    return VarianceComponents(float(between), float(msw), float(icc), float(cv), k, total, n0)


@dataclass(frozen=True, slots=True)
class ScoreBand:
    lower: float  # inclusive
    upper: float | None  # exclusive; None for the top band
    count: int


@dataclass(frozen=True, slots=True)
class ScoreTable:
    """参考人数、及格人数、优秀人数、总分、平均分、及格率、优秀率、低分率、分数段人数."""

    tested: int
    passing: int
    excellent: int
    low: int
    total: float
    mean: float
    pass_rate: float
    excellent_rate: float
    low_rate: float
    bands: tuple[ScoreBand, ...]


def school_table(
    *,
    scores: ArrayLike,
    pass_mark: float,
    excellent_mark: float,
    low_mark: float,
    bands: Sequence[float],
) -> ScoreTable:
    """The district table for one school (or class, grade): pass and excellent are
    ``score ≥ mark``, low is ``score < low_mark``; ``bands`` are ascending lower bounds,
    each band [lower, next lower). Rates are fractions. In a census test, give absent
    students a score of 0 before calling: the rule is that they count as zero."""
    s = _floats("scores", scores)
    edges = _floats("bands", bands)
    if len(s) == 0:
        raise ValueError("no scores")
    if len(edges) == 0 or np.any(np.diff(edges) <= 0) or s.min() < edges[0]:
        raise ValueError("bands must be increasing lower bounds starting at or below every score")
    counts = np.bincount(np.searchsorted(edges, s, side="right") - 1, minlength=len(edges))
    lowers, uppers = edges.tolist(), [*edges[1:].tolist(), None]
    table = [ScoreBand(lo, up, int(c)) for lo, up, c in zip(lowers, uppers, counts, strict=True)]
    n, passing = len(s), int(np.sum(s >= pass_mark))
    excellent, low = int(np.sum(s >= excellent_mark)), int(np.sum(s < low_mark))
    return ScoreTable(
        tested=n, passing=passing, excellent=excellent, low=low,
        total=float(s.sum()), mean=float(s.mean()),
        pass_rate=passing / n, excellent_rate=excellent / n, low_rate=low / n,
        bands=tuple(table),
    )  # fmt: skip


@dataclass(frozen=True, slots=True)
class Comparison:
    difference: float  # estimate − reference
    se: float
    z: float
    p_value: float  # two-sided, normal reference distribution
    significant: bool


def compare_to_reference(
    *,
    estimate: float,
    se: float,
    reference: float,
    reference_se: float = 0.0,
    alpha: float = 0.05,
) -> Comparison:
    """z-test of a county estimate against a reference value (province, nation, norm).
    The two are taken as independent: SE = √(se² + reference_se²)."""
    if se < 0 or reference_se < 0:
        raise ValueError("standard errors must not be negative")
    se_diff = float(np.hypot(se, reference_se))
    if not se_diff > 0:
        raise ValueError("a comparison needs a positive standard error")
    difference = estimate - reference
    z = difference / se_diff
    p = float(2 * stats.norm.sf(abs(z)))
    return Comparison(difference, se_diff, z, p, p < alpha)


def compare_rounds(*, current: Estimate, previous: Estimate, alpha: float = 0.05) -> Comparison:
    """Change since an earlier round: independent samples, so the variances add."""
    return compare_to_reference(
        estimate=current.estimate, se=current.se,
        reference=previous.estimate, reference_se=previous.se, alpha=alpha,
    )  # fmt: skip
