"""Test-day records made on a device without a network, sent later: each applied at most once.

A device gives every record it keeps an id of its own (a UUID). The server applies an id once
and remembers the answer (``SyncedRecord``): the same id sent again — a retry, a second tab,
a flaky line — gets the first answer and changes nothing. Each record is checked as the online
page checks it (the user's permission, the round's stage, the same form), and a hand-over made
from a stale view of the package's chain (someone else recorded a step since the device last
saw it) is refused with who did it, never merged.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from rounds.models import Round, School

from .forms import AttendanceForm, HandoverForm, IncidentForm
from .models import DeviceSync, Incident, Package, SyncedRecord
from .selectors import sampled_grades
from .services import (
    CUSTODY,
    TEST_DAYS,
    LogisticsError,
    attendance_mark,
    evidence_add,
    handover_record,
    incident_record,
    session_record_ensure,
    stage_allows,
)
from .uploads import UploadRefused

APPLIED, DUPLICATE, REFUSED = "applied", "duplicate", "refused"
MAX_RECORDS = 200  # a batch; the device sends the rest in the next one


@dataclass(frozen=True)
class SyncAnswer:
    id: str
    outcome: str  # applied, duplicate (applied before), refused
    reason: str = ""


def _form_errors(form) -> str:
    return "；".join(str(e) for errs in form.errors.values() for e in errs)


def _client_pk(value: Any) -> int | None:
    """A record may point at another record by its server pk or, not sent yet when it was made,
    by that record's device id (``client:<uuid>``), resolved here once that one is applied."""
    if value in (None, ""):
        return None
    text = str(value)
    if text.startswith("client:"):
        try:
            synced = SyncedRecord.objects.filter(client_id=uuid.UUID(text[7:]), outcome=SyncedRecord.Outcome.APPLIED).first()
        except ValueError:
            return None
        if synced is None:
            raise LogisticsError(_("An earlier record on this device that this one depends on was not applied."))
        return synced.object_pk
    try:
        return int(text)
    except ValueError:
        return None


def _attendance(*, rnd: Round, school: School, user: User, data: dict) -> int:
    if not user.has_perm("logistics.record_attendance"):
        raise LogisticsError(_("You may not record attendance."))
    ok, reason = stage_allows(rnd, TEST_DAYS)
    if not ok:
        raise LogisticsError(reason)
    grades = {s.grade: s for s in sampled_grades(rnd=rnd, school=school)}
    session = rnd.sessions.filter(grade__in=list(grades), pk=_client_pk(data.get("session")) or 0).first()
    if session is None:
        raise LogisticsError(_("This session is not one of this school's sessions."))
    sampled_school = grades[session.grade]
    student = sampled_school.students.filter(pk=_client_pk(data.get("student")) or 0).first()
    if student is None:
        raise LogisticsError(_("This student is not in the sample of this school."))
    form = AttendanceForm(data)
    if not form.is_valid():
        raise LogisticsError(_form_errors(form))
    record = session_record_ensure(session=session, sampled_school=sampled_school)
    return attendance_mark(record=record, student=student, status=form.cleaned_data["status"], user=user).pk


def _handover(*, rnd: Round, school: School, user: User, data: dict) -> int:
    if not user.has_perm("logistics.record_custody"):
        raise LogisticsError(_("You may not record hand-overs."))
    ok, reason = stage_allows(rnd, CUSTODY)
    if not ok:
        raise LogisticsError(reason)
    package_pk = _client_pk(data.get("package"))
    package = Package.objects.select_for_update().filter(round=rnd, school=school, pk=package_pk or 0).first()
    if package is None:
        raise LogisticsError(_("This package is not in this school's custody."))
    pointers = {"corrects": _client_pk(data.get("corrects")) or "", "after": _client_pk(data.get("after")) or ""}
    form = HandoverForm({**data, **pointers}, handovers=package.handovers.all())
    if not form.is_valid():
        raise LogisticsError(_form_errors(form))
    fields = {k: v for k, v in form.cleaned_data.items() if k != "confirm"}
    handover, _incident = handover_record(package=package, user=user, **fields)
    return handover.pk


def _photo(data: dict) -> SimpleUploadedFile | None:
    """The photo a device kept as a data URL (``data:image/jpeg;base64,…``)."""
    url = data.get("photo") or ""
    if not url:
        return None
    try:
        header, encoded = str(url).split(",", 1)
        content = base64.b64decode(encoded, validate=True)
    except (ValueError, binascii.Error):
        raise LogisticsError(_("The photo kept on the device could not be read.")) from None
    name = str(data.get("photo_name") or "photo")[:100]
    return SimpleUploadedFile(name, content, content_type=header[5:].split(";")[0])


