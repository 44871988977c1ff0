"""Reads of the logistics slice, narrowed to what the user may see.

The readiness dashboard runs a fixed number of queries whatever the number of schools: the
template, the sampled schools, their checklists, one aggregate of photos, the answers, the
open comments and the people who must act.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Max, Q, QuerySet, Sum
from django.urls import reverse
from django.utils.translation import gettext_lazy

from monitoring_site.permissions import schools_visible_to
from monitoring_site.roles import Role
from rounds.models import MilestoneKind, Person, Round, School, TestSession
from rounds.selectors import stage_allows
from sampling.models import SampledSchool, SampledStudent
from sampling.selectors import sampled_schools

from .models import (
    Attendance,
    Checklist,
    ChecklistAnswer,
    ChecklistEvent,
    ChecklistItem,
    ChecklistRoom,
    ChecklistStatus,
    DeviceSync,
    EvidenceFile,
    Incident,
    ItemComment,
    Package,
    SessionRecord,
)
from .readiness import (
    AnswerValues,
    AttendanceRate,
    ItemSpec,
    attendance_rate,
    item_problem,
    room_status,
)
from .services import PREPARATION

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def sample_schools_visible_to(user, *, rnd: Round) -> QuerySet[School]:
    """Schools of the round's sample (any grade, taking part) that the user may see."""
    ids = sampled_schools(rnd=rnd).values("school_id")
    return schools_visible_to(user).filter(pk__in=ids)


def sampled_grades(*, rnd: Round, school: School) -> list[SampledSchool]:
    return list(sampled_schools(rnd=rnd).filter(school=school).order_by("grade"))


def checklist_of(*, rnd: Round, school: School) -> Checklist:
    """The school's checklist, or (never opened to be filled in) an unsaved one that is "not
    started": reading a checklist creates nothing, the first save does (checklist_ensure)."""
    found = Checklist.objects.filter(round=rnd, school=school).first()
    return found or Checklist(round=rnd, school=school)


def checklist_status(checklist: Checklist) -> tuple[str, str]:
    """(code, label) of a checklist's status, "not started" for one never saved."""
    code = checklist.status if checklist.pk else "not_started"
    return code, str(dict(STATUS_CHOICES)[code])


def session_records_of(*, pairs: list[tuple[TestSession, SampledSchool]]) -> list[SessionRecord]:
    """The record of each (session, sampled school), in order, in one query; a session nothing
    was recorded for yet gets an unsaved record (session_record_ensure makes it on the first save)."""
    found = {
        (r.session_id, r.sampled_school_id): r
        for r in SessionRecord.objects.filter(session__in=[s for s, _ in pairs], sampled_school__in=[ss for _, ss in pairs])
    }
    return [found.get((s.pk, ss.pk)) or SessionRecord(session=s, sampled_school=ss) for s, ss in pairs]


def template_rooms(*, rnd: Round) -> list[ChecklistRoom]:
    rooms = list(ChecklistRoom.objects.filter(template__round=rnd).order_by("order", "pk"))
    items = defaultdict(list)
    for item in ChecklistItem.objects.filter(room__template__round=rnd).order_by("order", "pk"):
        items[item.room_id].append(item)
    for room in rooms:
        room.item_list = items[room.pk]
    return rooms


def _spec(item: ChecklistItem) -> ItemSpec:
    return ItemSpec(item.pk, item.kind, item.minimum, item.minimum_item_id, item.photo_required)


def _answers_by_checklist(checklist_ids) -> dict[int, dict[int, AnswerValues]]:
    answers: dict[int, dict[int, AnswerValues]] = defaultdict(dict)
    rows = (
        ChecklistAnswer.objects.filter(checklist_id__in=checklist_ids)
        .annotate(photo_count=Count("photos", filter=Q(photos__removed=False)))
        .values_list("checklist_id", "item_id", "value_yes", "value_count", "value_text", "building", "floor", "room_name", "photo_count")
        .order_by()
    )
    for checklist_id, item_id, yes, count, text, building, floor, room_name, photos in rows:
        answers[checklist_id][item_id] = AnswerValues(yes, count, text, building, floor, room_name, photos)
    return answers


