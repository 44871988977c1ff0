"""Writes of the logistics slice: keyword-only, typed, atomic."""

from __future__ import annotations

import datetime as dt
from types import EllipsisType
from typing import cast

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from monitoring_site.audit import history_user
from monitoring_site.concurrency import StaleEdit, require_version, save_versioned
from monitoring_site.errors import Refused
from rounds.models import Round, School, SessionKind, Stage, TestSession
from rounds.selectors import stage_allows
from sampling.models import SampledSchool, SampledStudent

from .defaults import DEFAULT_ROOMS
from .models import (
    Attendance,
    AttendanceStatus,
    Checklist,
    ChecklistAnswer,
    ChecklistEvent,
    ChecklistItem,
    ChecklistRoom,
    ChecklistStatus,
    ChecklistTemplate,
    Countersignature,
    EvidenceFile,
    Handover,
    Incident,
    IncidentKind,
    MockDrill,
    Package,
    SessionRecord,
    StaffAssignment,
)
from .uploads import UploadRefused, check_upload, stored_files

TEMPLATE_STAGES = (Stage.SETUP, Stage.SAMPLING)
PREPARATION = (Stage.PREPARATION, Stage.TESTING)  # the checklist, staff, drill, custody
TEST_DAYS = (Stage.TESTING,)  # session times and attendance
CUSTODY = (Stage.PREPARATION, Stage.TESTING)


class LogisticsError(Refused):
    """A logistics step refused."""


# --- may this be done now: one answer for the page that offers it and the POST that does it -------


def may_now(user, perm: str, rnd: Round, allowed) -> tuple[bool, str]:
    """May ``user`` do what ``perm`` allows in ``rnd`` now: (yes, "") or (no, the stage's reason;
    "" when the permission itself is missing)."""
    if not user.has_perm(perm):
        return False, ""
    return stage_allows(rnd, allowed)


def can_fill_checklist(*, user, rnd: Round, checklist: Checklist) -> tuple[bool, str]:
    allowed, reason = may_now(user, "logistics.fill_checklist", rnd, PREPARATION)
    if allowed and not checklist.is_fillable:
        return False, _("The checklist is %(status)s and cannot be changed now.") % {"status": checklist.get_status_display()}
    return allowed, reason


def can_review_checklist(*, user, rnd: Round, checklist: Checklist) -> tuple[bool, str]:
    allowed, reason = may_now(user, "logistics.review_checklist", rnd, PREPARATION)
    if allowed and checklist.status != ChecklistStatus.SUBMITTED:
        return False, _("Only a submitted checklist can be reviewed.")
    return allowed, reason


# --- template -------------------------------------------------------------------------------


@transaction.atomic
def checklist_template_ensure(*, rnd: Round) -> ChecklistTemplate:
    """The round's template, created from the five-room default the first time it is asked for."""
    template, created = ChecklistTemplate.objects.get_or_create(round=rnd)
    if created:
        keys: dict[str, ChecklistItem] = {}
        for room_order, (code, title, items) in enumerate(DEFAULT_ROOMS):
            room = ChecklistRoom.objects.create(template=template, code=code, title=str(title), order=room_order)
            for order, (key, text, kind, minimum, photo, minimum_from) in enumerate(items):
                keys[key] = ChecklistItem.objects.create(
                    room=room,
                    order=order,
                    text=str(text),
                    kind=kind,
                    minimum=minimum,
                    photo_required=photo,
                    minimum_item=keys.get(minimum_from) if minimum_from else None,
                )
    return template


def _template_changed(template: ChecklistTemplate, *, user: User) -> None:
    if template.round.stage not in TEMPLATE_STAGES:
        raise LogisticsError(_("The checklist can only be changed before preparation opens."))
    template.version += 1
    history_user(template, user)
    template.save()


