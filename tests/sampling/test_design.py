"""Behaviour of the sample design (样本抽取), checked against hand and independent calculations."""

import math
import random
from collections import Counter
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sampling.design import (
    FrameUnit,
    final_weight,
    pps_systematic,
    srs_students,
    within_school_probability,
)

# --- the worked example -----------------------------------------------------------------
#
# Six schools, sort keys (location, school_type, size), ascending:
#   rural  nine-year  S5  30   cum  30
#   rural  primary    S2  45   cum  75
#   town   primary    S4  60   cum 135
#   town   primary    S6  65   cum 200
#   urban  nine-year  S3  80   cum 280
#   urban  primary    S1 120   cum 400
# T = 400, n = 2, I = 200; the largest school (120) < 200, so no certainty unit.
# Random start r = 50: points 50 and 250.
#   50 lies in (30, 75]   -> S2, π = 2·45/400 = 9/40, weight 40/9
#  250 lies in (200, 280] -> S3, π = 2·80/400 = 2/5,  weight 5/2
# Replacements: S2 (2nd in frame) gets its next S4 and its previous S5;
#               S3 (5th) gets its next S1 and its previous S6.
SIX = [
    FrameUnit(id="S1", size=120, location="urban", school_type="primary"),
    FrameUnit(id="S2", size=45, location="rural", school_type="primary"),
    FrameUnit(id="S3", size=80, location="urban", school_type="nine-year"),
    FrameUnit(id="S4", size=60, location="town", school_type="primary"),
    FrameUnit(id="S5", size=30, location="rural", school_type="nine-year"),
    FrameUnit(id="S6", size=65, location="town", school_type="primary"),
]


def by_id(draw):
    return {s.id: s for s in draw.selected}


def test_worked_example_sorts_cumulates_and_selects_by_hand():
    draw = pps_systematic(units=SIX, n=2, seed=1, random_start=50)

    assert draw.frame_order == ("S5", "S2", "S4", "S6", "S3", "S1")
    assert draw.interval == 200
    assert draw.selection_points == (50, 250)
    assert [s.id for s in draw.selected] == ["S2", "S3"]
    s2, s3 = by_id(draw)["S2"], by_id(draw)["S3"]
    assert s2.cumulative_range == (30, 75)
    assert (s2.probability, s2.weight) == (Fraction(9, 40), Fraction(40, 9))
    assert s3.cumulative_range == (200, 280)
    assert (s3.probability, s3.weight) == (Fraction(2, 5), Fraction(5, 2))
    assert not s2.certainty and not s3.certainty
    assert s2.replacements == ("S4", "S5")
    assert s3.replacements == ("S1", "S6")


def test_worked_example_records_the_design():
    draw = pps_systematic(units=SIX, n=2, seed=1, random_start=50)

    assert (draw.seed, draw.n, draw.sort_keys) == (1, 2, ("location", "school_type", "size"))
    assert (draw.took_all, draw.excluded, draw.random_start) == (False, (), 50)


def test_worked_example_with_three_schools_uses_a_fractional_interval():
    # n = 3: I = 400/3. r = 50 -> points 50, 183⅓, 316⅔ -> S2 (30,75], S6 (135,200], S1 (280,400].
    # π: S2 3·45/400 = 27/80, S6 3·65/400 = 39/80, S1 3·120/400 = 9/10.
    draw = pps_systematic(units=SIX, n=3, seed=1, random_start=50)

    assert draw.interval == Fraction(400, 3)
    assert draw.selection_points == (50, Fraction(550, 3), Fraction(950, 3))
    assert {s.id: s.probability for s in draw.selected} == {
        "S2": Fraction(27, 80),
        "S6": Fraction(39, 80),
        "S1": Fraction(9, 10),
    }


