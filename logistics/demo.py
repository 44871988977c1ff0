"""The demo round's preparation and test days: checklists in every state, a mock drill,
attendance and a custody chain with one incident. Does nothing until the round has a sample."""

from __future__ import annotations

import datetime as dt
import io
import random

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from monitoring_site.roles import Role
from rounds.models import Person, Round, SessionKind
from sampling.selectors import sampled_schools, sampled_students

from .models import AttendanceStatus, ChecklistItem, HandoverKind, ItemKind
from .services import (
    answer_save,
    attendance_mark,
    checklist_approve,
    checklist_ensure,
    checklist_return,
    checklist_submit,
    drill_record,
    evidence_add,
    handover_record,
    package_add,
    session_record_ensure,
)

STATES = ("draft", "submitted", "returned", "approved")


def _record_test_day(rnd: Round, sampled, coordinator, rng: random.Random) -> None:
    students = list(sampled_students(rnd=rnd).filter(sampled_school=sampled))
    away = {s.pk for s in students if not s.exclusion and rng.random() < 0.05}
    for session in rnd.sessions.filter(grade=sampled.grade).order_by("day", "start"):
        record = session_record_ensure(session=session, sampled_school=sampled)
        for student in students:
            status = (
                AttendanceStatus.EXCLUDED
                if student.exclusion
                else AttendanceStatus.ABSENT
                if student.pk in away
                else AttendanceStatus.PE_EXEMPT
                if student.pe_exempt and session.kind == SessionKind.PE
                else AttendanceStatus.PRESENT
            )
            attendance_mark(record=record, student=student, status=status, user=coordinator)


def _someone(rnd: Round, role: str):
    person = Person.objects.filter(county=rnd.county, role=role).select_related("user").first()
    return person.user if person else get_user_model().objects.filter(is_superuser=True).first()


def _fill(checklist, items, user, rng: random.Random, *, complete: bool) -> None:
    counts: dict[int | None, int] = {}
    for n, item in enumerate(items):
        if not complete and n % 3 == 2:
            continue
        values: dict = {}
        if item.kind == ItemKind.YES_NO:
            values["value_yes"] = True
        elif item.kind == ItemKind.COUNT:
            values["value_count"] = max(item.minimum or 0, counts.get(item.minimum_item_id, 0), rng.randint(8, 16))
            counts[item.pk] = values["value_count"]
        elif item.kind == ItemKind.TEXT:
            values["value_text"] = "张保密"
        else:
            values.update(
                building="综合楼",
                floor=str(rng.randint(1, 3)),
                room_name=f"{rng.randint(1, 3)}0{rng.randint(1, 9)}室",
            )
        answer = answer_save(checklist=checklist, item=item, values=values, expected_version=None, user=user)
        if item.photo_required:
            evidence_add(answer=answer, upload=SimpleUploadedFile("demo.jpg", _demo_photo()), user=user)


def _demo_photo() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (70, 110, 160)).save(buffer, format="JPEG")
    return buffer.getvalue()


def load_demo(*, rnd: Round, rng: random.Random) -> None:
    schools = list(sampled_schools(rnd=rnd).order_by("grade", "serial"))
    if not schools:
        return
    coordinator, inspector = _someone(rnd, Role.COORDINATOR), _someone(rnd, Role.INSPECTOR)
    # The first schools show every state a checklist passes through (the tour's returned and
    # submitted ones among them); every other school's was approved before the test, as a round
    # that was tested must have had them.
    # (one checklist per school: a 九年一贯制 school sampled in both grades has one)
    checklists = [checklist_ensure(rnd=rnd, school=school) for school in dict.fromkeys(s.school for s in schools)]
    items = list(ChecklistItem.objects.filter(room__template__round=rnd).select_related("room"))
    for n, checklist in enumerate(checklists):
        state = STATES[n % len(STATES)] if n < len(STATES) * 2 else "approved"
        _fill(checklist, items, coordinator, rng, complete=state != "draft")
        if state == "draft":
            continue
        checklist_submit(checklist=checklist, expected_version=checklist.version, user=coordinator)
        if state == "returned":
            checklist_return(
                checklist=checklist,
                comments={items[0].pk: "请补充保密室位置的门牌号。"},
                note="",
                expected_version=checklist.version,
                user=inspector,
            )
        elif state == "approved":
            checklist_approve(
                checklist=checklist,
                note="五室布置符合要求。",
                expected_version=checklist.version,
                user=inspector,
            )
    first = schools[0]
    drill_record(
        rnd=rnd,
        school=first.school,
        date=min(rnd.test_start - dt.timedelta(days=1), timezone.localdate()),  # a drill is recorded once held
        inspector_name=inspector.get_full_name() or "督学",
        findings="学生测试室座位号标签缺两张。",
        fixed="已补贴。",
        passed=True,
        user=inspector,
    )
    # Every session of the tour's school is recorded, with the same few students away the whole
    # test (a sick child misses every session): the results demo marks them 缺考, so attendance,
    # scores and the school's letter tell one story.
    # (the tour's school is the first grade-4 one whose checklist came back, as load_demo scopes xuexiao1)
    returned = [s for n, s in enumerate(schools[: len(STATES) * 2]) if STATES[n % len(STATES)] == "returned" and s.grade == 4]
    for sampled in dict.fromkeys([first, *returned[:1]]):
        _record_test_day(rnd, sampled, coordinator, rng)
    at = timezone.make_aware(dt.datetime.combine(rnd.test_start, dt.time(7, 30)))
    package = package_add(
        rnd=rnd,
        school=first.school,
        code="P-001",
        seal_number="S-20270001",
        contents="数学测试卷",
        count=32,
        user=coordinator,
    )
    handover_record(
        package=package,
        kind=HandoverKind.RECEIVED,
        at=at - dt.timedelta(days=1),
        giver="县监测办 王监测",
        taker="校长",
        seal_intact=True,
        count_matched=True,
        user=coordinator,
    )
    handover_record(
        package=package,
        kind=HandoverKind.TAKEN_OUT,
        at=at,
        giver="保密员",
        taker="主监测员",
        seal_intact=False,
        count_matched=True,
        note="拆封时误将内舌裁断，已用学校自制封条封好并加盖公章。",
        user=coordinator,
    )
