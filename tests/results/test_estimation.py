"""results.estimation against hand-worked arithmetic (written out in the comments)."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from results.estimation import (
    Estimate,
    Level,
    Proportion,
    Replication,
    assign_level,
    assign_levels,
    compare_rounds,
    compare_to_reference,
    group_gap,
    jackknife,
    level_shares,
    paired_zones,
    school_table,
    variance_components,
    weighted_mean,
)

approx = pytest.approx

# The tiny design used by several tests: 3 schools × 2 students, unequal weights.
#   school A: y = 10 (w 1), 20 (w 3)  -> Σwy = 70,  Σw = 4
#   school B: y = 30 (w 2), 40 (w 2)  -> Σwy = 140, Σw = 4
#   school C: y = 50 (w 1), 60 (w 1)  -> Σwy = 110, Σw = 2
TINY = dict(
    values=[10, 20, 30, 40, 50, 60],
    weights=[1, 3, 2, 2, 1, 1],
    clusters=["A", "A", "B", "B", "C", "C"],
)


def test_weighted_mean_of_five_values_by_hand():
    # Σwy = 2·1 + 4·2 + 6·3 + 8·2 + 10·2 = 2 + 8 + 18 + 16 + 20 = 64; Σw = 10
    assert weighted_mean(values=[2, 4, 6, 8, 10], weights=[1, 2, 3, 2, 2]) == approx(6.4)


def test_weighted_mean_refuses_missing_values_and_zero_weights():
    with pytest.raises(ValueError, match="missing"):
        weighted_mean(values=[1, float("nan")], weights=[1, 1])
    with pytest.raises(ValueError, match="zero"):
        weighted_mean(values=[1, 2], weights=[0, 0])


def test_jk1_se_of_the_mean_on_three_schools_by_hand():
    # Full sample: θ = (70 + 140 + 110) / (4 + 4 + 2) = 320 / 10 = 32.
    # Replicates (the k/(k−1) = 3/2 inflation cancels in a ratio):
    #   without A: (140 + 110) / (4 + 2) = 250/6 = 41.6667
    #   without B: (70 + 110)  / (4 + 2) = 180/6 = 30
    #   without C: (70 + 140)  / (4 + 4) = 210/8 = 26.25
    # V = (k−1)/k · Σ(θ_j − θ)² = 2/3 · (9.6667² + 2² + 5.75²)
    #   = 2/3 · (93.4444 + 4 + 33.0625) = 2/3 · 130.5069 = 87.0046;  SE = 9.3276
    result = jackknife(**TINY)
    assert result.estimate == approx(32.0)
    assert result.se == approx(math.sqrt(2 / 3 * (93.444444 + 4 + 33.0625)), rel=1e-6)
    assert result.se == approx(9.3276, abs=1e-4)
    assert result.replicates == 3


def test_jk1_se_with_one_student_per_school_and_equal_weights_is_s_over_root_n():
    # y = 2, 4, 4, 4, 5, 5, 7, 9: mean 5, Σ(y − ȳ)² = 9+1+1+1+0+0+4+16 = 32,
    # s² = 32/7, s/√n = √(32/7/8) = √(4/7) = 0.755929
    values = [2, 4, 4, 4, 5, 5, 7, 9]
    result = jackknife(values=values, weights=[1] * 8, clusters=range(8))
    assert result.se == approx(math.sqrt(4 / 7))


@settings(max_examples=50, deadline=None)
@given(st.lists(st.floats(-1e3, 1e3), min_size=2, max_size=40))
def test_jk1_matches_textbook_se_for_any_simple_random_sample(values):
    result = jackknife(values=values, weights=[1] * len(values), clusters=range(len(values)))
    s = np.std(values, ddof=1)
    assert result.se == approx(s / math.sqrt(len(values)), rel=1e-6, abs=1e-9)


@settings(max_examples=30, deadline=None)
@given(st.floats(0.01, 1e4))
def test_scaling_every_weight_changes_neither_estimate_nor_se(scale):
    base = jackknife(**TINY)
    scaled = jackknife(**{**TINY, "weights": np.array(TINY["weights"]) * scale})
    assert scaled.estimate == approx(base.estimate)
    assert scaled.se == approx(base.se)


def test_a_callable_statistic_gets_the_same_replicates():
    result = jackknife(**TINY, statistic=lambda y, w: float(np.average(y, weights=w)))
    assert result.se == approx(9.3276, abs=1e-4)


def test_the_kept_design_follows_the_arrays_content_not_their_identity():
    # The TINY design with integer school codes and float weights (the arrays a page passes,
    # whose JK1 design is kept between calls): the hand-worked SE of the test above.
    weights = np.array([1, 3, 2, 2, 1, 1], dtype=float)
    clusters = np.array([1, 1, 2, 2, 3, 3])
    first = jackknife(values=TINY["values"], weights=weights, clusters=clusters)
    assert first.se == approx(9.3276, abs=1e-4)
    # Same arrays changed in place: school C's weights doubled. By hand: Σwy = 70 + 140 + 220
    # = 430, Σw = 12, θ = 35.8333; without A (140 + 220)/8 = 45, without B (70 + 220)/8 = 36.25,
    # without C 210/8 = 26.25; V = 2/3 · (9.1667² + 0.4167² + 9.5833²) = 2/3 · 176.0417.
    weights[4:] = 2
    second = jackknife(values=TINY["values"], weights=weights, clusters=clusters)
    assert second.estimate == approx(430 / 12)
    assert second.se == approx(math.sqrt(2 / 3 * (9.166667**2 + 0.416667**2 + 9.583333**2)), rel=1e-5)
    # Schools renumbered so that A and B are one school: two replicates, not three.
    clusters[2:4] = 1
    assert jackknife(values=TINY["values"], weights=weights, clusters=clusters).replicates == 2
    # Negative weights are refused on every call, kept design or not.
    weights[0] = -1
    with pytest.raises(ValueError, match="negative"):
        jackknife(values=TINY["values"], weights=weights, clusters=clusters)


def test_weighted_proportion_with_se_by_hand():
    # Share with y ≥ 35 (students 40, 50, 60):
    #   full: (2 + 1 + 1) / 10 = 0.4
    #   without A: (2 + 2)/6 = 0.6667; without B: 2/6 = 0.3333; without C: 2/8 = 0.25
    #   V = 2/3 · (0.26667² + 0.06667² + 0.15²) = 2/3 · (0.071111 + 0.004444 + 0.0225)
    high = np.array(TINY["values"]) >= 35
    result = jackknife(**{**TINY, "values": high}, statistic=Proportion(of=True))
    assert result.estimate == approx(0.4)
    assert result.se == approx(math.sqrt(2 / 3 * (0.0711111 + 0.0044444 + 0.0225)), rel=1e-5)


def test_gap_between_sexes_with_se_from_replicates_by_hand():
    # school A: boy 10 (w1), girl 20 (w1); B: boy 30 (w2), girl 30 (w2);
    # school C: boy 20 (w1), girl 40 (w1).
    # Full: girls (20 + 60 + 40)/4 = 30, boys (10 + 60 + 20)/4 = 22.5, gap 7.5
    #   without A: girls 100/3 = 33.333, boys 80/3 = 26.667, gap 6.6667
    #   without B: girls 60/2 = 30,      boys 30/2 = 15,     gap 15
    #   without C: girls 80/3 = 26.667,  boys 70/3 = 23.333, gap 3.3333
    # V(gap)   = 2/3 · (0.83333² + 7.5² + 4.16667²) = 2/3 · 74.30556 = 49.537;  SE 7.0383
    # V(girls) = 2/3 · (3.3333² + 0 + 3.3333²)        = 2/3 · 22.2222 = 14.815;  SE 3.8490
    # V(boys)  = 2/3 · (4.16667² + 7.5² + 0.83333²)    = 49.537;                 SE 7.0383
    result = group_gap(
        values=[10, 20, 30, 30, 20, 40],
        weights=[1, 1, 2, 2, 1, 1],
        clusters=["A", "A", "B", "B", "C", "C"],
        groups=["M", "F", "M", "F", "M", "F"],
        first="F",
        second="M",
    )
    assert (result.first.estimate, result.second.estimate) == approx((30.0, 22.5))
    assert result.gap.estimate == approx(7.5)
    assert result.first.se == approx(math.sqrt(2 / 3 * 22.222222), rel=1e-6)
    assert result.second.se == approx(math.sqrt(2 / 3 * 74.305556), rel=1e-6)
    assert result.gap.se == approx(math.sqrt(2 / 3 * 74.305556), rel=1e-6)
    # Assuming independence would have said √(3.849² + 7.038²) = 8.02, not 7.04.
    assert result.gap.se < math.hypot(result.first.se, result.second.se) - 0.9


def test_a_domain_found_in_one_school_only_has_no_se():
    # Only school A is urban: the replicate without A has no urban student at all.
    result = group_gap(
        **TINY, groups=["urban", "urban", "rural", "rural", "rural", "rural"],
        first="urban", second="rural",
    )  # fmt: skip
    assert result.first.estimate == approx(17.5)  # (10 + 60) / 4
    assert math.isnan(result.gap.se)


def test_jk2_paired_zones_by_hand():
    # Five schools in frame order A..E, y = 0..9, two students each, weight 1.
    # Zones: (A, B) and (C, D, E) — the odd school joins the last pair.
    # Full mean 45/10 = 4.5. School sums A 1, B 5, C 9, D 13, E 17.
    # Zone 1 (n_h = 2, the kept school doubled):
    #   without A: (2·5 + 9 + 13 + 17)/10 = 4.9; without B: (2·1 + 39)/10 = 4.1
    #   contribution 1/2 · (0.4² + 0.4²) = 0.16
    # Zone 2 (n_h = 3, the kept two × 3/2):
    #   without C: (6 + 1.5·30)/10 = 5.1; without D: (6 + 1.5·26)/10 = 4.5;
    #   without E: (6 + 1.5·22)/10 = 3.9; contribution 2/3 · (0.36 + 0 + 0.36) = 0.48
    # V = 0.64, SE = 0.8
    zones = paired_zones(frame_order=["A", "B", "C", "D", "E"])
    assert zones == {"A": 0, "B": 0, "C": 1, "D": 1, "E": 1}
    result = jackknife(
        values=np.arange(10.0),
        weights=np.ones(10),
        clusters=list("AABBCCDDEE"),
        replication=Replication("JK2", zones=zones),
    )
    assert result.estimate == approx(4.5)
    assert result.se == approx(0.8)


def test_jk2_needs_zones_and_jk1_refuses_them():
    with pytest.raises(ValueError):
        Replication("JK2")
    with pytest.raises(ValueError):
        Replication("JK1", zones={"A": 0})


def test_a_certainty_school_is_replicated_by_its_students_not_dropped():
    # A (y 2) and B (y 4) are sampled schools; C (π = 1) has students y 6 and 8. Weights 1.
    # Full mean 20/4 = 5.
    # Schools zone: without A: (2·4 + 14)/4 = 5.5; without B: (2·2 + 14)/4 = 4.5 -> 1/2·0.5
    # Zone C, students: without 6: (6 + 2·8)/4 = 5.5; without 8: (6 + 2·6)/4 = 4.5 -> 1/2·0.5
    # V = 0.25 + 0.25 = 0.5
    result = jackknife(
        values=[2, 4, 6, 8],
        weights=[1, 1, 1, 1],
        clusters=["A", "B", "C", "C"],
        replication=Replication(certainty={"C"}),
    )
    assert result.se == approx(math.sqrt(0.5))


def test_a_score_equal_to_a_cut_belongs_to_the_higher_level():
    cuts = [60, 75, 90]
    assert assign_level(score=59.5, cuts=cuts) is Level.NEEDS_IMPROVEMENT
    assert assign_level(score=60, cuts=cuts) is Level.MEDIUM
    assert assign_level(score=74.9, cuts=cuts) is Level.MEDIUM
    assert assign_level(score=75, cuts=cuts) is Level.GOOD
    assert assign_level(score=90, cuts=cuts) is Level.EXCELLENT
    assert list(assign_levels(scores=[0, 60, 75, 89.99, 90, 100], cuts=cuts)) == [1, 2, 3, 3, 4, 4]
    assert Level.EXCELLENT.label == "水平Ⅳ 优秀"


def test_cuts_must_be_three_increasing_lower_bounds():
    with pytest.raises(ValueError):
        assign_level(score=50, cuts=[60, 60, 90])
    with pytest.raises(ValueError):
        assign_level(score=50, cuts=[60, 90])


def test_level_shares_match_hand_counts():
    # A (w 2): 59.5 Ⅰ, 60 Ⅱ, 75 Ⅲ, 95 Ⅳ      B (w 1): 40 Ⅰ, 74.5 Ⅱ, 89.9 Ⅲ, 90 Ⅳ
    # C (w 3): 30 Ⅰ, 65 Ⅱ.                   Total weight 8 + 4 + 6 = 18.
    # Ⅰ: 2 + 1 + 3 = 6 -> 1/3; Ⅱ: 6 -> 1/3; Ⅲ: 2 + 1 = 3 -> 1/6; Ⅳ: 3 -> 1/6.
    # SE of Ⅳ: without A 1/10; without B 2/14; without C 3/12 (around 1/6):
    #   V = 2/3 · ((0.1 − 1/6)² + (1/7 − 1/6)² + (1/4 − 1/6)²)
    shares = level_shares(
        scores=[59.5, 60, 75, 95, 40, 74.5, 89.9, 90, 30, 65],
        weights=[2, 2, 2, 2, 1, 1, 1, 1, 3, 3],
        cuts=[60, 75, 90],
        clusters=list("AAAABBBBCC"),
    )
    assert [shares[level].estimate for level in Level] == approx([1 / 3, 1 / 3, 1 / 6, 1 / 6])
    deviations = [0.1 - 1 / 6, 1 / 7 - 1 / 6, 1 / 4 - 1 / 6]
    expected = math.sqrt(2 / 3 * sum(d * d for d in deviations))
    assert shares[Level.EXCELLENT].se == approx(expected)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.floats(0, 100), st.floats(0.1, 50), st.integers(0, 4)),
        min_size=2,
        max_size=60,
    ).filter(lambda rows: len({school for _, _, school in rows}) >= 2)
)
def test_level_shares_always_sum_to_one(rows):
    scores, weights, schools = zip(*rows, strict=True)
    shares = level_shares(scores=scores, weights=weights, cuts=[40, 60, 80], clusters=schools)
    assert sum(share.estimate for share in shares.values()) == approx(1.0)
    assert all(share.se >= 0 for share in shares.values())


# Unbalanced one-way ANOVA worked by hand (formulas: Searle, Casella & McCulloch 1992, §3.6):
#   A: 3, 5, 7 (mean 5)   B: 9, 11 (mean 10)   C: 4, 6, 8, 10 (mean 7)
#   N = 9, k = 3, grand mean 63/9 = 7
#   SSB = 3·(5−7)² + 2·(10−7)² + 4·(7−7)² = 12 + 18 + 0 = 30,  MSB = 30/2 = 15
#   SSW = (4+0+4) + (1+1) + (9+1+1+9) = 30,                     MSW = 30/6 = 5
#   n0  = (9 − (9 + 4 + 16)/9)/2 = (52/9)/2 = 26/9
#   σ²_b = (15 − 5)/(26/9) = 90/26 = 3.461538,  σ²_w = 5
#   ICC = (45/13)/(45/13 + 5) = 45/110 = 0.409091
ANOVA = dict(values=[3, 5, 7, 9, 11, 4, 6, 8, 10], clusters=list("AAABBCCCC"))


def test_variance_components_match_the_hand_worked_anova():
    result = variance_components(**ANOVA, weights=[4, 4, 4, 6, 6, 3, 3, 3, 3])
    assert result.between == approx(90 / 26)
    assert result.within == approx(5.0)
    assert result.n0 == approx(26 / 9)
    assert result.icc == approx(45 / 110)
    assert (result.schools, result.students) == (3, 9)


def test_cv_with_equal_school_weights_is_the_population_sd_over_the_mean():
    # Each school's weights add to 12, so the schools count equally.
    # School means 5, 10, 7: mean 22/3; population variance
    #   ((5 − 22/3)² + (10 − 22/3)² + (7 − 22/3)²)/3 = (49 + 64 + 1)/9/3 = 38/9
    # CV = (√38/3) / (22/3) = √38/22 = 0.280200
    result = variance_components(**ANOVA, weights=[4, 4, 4, 6, 6, 3, 3, 3, 3])
    assert result.cv == approx(math.sqrt(38) / 22)


def test_cv_weights_each_school_by_its_estimated_enrolment():
    # Weight totals per school 100, 200, 100 (A: 3 × 100/3, B: 2 × 100, C: 4 × 25).
    # Weighted mean of school means (500 + 2000 + 700)/400 = 8;
    # variance (100·9 + 200·4 + 100·1)/400 = 4.5;  CV = √4.5 / 8 = 0.265165
    weights = [100 / 3] * 3 + [100] * 2 + [25] * 4
    assert variance_components(**ANOVA, weights=weights).cv == approx(math.sqrt(4.5) / 8)


def test_icc_and_cv_are_zero_when_all_school_means_are_equal():
    # Means 2, 2, 2: MSB = 0, so σ²_b = max(0, (0 − MSW)/n0) = 0.
    result = variance_components(values=[1, 3, 0, 4, 2, 2], weights=[1] * 6, clusters=list("AABBCC"))
    assert result.between == 0
    assert result.icc == 0
    assert result.cv == approx(0.0)
    # MSW = (1 + 1 + 4 + 4 + 0 + 0)/(6 − 3) = 10/3
    assert result.within == approx(10 / 3)


def test_school_table_of_ten_scores_by_hand():
    # 95 88 72 60 59 45 30 100 81 66 — pass ≥ 60, excellent ≥ 85, low < 40.
    # passing: 95 88 72 60 100 81 66 = 7; excellent: 95 88 100 = 3; low: 30 = 1
    # total 95+88+72+60+59+45+30+100+81+66 = 696; mean 69.6
    # bands [0,60): 59 45 30 = 3; [60,70): 60 66 = 2; [70,80): 72 = 1;
    #       [80,90): 88 81 = 2; [90,): 95 100 = 2
    table = school_table(
        scores=[95, 88, 72, 60, 59, 45, 30, 100, 81, 66],
        pass_mark=60,
        excellent_mark=85,
        low_mark=40,
        bands=[0, 60, 70, 80, 90],
    )
    assert (table.tested, table.passing, table.excellent, table.low) == (10, 7, 3, 1)
    assert (table.total, table.mean) == approx((696, 69.6))
    assert (table.pass_rate, table.excellent_rate, table.low_rate) == approx((0.7, 0.3, 0.1))
    assert [band.count for band in table.bands] == [3, 2, 1, 2, 2]
    assert (table.bands[0].lower, table.bands[0].upper, table.bands[-1].upper) == (0, 60, None)


def test_school_table_refuses_scores_below_the_first_band():
    with pytest.raises(ValueError):
        school_table(scores=[-1, 50], pass_mark=60, excellent_mark=85, low_mark=40, bands=[0])


def test_comparison_to_a_reference_value_by_hand():
    # (510 − 500)/5 = 2.0; two-sided p = 2·(1 − Φ(2)) = 2·0.02275 = 0.0455 < 0.05
    result = compare_to_reference(estimate=510, se=5, reference=500)
    assert (result.difference, result.z) == approx((10, 2.0))
    assert result.p_value == approx(0.0455, abs=1e-4)
    assert result.significant
    # With a reference SE of 3: SE = √(25 + 9) = 5.831, z = 1.715, p = 2·(1 − 0.95682) = 0.0864
    result = compare_to_reference(estimate=510, se=5, reference=500, reference_se=3)
    assert result.se == approx(math.sqrt(34))
    assert result.p_value == approx(0.0864, abs=2e-4)
    assert not result.significant


def test_comparison_of_two_independent_rounds_by_hand():
    # 520 − 500 = 20; SE = √(6² + 8²) = 10; z = 2
    result = compare_rounds(current=Estimate(520, 6, 12), previous=Estimate(500, 8, 12))
    assert (result.difference, result.se, result.z) == approx((20, 10, 2))
    assert result.significant


def test_a_comparison_needs_a_positive_standard_error():
    with pytest.raises(ValueError):
        compare_to_reference(estimate=1, se=0, reference=0)