@transaction.atomic
def template_room_add(*, template: ChecklistTemplate, title: str, user: User) -> ChecklistRoom:
    _template_changed(template, user=user)
    order = template.rooms.count()
    room = ChecklistRoom(template=template, code=f"room{template.version}-{order}", title=title, order=order)
    history_user(room, user)
    room.save()
    return room


@transaction.atomic
def template_item_save(*, item: ChecklistItem, user: User) -> ChecklistItem:
    """Save a new or changed item (already filled in by a form) and move the version on."""
    _template_changed(item.room.template, user=user)
    if item.pk is None:
        item.order = item.room.items.count()
    history_user(item, user)
    item.save()
    return item


@transaction.atomic
def template_item_delete(*, item: ChecklistItem, user: User) -> None:
    if item.answers.exists():
        raise LogisticsError(_("Schools have already answered this item; it cannot be removed."))
    _template_changed(item.room.template, user=user)
    history_user(item, user)
    item.delete()


# --- a school's checklist ---------------------------------------------------------------------


@transaction.atomic
def checklist_ensure(*, rnd: Round, school: School) -> Checklist:
    template = checklist_template_ensure(rnd=rnd)
    checklist, _created = Checklist.objects.get_or_create(round=rnd, school=school, defaults={"template_version": template.version})
    return checklist


ANSWER_FIELDS = ("value_yes", "value_count", "value_text", "building", "floor", "room_name")


def _require_fillable(checklist: Checklist) -> None:
    if not checklist.is_fillable:
        raise LogisticsError(_("The checklist is %(status)s and cannot be changed now.") % {"status": checklist.get_status_display()})


@transaction.atomic
def answer_save(*, checklist: Checklist, item: ChecklistItem, values: dict, expected_version: int | None, user: User) -> ChecklistAnswer:
    """Save one item. ``expected_version`` is the version the page showed (None: it showed no
    answer yet); a save over somebody else's newer answer is refused with StaleEdit."""
    _require_fillable(checklist)
    answer = ChecklistAnswer.objects.select_for_update().filter(checklist=checklist, item=item).first()
    if answer is None:
        if expected_version not in (None, 0):
            raise LogisticsError(_("This answer no longer exists; reload the page."))
        answer = ChecklistAnswer(
            checklist=checklist,
            item=item,
            updated_by=user,
            **{f: values.get(f, _blank(f)) for f in ANSWER_FIELDS},
        )
        history_user(answer, user)
        answer.save()
        return answer
    for field in ANSWER_FIELDS:
        if field in values:
            setattr(answer, field, values[field])
    answer.updated_by = user
    history_user(answer, user)
    try:
        save_versioned(answer, expected_version=expected_version or 0)
    except StaleEdit as exc:
        raise StaleEdit(_("“%(item)s”: %(message)s") % {"item": item.text, "message": exc.message}) from None
    return answer


def _blank(field: str) -> str | None:
    return None if field in ("value_yes", "value_count") else ""


@transaction.atomic
def evidence_add(*, upload, user: User, answer: ChecklistAnswer | None = None, incident: Incident | None = None) -> EvidenceFile:
    """Check the upload by its content and keep it with a thumbnail (raises UploadRefused)."""
    if answer is not None:
        _require_fillable(answer.checklist)
    if incident is not None and Countersignature.objects.filter(incident=incident).exists():
        raise UploadRefused(_("The incident is countersigned: what it holds can no longer change."))
    checked = check_upload(upload, allow_pdf=incident is not None)
    original, thumbnail = stored_files(checked)
    evidence = EvidenceFile(
        answer=answer,
        incident=incident,
        content_type=checked.content_type,
        original_name=checked.original_name,
        size=len(checked.data),
        uploaded_by=user,
    )
    evidence.file.save(cast(str, original.name), original, save=False)  # stored_files names both
    if thumbnail is not None:
        evidence.thumbnail.save(cast(str, thumbnail.name), thumbnail, save=False)
    history_user(evidence, user)
    evidence.save()
    return evidence


