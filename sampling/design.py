"""Sample design of a county round (样本抽取): PPS schools, then SRS students.

Stage 2 of the national design draws schools with probability proportional to size
(按规模成比例概率抽样, PPS) by systematic selection over a frame sorted by location,
school type and size (implicit stratification); stage 3 draws 30 students at random in
each sampled school. Pure Python, no Django: the services layer stores what this returns.

Exactness. Sizes are integers, so every cumulative boundary is an integer and the interval
I = T/n and the random start are kept as ``Fraction``. The seeded start is
r = (u + 1/2)/n with u uniform on the integers 0..T-1: scaled by 2n, every selection point
is odd and every boundary even, so no point can ever sit on a boundary. The n points then
run over all odd numbers in (0, 2nT) exactly once as u varies, which makes
P(unit i selected) = n·size_i/T exactly, and because each non-certainty unit's range is
shorter than I, each holds at most one point: exactly n distinct units, never n±1.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from itertools import accumulate
from numbers import Real
from operator import attrgetter, index

import numpy as np

DEFAULT_SORT_KEYS: tuple[str, ...] = ("location", "school_type", "size")
STUDENTS_PER_SCHOOL = 30
_UNIT_FIELDS = frozenset({"id", "size", "location", "school_type"})
_ONE = Fraction(1)
_unit_id = attrgetter("id")
_unit_size = attrgetter("size")


@dataclass(frozen=True, slots=True)
class FrameUnit:
    """One school of the sampling frame (抽样框); ``size`` is the monitored grade's enrolment.

    ``attrs`` holds any extra implicit-stratification variable (e.g. ``{"township": "03"}``)
    that can then be named in ``sort_keys``.
    """

    id: Hashable
    size: int
    location: str = ""
    school_type: str = ""
    attrs: Mapping[str, object] = field(default_factory=dict, hash=False)


@dataclass(frozen=True, slots=True)
class SelectedUnit:
    """A sampled school (样本校) with its inclusion probability π and base weight 1/π."""

    id: Hashable
    size: int
    probability: Fraction
    weight: Fraction
    certainty: bool
    cumulative_range: tuple[int, int] | None  # (cum_prev, cum] of the systematic pass
    replacements: tuple[Hashable, ...]  # first choice first (替补校)


@dataclass(frozen=True, slots=True)
class PpsDraw:
    """Everything needed to audit or replay one draw."""

    seed: int
    n: int
    sort_keys: tuple[str, ...]
    frame_order: tuple[Hashable, ...]  # eligible ids after implicit stratification
    excluded: tuple[Hashable, ...]  # ids with size <= 0: they cannot be drawn
    took_all: bool  # n >= eligible units: every unit taken with π = 1
    systematic_n: int  # n' = n minus certainty units
    interval: Fraction | None  # I = T'/n' among non-certainty units
    random_start: Fraction | None
    selected: tuple[SelectedUnit, ...]  # in frame order

    @property
    def selection_points(self) -> tuple[Fraction, ...]:
        """r + k·I, k = 0..n'-1 (derived, so a stored draw cannot contradict itself)."""
        if self.interval is None or self.random_start is None:
            return ()
        return tuple(self.random_start + k * self.interval for k in range(self.systematic_n))


