"""Reads, already narrowed to what the user may see; and the indicator summaries for results."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Avg, Count, Exists, Max, Min, OuterRef, Q, QuerySet

from monitoring_site.permissions import county_filtered, schools_visible_to
from rounds.models import Round
from sampling.models import SampledSchool

from .models import AccessCode, Disagreement, IndicatorRule, IndicatorValue, Instrument, Kind


def rounds_visible_to(user) -> QuerySet[Round]:
    return county_filtered(user, Round.objects.select_related("county"))


def instruments_visible_to(user) -> QuerySet[Instrument]:
    return county_filtered(user, Instrument.objects.select_related("round"), field="round__county")


def sampled_schools_visible_to(user) -> QuerySet[SampledSchool]:
    """Sampled schools of the schools the user may see (a coordinator: their own school)."""
    return SampledSchool.objects.filter(school__in=schools_visible_to(user)).select_related("school", "round")


@dataclass
class KindProgress:
    kind: str
    issued: int = 0
    started: int = 0
    submitted: int = 0

    @property
    def label(self) -> str:
        return str(Kind(self.kind).label)

    @property
    def rate(self) -> float | None:
        return self.submitted / self.issued if self.issued else None

    @property
    def percent(self) -> int:
        return round(100 * (self.rate or 0))

    @property
    def shown(self) -> str:
        """“submitted/issued (percent%)”, the percent left out while nothing is issued."""
        return f"{self.submitted}/{self.issued} ({self.percent}%)" if self.issued else f"{self.submitted}/{self.issued}"


@dataclass
class SchoolProgress:
    sampled_school: SampledSchool | None
    kinds: dict[str, KindProgress]
    url: str = ""  # the school's tracking page, for the county's list

    @property
    def total(self) -> KindProgress:
        total = KindProgress("all")
        for k in self.kinds.values():
            total.issued += k.issued
            total.started += k.started
            total.submitted += k.submitted
        return total


SCHOOL_KINDS = (Kind.STUDENT, Kind.TEACHER, Kind.PRINCIPAL)


def tracking(*, rnd: Round, sampled_school_ids=None) -> list[SchoolProgress]:
    """Response rates by sampled school and instrument kind (county codes as the row ``None``)."""
    codes = AccessCode.objects.filter(round=rnd)
    if sampled_school_ids is not None:
        codes = codes.filter(sampled_school_id__in=sampled_school_ids)
    counts = codes.values("sampled_school_id", "kind").annotate(
        issued=Count("pk"),
        started=Count("response"),
        submitted=Count("response", filter=Q(response__submitted_at__isnull=False)),
    )
    table: dict[int | None, dict[str, KindProgress]] = {}
    for row in counts:
        table.setdefault(row["sampled_school_id"], {})[row["kind"]] = KindProgress(
            row["kind"], row["issued"], row["started"], row["submitted"]
        )
    schools = SampledSchool.objects.filter(round=rnd).select_related("school").order_by("grade", "serial")
    if sampled_school_ids is not None:
        schools = schools.filter(pk__in=sampled_school_ids)
    rows = []
    for school in schools:
        kinds = table.get(school.pk, {})
        rows.append(SchoolProgress(school, {k: kinds.get(k, KindProgress(k)) for k in SCHOOL_KINDS}))
    if sampled_school_ids is None and None in table:
        rows.append(SchoolProgress(None, {Kind.COUNTY: table[None].get(Kind.COUNTY, KindProgress(Kind.COUNTY))}))
    return rows


@dataclass(frozen=True)
class CodeStatus:
    """One access code of a school as the tracking page lists it."""

    respondent: str
    kind: str
    started: bool
    submitted_at: object  # datetime or None
    last_saved_at: object

    @property
    def kind_label(self) -> str:
        return str(Kind(self.kind).label)


def school_code_statuses(*, sampled_school: SampledSchool) -> tuple[list[CodeStatus], SchoolProgress]:
    """The school's codes with how far each respondent got, and the school's response rates
    worked out from the same rows (one query)."""
    rows = (
        AccessCode.objects.filter(sampled_school=sampled_school)
        .order_by("kind", "serial")
        .values_list("kind", "serial", "student__monitoring_id", "response__pk", "response__submitted_at", "response__last_saved_at")
    )
    labels = dict(Kind.choices)
    codes: list[CodeStatus]
    kinds: dict[str, KindProgress]
    codes, kinds = [], {k: KindProgress(k) for k in SCHOOL_KINDS}
    for kind, serial, monitoring_id, response_id, submitted_at, last_saved_at in rows:
        codes.append(CodeStatus(monitoring_id or f"{labels[kind]} {serial}", kind, response_id is not None, submitted_at, last_saved_at))
        progress = kinds.setdefault(kind, KindProgress(kind))
        progress.issued += 1
        progress.started += response_id is not None
        progress.submitted += submitted_at is not None
    return codes, SchoolProgress(sampled_school, kinds)


def codes_of_school(*, sampled_school: SampledSchool, unused_only: bool = False) -> QuerySet[AccessCode]:
    codes = AccessCode.objects.filter(sampled_school=sampled_school).select_related("student", "response").order_by("kind", "serial")
    if unused_only:
        codes = codes.filter(Q(response__isnull=True) | Q(response__submitted_at__isnull=True))
    return codes


# --- indicators, for the results slice ------------------------------------------------------------


@dataclass(frozen=True)
class IndicatorSummary:
    """Mean of one indicator over respondents; for a yes/no indicator (1/0), the share."""

    indicator: str
    school_id: int | None  # rounds.School; None for the county row
    school_name: str
    grade: int | None  # the sampled grade; None for county-administrator answers
    n: int
    mean: float
    minimum: float
    maximum: float


def indicator_catalogue(*, rnd: Round) -> list[IndicatorRule]:
    """The indicators the round's newest instruments declare, one per (kind, code)."""
    seen, rules = set(), []
    for rule in (
        IndicatorRule.objects.filter(instrument__round=rnd)
        .select_related("instrument")
        .order_by("instrument__kind", "-instrument__version", "order")
    ):
        key = (rule.instrument.kind, rule.code)
        if key not in seen:
            seen.add(key)
            rules.append(rule)
    return rules


