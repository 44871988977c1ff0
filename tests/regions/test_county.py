"""One county's round as its city's office reads it: sample, readiness, test days,
questionnaires, results, rectification and documents, with no pupil's name, and a number of
queries that does not grow with the schools."""

import datetime as dt

from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from logistics.models import Attendance, Checklist, ChecklistStatus, MockDrill, SessionRecord
from logistics.services import incident_record
from questionnaires.models import Kind
from regions.selectors import county_round
from rounds.models import AuditEvent, Document
from sampling.models import SampledSchool, SampledStudent
from tests.factories import SchoolFactory
from tests.logistics.factories import sampled_school
from tests.questionnaires.conftest import Setup
from tests.questionnaires.double_entry import PaperBatch
from tests.rectification.helpers import build

TODAY = dt.date(2027, 9, 1)


def _named(rnd) -> list[str]:
    """Give every pupil of the round a name that cannot be mistaken for page text."""
    names = []
    for n, student in enumerate(SampledStudent.objects.filter(sampled_school__round=rnd).order_by("pk"), start=1):
        student.name = f"欧阳小明{n:02d}"
        student.save()
        names.append(student.name)
    return names


def _mark(world, ss, statuses):
    """The first session of the school's grade, its pupils marked in order."""
    session = world.round.sessions.filter(grade=ss.grade).order_by("day", "start").first()
    record = SessionRecord.objects.create(session=session, sampled_school=ss)
    for student, status in zip(ss.students.order_by("pk"), statuses, strict=True):
        Attendance.objects.create(record=record, student=student, status=status, marked_by=world.staff)


def _document(world, rnd, kind="county_report", title="青山县监测结果诊断报告") -> Document:
    return Document.objects.create(
        round=rnd,
        kind=kind,
        title=title,
        status=Document.Status.DONE,
        pdf=ContentFile(b"%PDF-1.4 test", name="report.pdf"),
        created_by=world.staff,
        finished_at=timezone.now(),
    )


def _full_round(world):
    """The questionnaires' world (school A grade 4 with 3 pupils, school B grade 8 with 2, codes
    and a paper batch of the four teacher forms), school A approved with a drill and 2 of 3
    pupils present, an incident at school B naming a pupil, the rectification plan, a report."""
    q = Setup(world)
    PaperBatch(rnd=world.round, first=world.staff)
    names = _named(world.round)
    Checklist.objects.create(round=world.round, school=world.school_a, status=ChecklistStatus.APPROVED)
    Checklist.objects.create(round=world.round, school=world.school_b, status=ChecklistStatus.RETURNED)
    MockDrill.objects.create(
        round=world.round, school=world.school_a, date=dt.date(2027, 5, 20), inspector_name="督学甲", passed=True, recorded_by=world.staff
    )
    _mark(world, q.ss_a, ["present", "late", "absent"])
    incident_record(
        rnd=world.round,
        school=world.school_b,
        at=timezone.now(),
        kind="unwell",
        description=f"{names[-1]}头晕，送医务室",
        action_taken="",
        user=world.staff,
    )
    build(world, deadline=dt.date(2027, 9, 5))
    return q, names


def test_the_round_read_from_the_countys_selectors(world):
    q, _names = _full_round(world)
    data = county_round(rnd=world.round, today=TODAY)
    assert [(s.grade, s.school) for s in data.sampled] == [(4, world.school_a), (8, world.school_b)]
    by_school = {s.readiness.school: s for s in data.schools}
    a, b = by_school[world.school_a], by_school[world.school_b]
    assert a.readiness.status == "approved" and b.readiness.status == "returned"
    assert b.readiness.overdue and not a.readiness.overdue  # due before September; B is not submitted
    assert a.drill is not None and b.drill is None
    # A: present + late of 3 marked in its first session = 2/3; B: nothing marked
    assert (a.attended, a.expected) == (2, 3) and round(a.attendance, 1) == 66.7
    assert b.attendance is None
    assert [i.school for i in data.incidents] == [world.school_b]
    rates = {k.kind: (k.submitted, k.issued) for k in data.responses}
    # 3 + 2 pupils, two teachers a school (all four on paper), a principal a school
    assert rates == {Kind.STUDENT: (0, 5), Kind.TEACHER: (4, 4), Kind.PRINCIPAL: (0, 2)}
    assert [c.status for c in data.batches] == ["unchecked"]
    # Both items due on 5 September, 4 days after TODAY, within the plan's warning days
    assert [item.state for item in data.items] == ["due_soon", "due_soon"]


