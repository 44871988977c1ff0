"""Access codes, slips, tracking, reminder lists and the home-page tasks."""

from django.urls import reverse
from django.utils import timezone

from questionnaires.models import AccessCode, Kind
from questionnaires.services import access_codes_generate, response_open
from questionnaires.todos import todos_for
from rounds.models import Stage

from .factories import sampled_student


def test_codes_follow_the_countys_numbers_and_the_sample(qworld):
    for ss, students in ((qworld.ss_a, 3), (qworld.ss_b, 2)):
        codes = AccessCode.objects.filter(sampled_school=ss)
        assert codes.filter(kind=Kind.TEACHER).count() == 2
        assert codes.filter(kind=Kind.PRINCIPAL).count() == 1
        assert codes.filter(kind=Kind.STUDENT).count() == students
        assert set(codes.filter(kind=Kind.STUDENT).values_list("student__sampled_school", flat=True)) == {ss.pk}
    assert AccessCode.objects.filter(round=qworld.rnd, kind=Kind.COUNTY).count() == 1


def test_making_codes_again_adds_only_what_is_missing(qworld):
    before = dict(AccessCode.objects.values_list("pk", "code"))
    sampled_student(qworld.ss_a)
    sampled_student(qworld.ss_a, exclusion="left")
    made = access_codes_generate(rnd=qworld.rnd, teachers_per_school=3, county_codes=1, user=qworld.world.staff)
    assert made == 2 + 1  # one more teacher per school, one new (not excluded) student
    after = dict(AccessCode.objects.values_list("pk", "code"))
    assert all(after[pk] == code for pk, code in before.items())


def test_slips_show_codes_and_monitoring_ids_but_no_names(client, qworld):
    client.force_login(qworld.world.coord_a)
    body = client.get(reverse("code_slips", args=[qworld.ss_a.pk])).content.decode()
    student_code = qworld.code(kind=Kind.STUDENT)
    assert student_code.display_code in body and student_code.student.monitoring_id in body
    assert student_code.student.name not in body
    assert qworld.code(ss=qworld.ss_b).display_code not in body


def test_tracking_counts_submitted_and_lists_unused_codes(client, qworld):
    code = qworld.code()
    response = response_open(access_code=code, now=timezone.now())
    response.submitted_at = timezone.now()
    response.save()
    response_open(access_code=qworld.code(serial=2), now=timezone.now())
    client.force_login(qworld.world.staff)
    page = client.get(reverse("questionnaire_tracking", args=[qworld.rnd.pk]))
    row = next(r for r in page.context["rows"] if r.sampled_school == qworld.ss_a)
    teacher = row.kinds[Kind.TEACHER]
    assert (teacher.issued, teacher.started, teacher.submitted, teacher.percent) == (2, 2, 1, 50)
    reminders = client.get(reverse("reminder_list", args=[qworld.ss_a.pk])).context["codes"]
    assert code not in list(reminders) and qworld.code(serial=2) in list(reminders)
    assert len(reminders) == 2 + 1 + 3 - 1


def test_the_coordinator_is_reminded_of_unsubmitted_questionnaires(qworld):
    rnd = qworld.rnd
    rnd.stage = Stage.TESTING
    rnd.save()
    user = qworld.world.coord_a
    todos = todos_for(user=user, person=user.person, rnd=rnd, today=timezone.localdate())
    assert len(todos) == 1 and "6" in todos[0].title


def test_county_staff_are_asked_to_install_and_make_codes(world):
    from .factories import sampled_school

    rnd = world.round
    rnd.stage = Stage.SAMPLING
    rnd.save()
    staff = world.staff
    assert todos_for(user=staff, person=staff.person, rnd=rnd, today=timezone.localdate())[0].url.endswith(f"/rounds/{rnd.pk}/instruments/")
    from questionnaires.services import instrument_install_defaults

    instrument_install_defaults(rnd=rnd, user=staff)
    sampled_school(rnd=rnd, school=world.school_a)
    assert "codes" in todos_for(user=staff, person=staff.person, rnd=rnd, today=timezone.localdate())[0].url


def test_county_staff_make_codes_through_the_page(client, qworld):
    client.force_login(qworld.world.staff)
    response = client.post(reverse("access_codes", args=[qworld.rnd.pk]), {"teachers_per_school": 4, "county_codes": 2})
    assert response.status_code == 302
    assert AccessCode.objects.filter(sampled_school=qworld.ss_a, kind=Kind.TEACHER).count() == 4
    assert AccessCode.objects.filter(round=qworld.rnd, kind=Kind.COUNTY).count() == 2