def problems_of(items: list[ChecklistItem], answers: dict[int, AnswerValues], specs: list[ItemSpec] | None = None) -> dict[int, str | None]:
    counts = {item_id: a.value_count for item_id, a in answers.items()}
    specs = specs or [_spec(item) for item in items]
    return {spec.pk: item_problem(spec, answers.get(spec.pk), counts) for spec in specs}


def checklist_problems(*, checklist: Checklist) -> dict[int, str]:
    items = list(ChecklistItem.objects.filter(room__template__round_id=checklist.round_id))
    answers = _answers_by_checklist([checklist.pk]).get(checklist.pk, {})
    return {pk: p for pk, p in problems_of(items, answers).items() if p is not None}


def open_comments(checklist: Checklist) -> dict[int, ItemComment]:
    """The comments of the last return, while the checklist is still returned."""
    if checklist.status != ChecklistStatus.RETURNED:
        return {}
    event = last_return(checklist)
    if event is None:
        return {}
    # Each comment says whether the school has changed its item since (issue 20).
    changes = changes_since_return(checklist, event)
    comments = {c.item_id: c for c in event.comments.all()}
    for item_id, comment in comments.items():
        comment.changed = changes[item_id].changed  # type: ignore[attr-defined]
    return comments


ANSWER_FIELDS = ("value_yes", "value_count", "value_text", "building", "floor", "room_name")


@dataclass
class ItemChange:
    """What the school changed in one item since the checklist was last returned."""

    comment: str  # the reviewer's comment on the item at that return ("" when none)
    before: object  # the answer as it stood then (a historical record), or None
    after: ChecklistAnswer | None
    photos_added: int = 0
    photos_removed: int = 0

    @property
    def answer_changed(self) -> bool:
        return any(getattr(self.before, f, None) != getattr(self.after, f, None) for f in ANSWER_FIELDS)

    @property
    def changed(self) -> bool:
        return self.answer_changed or bool(self.photos_added or self.photos_removed)


def last_return(checklist: Checklist) -> ChecklistEvent | None:
    return checklist.events.filter(kind=ChecklistEvent.Kind.RETURNED).order_by("-at", "-pk").first() if checklist.pk else None


def changes_since_return(checklist: Checklist, event: ChecklistEvent | None) -> dict[int, ItemChange]:
    """Per item, the reviewer's comment at ``event`` (the last return) and the answer then and
    now, read from the answers' history; every commented item is there, changed or not, and
    every changed item, commented or not."""
    if event is None:
        return {}
    comments = {c.item_id: c.text for c in event.comments.all()}
    before: dict[int, object] = {}
    then = ChecklistAnswer.history.filter(checklist_id=checklist.pk, history_date__lte=event.at)
    for record in then.order_by("history_date", "history_id"):
        before[record.item_id] = None if record.history_type == "-" else record
    after = {a.item_id: a for a in checklist.answers.all()}
    added: dict[int, int] = defaultdict(int)
    for item_id in EvidenceFile.objects.filter(answer__checklist=checklist, uploaded_at__gt=event.at, removed=False).values_list(
        "answer__item_id", flat=True
    ):
        added[item_id] += 1
    removed: dict[int, int] = defaultdict(int)
    answer_items = {a.pk: a.item_id for a in after.values()}
    gone = EvidenceFile.history.filter(
        answer_id__in=list(answer_items), removed=True, history_date__gt=event.at, uploaded_at__lte=event.at
    ).values_list("id", "answer_id")
    for _pk, answer_id in set(gone):
        removed[answer_items[answer_id]] += 1
    changes = {}
    for item_id in set(comments) | set(before) | set(after):
        change = ItemChange(
            comment=comments.get(item_id, ""),
            before=before.get(item_id),
            after=after.get(item_id),
            photos_added=added.get(item_id, 0),
            photos_removed=removed.get(item_id, 0),
        )
        if change.comment or change.changed:
            changes[item_id] = change
    return changes


# --- the readiness dashboard -------------------------------------------------------------------------


ROOM_LABELS = {
    "empty": gettext_lazy("Not started"),
    "partial": gettext_lazy("In progress"),
    "done": gettext_lazy("Done"),
    "returned": gettext_lazy("Needs work"),
}
STATUS_CHOICES = [("not_started", gettext_lazy("Not started")), *ChecklistStatus.choices]


