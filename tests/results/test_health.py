"""results.health against the standard's table and hand-worked arithmetic."""

import math
from decimal import Decimal

import pytest

from results.health import (
    DEFAULT_BMI_ROWS,
    DEFAULT_BMI_TABLE,
    BmiCategory,
    BmiTable,
    Sex,
    bmi,
    bmi_category,
    poor_vision,
    summarize,
)

LOW, NORMAL = BmiCategory.LOW_WEIGHT, BmiCategory.NORMAL
OVER, OBESE = BmiCategory.OVERWEIGHT, BmiCategory.OBESE

# (grade, sex, BMI, category) on both sides of every boundary of the four rows of the
# National Student Physical Health Standard (2014) quoted in DOMAIN.md.
BOUNDARIES = [
    # grade 4 boys: ≤ 14.1 | 14.2–20.1 | 20.2–22.6 | ≥ 22.7
    *[(4, "M", b, c) for b, c in [(14.1, LOW), (14.2, NORMAL), (20.1, NORMAL)]],
    *[(4, "M", b, c) for b, c in [(20.2, OVER), (22.6, OVER), (22.7, OBESE)]],
    # grade 4 girls: ≤ 13.6 | 13.7–19.4 | 19.5–22.0 | ≥ 22.1
    *[(4, "F", b, c) for b, c in [(13.6, LOW), (13.7, NORMAL), (19.4, NORMAL)]],
    *[(4, "F", b, c) for b, c in [(19.5, OVER), (22.0, OVER), (22.1, OBESE)]],
    # grade 8 boys: ≤ 15.6 | 15.7–22.5 | 22.6–25.2 | ≥ 25.3
    *[(8, "M", b, c) for b, c in [(15.6, LOW), (15.7, NORMAL), (22.5, NORMAL)]],
    *[(8, "M", b, c) for b, c in [(22.6, OVER), (25.2, OVER), (25.3, OBESE)]],
    # grade 8 girls: ≤ 15.2 | 15.3–22.2 | 22.3–24.8 | ≥ 24.9
    *[(8, "F", b, c) for b, c in [(15.2, LOW), (15.3, NORMAL), (22.2, NORMAL)]],
    *[(8, "F", b, c) for b, c in [(22.3, OVER), (24.8, OVER), (24.9, OBESE)]],
]


@pytest.mark.parametrize(("grade", "sex", "value", "category"), BOUNDARIES)
def test_bmi_boundaries_of_the_four_shipped_rows(grade, sex, value, category):
    assert bmi_category(bmi=value, grade=grade, sex=sex) is category


def test_bmi_from_height_and_weight_by_hand():
    # 140 cm, 35 kg: 1.40² = 1.96 m²; 35 / 1.96 = 17.857… -> 17.9
    assert bmi(height_cm=140, weight_kg=35) == Decimal("17.9")
    # 160 cm, 64 kg: 1.6² = 2.56; 64 / 2.56 = 25.0
    assert bmi(height_cm=160, weight_kg=64) == Decimal("25.0")
    assert bmi_category(bmi=Decimal("25.0"), grade=8, sex="M") is OVER  # 22.6–25.2
    assert bmi_category(bmi=Decimal("25.0"), grade=8, sex="F") is OBESE  # ≥ 24.9
    # 150 cm, 45.3 kg: 2.25 m²; 45.3 / 2.25 = 20.1333… -> 20.1, normal for a grade-4 boy
    assert bmi(height_cm=150, weight_kg=45.3) == Decimal("20.1")


def test_bmi_is_rounded_half_up_from_the_recorded_decimals():
    # 100 cm, 20.15 kg: 20.15 / 1 = 20.15 exactly -> 四舍五入 20.2 (overweight, grade-4 boy).
    # Binary floating point holds 20.15 as 20.1499…, and round() would give 20.1 (normal).
    assert round(20.15, 1) == 20.1
    assert bmi(height_cm=100, weight_kg=20.15) == Decimal("20.2")
    assert bmi_category(bmi=20.15, grade=4, sex="M") is OVER
    assert bmi_category(bmi=20.149, grade=4, sex="M") is NORMAL