@transaction.atomic
def evidence_remove(*, evidence: EvidenceFile, user: User) -> None:
    """A photo is taken off the checklist but the file and its history are kept."""
    if evidence.answer is None:
        raise LogisticsError(_("Incident attachments cannot be removed."))
    _require_fillable(evidence.answer.checklist)
    evidence.removed = True
    history_user(evidence, user)
    evidence.save()


def _checklist_step(checklist: Checklist, *, status: str, expected_version: int, user: User) -> None:
    checklist.status = status
    now = timezone.now()
    if status == ChecklistStatus.SUBMITTED:
        checklist.submitted_at = now
    else:
        checklist.reviewed_at = now
    history_user(checklist, user)
    save_versioned(checklist, expected_version=expected_version)


@transaction.atomic
def checklist_submit(*, checklist: Checklist, expected_version: int, user: User) -> ChecklistEvent:
    from .selectors import checklist_problems

    _require_fillable(checklist)
    problems = checklist_problems(checklist=checklist)
    if problems:
        raise LogisticsError(_("%(n)s items are not done yet; they are marked below.") % {"n": len(problems)})
    _checklist_step(checklist, status=ChecklistStatus.SUBMITTED, expected_version=expected_version, user=user)
    return ChecklistEvent.objects.create(checklist=checklist, kind=ChecklistEvent.Kind.SUBMITTED, by=user)


def _require_submitted(checklist: Checklist, *, expected_version: int) -> None:
    require_version(checklist, expected_version=expected_version)  # another reviewer decided first
    if checklist.status != ChecklistStatus.SUBMITTED:
        raise LogisticsError(_("Only a submitted checklist can be reviewed."))


@transaction.atomic
def checklist_return(*, checklist: Checklist, comments: dict[int, str], note: str, expected_version: int, user: User) -> ChecklistEvent:
    _require_submitted(checklist, expected_version=expected_version)
    comments = {item_id: text.strip() for item_id, text in comments.items() if text and text.strip()}
    if not comments:
        raise LogisticsError(_("Say on at least one item what needs to be done before returning the checklist."))
    _checklist_step(checklist, status=ChecklistStatus.RETURNED, expected_version=expected_version, user=user)
    event = ChecklistEvent.objects.create(checklist=checklist, kind=ChecklistEvent.Kind.RETURNED, by=user, note=note)
    event.comments.bulk_create([event.comments.model(event=event, item_id=i, text=t[:500]) for i, t in comments.items()])
    return event


@transaction.atomic
def checklist_approve(*, checklist: Checklist, note: str, expected_version: int, user: User) -> ChecklistEvent:
    _require_submitted(checklist, expected_version=expected_version)
    _checklist_step(checklist, status=ChecklistStatus.APPROVED, expected_version=expected_version, user=user)
    return ChecklistEvent.objects.create(checklist=checklist, kind=ChecklistEvent.Kind.APPROVED, by=user, note=note)


# --- drill and test day ------------------------------------------------------------------------------


def drill_date_refused(date: dt.date) -> str:
    """Why a drill cannot carry this date, or ""."""
    if date > timezone.localdate():
        return _("A mock drill is recorded once it has been held: the date is in the future.")
    return ""


@transaction.atomic
def staff_save(*, rnd: Round, school: School, changed: list[StaffAssignment], deleted: list[StaffAssignment], user: User) -> None:
    """The school's monitoring staff as edited on its page: new and changed assignments kept for
    this round and school, removed ones deleted, each change in the history under ``user``."""
    for assignment in changed:
        assignment.round, assignment.school = rnd, school
        history_user(assignment, user)
        assignment.save()
    for assignment in deleted:
        history_user(assignment, user)
        assignment.delete()


