"""Reads of a round's results, already narrowed to the user's county, and the county's
estimates (weighted, with jackknife SEs over schools; see ``results.estimation``)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from monitoring_site.permissions import county_filtered
from rounds.models import Location, Round

from .estimation import (
    Comparison,
    Estimate,
    GapEstimate,
    Level,
    ScoreTable,
    VarianceComponents,
    compare_rounds,
    compare_to_reference,
    group_gap,
    jackknife,
    level_shares,
    school_table,
    variance_components,
)
from .models import Attendance, CutScores, Finding, ReferenceValue, ResultImport, StudentScore
from .reference import cut_scores_of, score_bands, scored_domains

LEVEL_LABELS = {
    Level.NEEDS_IMPROVEMENT: _("Level Ⅰ needs improvement"),
    Level.MEDIUM: _("Level Ⅱ medium"),
    Level.GOOD: _("Level Ⅲ good"),
    Level.EXCELLENT: _("Level Ⅳ excellent"),
}


def rounds_for_results(user) -> QuerySet[Round]:
    return county_filtered(user, Round.objects.select_related("county"))


def imports_visible_to(user) -> QuerySet[ResultImport]:
    return ResultImport.objects.filter(round__in=rounds_for_results(user)).select_related(
        "batch", "batch__uploaded_by", "round"
    )


def findings_visible_to(user) -> QuerySet[Finding]:
    return Finding.objects.filter(round__in=rounds_for_results(user))


def active_import(*, rnd: Round, kind: str, domain: str = "") -> ResultImport | None:
    return ResultImport.objects.filter(
        round=rnd, kind=kind, domain=domain, state=ResultImport.State.ACTIVE
    ).first()


@dataclass(frozen=True)
class Sample:
    """The tested students of one domain and grade, as arrays (one row per student)."""

    values: np.ndarray
    weights: np.ndarray
    clusters: np.ndarray  # sampled-school pk
    sex: np.ndarray
    location: np.ndarray
    school_names: dict[int, tuple[str, str]]  # sampled-school pk → (school code, name)

    def __len__(self) -> int:
        return len(self.values)


def score_sample(*, rnd: Round, domain: str, grade: int) -> Sample | None:
    ri = active_import(rnd=rnd, kind=ResultImport.Kind.SCORES, domain=domain)
    if ri is None:
        return None
    rows = list(
        StudentScore.objects.filter(
            result_import=ri,
            attendance=Attendance.PRESENT,
            student__sampled_school__grade=grade,
        ).values_list(
            "score",
            "student__final_weight",
            "student__sampled_school_id",
            "student__sex",
            "student__sampled_school__school__location",
            "student__sampled_school__school__code",
            "student__sampled_school__school__name",
        )
    )
    if not rows:
        return None
    return _sample(rows)


def _sample(rows) -> Sample:
    values, weights, clusters, sex, location, codes, names = zip(*rows, strict=True)
    return Sample(
        values=np.asarray(values, dtype=float),
        weights=np.asarray(weights, dtype=float),
        clusters=np.asarray(clusters),
        sex=np.asarray(sex),
        location=np.asarray(location),
        school_names={
            c: (code, name) for c, code, name in zip(clusters, codes, names, strict=True)
        },
    )


def safe(fn, *args, **kwargs):
    """An estimate, or None when the sample cannot support it (e.g. a single school)."""
    try:
        return fn(*args, **kwargs)
    except ValueError:
        return None


@dataclass
class SchoolRow:
    code: str
    name: str
    table: ScoreTable


@dataclass
class Compared:
    indicator: str
    label: str
    source: str
    year: int
    estimate: float
    reference: float
    comparison: Comparison | None

    def _fmt(self, value: float | None) -> str:
        if value is None or not math.isfinite(value):
            return "—"
        if self.indicator == "mean":
            return f"{value:.1f}"
        if self.indicator == "cv":
            return f"{value:.3f}"
        return f"{value * 100:.1f}%"

    @property
    def estimate_text(self) -> str:
        return self._fmt(self.estimate)

    @property
    def reference_text(self) -> str:
        return self._fmt(self.reference)

    @property
    def difference_text(self) -> str:
        if self.comparison is None:
            return "—"
        return f"{self._fmt(self.comparison.difference)} ({self._fmt(self.comparison.se)})"


@dataclass
class DomainResult:
    domain: str
    grade: int
    cut: CutScores
    students: int
    schools: int
    mean: Estimate | None
    levels: dict[Level, Estimate] | None
    sex_gap: GapEstimate | None
    location_means: dict[str, Estimate | None]
    location_gaps: dict[str, GapEstimate | None]
    variance: VarianceComponents | None
    county_table: ScoreTable
    school_rows: list[SchoolRow] = field(default_factory=list)
    comparisons: list[Compared] = field(default_factory=list)

    @property
    def domain_label(self) -> str:
        from rounds.models import Domain

        return str(dict(Domain.choices).get(self.domain, self.domain))


def domain_result(
    *, rnd: Round, domain: str, grade: int, sample: Sample | None = None
) -> DomainResult | None:
    sample = sample or score_sample(rnd=rnd, domain=domain, grade=grade)
    if sample is None:
        return None
    cut = cut_scores_of(rnd=rnd, domain=domain, grade=grade)
    common = {"weights": sample.weights, "clusters": sample.clusters}
    present_locations = [loc for loc in Location.values if np.any(sample.location == loc)]
    location_means = {
        loc: safe(
            jackknife, values=sample.values, **common, statistic=_domain_mean(sample.location, loc)
        )
        for loc in present_locations
    }
    location_gaps = {
        f"urban-{loc}": safe(
            group_gap,
            values=sample.values,
            **common,
            groups=sample.location,
            first=Location.URBAN,
            second=loc,
        )
        for loc in present_locations
        if loc != Location.URBAN and Location.URBAN in present_locations
    }
    sex_gap = None
    if np.any(sample.sex == "F") and np.any(sample.sex == "M"):
        sex_gap = safe(
            group_gap, values=sample.values, **common, groups=sample.sex, first="F", second="M"
        )
    table_args = {
        "pass_mark": cut.level2,
        "excellent_mark": cut.level4,
        "low_mark": cut.low_mark,
        "bands": score_bands(cut),
    }
    result = DomainResult(
        domain=domain,
        grade=grade,
        cut=cut,
        students=len(sample),
        schools=len(sample.school_names),
        mean=safe(jackknife, values=sample.values, **common),
        levels=safe(level_shares, scores=sample.values, cuts=cut.cuts, **common),
        sex_gap=sex_gap,
        location_means=location_means,
        location_gaps=location_gaps,
        variance=safe(variance_components, values=sample.values, **common),
        county_table=school_table(scores=sample.values, **table_args),
    )
    for pk, (code, name) in sorted(sample.school_names.items(), key=lambda item: item[1][0]):
        result.school_rows.append(
            SchoolRow(
                code, name, school_table(scores=sample.values[sample.clusters == pk], **table_args)
            )
        )
    result.comparisons = comparisons_for(
        rnd=rnd, domain=domain, grade=grade, values=_indicator_values(result)
    )
    return result


def _domain_mean(groups, group):
    from .estimation import DomainMean

    return DomainMean(groups, group)


def _indicator_values(result: DomainResult) -> dict[str, Estimate | None]:
    values: dict[str, Estimate | None] = {"mean": result.mean}
    if result.levels:
        values["level4"] = result.levels[Level.EXCELLENT]
        values["level1"] = result.levels[Level.NEEDS_IMPROVEMENT]
    if result.variance:
        values["icc"] = Estimate(result.variance.icc, math.nan, 0)
        values["cv"] = Estimate(result.variance.cv, math.nan, 0)
    return values


def comparisons_for(
    *, rnd: Round, domain: str, grade: int, values: dict[str, Estimate | None]
) -> list[Compared]:
    """Every reference value of the county for these indicators, with the difference and its
    significance (z-test; rounds are independent samples). Without an SE, no test."""
    labels = dict(ReferenceValue._meta.get_field("indicator").choices)
    refs = ReferenceValue.objects.filter(
        county=rnd.county, grade=grade, domain=domain, indicator__in=list(values)
    )
    compared = []
    for ref in refs.order_by("indicator", "source", "-year"):
        est = values.get(ref.indicator)
        if est is None or not math.isfinite(est.estimate):
            continue
        comparison = None
        if math.isfinite(est.se) and (est.se > 0 or ref.se > 0):
            if ref.source == ReferenceValue.Source.PREVIOUS:
                comparison = compare_rounds(current=est, previous=Estimate(ref.value, ref.se, 0))
            else:
                comparison = compare_to_reference(
                    estimate=est.estimate, se=est.se, reference=ref.value, reference_se=ref.se
                )
        compared.append(
            Compared(
                ref.indicator,
                str(labels[ref.indicator]),
                ref.get_source_display(),
                ref.year,
                est.estimate,
                ref.value,
                comparison,
            )
        )
    return compared


def overview(*, rnd: Round) -> list[DomainResult | tuple[str, int]]:
    """Every domain and grade of the round: its result, or (domain, grade) when none yet."""
    out: list = []
    for grade in rnd.grades:
        for domain in scored_domains(rnd):
            out.append(domain_result(rnd=rnd, domain=domain, grade=grade) or (domain, grade))
    return out


def student_levels(*, rnd: Round, domain: str, grade: int):
    """Each student's score and level, by monitoring ID (names never leave sampling)."""
    from .estimation import assign_level

    ri = active_import(rnd=rnd, kind=ResultImport.Kind.SCORES, domain=domain)
    if ri is None:
        return []
    cut = cut_scores_of(rnd=rnd, domain=domain, grade=grade)
    rows = (
        StudentScore.objects.filter(result_import=ri, student__sampled_school__grade=grade)
        .order_by("student__monitoring_id")
        .values_list("student__monitoring_id", "attendance", "score")
    )
    labels = dict(Attendance.choices)
    return [
        {
            "monitoring_id": mid,
            "attendance": labels[att],
            "score": score,
            "level": LEVEL_LABELS[assign_level(score=score, cuts=cut.cuts)]
            if score is not None
            else "",
        }
        for mid, att, score in rows
    ]
