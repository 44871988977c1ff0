"""Reads of a round's results, already narrowed to the user's county, and the county's
estimates (weighted, with jackknife SEs over schools; see ``results.estimation``)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property

import numpy as np
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from monitoring_site.permissions import county_filtered
from rounds.models import Location, Round

from .estimation import (
    JK1,
    Comparison,
    Estimate,
    GapEstimate,
    Level,
    Replication,
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
from .models import Attendance, CutScores, Finding, Indicator, ReferenceValue, ResultImport, StudentScore, VerificationRow
from .reference import cut_scores_of, score_bands, scored_domains
from .weights import Design, SchoolAdjustment, design_of, sampled_of_rounds

LEVEL_LABELS = {
    Level.NEEDS_IMPROVEMENT: _("Level Ⅰ needs improvement"),
    Level.MEDIUM: _("Level Ⅱ medium"),
    Level.GOOD: _("Level Ⅲ good"),
    Level.EXCELLENT: _("Level Ⅳ excellent"),
}


def rounds_for_results(user) -> QuerySet[Round]:
    return county_filtered(user, Round.objects.select_related("county"))


def imports_visible_to(user) -> QuerySet[ResultImport]:
    return ResultImport.objects.filter(round__in=rounds_for_results(user)).select_related("batch", "batch__uploaded_by", "round")


def findings_visible_to(user) -> QuerySet[Finding]:
    return Finding.objects.filter(round__in=rounds_for_results(user))


def active_import(*, rnd: Round, kind: str, domain: str = "") -> ResultImport | None:
    """The import in use, unless its double entry flagged it for full double entry (its rows
    are then not usable until every row is entered twice and decided: ``held_imports``)."""
    return usable_imports().filter(round=rnd, kind=kind, domain=domain).first()


def usable_imports() -> QuerySet[ResultImport]:
    return ResultImport.objects.filter(state=ResultImport.State.ACTIVE).exclude(verification__needs_full_entry=True)


def held_imports(*, rnd: Round) -> QuerySet[ResultImport]:
    """The round's imports in use that are held back for full double entry."""
    return ResultImport.objects.filter(round=rnd, state=ResultImport.State.ACTIVE, verification__needs_full_entry=True)


@dataclass(frozen=True)
class Sample:
    """The tested students of one domain and grade, as arrays (one row per student), with the
    design they are estimated under: weights adjusted for nonresponse within each school, and
    certainty schools as strata of their students (``results.weights``)."""

    values: np.ndarray
    weights: np.ndarray  # final weights adjusted for nonresponse
    clusters: np.ndarray  # sampled-school pk
    sex: np.ndarray
    location: np.ndarray
    school_names: dict[int, tuple[str, str]]  # sampled-school pk → (school code, name)
    replication: Replication = JK1
    schools: tuple[SchoolAdjustment, ...] = ()  # every sampled school of the grade

    def __len__(self) -> int:
        return len(self.values)


_SAMPLE_FIELDS = (
    "student_id",
    "attendance",
    "score",
    "student__sampled_school_id",
    "student__sex",
    "student__sampled_school__school__location",
    "student__sampled_school__school__code",
    "student__sampled_school__school__name",
)


def score_sample(*, rnd: Round, domain: str, grade: int) -> Sample | None:
    return score_samples(rnd=rnd, domain=domain).get((domain, grade))


def score_samples(*, rnd: Round, domain: str | None = None) -> dict[tuple[str, int], Sample]:
    """The sample of every domain (or of ``domain``) and grade of the round with scores in use:
    two queries, the scores' rows and the round's sampled students."""
    return score_samples_of(rounds=[rnd], domain=domain).get(rnd.pk, {})


def score_samples_of(*, rounds: list[Round], domain: str | None = None) -> dict[int, dict[tuple[str, int], Sample]]:
    """``score_samples`` of many rounds (a region's counties) in the same two queries:
    round pk → (domain, grade) → sample."""
    rows = StudentScore.objects.filter(
        result_import__in=usable_imports(),
        result_import__round__in=rounds,
        result_import__kind=ResultImport.Kind.SCORES,
    )
    if domain is not None:
        rows = rows.filter(result_import__domain=domain)
    grouped: dict[int, dict[tuple[str, int], list[tuple]]] = {}
    fields = ("result_import__round_id", "result_import__domain", "student__sampled_school__grade", *_SAMPLE_FIELDS)
    for round_id, row_domain, grade, *row in rows.values_list(*fields):
        grouped.setdefault(round_id, {}).setdefault((row_domain, grade), []).append(row)
    if not grouped:
        return {}
    students = sampled_of_rounds(round_ids=list(grouped))
    out: dict[int, dict[tuple[str, int], Sample]] = {}
    for round_id, by_key in grouped.items():
        samples = out.setdefault(round_id, {})
        for key, group in by_key.items():
            sample = _sample(group, design_of(students=students.get(round_id, []), grade=key[1], attendance={r[0]: r[1] for r in group}))
            if sample is not None:
                samples[key] = sample
    return out