@transaction.atomic
def drill_record(
    *,
    rnd: Round,
    school: School,
    date: dt.date,
    inspector_name: str,
    findings: str,
    fixed: str,
    passed: bool,
    user: User,
) -> MockDrill:
    """模拟演练: held the day before the test, so never recorded for a day still to come."""
    refused = drill_date_refused(date)
    if refused:
        raise LogisticsError(refused)
    drill = MockDrill(
        round=rnd,
        school=school,
        date=date,
        inspector_name=inspector_name,
        findings=findings,
        fixed=fixed,
        passed=passed,
        recorded_by=user,
    )
    history_user(drill, user)
    drill.save()
    return drill


@transaction.atomic
def session_record_ensure(*, session: TestSession, sampled_school: SampledSchool) -> SessionRecord:
    record, _created = SessionRecord.objects.get_or_create(session=session, sampled_school=sampled_school)
    return record


@transaction.atomic
def session_record_save(
    *,
    record: SessionRecord,
    actual_start: dt.time | None,
    actual_end: dt.time | None,
    monitors: str,
    expected_version: int,
    user: User,
) -> SessionRecord:
    record.actual_start, record.actual_end, record.monitors = actual_start, actual_end, monitors
    history_user(record, user)
    save_versioned(record, expected_version=expected_version)
    return record


@transaction.atomic
def attendance_mark(*, record: SessionRecord, student: SampledStudent, status: str, user: User) -> Attendance:
    if student.sampled_school_id != record.sampled_school_id:
        raise LogisticsError(_("This student is not in the sample of this school."))
    attendance = Attendance.objects.select_for_update().filter(record=record, student=student).first()
    if attendance is None:
        attendance = Attendance(record=record, student=student)
    attendance.status, attendance.marked_by = status, user
    history_user(attendance, user)
    attendance.save()
    return attendance


def attendance_suggestion(*, student: SampledStudent, session_kind: str) -> str:
    """What a student's sample record already says of this session ("" when nothing)."""
    if student.exclusion:
        return AttendanceStatus.EXCLUDED
    if student.pe_exempt and session_kind == SessionKind.PE:
        return AttendanceStatus.PE_EXEMPT
    return ""


@transaction.atomic
def attendance_mark_all_present(*, record: SessionRecord, user: User) -> int:
    """Mark every student not marked yet present (or excluded, PE-exempt as the sample says),
    so that only the few absent or late are changed by hand. Marks already made are kept."""
    marked = set(Attendance.objects.select_for_update().filter(record=record).values_list("student_id", flat=True))
    students = SampledStudent.objects.filter(sampled_school=record.sampled_school).exclude(pk__in=marked)
    count = 0
    for student in students.only("pk", "exclusion", "pe_exempt"):
        status = attendance_suggestion(student=student, session_kind=record.session.kind) or AttendanceStatus.PRESENT
        attendance = Attendance(record=record, student=student, status=status, marked_by=user)
        history_user(attendance, user)
        attendance.save()
        count += 1
    return count


# --- custody and incidents (append-only) -----------------------------------------------------------------


@transaction.atomic
def package_add(
    *,
    rnd: Round,
    school: School,
    code: str,
    seal_number: str,
    contents: str,
    count: int,
    user: User,
    corrects: Package | None = None,
) -> Package:
    package = Package(
        round=rnd,
        school=school,
        code=code,
        seal_number=seal_number,
        contents=contents,
        count=count,
        corrects=corrects,
        recorded_by=user,
    )
    history_user(package, user)
    package.save()
    return package