@dataclass
class ReadinessRow:
    school: School
    grades: list[int]
    checklist: Checklist | None
    rooms: list[str]  # one room status per template room, in order
    done: int
    total: int
    overdue: bool
    must_act: str  # "school", "reviewer" or ""
    actors: list[str] = field(default_factory=list)
    waiting: str = ""  # when the stage allows nobody to act: whose step waits, "school" or "reviewer"
    cells: list[tuple[str, str]] = field(default_factory=list)  # (state, label) per room, for the pages
    status_label: StrOrPromise = ""

    @property
    def status(self) -> str:
        return self.checklist.status if self.checklist else "not_started"


def readiness(*, user, rnd: Round, today: dt.date) -> tuple[list[ChecklistRoom], list[ReadinessRow], dt.date | None]:
    """Schools × rooms of the sample the user may see; ``user=None`` is the whole sample of the
    round (the county's readiness summary, built by a background job)."""
    rooms = template_rooms(rnd=rnd)
    items = [item for room in rooms for item in room.item_list]
    acting = stage_allows(rnd, PREPARATION)[0]  # the stages in which the checklist is filled and reviewed
    due = rnd.milestones.filter(kind=MilestoneKind.CHECKLISTS_DUE).values_list("due_date", flat=True).first()
    if user is None:
        in_sample = School.objects.filter(county=rnd.county, pk__in=sampled_schools(rnd=rnd).values("school_id"))
    else:
        in_sample = sample_schools_visible_to(user, rnd=rnd)
    schools = list(in_sample.order_by("code"))
    school_ids = [s.pk for s in schools]
    grades: dict[int, list[int]] = defaultdict(list)
    for school_id, grade in sampled_schools(rnd=rnd).filter(school_id__in=school_ids).values_list("school_id", "grade"):
        grades[school_id].append(grade)
    checklists = {c.school_id: c for c in Checklist.objects.filter(round=rnd, school_id__in=school_ids)}
    answers = _answers_by_checklist([c.pk for c in checklists.values()])
    commented = _open_comment_items([c for c in checklists.values() if c.status == ChecklistStatus.RETURNED])
    actors = _actors(school_ids)
    rows = []
    specs = [_spec(item) for item in items]
    room_item_ids = [[i.pk for i in room.item_list] for room in rooms]
    for school in schools:
        checklist = checklists.get(school.pk)
        got = answers.get(checklist.pk, {}) if checklist else {}
        problems = problems_of(items, got, specs)
        open_items = commented.get(checklist.pk, set()) if checklist else set()
        room_states = [
            room_status(
                (problems[pk] for pk in ids),
                answered=sum(1 for pk in ids if pk in got),
                commented=sum(1 for pk in ids if pk in open_items),
            )
            for ids in room_item_ids
        ]
        status = checklist.status if checklist else "not_started"
        step = {
            "not_started": "school",
            ChecklistStatus.DRAFT: "school",
            ChecklistStatus.RETURNED: "school",
            ChecklistStatus.SUBMITTED: "reviewer",
        }.get(status, "")
        must_act, waiting = (step, "") if acting else ("", step)
        overdue = bool(due and today > due and status not in (ChecklistStatus.SUBMITTED, ChecklistStatus.APPROVED))
        who = actors[school.pk].get(Role.COORDINATOR if must_act == "school" else Role.INSPECTOR, []) if must_act else []
        rows.append(
            ReadinessRow(
                school,
                sorted(grades[school.pk]),
                checklist,
                room_states,
                sum(1 for p in problems.values() if p is None),
                len(items),
                overdue,
                must_act,
                who,
                waiting,
            )
        )
    return rooms, rows, due


def _open_comment_items(returned: list[Checklist]) -> dict[int, set[int]]:
    if not returned:
        return {}
    latest: dict[int, int] = {}
    for event_id, checklist_id in (
        ChecklistEvent.objects.filter(checklist__in=returned, kind=ChecklistEvent.Kind.RETURNED)
        .order_by("at", "pk")
        .values_list("pk", "checklist_id")
    ):
        latest[checklist_id] = event_id
    result: dict[int, set[int]] = defaultdict(set)
    by_event = {event_id: checklist_id for checklist_id, event_id in latest.items()}
    for event_id, item_id in ItemComment.objects.filter(event_id__in=by_event).values_list("event_id", "item_id"):
        result[by_event[event_id]].add(item_id)
    return result