def test_bmi_refuses_metres_and_missing_values():
    with pytest.raises(ValueError):
        bmi(height_cm=1.4, weight_kg=35)
    with pytest.raises(ValueError):
        bmi(height_cm=140, weight_kg=None)
    with pytest.raises(ValueError):
        bmi(height_cm=float("nan"), weight_kg=35)


def test_the_table_is_data_that_round_trips_and_can_be_extended():
    assert BmiTable.from_rows(DEFAULT_BMI_TABLE.rows()) == DEFAULT_BMI_TABLE
    assert len(DEFAULT_BMI_ROWS) == 4
    # An illustrative extra row (bounds chosen for the test, not quoted from the standard).
    extra = {"grade": 5, "sex": "M", "low_max": 14.4, "overweight_min": 21.5, "obese_min": 24.2}
    table = DEFAULT_BMI_TABLE.extended([extra])
    assert bmi_category(bmi=14.4, grade=5, sex="M", table=table) is LOW
    assert bmi_category(bmi=14.5, grade=5, sex="M", table=table) is NORMAL
    assert bmi_category(bmi=24.2, grade=5, sex="M", table=table) is OBESE
    # A row for an existing (grade, sex) replaces it; the default table is untouched.
    stricter = {"grade": 4, "sex": "M", "low_max": "14.1", "overweight_min": "20.0",
                "obese_min": "22.7"}  # fmt: skip
    assert bmi_category(bmi=20.0, grade=4, sex="M", table=table.extended([stricter])) is OVER
    assert bmi_category(bmi=20.0, grade=4, sex="M") is NORMAL


def test_bad_tables_and_unknown_rows_are_refused():
    with pytest.raises(ValueError):  # bounds out of order
        BmiTable.from_rows([{**DEFAULT_BMI_ROWS[0], "overweight_min": "13.0"}])
    with pytest.raises(ValueError):  # more than one decimal
        BmiTable.from_rows([{**DEFAULT_BMI_ROWS[0], "low_max": "14.15"}])
    with pytest.raises(ValueError):  # the same row twice
        BmiTable.from_rows([DEFAULT_BMI_ROWS[0], DEFAULT_BMI_ROWS[0]])
    with pytest.raises(LookupError):
        bmi_category(bmi=18, grade=6, sex="M")


def test_categories_have_their_chinese_labels_and_sex_codes_are_plain_strings():
    assert [c.label for c in BmiCategory] == ["低体重", "正常", "超重", "肥胖"]
    assert bmi_category(bmi=13.7, grade=4, sex=Sex.FEMALE) is NORMAL  # same row as "F"


@pytest.mark.parametrize(
    ("left", "right", "expected"),
    [
        (5.0, 5.0, False),  # 5.0 is not below 5.0
        (5.2, 5.3, False),
        (4.9, 5.0, True),  # one eye below is enough
        (5.1, 4.8, True),
        (4.0, 4.2, True),
        (None, 4.7, True),  # the measured eye is poor, whatever the other
        (5.0, None, None),  # the missing eye could be poor: unknown
        (None, float("nan"), None),
    ],
)
def test_poor_vision_when_either_eye_is_below_five(left, right, expected):
    assert poor_vision(left=left, right=right) is expected


def test_poor_vision_threshold_and_decimal_notation():
    assert poor_vision(left=4.9, right=5.0, threshold=4.9) is False
    with pytest.raises(ValueError):  # 1.0 is decimal notation, not the 5-point chart
        poor_vision(left=1.0, right=5.0)


def test_summary_skips_missing_values():
    # present: 1, 3, 5 -> mean 3; SD = √(((1−3)² + 0 + (5−3)²)/(3−1)) = √4 = 2
    summary = summarize(values=[1.0, None, 3, float("nan"), Decimal("5")])
    assert (summary.n, summary.missing) == (3, 2)
    assert (summary.mean, summary.sd, summary.min, summary.max) == (3, 2, 1, 5)


def test_summary_of_too_few_values():
    assert summarize(values=[None]).mean is None
    one = summarize(values=[42.0])
    assert (one.n, one.mean, one.sd) == (1, 42.0, None)
    assert math.isclose(summarize(values=[1, 2]).sd, math.sqrt(0.5))