@transaction.atomic
def handover_stale(package: Package, seen: int | None) -> str:
    """Why a hand-over made after step ``seen`` of the package's chain is stale (someone else
    recorded a step since), or ""."""
    last = package.handovers.select_related("recorded_by").order_by("-pk").first()
    if (last.pk if last else None) == seen:
        return ""
    if last is None:  # the step seen is gone: it cannot be, a chain is append-only
        return _("The chain of package %(code)s has changed. Open the custody page and check it.") % {"code": package.code}
    who = last.recorded_by.get_full_name() or last.recorded_by.username
    return _(
        "Package %(code)s was handed over by someone else since you last saw its chain "
        "(%(step)s, %(giver)s → %(taker)s, %(when)s, recorded by %(who)s). "
        "Check the chain and record the hand-over again if it is still needed."
    ) % {
        "code": package.code,
        "step": last.get_kind_display(),
        "giver": last.giver,
        "taker": last.taker,
        "when": formats.date_format(timezone.localtime(last.at), "DATETIME_FORMAT"),
        "who": who,
    }


def handover_record(
    *,
    package: Package,
    kind: str,
    at: dt.datetime,
    giver: str,
    taker: str,
    seal_intact: bool,
    count_matched: bool,
    user: User,
    counted: int | None = None,
    note: str = "",
    corrects: Handover | None = None,
    after: int | None | EllipsisType = ...,
) -> tuple[Handover, Incident | None]:
    """Record a hand-over signed by giver and taker; a broken seal or a wrong count opens an incident.

    ``after`` is the last step of the chain the person was shown (None: none yet), from the
    page's form or the device that worked offline: a step recorded by someone else since then
    refuses this one (``handover_stale``), never appends it silently. ``...`` means nobody was
    shown a chain (the demo and test set-ups)."""
    if after is not ...:
        Package.objects.select_for_update().filter(pk=package.pk).first()  # one hand-over at a time per package
        stale = handover_stale(package, after)
        if stale:
            raise LogisticsError(stale)
    if giver.strip() == taker.strip():
        raise LogisticsError(_("A hand-over needs two different people: the one who gives and the one who takes."))
    if corrects is not None and corrects.package_id != package.pk:
        raise LogisticsError(_("A correction must point at a hand-over of the same package."))
    handover = Handover(
        package=package,
        kind=kind,
        at=at,
        giver=giver.strip(),
        taker=taker.strip(),
        seal_intact=seal_intact,
        count_matched=count_matched,
        counted=counted,
        note=note,
        corrects=corrects,
        recorded_by=user,
    )
    history_user(handover, user)
    handover.save()
    incident = None
    if handover.is_irregular:
        problems = []
        if not seal_intact:
            problems.append(_("the seal was not intact"))
        if not count_matched:
            problems.append(
                _("the count did not match (counted %(counted)s of %(count)s)")
                % {"counted": "—" if counted is None else counted, "count": package.count}
            )
        description = _("%(step)s of package %(code)s (seal %(seal)s): %(problems)s.") % {
            "step": handover.get_kind_display(),
            "code": package.code,
            "seal": package.seal_number,
            "problems": "; ".join(problems),
        }
        if note:
            description += " " + note
        incident = incident_record(
            rnd=package.round,
            school=package.school,
            at=at,
            kind=IncidentKind.SEAL,
            description=description,
            action_taken="",
            handover=handover,
            user=user,
        )
    return handover, incident


@transaction.atomic
def incident_record(
    *,
    rnd: Round,
    school: School,
    at: dt.datetime,
    kind: str,
    description: str,
    action_taken: str,
    user: User,
    session: TestSession | None = None,
    handover: Handover | None = None,
    corrects: Incident | None = None,
) -> Incident:
    incident = Incident(
        round=rnd,
        school=school,
        at=at,
        session=session,
        kind=kind,
        description=description,
        action_taken=action_taken,
        handover=handover,
        corrects=corrects,
        recorded_by=user,
    )
    history_user(incident, user)
    incident.save()
    return incident


@transaction.atomic
def incident_countersign(*, incident: Incident, note: str, user: User) -> Countersignature:
    if Countersignature.objects.filter(incident=incident).exists():
        raise LogisticsError(_("This incident is already countersigned."))
    signature = Countersignature(incident=incident, by=user, note=note)
    history_user(signature, user)
    signature.save()
    return signature
