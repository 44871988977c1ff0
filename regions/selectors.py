"""A region's counties side by side: one row per county for a year, read in a fixed number
of queries however many counties the region has (counties, rounds, sampled schools,
checklists, test-day milestones, questionnaire codes, rectification items, cut scores,
and the two queries of every county's scores and sampled pupils)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from logistics.models import Checklist, ChecklistStatus, Incident, MockDrill
from logistics.selectors import STATUS_CHOICES, ReadinessRow, readiness, session_rates, session_records_of, sessions_for
from questionnaires.models import AccessCode
from questionnaires.selectors import SCHOOL_KINDS, KindProgress, tracking
from questionnaires.verification import BatchCheck, double_entry_summary
from rectification.models import DeadlineWarning, Plan, PlanItem
from rectification.selectors import item_rows, plan_of, with_states
from results.estimation import Estimate, Level, VarianceComponents, level_shares, variance_components
from results.models import CutScores
from results.reference import DEFAULT_SCALE
from results.selectors import DomainResult, results_of, safe, score_samples_of
from rounds.documents import latest_builds
from rounds.models import DOMAIN_GRADES, County, Document, Domain, MilestoneKind, Region, Round, Stage, grade_label
from sampling.models import SampledSchool
from sampling.selectors import sampled_schools

from .pooling import Pooled, Stratum, pooled


@dataclass
class Headline:
    """One county's result in one domain and grade."""

    students: int
    mean: Estimate | None
    levels: dict[Level, Estimate] | None
    variance: VarianceComponents | None

    @property
    def cv(self) -> float | None:
        return self.variance.cv if self.variance else None


@dataclass
class CountyRow:
    county: County
    round: Round | None
    sampled: dict[int, int] = field(default_factory=dict)  # grade → sampled schools
    schools: int = 0  # schools in the sample (either grade)
    approved: int = 0  # checklists approved
    overdue: int = 0  # checklists not submitted after their due date
    codes: int = 0  # questionnaire access codes issued
    submitted: int = 0  # questionnaires submitted
    on_time: int = 0  # rectification items in force, deadline beyond the warning days
    due_soon: int = 0
    late: int = 0
    headlines: dict[tuple[str, int], Headline] = field(default_factory=dict)

    @property
    def stage_index(self) -> int:
        return [s.value for s in Stage].index(self.round.stage) + 1 if self.round else 0

    @property
    def response_rate(self) -> float | None:
        return self.submitted / self.codes if self.codes else None

    @property
    def readiness(self) -> float | None:
        return self.approved / self.schools if self.schools else None


@dataclass
class Rollup:
    region: Region
    year: int
    rows: list[CountyRow]
    keys: list[tuple[str, int]]  # (domain, grade) with results in some county
    pooled: dict[tuple[str, int], Pooled | None]

    def key_label(self, key: tuple[str, int]) -> str:
        return _("%(domain)s, %(grade)s") % {"domain": dict(Domain.choices)[key[0]], "grade": grade_label(key[1])}


def _cut(cut: CutScores | None) -> tuple[float, float, float]:
    if cut is None:  # never set by the county: the default scale (not saved on a read)
        return (DEFAULT_SCALE["level2"], DEFAULT_SCALE["level3"], DEFAULT_SCALE["level4"])
    return (cut.level2, cut.level3, cut.level4)