def pps_systematic(
    *,
    units: Sequence[FrameUnit],
    n: int,
    seed: int,
    sort_keys: Sequence[str] = DEFAULT_SORT_KEYS,
    random_start: Fraction | int | str | None = None,
) -> PpsDraw:
    """Draw exactly ``min(n, eligible)`` schools by PPS systematic sampling without replacement.

    Units with size >= I are certainty units (π = 1); they are removed and I recomputed
    until none is left, then the rest are drawn at points r + k·I, k = 0..n'-1, a point
    selecting the unit whose (cum_prev, cum] contains it; π = n'·size/T', weight = 1/π.
    ``random_start`` replays a known start (worked examples, audits); it must lie in
    (0, I]: r = 0 would put the first point in no unit's range and draw n-1 units.
    Replacements: see ``_assign_replacements``.
    """
    if n < 1:
        raise ValueError("n must be at least 1")
    keys = tuple(sort_keys)
    _require_unique([u.id for u in units], "unit ids")
    eligible = [u for u in units if u.size > 0]
    excluded = tuple([u.id for u in units if u.size <= 0]) if len(eligible) < len(units) else ()
    frame = _sorted_frame(eligible, keys)
    order = tuple([u.id for u in frame])
    if n >= len(frame):
        everyone = tuple([_sampled_school(u.id, int(u.size), ()) for u in frame])
        return PpsDraw(seed, n, keys, order, excluded, True, 0, None, None, everyone)

    sizes = list(map(index, map(_unit_size, frame)))  # integers or TypeError: exactness
    certain, rest, n_rest = _split_certainty(sizes, n)
    cums = list(accumulate([sizes[i] for i in rest] if certain else sizes))
    total = cums[-1]
    interval = Fraction(total, n_rest)
    start = _seeded_start(seed, total, n_rest) if random_start is None else Fraction(random_start)
    if not 0 < start <= interval:
        raise ValueError(f"random_start must lie in (0, {interval}]")
    cum_of = dict.fromkeys(certain)  # frame position -> top of its range; None: certainty
    for j in _systematic_hits(cums, start, n_rest):
        cum_of[rest[j]] = cums[j]
    backups = _assign_replacements(len(frame), sorted(cum_of))
    selected = tuple(
        _sampled_school(order[i], sizes[i], tuple([order[b] for b in backups[i]]), n_rest, total, cum_of[i]) for i in sorted(cum_of)
    )
    return PpsDraw(seed, n, keys, order, excluded, False, n_rest, interval, start, selected)


def _sampled_school(
    uid: Hashable,
    size: int,
    backups: tuple[Hashable, ...],
    n_rest: int = 0,
    total: int = 0,
    cum: int | None = None,
) -> SelectedUnit:
    if cum is None:  # certainty unit, or a frame taken whole
        return SelectedUnit(uid, size, _ONE, _ONE, True, None, backups)
    share = n_rest * size  # π = n'·size/T'
    prob, weight = Fraction(share, total), Fraction(total, share)
    return SelectedUnit(uid, size, prob, weight, False, (cum - size, cum), backups)


def _split_certainty(sizes: list[int], n: int) -> tuple[list[int], list[int], int]:
    """Peel off certainty units (size·n' >= T', integer test) until a pass finds none.

    Returns frame positions of certainty units, positions of the rest, and n'.
    Invariant: n' < len(rest) throughout (n' units reaching T'/n' would leave nothing else),
    so the systematic pass always has n' >= 1 and units to draw from.
    """
    certain: list[int] = []
    rest, n_rest = list(range(len(sizes))), n
    while True:
        rest_sizes = [sizes[i] for i in rest]
        total = sum(rest_sizes)
        if max(rest_sizes) * n_rest < total:
            return certain, rest, n_rest
        big = [i for i in rest if sizes[i] * n_rest >= total]
        certain += big
        rest = [i for i in rest if sizes[i] * n_rest < total]
        n_rest -= len(big)


def _seeded_start(seed: int, total: int, n_rest: int) -> Fraction:
    u = int(np.random.default_rng(seed).integers(total))
    return Fraction(2 * u + 1, 2 * n_rest)


