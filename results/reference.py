"""Defaults of the county-editable reference data, created the first time a county needs them.

Score scale (our choice; the issue leaves it open): the national monitoring reports scaled
scores, so the default scale is 0–1000 with the national baseline at mean 500 and SD 100;
levels start at 400 (Ⅱ), 500 (Ⅲ) and 600 (Ⅳ), i.e. mean −1 SD, the mean and +1 SD, and a
low score is below 300 (mean −2 SD). A county that receives raw scores edits the scale.
"""

from __future__ import annotations

from django.db import transaction

from regions.models import RegionBmiRow, RegionLessonNorm, RegionNorm
from regions.norms import published_for
from rounds.models import County, Domain, Round

from .health import DEFAULT_BMI_ROWS, BmiTable
from .models import BmiNormRow, CutScores, DiagnosisRule, Norm, WeeklyLessonNorm

DEFAULT_NORMS = {
    Norm.Key.SLEEP_PRIMARY: 10.0,
    Norm.Key.SLEEP_JUNIOR: 9.0,
    Norm.Key.HOMEWORK_PRIMARY: 60.0,
    Norm.Key.HOMEWORK_JUNIOR: 90.0,
    Norm.Key.PE_ACTIVITY: 1.0,
}

# Lessons a week in the 2022 national curriculum plan (义务教育课程方案), as a starting point;
# provinces differ, so counties edit them.
DEFAULT_LESSONS = {
    (Domain.MATH, 4): 4,
    (Domain.MATH, 8): 4,
    (Domain.CHINESE, 4): 7,
    (Domain.CHINESE, 8): 5,
    (Domain.ENGLISH, 4): 2,
    (Domain.ENGLISH, 8): 4,
    (Domain.PE_HEALTH, 4): 4,
    (Domain.PE_HEALTH, 8): 3,
    (Domain.SCIENCE, 4): 2,
    (Domain.ARTS, 4): 4,
    (Domain.ARTS, 8): 2,
}

DEFAULT_SCALE = {
    "min_score": 0.0,
    "max_score": 1000.0,
    "level2": 400.0,
    "level3": 500.0,
    "level4": 600.0,
    "low_mark": 300.0,
}


def rule_help() -> dict[str, str]:
    from .diagnosis import RULES

    return {code: str(rule.description) for code, rule in RULES.items()}


@transaction.atomic
def county_defaults_ensure(*, county: County) -> None:
    """Create the county's norms, lesson norms, BMI rows and rule thresholds if missing."""
    from .diagnosis import RULES

    for key, value in DEFAULT_NORMS.items():
        Norm.objects.get_or_create(county=county, key=key, defaults={"value": value})
    for (subject, grade), lessons in DEFAULT_LESSONS.items():
        WeeklyLessonNorm.objects.get_or_create(county=county, subject=subject, grade=grade, defaults={"lessons": lessons})
    if not BmiNormRow.objects.filter(county=county).exists():
        BmiNormRow.objects.bulk_create(BmiNormRow(county=county, **row) for row in DEFAULT_BMI_ROWS)
    for code, rule in RULES.items():
        DiagnosisRule.objects.get_or_create(county=county, code=code, defaults={"threshold": rule.default})


# Each norm below is the county's own but where its city or province office published one.


def norms_of(*, county: County) -> dict[str, float]:
    county_defaults_ensure(county=county)
    own = dict(Norm.objects.filter(county=county).values_list("key", "value"))
    return own | {norm.key: norm.value for norm in published_for(RegionNorm, county).values()}


def lesson_norms_of(*, county: County) -> dict[tuple[str, int], float]:
    county_defaults_ensure(county=county)
    own = {(n.subject, n.grade): n.lessons for n in WeeklyLessonNorm.objects.filter(county=county)}
    return own | {key: n.lessons for key, n in published_for(RegionLessonNorm, county).items()}


BMI_FIELDS = ("grade", "sex", "low_max", "overweight_min", "obese_min")


def bmi_table_of(*, county: County) -> BmiTable:
    county_defaults_ensure(county=county)
    own = BmiTable.from_rows(BmiNormRow.objects.filter(county=county).values(*BMI_FIELDS))
    return own.extended({f: getattr(row, f) for f in BMI_FIELDS} for row in published_for(RegionBmiRow, county).values())


def cut_scores_of(*, rnd: Round, domain: str, grade: int) -> CutScores:
    cut, _created = CutScores.objects.get_or_create(round=rnd, domain=domain, grade=grade, defaults=DEFAULT_SCALE)
    return cut


def cut_scores_all(*, rnd: Round) -> list[CutScores]:
    return [cut_scores_of(rnd=rnd, domain=d, grade=g) for g in rnd.grades for d in scored_domains(rnd)]


def scored_domains(rnd: Round) -> list[str]:
    """Every domain of the round has a test score (PE and health too: its knowledge test)."""
    return [d for d in Domain.values if d in rnd.domains]


def score_bands(cut: CutScores) -> list[float]:
    """分数段 aligned with the levels: below the low mark, low mark to Ⅱ, Ⅱ, Ⅲ, Ⅳ."""
    return sorted({cut.min_score, cut.low_mark, cut.level2, cut.level3, cut.level4})
