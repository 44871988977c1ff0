"""Writes on the student side: rosters, the seeded student draw, its confirmation (which
deletes the details of students not sampled), exclusions and PE exemptions."""

from __future__ import annotations

import hashlib
from fractions import Fraction

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from monitoring_site.audit import history_user
from rounds.models import ImportBatch, Round, Stage
from rounds.selectors import stage_allows

from .design import STUDENTS_PER_SCHOOL, final_weight, srs_students, within_school_probability
from .models import PeExemption, Roster, RosterEntry, RosterUpload, SampledSchool, SampledStudent, StudentDraw
from .selectors import sampled_schools
from .services import SamplingError, current_draw, require_stage

ROSTER_FIELDS = ("name", "sex", "birth_date", "class_name", "student_number")
STUDENT_STAGES = (Stage.SAMPLING, Stage.PREPARATION, Stage.TESTING)


def students_editable(rnd: Round) -> tuple[bool, str]:
    """May exclusions and PE exemptions change now? One answer for the page that offers the
    change and the service that makes it: (True, "") or (False, the reason for the user)."""
    return stage_allows(rnd, STUDENT_STAGES)


def _require_students_editable(rnd: Round) -> None:
    editable, reason = students_editable(rnd)
    if not editable:
        raise SamplingError(reason)


def monitoring_id(*, sampled: SampledSchool, number: int) -> str:
    """区县代码-学校序号-学生序号; the school number carries the year and grade, so IDs never
    repeat across rounds: 369901-27401-07 is 2027, grade 4, school 01, pupil 07."""
    return f"{sampled.round.county.code}-{sampled.round.year % 100:02d}{sampled.grade}{sampled.serial:02d}-{number:02d}"


def _require_roster_open(sampled: SampledSchool) -> None:
    require_stage(sampled.round, Stage.SAMPLING)
    if not sampled.takes_part:
        raise SamplingError(_("This school was replaced and takes no part."))
    draw = current_draw(sampled.round, sampled.grade)
    if draw is None or not draw.is_confirmed:
        raise SamplingError(_("Rosters are collected once the school sample is confirmed."))
    student_draw = StudentDraw.objects.filter(sampled_school=sampled).first()
    if student_draw and student_draw.is_confirmed:
        raise SamplingError(_("The students of this school are drawn and confirmed; the roster can no longer change."))


@transaction.atomic
def roster_upload_start(*, sampled: SampledSchool, upload, user, language: str) -> ImportBatch:
    """Keep the file, then queue the import once this request's transaction commits."""
    from .tasks import roster_import

    _require_roster_open(sampled)
    batch = ImportBatch.objects.create(
        kind="sampling_roster", county=sampled.round.county, file=upload, original_name=upload.name[:200], uploaded_by=user
    )
    RosterUpload.objects.create(sampled_school=sampled, batch=batch)
    transaction.on_commit(lambda: roster_import.delay(batch.pk, language))
    return batch


def roster_import_confirm(*, batch: ImportBatch, user, language: str) -> ImportBatch:
    """Confirm the difference a roster upload waits on; its task writes it once this commits."""
    from rounds.services import import_batch_confirm

    from .tasks import roster_import

    return import_batch_confirm(batch=batch, user=user, queue=lambda: roster_import.delay(batch.pk, language))


@transaction.atomic
def roster_replace(*, sampled: SampledSchool, rows: list[dict], user) -> Roster:
    """The whole grade roster, replacing any earlier one (and an unconfirmed student draw)."""
    sampled = SampledSchool.objects.select_for_update().select_related("round__county").get(pk=sampled.pk)
    _require_roster_open(sampled)
    _discard_unconfirmed_draw(sampled)
    roster = Roster.objects.filter(sampled_school=sampled).first() or Roster(sampled_school=sampled)
    roster.size, roster.submitted_by, roster.submitted_at = len(rows), user, timezone.now()
    history_user(roster, user)
    roster.save()
    roster.entries.all().delete()
    _insert_entries(roster, rows)
    return roster