def test_seeded_start_is_a_midpoint_inside_the_interval():
    # The documented start: u uniform on 0..T-1 from default_rng(seed), r = (u + 1/2)/n.
    import numpy as np

    draw = pps_systematic(units=SIX, n=2, seed=2024)
    u = int(np.random.default_rng(2024).integers(400))

    assert draw.random_start == Fraction(2 * u + 1, 4)
    assert 0 < draw.random_start < draw.interval


# --- certainty units ----------------------------------------------------------------------
#
# Sizes A 500, B 150, C 60, D 50, E 40, one stratum, so frame order is by size: E D C B A.
# Pass 1: T = 800, n = 3, I = 266⅔; A (500) >= I -> certain.
# Pass 2: T = 300, n = 2, I = 150;  B (150) >= I -> certain (equality counts).
# Pass 3: T = 150, n = 1, I = 150;  60, 50, 40 < 150 -> stop.
# Systematic pass over E D C: cum 40, 90, 150; r = 100 falls in (90, 150] -> C, π = 60/150 = 2/5.
CERTAINTY = [
    FrameUnit(id=name, size=size, location="urban", school_type="primary")
    for name, size in [("A", 500), ("B", 150), ("C", 60), ("D", 50), ("E", 40)]
]


def test_a_huge_school_is_taken_with_certainty_and_the_interval_is_recomputed():
    draw = pps_systematic(units=CERTAINTY, n=3, seed=7, random_start=100)

    assert draw.frame_order == ("E", "D", "C", "B", "A")
    assert (draw.interval, draw.systematic_n, draw.selection_points) == (150, 1, (100,))
    chosen = by_id(draw)
    assert set(chosen) == {"A", "B", "C"}
    assert chosen["A"].certainty and chosen["B"].certainty and not chosen["C"].certainty
    assert chosen["A"].probability == chosen["B"].probability == 1
    assert chosen["A"].cumulative_range is None
    assert (chosen["C"].probability, chosen["C"].weight) == (Fraction(2, 5), Fraction(5, 2))
    assert chosen["C"].cumulative_range == (90, 150)


def test_certainty_schools_are_in_every_seeded_draw():
    for seed in range(100):
        draw = pps_systematic(units=CERTAINTY, n=3, seed=seed)
        assert {"A", "B"} <= set(by_id(draw))
        assert len(draw.selected) == 3


def test_asking_for_more_schools_than_the_frame_has_takes_all_and_says_so():
    draw = pps_systematic(units=SIX, n=8, seed=3)

    assert draw.took_all
    assert sorted(s.id for s in draw.selected) == ["S1", "S2", "S3", "S4", "S5", "S6"]
    assert all(s.probability == 1 and s.weight == 1 and s.certainty for s in draw.selected)


def test_n_equal_to_the_frame_takes_every_school():
    draw = pps_systematic(units=SIX, n=6, seed=3)
    assert len(draw.selected) == 6 and draw.took_all


def test_zero_size_schools_are_excluded_and_reported():
    units = [*SIX, FrameUnit(id="Z0", size=0), FrameUnit(id="Z1", size=-3)]
    draw = pps_systematic(units=units, n=2, seed=1, random_start=50)

    assert draw.excluded == ("Z0", "Z1")
    assert "Z0" not in draw.frame_order
    assert [s.id for s in draw.selected] == ["S2", "S3"]  # same as without them


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError):
        pps_systematic(units=SIX, n=0, seed=1)
    with pytest.raises(ValueError):  # r = 0 would select n - 1 schools
        pps_systematic(units=SIX, n=2, seed=1, random_start=0)
    with pytest.raises(ValueError):
        pps_systematic(units=SIX, n=2, seed=1, random_start=201)
    with pytest.raises(ValueError):
        pps_systematic(units=[*SIX, SIX[0]], n=2, seed=1)


# --- sorting ------------------------------------------------------------------------------