def _sample(rows, design: Design) -> Sample | None:
    tested = [r for r in rows if r[1] == Attendance.PRESENT and r[0] in design.weights]
    if not tested:
        return None
    students, _attendance, values, clusters, sex, location, codes, names = zip(*tested, strict=True)
    return Sample(
        values=np.asarray(values, dtype=float),
        weights=design.weight_of(students),
        clusters=np.asarray(clusters),
        sex=np.asarray(sex),
        location=np.asarray(location),
        school_names={c: (code, name) for c, code, name in zip(clusters, codes, names, strict=True)},
        replication=design.replication,
        schools=tuple(design.schools),
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
    origin: str = ""

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
    """The county's estimates for one domain and grade. Each part is computed when first read
    and kept: the overview page reads the mean, levels and variance of every domain, the
    domain page and the report read everything."""

    rnd: Round
    domain: str
    grade: int
    cut: CutScores
    sample: Sample
    references: list[ReferenceValue] | None = None

    @property
    def domain_label(self) -> str:
        from rounds.models import Domain

        return str(dict(Domain.choices).get(self.domain, self.domain))

    @property
    def students(self) -> int:
        return len(self.sample)

    @property
    def schools(self) -> int:
        return len(self.sample.school_names)

    @property
    def _common(self) -> dict:
        sample = self.sample
        return {"values": sample.values, "weights": sample.weights, "clusters": sample.clusters, "replication": sample.replication}

    @cached_property
    def mean(self) -> Estimate | None:
        return safe(jackknife, **self._common)

    @cached_property
    def levels(self) -> dict[Level, Estimate] | None:
        common = self._common
        return safe(level_shares, scores=common.pop("values"), cuts=self.cut.cuts, **common)

    @cached_property
    def variance(self) -> VarianceComponents | None:
        common = self._common
        del common["replication"]  # no replicates: an ANOVA of the students as sampled
        return safe(variance_components, **common)

    @cached_property
    def sex_gap(self) -> GapEstimate | None:
        sex = self.sample.sex
        if not (np.any(sex == "F") and np.any(sex == "M")):
            return None
        return safe(group_gap, **self._common, groups=sex, first="F", second="M")

    @cached_property
    def _locations(self) -> list[str]:
        return [loc for loc in Location.values if np.any(self.sample.location == loc)]

    @cached_property
    def location_means(self) -> dict[str, Estimate | None]:
        location = self.sample.location
        return {loc: safe(jackknife, **self._common, statistic=_domain_mean(location, loc)) for loc in self._locations}

    @cached_property
    def location_gaps(self) -> dict[str, GapEstimate | None]:
        present = self._locations
        if Location.URBAN not in present:
            return {}
        return {
            f"urban-{loc}": safe(group_gap, **self._common, groups=self.sample.location, first=Location.URBAN, second=loc)
            for loc in present
            if loc != Location.URBAN
        }

    @property
    def _table_args(self) -> dict:
        cut = self.cut
        return {"pass_mark": cut.level2, "excellent_mark": cut.level4, "low_mark": cut.low_mark, "bands": score_bands(cut)}

    @cached_property
    def county_table(self) -> ScoreTable:
        return school_table(scores=self.sample.values, **self._table_args)

    @cached_property
    def school_rows(self) -> list[SchoolRow]:
        sample, args = self.sample, self._table_args
        return [
            SchoolRow(code, name, school_table(scores=sample.values[sample.clusters == pk], **args))
            for pk, (code, name) in sorted(sample.school_names.items(), key=lambda item: item[1][0])
        ]

    @cached_property
    def comparisons(self) -> list[Compared]:
        return comparisons_for(
            rnd=self.rnd, domain=self.domain, grade=self.grade, values=_indicator_values(self), references=self.references
        )


def domain_result(
    *,
    rnd: Round,
    domain: str,
    grade: int,
    sample: Sample | None = None,
    cut: CutScores | None = None,
    references: list[ReferenceValue] | None = None,
) -> DomainResult | None:
    """The county's estimates for one domain and grade, or None without scores. ``sample``,
    ``cut`` and ``references`` (the county's reference values, any domain and grade) are read
    here when not given."""
    sample = sample or score_sample(rnd=rnd, domain=domain, grade=grade)
    if sample is None:
        return None
    cut = cut or cut_scores_of(rnd=rnd, domain=domain, grade=grade)
    return DomainResult(rnd=rnd, domain=domain, grade=grade, cut=cut, sample=sample, references=references)


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
    *,
    rnd: Round,
    domain: str,
    grade: int,
    values: dict[str, Estimate | None],
    references: list[ReferenceValue] | None = None,
) -> list[Compared]:
    """Every reference value of the county for these indicators, with the difference and its
    significance (z-test; rounds are independent samples). Without an SE, no test.
    ``references``: the county's reference values already read (any domain and grade)."""
    from .previous import origin, round_references

    labels = dict(Indicator.choices)
    if references is None:
        references = round_references(rnd)
    refs = sorted(
        (r for r in references if r.grade == grade and r.domain == domain and r.indicator in values),
        key=lambda r: (r.indicator, r.source, -r.year),
    )
    compared = []
    for ref in refs:
        est = values.get(ref.indicator)
        if est is None or not math.isfinite(est.estimate):
            continue
        comparison = None
        if math.isfinite(est.se) and (est.se > 0 or ref.se > 0):
            if ref.source == ReferenceValue.Source.PREVIOUS:
                comparison = compare_rounds(current=est, previous=Estimate(ref.value, ref.se, 0))
            else:
                comparison = compare_to_reference(estimate=est.estimate, se=est.se, reference=ref.value, reference_se=ref.se)
        compared.append(
            Compared(
                ref.indicator,
                str(labels[ref.indicator]),
                ref.get_source_display(),
                ref.year,
                est.estimate,
                ref.value,
                comparison,
                origin(ref),
            )
        )
    return compared