def rollup(*, region: Region, year: int, today: dt.date) -> Rollup:
    counties = list(region.counties().order_by("code"))
    rounds = {r.county_id: r for r in Round.objects.filter(county__in=counties, year=year).select_related("county")}
    rows = {c.pk: CountyRow(county=c, round=rounds.get(c.pk)) for c in counties}
    by_round = {r.pk: rows[r.county_id] for r in rounds.values()}
    round_ids = list(by_round)

    schools: dict[int, set[int]] = defaultdict(set)
    sampled = SampledSchool.objects.filter(round__in=round_ids).exclude(status=SampledSchool.Status.REPLACED)
    for round_id, grade, school_id in sampled.values_list("round_id", "grade", "school_id"):
        row = by_round[round_id]
        row.sampled[grade] = row.sampled.get(grade, 0) + 1
        schools[round_id].add(school_id)
    for round_id, school_ids in schools.items():
        by_round[round_id].schools = len(school_ids)

    due = dict(
        Round.objects.filter(pk__in=round_ids, milestones__kind=MilestoneKind.CHECKLISTS_DUE).values_list("pk", "milestones__due_date")
    )
    done = [ChecklistStatus.SUBMITTED, ChecklistStatus.APPROVED]
    for c in (
        Checklist.objects.filter(round__in=round_ids)
        .values("round_id")
        .annotate(approved=Count("pk", filter=Q(status=ChecklistStatus.APPROVED)), done=Count("pk", filter=Q(status__in=done)))
    ):
        row = by_round[c["round_id"]]
        row.approved = c["approved"]
        row.overdue = -c["done"]  # completed below: schools minus those done, once the date has passed
    for round_id, row in by_round.items():
        deadline = due.get(round_id)
        row.overdue = max(row.schools + row.overdue, 0) if deadline and today > deadline else 0

    codes = (
        AccessCode.objects.filter(round__in=round_ids)
        .values("round_id")
        .annotate(issued=Count("pk"), submitted=Count("response", filter=Q(response__submitted_at__isnull=False)))
    )
    for round_id, issued, submitted in codes.values_list("round_id", "issued", "submitted"):
        row = by_round[round_id]
        row.codes, row.submitted = issued, submitted

    active = [PlanItem.Status.OPEN, PlanItem.Status.SUBMITTED]
    items = PlanItem.objects.filter(plan__round__in=round_ids, status__in=active, approved_deadline__isnull=False)
    for round_id, deadline, warn in items.values_list("plan__round_id", "approved_deadline", "plan__due_soon_days"):
        row = by_round[round_id]
        assert deadline is not None  # filtered above
        if deadline < today:
            row.late += 1
        elif (deadline - today).days <= warn:
            row.due_soon += 1
        else:
            row.on_time += 1

    cuts = {(c.round_id, c.domain, c.grade): c for c in CutScores.objects.filter(round__in=round_ids)}
    strata: dict[tuple[str, int], list[Stratum]] = defaultdict(list)
    for round_id, samples in score_samples_of(rounds=list(rounds.values())).items():
        row = by_round[round_id]
        for (domain, grade), sample in samples.items():
            if grade not in DOMAIN_GRADES.get(domain, (4, 8)):
                continue
            cut = _cut(cuts.get((round_id, domain, grade)))
            common = {"weights": sample.weights, "clusters": sample.clusters, "replication": sample.replication}
            row.headlines[(domain, grade)] = Headline(
                students=len(sample),
                mean=safe(_mean, sample),
                levels=safe(level_shares, scores=sample.values, cuts=cut, **common),
                variance=safe(variance_components, values=sample.values, weights=sample.weights, clusters=sample.clusters),
            )
            strata[(domain, grade)].append(Stratum(row.county.pk, sample, cut))
    order = {d: i for i, d in enumerate(Domain.values)}
    keys = sorted(strata, key=lambda k: (k[1], order[k[0]]))
    return Rollup(region=region, year=year, rows=list(rows.values()), keys=keys, pooled={k: pooled(strata[k]) for k in keys})


def _mean(sample) -> Estimate:
    from results.estimation import jackknife

    return jackknife(values=sample.values, weights=sample.weights, clusters=sample.clusters, replication=sample.replication)


SORTS = {
    "code": lambda r: r.county.code,
    "name": lambda r: r.county.name,
    "stage": lambda r: r.stage_index,
    "sample": lambda r: sum(r.sampled.values()),
    "readiness": lambda r: (r.readiness is not None, r.readiness or 0),
    "overdue": lambda r: r.overdue,
    "response": lambda r: (r.response_rate is not None, r.response_rate or 0),
    "late": lambda r: r.late,
    "due_soon": lambda r: r.due_soon,
}


def sorted_rows(rollup: Rollup, sort: str) -> list[CountyRow]:
    """The rows by a column (``-`` first for descending): a SORTS key, or ``mean:<domain>:<grade>``."""
    descending, key = sort.startswith("-"), sort.lstrip("-")
    if key.startswith("mean:"):
        _prefix, domain, grade = (key.split(":") + ["", ""])[:3]

        def by_mean(r: CountyRow):
            h = r.headlines.get((domain, int(grade) if grade.isdigit() else 0))
            return (h is not None and h.mean is not None, h.mean.estimate if h and h.mean else 0.0)

        return sorted(rollup.rows, key=by_mean, reverse=descending)
    return sorted(rollup.rows, key=SORTS.get(key, SORTS["code"]), reverse=descending)