def _actors(school_ids: list[int]) -> dict[int, dict[str, list[str]]]:
    result: dict[int, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    rows = Person.objects.filter(schools__in=school_ids, role__in=[Role.COORDINATOR, Role.INSPECTOR]).values_list(
        "schools", "role", "user__first_name", "user__last_name", "user__username"
    )
    for school_id, role, first, last, username in rows:
        result[school_id][role].append(f"{last}{first}" or username)
    return result


def filter_rows(rows: list[ReadinessRow], *, status: str = "", overdue: bool = False) -> list[ReadinessRow]:
    return [r for r in rows if (not status or r.status == status) and (not overdue or r.overdue)]


# --- test day, custody, incidents ------------------------------------------------------------------


def sessions_for(*, rnd: Round, grades: list[int]) -> QuerySet[TestSession]:
    return rnd.sessions.filter(grade__in=grades).order_by("day", "start", "grade")


def session_rate(*, record, students) -> AttendanceRate:
    marked = dict(Attendance.objects.filter(record=record).values_list("student_id", "status")) if record.pk else {}
    return attendance_rate(marked.get(s.pk) for s in students)


def session_rates(*, records: list[SessionRecord]) -> list[AttendanceRate]:
    """session_rate of each record, in order, with its school's sampled students: three queries
    for any number of sessions."""
    school_ids = {r.sampled_school_id for r in records}
    students = defaultdict(list)
    for school_id, pk in SampledStudent.objects.filter(sampled_school_id__in=school_ids).values_list("sampled_school_id", "pk"):
        students[school_id].append(pk)
    marked: defaultdict[int, dict[int, str]] = defaultdict(dict)
    saved = [r for r in records if r.pk]
    for record_id, student_id, status in Attendance.objects.filter(record__in=saved).values_list("record_id", "student_id", "status"):
        marked[record_id][student_id] = status
    return [attendance_rate(marked[r.pk].get(pk) for pk in students[r.sampled_school_id]) for r in records]


def incidents_visible_to(user, *, rnd: Round) -> QuerySet[Incident]:
    return Incident.objects.filter(round=rnd, school__in=schools_visible_to(user)).select_related(
        "school", "session", "recorded_by", "countersignature__by"
    )


# --- offline test days -------------------------------------------------------------------------


@dataclass(frozen=True)
class SyncRow:
    school: School
    last_sync: dt.datetime | None
    queued: int
    devices: int


def sync_overview(*, user, rnd: Round) -> list[SyncRow]:
    """Per sample school the user may see: the last time a device synced, and how many records
    the devices said they still held at their last sync (each device counted once)."""
    schools = list(sample_schools_visible_to(user, rnd=rnd).order_by("name"))
    stats: dict[int, Any] = {
        row["school_id"]: row
        for row in DeviceSync.objects.filter(round=rnd, school__in=schools)
        .values("school_id")
        .annotate(last=Max("at"), queued=Sum("queued"), devices=Count("pk"))
    }
    empty: dict = {"last": None, "queued": 0, "devices": 0}
    return [
        SyncRow(s, stats.get(s.pk, empty)["last"], stats.get(s.pk, empty)["queued"], stats.get(s.pk, empty)["devices"]) for s in schools
    ]


def offline_pages(*, user, rnd: Round, school: School) -> list[str]:
    """The test-day pages of a school that a device keeps for working offline: only those the
    user may open (attendance by monitoring ID, custody, incidents), never a page with names."""
    pages = [reverse("school_logistics", args=[rnd.pk, school.pk])]
    if user.has_perm("logistics.record_attendance"):
        grades = [s.grade for s in sampled_grades(rnd=rnd, school=school)]
        pages += [reverse("session_attendance", args=[rnd.pk, school.pk, s.pk]) for s in sessions_for(rnd=rnd, grades=grades)]
    pages.append(reverse("custody", args=[rnd.pk, school.pk]))
    if user.has_perm("logistics.record_custody"):
        packages = Package.objects.filter(round=rnd, school=school).values_list("pk", flat=True)
        pages += [reverse("handover_add", args=[rnd.pk, school.pk, pk]) for pk in packages]
    pages.append(reverse("incident_list", args=[rnd.pk, school.pk]))
    if user.has_perm("logistics.record_incident"):
        pages.append(reverse("incident_add", args=[rnd.pk, school.pk]))
    return pages