def overview(*, rnd: Round, references: list[ReferenceValue] | None = None) -> list[DomainResult | tuple[str, int]]:
    """Every domain and grade of the round: its result, or (domain, grade) when none yet.
    Scores, cut scores and reference values (``previous.round_references`` unless given) are
    read once for all of them."""
    from .previous import round_references

    samples = score_samples(rnd=rnd)
    cuts = {(c.domain, c.grade): c for c in CutScores.objects.filter(round=rnd)}
    references = round_references(rnd) if references is None else references
    out: list = []
    for grade in rnd.grades:
        for domain in scored_domains(rnd):
            sample = samples.get((domain, grade))
            result = sample and domain_result(
                rnd=rnd, domain=domain, grade=grade, sample=sample, cut=cuts.get((domain, grade)), references=references
            )
            out.append(result or (domain, grade))
    return out


def results_of(*, rnd: Round, references: list[ReferenceValue] | None = None) -> list[DomainResult]:
    """The result of every domain and grade that has one (``overview`` without the gaps)."""
    return [r for r in overview(rnd=rnd, references=references) if not isinstance(r, tuple)]


def student_levels(*, rnd: Round, domain: str, grade: int):
    """Each student's score and level, by monitoring ID (names never leave sampling)."""
    from .estimation import assign_level

    ri = active_import(rnd=rnd, kind=ResultImport.Kind.SCORES, domain=domain)
    if ri is None:
        return []
    cut = cut_scores_of(rnd=rnd, domain=domain, grade=grade)
    # A row drawn for the second entry is left out until it is entered: the second enterer
    # must not read the first entry here.
    drawn = VerificationRow.objects.filter(verification__result_import=ri, entered_at=None).values("student_id")
    rows = (
        StudentScore.objects.filter(result_import=ri, student__sampled_school__grade=grade)
        .exclude(student__in=drawn)
        .order_by("student__monitoring_id")
        .values_list("student__monitoring_id", "attendance", "score")
    )
    labels = dict(Attendance.choices)
    return [
        {
            "monitoring_id": mid,
            "attendance": labels[att],
            "score": score,
            "level": LEVEL_LABELS[assign_level(score=score, cuts=cut.cuts)] if score is not None else "",
        }
        for mid, att, score in rows
    ]