def _incident(*, rnd: Round, school: School, user: User, data: dict) -> int:
    if not user.has_perm("logistics.record_incident"):
        raise LogisticsError(_("You may not record incidents."))
    ok, reason = stage_allows(rnd, CUSTODY)
    if not ok:
        raise LogisticsError(reason)
    grades = [s.grade for s in sampled_grades(rnd=rnd, school=school)]
    photo = _photo(data)
    form = IncidentForm(
        {**data, "corrects": _client_pk(data.get("corrects")) or ""},
        {"attachment": photo} if photo else None,
        sessions=rnd.sessions.filter(grade__in=grades),
        incidents=Incident.objects.filter(round=rnd, school=school),
    )
    if not form.is_valid():
        raise LogisticsError(_form_errors(form))
    fields = {k: v for k, v in form.cleaned_data.items() if k != "attachment"}
    incident = incident_record(rnd=rnd, school=school, user=user, **fields)
    if photo is not None:
        try:
            evidence_add(incident=incident, upload=form.cleaned_data["attachment"], user=user)
        except UploadRefused as exc:
            raise LogisticsError(exc.message) from None
    return incident.pk


APPLIERS = {"attendance": _attendance, "handover": _handover, "incident": _incident}


def _answer_of(synced: SyncedRecord, *, user: User) -> SyncAnswer:
    if synced.user_id != user.pk:
        return SyncAnswer(str(synced.client_id), REFUSED, _("This record id was already used by another device."))
    if synced.outcome == SyncedRecord.Outcome.APPLIED:
        return SyncAnswer(str(synced.client_id), DUPLICATE)
    return SyncAnswer(str(synced.client_id), REFUSED, synced.reason)


@transaction.atomic
def offline_record_apply(*, rnd: Round, school: School, user: User, record: dict) -> SyncAnswer:
    """Apply one record made offline, or give the answer its id already got."""
    try:
        client_id = uuid.UUID(str(record.get("id")))
    except ValueError:
        return SyncAnswer(str(record.get("id", "")), REFUSED, _("The record has no device id; it cannot be applied safely."))
    synced = SyncedRecord.objects.filter(client_id=client_id).first()
    if synced is not None:
        return _answer_of(synced, user=user)
    kind = str(record.get("kind", ""))
    applier = APPLIERS.get(kind)
    outcome, reason, object_pk = SyncedRecord.Outcome.APPLIED, "", None
    try:
        with transaction.atomic():  # a refused record leaves nothing behind but its answer
            if applier is None:
                raise LogisticsError(_("Unknown kind of record."))
            data = record.get("data")
            object_pk = applier(rnd=rnd, school=school, user=user, data=data if isinstance(data, dict) else {})
    except LogisticsError as exc:
        outcome, reason = SyncedRecord.Outcome.REFUSED, exc.message[:500]
    try:
        with transaction.atomic():
            SyncedRecord.objects.create(
                client_id=client_id,
                kind=kind[:20],
                round=rnd,
                school=school,
                user=user,
                outcome=outcome,
                reason=reason,
                object_pk=object_pk,
            )
    except IntegrityError:  # the same id arrived at the same moment from another tab: it won
        transaction.set_rollback(True)
        return SyncAnswer(str(client_id), DUPLICATE)
    return SyncAnswer(str(client_id), APPLIED if outcome == SyncedRecord.Outcome.APPLIED else REFUSED, reason)


@transaction.atomic
def device_sync_report(*, device: uuid.UUID, rnd: Round, school: School, user: User, queued: int, at: dt.datetime) -> DeviceSync:
    """Keep the device's last sync for the school and how many records it still holds."""
    report, _created = DeviceSync.objects.update_or_create(
        device=device, round=rnd, school=school, defaults={"user": user, "at": at, "queued": max(0, queued)}
    )
    return report


@transaction.atomic
def offline_batch_apply(
    *, rnd: Round, school: School, user: User, device: uuid.UUID | None, queued: int, records: list[dict]
) -> list[SyncAnswer]:
    """Apply a device's records in the order it made them, each in its own transaction.

    ``queued`` is how many records the device held for this school when it sent the batch;
    what it still holds afterwards (those not answered) is kept for the county's overview."""
    answers = [offline_record_apply(rnd=rnd, school=school, user=user, record=r) for r in records[:MAX_RECORDS]]
    if device is not None:
        device_sync_report(device=device, rnd=rnd, school=school, user=user, queued=queued - len(answers), at=timezone.now())
    return answers