def test_ties_in_every_sort_key_are_broken_by_id_whatever_the_input_order():
    twins = [FrameUnit(id=i, size=10, location="town", school_type="primary") for i in (5, 3, 9, 1)]
    draw = pps_systematic(units=twins, n=1, seed=0)
    assert draw.frame_order == (1, 3, 5, 9)


def test_extra_sort_attributes_come_from_attrs():
    units = [
        FrameUnit(id="a", size=10, attrs={"township": "03"}),
        FrameUnit(id="b", size=10, attrs={"township": "01"}),
        FrameUnit(id="c", size=10, attrs={"township": "02"}),
    ]
    draw = pps_systematic(units=units, n=1, seed=0, sort_keys=("township",))
    assert draw.frame_order == ("b", "c", "a")


def test_mixed_id_types_and_missing_values_still_sort():
    units = [
        FrameUnit(id="x", size=10, location=None),
        FrameUnit(id=2, size=10, location="town"),
        FrameUnit(id=1, size=10, location="town"),
    ]
    draw = pps_systematic(units=units, n=1, seed=0)
    assert draw.frame_order == ("x", 1, 2)  # missing location first, then ids numbers-first


# --- replacements -------------------------------------------------------------------------
#
# Ten schools in id order (sort_keys=()), sizes 5 5 20 5 20 5 5 5 5 5:
# cum 5 10 30 35 55 60 65 70 75 80, T = 80, n = 2, I = 40.
TEN = [FrameUnit(id=i, size=s) for i, s in enumerate([5, 5, 20, 5, 20, 5, 5, 5, 5, 5])]


def test_a_taken_neighbour_makes_the_other_side_supply_both_replacements():
    # r = 12: points 12 in (10,30] -> school 2 and 52 in (35,55] -> school 4.
    # School 2 takes 3 (next) and 1 (previous). School 4's previous, 3, is taken,
    # so it takes 5 and then 6 (nearer than 1's other side, 0).
    draw = pps_systematic(units=TEN, n=2, seed=0, sort_keys=(), random_start=12)

    assert [(s.id, s.replacements) for s in draw.selected] == [(2, (3, 1)), (4, (5, 6))]


def test_the_last_school_in_the_frame_takes_two_preceding_replacements():
    # r = 38: points 38 in (35,55] -> school 4 and 78 in (75,80] -> school 9.
    draw = pps_systematic(units=TEN, n=2, seed=0, sort_keys=(), random_start=38)

    assert [(s.id, s.replacements) for s in draw.selected] == [(4, (5, 3)), (9, (8, 7))]


def test_replacements_are_shared_only_when_there_are_too_few_schools():
    # SIX with n = 3 (worked above): S2, S6, S1 sampled; only S5, S4, S3 are free.
    # S2 takes S4, S5; S6 takes S3 and must share S4; S1 shares S3 and S4.
    draw = pps_systematic(units=SIX, n=3, seed=1, random_start=50)

    assert {s.id: s.replacements for s in draw.selected} == {
        "S2": ("S4", "S5"),
        "S6": ("S3", "S4"),
        "S1": ("S3", "S4"),
    }


# --- exactness over awkward frames --------------------------------------------------------

sizes = st.one_of(
    st.integers(min_value=1, max_value=10**6),
    st.sampled_from([0, 1, 2, 3, 1000, 10**6]),  # ties, zeros and extremes
)
frames = st.lists(
    st.tuples(sizes, st.sampled_from(["urban", "town", "rural"]), st.sampled_from(["p", "j"])),
    min_size=1,
    max_size=60,
)


def make_frame(rows):
    return [FrameUnit(id=i, size=row[0], location=row[1], school_type=row[2]) for i, row in enumerate(rows)]


def expected_certainty(units, n):
    """Independent oracle: peel the largest school while size >= (remaining total)/(remaining n)."""
    remaining = sorted((u for u in units if u.size > 0), key=lambda u: -u.size)
    certain = set()
    while True:
        n_left = n - len(certain)
        if remaining[0].size * n_left < sum(u.size for u in remaining):
            return certain, remaining, n_left
        certain.add(remaining.pop(0).id)