def test_the_page_shows_each_section_and_no_pupil_name(client, world):
    _q, names = _full_round(world)
    doc = _document(world, world.round)
    client.force_login(world.city_office)
    page = client.get(reverse("region_county", kwargs={"pk": world.county.pk}), {"year": 2027}).content.decode()
    for shown in [
        "甲小学",
        "乙中学",
        "已通过",
        "已退回修改",
        "66.7%",
        "(2/3)",
        "学生身体不适",
        "100.0%",
        "学生视力不良检出率高",
        doc.title,
    ]:
        assert shown in page, shown
    assert reverse("region_county_document", kwargs={"pk": world.county.pk, "document": doc.pk}) in page
    assert names and not [name for name in names if name in page]
    assert "头晕" not in page  # what happened is free text: it may name a pupil


def test_sections_with_nothing_yet_say_so(client, world):
    client.force_login(world.city_office)
    page = client.get(reverse("region_county", kwargs={"pk": world.county.pk}), {"year": 2027}).content.decode()
    for said in ["尚未抽取学校", "尚未记录突发事件", "尚未导入纸质问卷", "尚未制定整改方案", "尚未生成报告"]:
        assert said in page, said


def test_the_office_downloads_the_countys_report_and_the_download_is_recorded(client, world):
    doc = _document(world, world.round)
    draft = Document.objects.create(round=world.round, kind="county_report", title="未完成", created_by=world.staff)
    client.force_login(world.city_office)
    response = client.get(reverse("region_county_document", kwargs={"pk": world.county.pk, "document": doc.pk}))
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF")
    event = AuditEvent.objects.get(user=world.city_office)
    assert (event.action, event.object_type, event.object_id) == ("export", "document", str(doc.pk))
    assert client.get(reverse("region_county_document", kwargs={"pk": world.county.pk, "document": draft.pk})).status_code == 404


def test_a_document_with_names_is_not_offered_to_the_office(client, world):
    """A school's student list names its pupils: not one of the documents an office reads."""
    lists = _document(world, world.round, kind="student_list", title="学生名单")
    client.force_login(world.city_office)
    assert lists.title not in client.get(reverse("region_county", kwargs={"pk": world.county.pk}), {"year": 2027}).content.decode()
    assert client.get(reverse("region_county_document", kwargs={"pk": world.county.pk, "document": lists.pk})).status_code == 404


def test_another_citys_document_is_not_found_through_this_county(client, world):
    foreign = _document(world, world.foreign_round)
    client.force_login(world.city_office)
    assert client.get(reverse("region_county_document", kwargs={"pk": world.county.pk, "document": foreign.pk})).status_code == 404


def _schools(world, n: int) -> None:
    """n more schools in the sample, each with two named pupils marked, a checklist, a drill and an incident."""
    for _i in range(n):
        school = SchoolFactory(county=world.county)
        ss = sampled_school(world.round, school, students=2)
        _mark(world, ss, ["present", "absent"])
        Checklist.objects.create(round=world.round, school=school, status=ChecklistStatus.SUBMITTED)
        MockDrill.objects.create(
            round=world.round, school=school, date=dt.date(2027, 5, 20), inspector_name="督学乙", passed=False, recorded_by=world.staff
        )
        incident_record(
            rnd=world.round, school=school, at=timezone.now(), kind="other", description="停电", action_taken="", user=world.staff
        )
        replaced = sampled_school(world.round, SchoolFactory(county=world.county), status=SampledSchool.Status.REPLACED)
        ss.replaces = replaced
        ss.save()


def _queries(client, world, django_assert_max_num_queries, n: int) -> int:
    _schools(world, n)
    client.force_login(world.city_office)
    with django_assert_max_num_queries(60) as captured:
        response = client.get(reverse("region_county", kwargs={"pk": world.county.pk}), {"year": 2027})
    assert response.status_code == 200
    return len(captured)


def test_the_number_of_queries_does_not_grow_with_the_schools(client, world, django_assert_max_num_queries):
    build(world, deadline=dt.date(2027, 12, 1))
    two = _queries(client, world, django_assert_max_num_queries, 2)
    six = _queries(client, world, django_assert_max_num_queries, 4)  # six schools now
    assert six == two
