"""County estimates from imported data against the hand-worked example in tests/results/data.py."""

import math

import pytest

from results.estimation import Level
from results.models import ReferenceValue
from results.pe import pe_result
from results.selectors import domain_result, student_levels

from .data import load_pe, load_scores

approx = pytest.approx


@pytest.fixture
def result(results_world, django_capture_on_commit_callbacks):
    load_scores(results_world, django_capture_on_commit_callbacks)
    return domain_result(rnd=results_world.round, domain="math", grade=4)


def test_weighted_mean_and_jk1_se_by_hand(result):
    # (10·4·550 + 30·4·450) / 160 = 475. Dropping A leaves 450, dropping B 550:
    # V = (k−1)/k · Σ(θ_j − θ)² = ½ · (25² + 75²) = 3125, SE = 55.9017.
    assert result.mean.estimate == approx(475)
    assert result.mean.se == approx(math.sqrt(3125))
    assert (result.students, result.schools) == (8, 2)


def test_level_shares_by_hand_add_up_to_one(result):
    # Ⅰ: B's 300 (30/160); Ⅱ: A's 400 + B's 400 (40/160); Ⅲ likewise;
    # Ⅳ: A's 600, 700 + B's 600 (50/160).
    shares = {lv: e.estimate for lv, e in result.levels.items()}
    assert shares == approx({Level(1): 0.1875, Level(2): 0.25, Level(3): 0.25, Level(4): 0.3125})
    assert sum(shares.values()) == approx(1)


def test_the_sex_gap_by_hand(result):
    # girls (10·1000 + 30·800)/80 = 425, boys (10·1200 + 30·1000)/80 = 525;
    # both replicates give −100.
    assert result.sex_gap.first.estimate == approx(425)
    assert result.sex_gap.second.estimate == approx(525)
    assert result.sex_gap.gap.estimate == approx(-100) and result.sex_gap.gap.se == approx(0)


def test_location_means_and_a_gap_that_lives_in_one_school_each(result):
    assert result.location_means["urban"].estimate == approx(550)
    assert result.location_means["town"].estimate == approx(450)
    assert math.isnan(result.location_means["urban"].se)  # one school: no replicate without it


def test_variance_components_and_cv_by_hand(result):
    # MSB = 4·(50² + 50²)/1 = 20000, MSW = 100000/6, n0 = 4 → σ²_b = 833.3, ICC = 0.047619.
    # CV: school weights 40 and 120, centre 475, SD √((40·75² + 120·25²)/160) = √1875.
    assert result.variance.icc == approx(833.3333 / 17500, rel=1e-4)
    assert result.variance.cv == approx(math.sqrt(1875) / 475)


def test_the_classic_table_per_school(result):
    a, b = result.school_rows  # in order of school code, never by result
    assert (a.name, a.table.tested, a.table.passing, a.table.excellent, a.table.low) == (
        "甲小学",
        4,
        4,
        2,
        0,
    )
    assert [band.count for band in a.table.bands] == [0, 0, 1, 1, 2]
    assert (b.table.passing, b.table.excellent) == (3, 1)
    assert [band.count for band in b.table.bands] == [0, 1, 1, 1, 1]


def test_a_comparison_with_the_province_by_hand(results_world, django_capture_on_commit_callbacks):
    ReferenceValue.objects.create(
        county=results_world.county,
        round=results_world.round,
        source="province",
        year=2027,
        domain="math",
        grade=4,
        indicator="mean",
        value=500,
        se=0,
    )
    load_scores(results_world, django_capture_on_commit_callbacks)
    result = domain_result(rnd=results_world.round, domain="math", grade=4)
    [c] = result.comparisons
    # (475 − 500) / 55.9017 = −0.4472, p = 0.6547
    assert c.comparison.difference == approx(-25)
    assert c.comparison.z == approx(-0.44721, rel=1e-4)
    assert c.comparison.p_value == approx(0.65472, rel=1e-4)
    assert not c.comparison.significant


def test_each_students_level_by_monitoring_id(results_world, result):
    levels = student_levels(rnd=results_world.round, domain="math", grade=4)
    assert [row["score"] for row in levels] == [400, 500, 600, 700, 300, 400, 500, 600]
    assert all("monitoring_id" in row and "name" not in row for row in levels)


def test_cut_scores_change_the_levels(results_world, result):
    cut = result.cut
    cut.level2 = 450
    cut.save()
    again = domain_result(rnd=results_world.round, domain="math", grade=4)
    assert again.levels[Level(1)].estimate == approx((30 + 30 + 10) / 160)


def test_no_scores_means_no_result(results_world):
    assert domain_result(rnd=results_world.round, domain="math", grade=4) is None


def test_pe_bmi_categories_and_poor_vision(results_world, django_capture_on_commit_callbacks):
    load_pe(results_world, django_capture_on_commit_callbacks)
    result = pe_result(rnd=results_world.round)
    both = next(g for g in result.groups if g.sex == "")
    # Row by row (sexes F, M, F, M; weights 10 ×4 then 30 ×4):
    # A: F 18.0 normal, M 22.7 obese, F 18.0 normal, M 14.0 low weight
    # B: F 18.0 normal, M 18.0 normal, F 22.7 obese, M 18.0 normal
    # obese: 10 + 30 of 160; low weight 10; normal 20 + 90 = 110.
    assert both.bmi_shares["obese"].estimate == approx(40 / 160)
    assert both.bmi_shares["low_weight"].estimate == approx(10 / 160)
    assert both.bmi_shares["normal"].estimate == approx(110 / 160)
    assert sum(e.estimate for e in both.bmi_shares.values()) == approx(1)
    # poor vision (< 5.0 in either eye): A's second (4.8) and B's first (4.6, 4.9): (10 + 30)/160
    assert both.poor_vision.estimate == approx(40 / 160)
    assert both.items["height_cm"].mean == approx(140)
