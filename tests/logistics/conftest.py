import datetime as dt

import pytest
from django.utils import timezone

from logistics.models import ChecklistItem
from logistics.services import (
    answer_save,
    checklist_ensure,
    evidence_add,
    handover_record,
    incident_record,
    package_add,
)

from .factories import photo, sampled_school


def _custody(rnd, school, user):
    package = package_add(rnd=rnd, school=school, code="P-1", seal_number="S-1", contents="数学测试卷", count=32, user=user)
    at = timezone.make_aware(dt.datetime(2027, 5, 26, 7, 30))
    handover, _ = handover_record(
        package=package, kind="received", at=at, giver="县监测办", taker="校长", seal_intact=True, count_matched=True, user=user
    )
    incident = incident_record(rnd=rnd, school=school, at=at, kind="other", description="停电十分钟", action_taken="", user=user)
    return package, handover, incident


@pytest.fixture
def lworld(world):
    """The shared world with a sample: school A (grade 4, 10 students), school B (grade 8, 5),
    and the foreign county's school; a checklist with a photo, custody and an incident each."""
    w = world
    w.sampled_a = sampled_school(w.round, w.school_a, grade=4, students=10)
    w.sampled_b = sampled_school(w.round, w.school_b, grade=8, students=5)
    w.sampled_foreign = sampled_school(w.foreign_round, w.foreign_school, grade=4, students=3)
    w.checklist_a = checklist_ensure(rnd=w.round, school=w.school_a)
    w.checklist_foreign = checklist_ensure(rnd=w.foreign_round, school=w.foreign_school)
    w.room = w.round.checklist_template.rooms.first()
    w.item = ChecklistItem.objects.filter(room=w.room).first()
    w.foreign_room = w.foreign_round.checklist_template.rooms.first()
    w.foreign_item = ChecklistItem.objects.filter(room=w.foreign_room).first()
    answer = answer_save(checklist=w.checklist_a, item=w.item, values={}, expected_version=None, user=w.coord_a)
    w.photo = evidence_add(answer=answer, upload=photo(), user=w.coord_a)
    foreign_answer = answer_save(checklist=w.checklist_foreign, item=w.foreign_item, values={}, expected_version=None, user=w.foreign_staff)
    w.foreign_photo = evidence_add(answer=foreign_answer, upload=photo(), user=w.foreign_staff)
    w.session = w.round.sessions.filter(grade=4).order_by("day", "start").first()
    w.foreign_session = w.foreign_round.sessions.filter(grade=4).first()
    w.student = w.sampled_a.students.first()
    w.foreign_student = w.sampled_foreign.students.first()
    w.package, w.handover, w.incident = _custody(w.round, w.school_a, w.coord_a)
    w.foreign_package, _h, w.foreign_incident = _custody(w.foreign_round, w.foreign_school, w.foreign_staff)
    return w