def _insert_entries(roster: Roster, rows: list[dict]) -> None:
    """One executemany instead of 5,000 model instances: a roster has no history and no signals
    (the entries are meant to be deleted without trace), and whole-grade uploads must be quick."""
    table = connection.ops.quote_name(RosterEntry._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(c) for c in ("roster_id", *ROSTER_FIELDS))
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {table} ({columns}) VALUES (%s, %s, %s, %s, %s, %s)",  # noqa: S608 - names from the model
            [
                (
                    roster.pk,
                    r["name"],
                    r["sex"],
                    connection.ops.adapt_datefield_value(r["birth_date"]),
                    r.get("class_name") or "",
                    r["student_number"],
                )
                for r in rows
            ],
        )


def _discard_unconfirmed_draw(sampled: SampledSchool) -> None:
    draw = StudentDraw.objects.filter(sampled_school=sampled, confirmed_at__isnull=True).first()
    if draw:
        SampledStudent.objects.filter(sampled_school=sampled).delete()
        draw.delete()


def school_seed(*, seed: int, sampled: SampledSchool) -> int:
    """Each school's own seed, derived from the round's seed: recorded, so each draw replays."""
    digest = hashlib.sha256(f"{seed}:{sampled.grade}:{sampled.serial}".encode()).hexdigest()
    return int(digest[:15], 16)


@transaction.atomic
def student_draw_run(*, rnd: Round, seed: int, user, n: int = STUDENTS_PER_SCHOOL) -> int:
    """Draw students in every taking-part school with a roster and no confirmed draw.

    Returns how many schools were drawn. π(student | school) = min(n, N)/N and the final
    weight = school weight × N / min(n, N), with N the roster size.
    """
    require_stage(rnd, Stage.SAMPLING)
    count = 0
    schools = sampled_schools(rnd=rnd).select_related("round__county").filter(roster__isnull=False)
    for sampled in schools.select_for_update(of=("self",)):
        existing = StudentDraw.objects.filter(sampled_school=sampled).first()
        if existing and existing.is_confirmed:
            continue
        _discard_unconfirmed_draw(sampled)
        _draw_school(sampled=sampled, seed=school_seed(seed=seed, sampled=sampled), n=n, user=user)
        count += 1
    if not count:
        raise SamplingError(_("No school has a roster waiting for its student draw."))
    return count


def _draw_school(*, sampled: SampledSchool, seed: int, n: int, user) -> StudentDraw:
    roster = sampled.roster
    chosen = srs_students(student_ids=list(roster.entries.values_list("student_number", flat=True)), n=n, seed=seed)
    entries = {e.student_number: e for e in roster.entries.filter(student_number__in=chosen)}
    size = roster.size
    within = within_school_probability(roster_size=size, n=n)
    weight = final_weight(school_weight=Fraction(sampled.weight).limit_denominator(10**9), roster_size=size, n=n)
    draw = StudentDraw(sampled_school=sampled, seed=seed, roster_size=size, n=len(chosen), drawn_by=user, drawn_at=timezone.now())
    history_user(draw, user)
    draw.save()
    bulk_create_with_history(
        [
            SampledStudent(
                sampled_school=sampled,
                monitoring_id=monitoring_id(sampled=sampled, number=number),
                name=entries[code].name,
                sex=entries[code].sex,
                birth_date=entries[code].birth_date,
                class_name=entries[code].class_name,
                student_number=entries[code].student_number,
                within_probability=float(within),
                final_weight=float(weight),
            )
            for number, code in enumerate(chosen, start=1)
        ],
        SampledStudent,
        default_user=user,
    )
    return draw