# --- one county's round, read-only ----------------------------------------------------------

# The county's documents an office downloads: built from estimates and school names, no pupil named.
OFFICE_DOCUMENTS = ("county_report", "rectification_plan", "rectification_progress")


@dataclass
class SchoolDay:
    """A sampled school on the test days: its checklist, mock drill and attendance over its sessions."""

    readiness: ReadinessRow
    drill: MockDrill | None = None  # the latest one
    attended: int = 0
    expected: int = 0
    recorded: bool = False  # some session of the school has its attendance marked

    @property
    def status_label(self) -> str:
        return str(dict(STATUS_CHOICES)[self.readiness.status])

    @property
    def attendance(self) -> float | None:
        return 100 * self.attended / self.expected if self.recorded and self.expected else None


@dataclass
class CountyRound:
    """What an office checking a county reads of its round: sample, readiness, test days,
    questionnaires, results, rectification and the county's documents; no pupil's name."""

    round: Round
    sampled: list[SampledSchool]
    replaced: list[SampledSchool]
    schools: list[SchoolDay]
    due: dt.date | None
    incidents: list[Incident]
    responses: list[KindProgress]
    batches: list[BatchCheck]
    results: list[DomainResult]
    plan: Plan | None
    items: list[PlanItem]
    warnings: list[DeadlineWarning]
    documents: list[Document]

    @property
    def overdue(self) -> int:
        return sum(1 for s in self.schools if s.readiness.overdue)


def _attendance(rnd: Round, sampled: list[SampledSchool], days: dict[int, SchoolDay]) -> None:
    """Each school's attendance over every session of its grades: five queries in all."""
    sessions = list(sessions_for(rnd=rnd, grades=sorted({s.grade for s in sampled})))
    pairs = [(session, ss) for ss in sampled for session in sessions if session.grade == ss.grade]
    records = session_records_of(pairs=pairs)
    for (_session, ss), rate in zip(pairs, session_rates(records=records), strict=True):
        day = days.get(ss.school_id)
        if day is None or rate.rate is None:  # nothing marked in this session yet
            continue
        day.recorded = True
        day.attended += rate.attended
        day.expected += rate.expected


def county_round(*, rnd: Round, today: dt.date) -> CountyRound:
    """The round's pages as the county reads them, from the county's own selectors, in a fixed
    number of queries however many schools it samples."""
    sampled = list(sampled_schools(rnd=rnd).order_by("grade", "serial"))
    replaced = list(
        SampledSchool.objects.filter(round=rnd, status=SampledSchool.Status.REPLACED)
        .select_related("school")
        .prefetch_related("replaced_by__school")
        .order_by("grade", "serial")
    )
    _rooms, rows, due = readiness(user=None, rnd=rnd, today=today)
    days = {row.school.pk: SchoolDay(row) for row in rows}
    for drill in MockDrill.objects.filter(round=rnd).order_by("date", "pk"):
        if drill.school_id in days:
            days[drill.school_id].drill = drill
    _attendance(rnd, sampled, days)

    totals: dict[str, KindProgress] = {kind: KindProgress(kind) for kind in SCHOOL_KINDS}
    for row in tracking(rnd=rnd):
        for kind, progress in row.kinds.items():
            if kind in totals:
                totals[kind].issued += progress.issued
                totals[kind].started += progress.started
                totals[kind].submitted += progress.submitted

    plan = plan_of(rnd)
    items = with_states(list(item_rows(PlanItem.objects.filter(plan=plan))), plan, today) if plan else []
    warnings = list(DeadlineWarning.objects.filter(item__plan=plan).select_related("item__problem")) if plan else []
    built = Document.objects.filter(round=rnd, kind__in=OFFICE_DOCUMENTS)
    newest = latest_builds(built)
    return CountyRound(
        round=rnd,
        sampled=sampled,
        replaced=replaced,
        schools=list(days.values()),
        due=due,
        incidents=list(
            Incident.objects.filter(round=rnd, corrected_by__isnull=True).select_related("school", "session").order_by("at", "pk")
        ),
        responses=list(totals.values()),
        batches=double_entry_summary(rnd=rnd),
        results=results_of(rnd=rnd),
        plan=plan,
        items=items,
        warnings=warnings,
        documents=[d for d in built.order_by("kind", "-created_at") if d.pk in newest],
    )