@settings(max_examples=300, deadline=None)
@given(rows=frames, n=st.integers(min_value=1, max_value=25), seed=st.integers(0, 2**32))
def test_exactly_n_distinct_schools_with_exact_probabilities(rows, n, seed):
    units = make_frame(rows)
    eligible = {u.id for u in units if u.size > 0}
    draw = pps_systematic(units=units, n=n, seed=seed)

    chosen = [s.id for s in draw.selected]
    assert len(chosen) == len(set(chosen)) == min(n, len(eligible))
    assert set(chosen) <= eligible
    assert set(draw.excluded) == {u.id for u in units} - eligible
    if draw.took_all:
        return
    certain, rest, n_rest = expected_certainty(units, n)
    rest_total = sum(u.size for u in rest)
    assert {s.id for s in draw.selected if s.certainty} == certain
    for s in draw.selected:
        expected = 1 if s.certainty else Fraction(n_rest * s.size, rest_total)
        assert s.probability == expected and s.weight == 1 / expected
    # Σπ over the whole frame is n: certainty units plus n'·T'/T'.
    assert len(certain) + sum(Fraction(n_rest * u.size, rest_total) for u in rest) == n


@settings(max_examples=200, deadline=None)
@given(rows=frames, n=st.integers(min_value=1, max_value=25), seed=st.integers(0, 2**32))
def test_explicit_starts_at_the_interval_ends_still_select_exactly_n(rows, n, seed):
    units = make_frame(rows)
    draw = pps_systematic(units=units, n=n, seed=seed)
    if draw.took_all:
        return
    for start in (draw.interval, Fraction(1, 10**12), Fraction(1), draw.interval / 2):
        if 0 < start <= draw.interval:
            again = pps_systematic(units=units, n=n, seed=seed, random_start=start)
            assert len({s.id for s in again.selected}) == n


@settings(max_examples=200, deadline=None)
@given(rows=frames, n=st.integers(min_value=1, max_value=25), seed=st.integers(0, 2**32))
def test_replacements_are_never_sampled_and_never_shared_if_avoidable(rows, n, seed):
    draw = pps_systematic(units=make_frame(rows), n=n, seed=seed)
    chosen = {s.id for s in draw.selected}
    free = len(draw.frame_order) - len(chosen)

    for s in draw.selected:
        assert len(s.replacements) == len(set(s.replacements)) == min(2, free)
        assert not set(s.replacements) & chosen
    every = [r for s in draw.selected for r in s.replacements]
    if free >= 2 * len(chosen):
        assert len(every) == len(set(every))


def test_a_one_school_frame_gives_that_school():
    draw = pps_systematic(units=[FrameUnit(id="only", size=7)], n=1, seed=9)
    assert [(s.id, s.probability, s.replacements) for s in draw.selected] == [("only", 1, ())]


# --- randomness ---------------------------------------------------------------------------

# fmt: off
TWENTY_SIZES = [12, 25, 33, 47, 58, 61, 75, 80, 92, 104,
                110, 118, 130, 141, 150, 163, 170, 185, 199, 210]
# fmt: on
TWENTY = [
    FrameUnit(id=f"K{i:02d}", size=s, location=["urban", "town", "rural"][i % 3], school_type="p") for i, s in enumerate(TWENTY_SIZES)
]


def test_same_seed_same_sample_whatever_the_input_order():
    shuffled = TWENTY[:]
    random.Random(5).shuffle(shuffled)
    draw = pps_systematic(units=TWENTY, n=5, seed=42)
    assert draw == pps_systematic(units=shuffled, n=5, seed=42)


def test_different_seeds_usually_give_different_samples():
    draws = [pps_systematic(units=TWENTY, n=5, seed=k) for k in range(30)]
    samples = {tuple(s.id for s in draw.selected) for draw in draws}
    assert len(samples) >= 8  # a systematic design has few distinct samples; 30 seeds give ~15