def indicator_values(*, rnd: Round, indicator: str, kind: str | None = None) -> QuerySet[IndicatorValue]:
    """Per-respondent values of submitted responses (students are linked by monitoring ID through
    ``response__access_code__student__monitoring_id``; never by name)."""
    qs = IndicatorValue.objects.filter(code=indicator, response__access_code__round=rnd, response__submitted_at__isnull=False)
    # Double entry: a paper batch above the error goal is not used until entered in full again,
    # and a drawn form is used once its disagreements are decided (then with the values decided).
    qs = qs.exclude(response__import_batch__verification__needs_full_entry=True).exclude(
        Exists(Disagreement.objects.filter(form__response=OuterRef("response"), decided_at__isnull=True))
    )
    return qs if kind is None else qs.filter(response__instrument__kind=kind)


def indicator_summary(
    *,
    rnd: Round,
    indicator: str,
    by: str = "school",
    kind: str | None = None,
    grade: int | None = None,
) -> list[IndicatorSummary]:
    """Summarise an indicator per sampled school (by="school") or for the county by grade
    (by="county"). Unweighted means of submitted responses; ``kind`` picks the instrument when
    two declare the same code, ``grade`` keeps one grade."""
    if by not in ("school", "county"):
        raise ValueError("by must be 'school' or 'county'")
    qs = indicator_values(rnd=rnd, indicator=indicator, kind=kind)
    if grade is not None:
        qs = qs.filter(response__access_code__sampled_school__grade=grade)
    grade_field = "response__access_code__sampled_school__grade"
    fields = [grade_field]
    if by == "school":
        fields = [
            "response__access_code__sampled_school__school_id",
            "response__access_code__sampled_school__school__name",
            grade_field,
        ]
    rows = qs.values(*fields).annotate(n=Count("pk"), mean=Avg("value"), minimum=Min("value"), maximum=Max("value")).order_by(*fields)
    return [
        IndicatorSummary(
            indicator=indicator,
            school_id=row.get("response__access_code__sampled_school__school_id"),
            school_name=row.get("response__access_code__sampled_school__school__name") or "",
            grade=row[grade_field],
            n=row["n"],
            mean=row["mean"],
            minimum=row["minimum"],
            maximum=row["maximum"],
        )
        for row in rows
        if by == "county" or row.get("response__access_code__sampled_school__school_id") is not None
    ]