@transaction.atomic
def student_draw_confirm(*, rnd: Round, user) -> int:
    """Confirm every unconfirmed student draw and delete the roster entries of students not
    sampled (the roster keeps N), the whole roster of a school replaced after sending one, and
    every roster workbook uploaded for them. Returns how many schools were confirmed."""
    require_stage(rnd, Stage.SAMPLING)
    now = timezone.now()
    draws = StudentDraw.objects.select_for_update().filter(sampled_school__round=rnd, confirmed_at__isnull=True)
    confirmed: list[int] = []
    for draw in draws:
        draw.confirmed_by, draw.confirmed_at = user, now
        history_user(draw, user)
        draw.save()
        sampled_numbers = SampledStudent.objects.filter(sampled_school_id=draw.sampled_school_id).values_list("student_number", flat=True)
        roster = Roster.objects.get(sampled_school_id=draw.sampled_school_id)
        roster.entries.exclude(student_number__in=list(sampled_numbers)).delete()
        roster.details_deleted_at = now
        history_user(roster, user)
        roster.save()
        confirmed.append(draw.sampled_school_id)
    if not confirmed:
        raise SamplingError(_("There is no unconfirmed student draw."))
    replaced = list(
        Roster.objects.filter(
            sampled_school__round=rnd, sampled_school__status=SampledSchool.Status.REPLACED, details_deleted_at__isnull=True
        )
    )
    for roster in replaced:
        roster.entries.all().delete()
        roster.details_deleted_at = now
        history_user(roster, user)
        roster.save()
    roster_uploads_purge(sampled_ids=confirmed + [r.sampled_school_id for r in replaced])
    return len(confirmed)


@transaction.atomic
def roster_uploads_purge(*, sampled_ids: list[int]) -> int:
    """Delete the uploaded roster workbooks of these schools, accepted and refused: each names
    the whole grade, and only the sampled pupils may stay. The refused ones' error lists go too
    (they quote student numbers and rows); an upload still waiting is refused. The files leave
    the storage once the transaction commits, so a rolled-back confirmation loses nothing.
    Returns how many files are deleted."""
    batches = ImportBatch.objects.select_for_update().filter(
        pk__in=RosterUpload.objects.filter(sampled_school_id__in=sampled_ids).values("batch_id")
    )
    storage = ImportBatch._meta.get_field("file").storage
    names = []
    for batch in batches:
        if batch.file:
            names.append(str(batch.file.name))
        if batch.errors or not batch.is_finished:
            note = _("The file and its errors were deleted when the student draw was confirmed.")
            batch.errors = [{"row": 0, "column": "", "message": note}]
        if not batch.is_finished:
            batch.status, batch.finished_at, batch.progress = ImportBatch.Status.FAILED, timezone.now(), 100
        batch.file = ""
        batch.save(update_fields=["file", "errors", "status", "finished_at", "progress"])
    if names:

        def delete_files() -> None:
            for name in names:
                storage.delete(name)

        transaction.on_commit(delete_files)
    return len(names)


@transaction.atomic
def student_exclude(*, student: SampledStudent, code: str, reason: str, user) -> SampledStudent:
    """Exclude a sampled student with a code and a reason, or (empty code) take the exclusion back."""
    _require_students_editable(student.sampled_school.round)
    if code and code not in SampledStudent.Exclusion.values:
        raise SamplingError(_("Choose an exclusion code."))
    if code and not reason.strip():
        raise SamplingError(_("Give the reason for the exclusion."))
    student.exclusion, student.exclusion_reason = code, reason.strip() if code else ""
    history_user(student, user)
    student.save()
    return student


@transaction.atomic
def pe_exemption_record(*, student: SampledStudent, certificate, content_type: str, reason: str, user) -> PeExemption:
    """体育免测试 on a doctor's certificate; the student stays in the sample."""
    _require_students_editable(student.sampled_school.round)
    exemption = PeExemption.objects.filter(student=student).first() or PeExemption(student=student)
    if exemption.pk and exemption.certificate:
        _delete_after_commit(exemption.certificate)
    exemption.certificate, exemption.certificate_type, exemption.reason = certificate, content_type, reason.strip()
    exemption.recorded_by = user
    history_user(exemption, user)
    exemption.save()
    student.pe_exempt = True
    history_user(student, user)
    student.save()
    return exemption


@transaction.atomic
def pe_exemption_withdraw(*, student: SampledStudent, user) -> None:
    _require_students_editable(student.sampled_school.round)
    for exemption in PeExemption.objects.filter(student=student):
        _delete_after_commit(exemption.certificate)
        exemption.delete()
    student.pe_exempt = False
    history_user(student, user)
    student.save()


def _delete_after_commit(field_file) -> None:
    """A doctor's certificate replaced or withdrawn leaves the storage with its record."""
    storage, name = field_file.storage, field_file.name
    if name:
        transaction.on_commit(lambda: storage.delete(name))