def test_every_equally_likely_start_gives_probabilities_exactly_n_size_over_total():
    # Enumerate all T seeded starts (u + 1/2)/n, u = 0..T-1: counts must equal n·size exactly.
    units = [FrameUnit(id=i, size=s) for i, s in enumerate([3, 7, 1, 9, 4, 6, 2, 8])]  # T = 40
    counts = Counter()
    for u in range(40):
        start = Fraction(2 * u + 1, 6)
        draw = pps_systematic(units=units, n=3, seed=0, sort_keys=(), random_start=start)
        assert len(draw.selected) == 3
        counts.update(s.id for s in draw.selected)
    assert counts == {u.id: 3 * u.size for u in units}


def test_selection_frequencies_match_probabilities_over_many_seeds():
    rounds, n, total = 4000, 5, sum(TWENTY_SIZES)  # total 2163; 5·210 < 2163: no certainty
    counts = Counter()
    for seed in range(rounds):
        counts.update(s.id for s in pps_systematic(units=TWENTY, n=n, seed=seed).selected)

    probabilities = {u.id: Fraction(n * u.size, total) for u in TWENTY}
    assert sum(probabilities.values()) == n
    for uid, p in probabilities.items():
        p = float(p)
        assert abs(counts[uid] / rounds - p) <= 4 * math.sqrt(p * (1 - p) / rounds), uid


# --- students -----------------------------------------------------------------------------


def test_thirty_distinct_students_from_a_hundred():
    roster = [f"G4-{i:03d}" for i in range(100)]
    sample = srs_students(student_ids=roster, n=30, seed=11)
    assert len(sample) == len(set(sample)) == 30
    assert set(sample) <= set(roster)


def test_a_school_with_thirty_or_fewer_students_takes_all():
    assert srs_students(student_ids=[3, 1, 2], seed=1) == [1, 2, 3]
    assert len(srs_students(student_ids=list(range(30)), seed=1)) == 30


def test_student_sample_depends_only_on_seed_and_roster_content():
    roster = list(range(100))
    backwards = roster[::-1]
    assert srs_students(student_ids=roster, seed=8) == srs_students(student_ids=backwards, seed=8)
    assert srs_students(student_ids=roster, seed=8) != srs_students(student_ids=roster, seed=9)


def test_duplicate_students_are_refused():
    with pytest.raises(ValueError):
        srs_students(student_ids=[1, 1, 2], seed=0)


def test_every_student_has_the_same_chance():
    rounds, counts = 2000, Counter()
    for seed in range(rounds):
        counts.update(srs_students(student_ids=range(100), n=30, seed=seed))
    bound = 4 * math.sqrt(0.3 * 0.7 / rounds)
    assert all(abs(counts[i] / rounds - 0.3) <= bound for i in range(100))


def test_final_weights_of_sampled_students_add_up_to_school_weight_times_roster():
    # School S2 of the worked example: weight 40/9. Roster N = 100, n = 30:
    # within-school π = 30/100 = 3/10, final weight = 40/9 · 10/3 = 400/27,
    # 30 students · 400/27 = 4000/9 = 40/9 · 100.
    assert within_school_probability(roster_size=100, n=30) == Fraction(3, 10)
    w = final_weight(school_weight=Fraction(40, 9), roster_size=100, n=30)
    assert w == Fraction(400, 27)
    assert 30 * w == Fraction(40, 9) * 100


def test_a_small_school_gives_every_student_its_school_weight():
    # N = 25 <= 30: all taken, π = 1, final weight = school weight; 25 · 5/2 = 125/2.
    assert within_school_probability(roster_size=25, n=30) == 1
    assert final_weight(school_weight=Fraction(5, 2), roster_size=25, n=30) == Fraction(5, 2)