def _systematic_hits(cums: list[int], start: Fraction, n_rest: int) -> list[int]:
    """Index j of the range (cums[j-1], cums[j]] holding each point r + k·I.

    Point k = (a·n' + k·T'·b) / (b·n') for r = a/b; cums are integers, so the smallest
    j with cums[j] >= point is the smallest with cums[j] >= ceil(point): all-integer.
    """
    a, b, total = start.numerator, start.denominator, cums[-1]
    scale = b * n_rest
    return [bisect_left(cums, -(-(a * n_rest + k * total * b) // scale)) for k in range(n_rest)]


def _assign_replacements(frame_len: int, chosen: list[int]) -> dict[int, list[int]]:
    """Two replacements (替补校) per sampled school, from its neighbours in frame order.

    Works on frame positions. Sampled schools are served in frame order; each takes the
    two nearest free positions, the following one before the preceding one at equal
    distance: normally (next, previous). If a side ends, or its neighbours are sampled or
    already someone's replacement, the nearer units of the other side make up the pair.
    A sampled school is never a replacement, and no unit serves two sampled schools unless
    fewer than two non-sampled units per sampled school exist; only then are the nearest
    already-assigned ones shared.
    """
    sampled, taken = set(chosen), set(chosen)
    out: dict[int, list[int]] = {}
    for pos in chosen:
        picks = _nearest_free(frame_len, pos, taken, 2)
        if len(picks) < 2:  # unavoidable sharing
            picks += _nearest_free(frame_len, pos, sampled | set(picks), 2 - len(picks))
        taken.update(picks)
        out[pos] = picks
    return out


def _nearest_free(frame_len: int, pos: int, blocked: set[int], want: int) -> list[int]:
    picks: list[int] = []
    for d in range(1, frame_len):
        for i in (pos + d, pos - d):
            if 0 <= i < frame_len and i not in blocked:
                picks.append(i)
                if len(picks) == want:
                    return picks
    return picks


def _require_unique(ids: Sequence[Hashable], what: str) -> None:
    if len(set(ids)) != len(ids):
        raise ValueError(f"{what} must be unique")


def _sorted_frame(units: list[FrameUnit], keys: tuple[str, ...]) -> list[FrameUnit]:
    """Stable sort by the stratification keys, then by id so the order never depends on input.

    Fast path compares raw values; mixed or missing values (None, int vs str) fall back to
    a rank-tagged key so the sort never fails.
    """
    if _UNIT_FIELDS.issuperset(keys) and len(set(map(type, map(_unit_id, units)))) <= 1:
        try:
            return sorted(units, key=attrgetter(*keys, "id"))
        except TypeError:
            pass
    return sorted(units, key=lambda u: (*(_orderable(_value(u, k)) for k in keys), _orderable(u.id)))


def _value(unit: FrameUnit, key: str) -> object:
    if key in _UNIT_FIELDS:
        return getattr(unit, key)
    if key not in unit.attrs:
        raise KeyError(f"unit {unit.id!r} has no sort attribute {key!r}")
    return unit.attrs[key]


def _orderable(value: object) -> tuple[int, object]:
    """Numbers before text before anything else, so mixed types still sort."""
    if value is None:
        return (0, 0)
    if type(value) in (int, float) or isinstance(value, Real):
        return (1, value)
    if isinstance(value, str):
        return (2, value)
    return (3, repr(value))


def srs_students[H: Hashable](*, student_ids: Sequence[H], n: int = STUDENTS_PER_SCHOOL, seed: int) -> list[H]:
    """Simple random sample without replacement of ``n`` students (all when N <= n).

    The roster is sorted first, so the same seed and the same set of students give the
    same sample whatever order the roster was uploaded in. Returned in roster order.
    """
    if n < 1:
        raise ValueError("n must be at least 1")
    roster = sorted(student_ids, key=_orderable)
    _require_unique(roster, "student ids")
    if len(roster) <= n:
        return roster
    drawn = np.random.default_rng(seed).choice(len(roster), size=n, replace=False)
    return [roster[i] for i in sorted(drawn.tolist())]


def within_school_probability(*, roster_size: int, n: int = STUDENTS_PER_SCHOOL) -> Fraction:
    """π(student | school) = n_sampled / N with n_sampled = min(n, N)."""
    if roster_size < 1 or n < 1:
        raise ValueError("roster_size and n must be at least 1")
    return Fraction(min(n, roster_size), roster_size)


def final_weight(*, school_weight: Fraction | float, roster_size: int, n: int = STUDENTS_PER_SCHOOL) -> Fraction | float:
    """Student's final weight = (1/π_school) × (N_school / n_sampled).

    The n_sampled students' within-school weights N/n_sampled sum to exactly N, so their
    final weights sum to school_weight × N. Exact when ``school_weight`` is a Fraction.
    """
    return school_weight / within_school_probability(roster_size=roster_size, n=n)
