"""Attendance rates against hand-worked examples, and the test-day page."""

from fractions import Fraction

from django.urls import reverse

from logistics.models import Attendance, SessionRecord
from logistics.readiness import attendance_rate
from rounds.models import Stage

from .factories import sampled_student


def test_thirty_students_four_absent_is_86_7_percent_and_needs_no_make_up():
    # 30 sampled: 25 present, 1 late, 4 absent → 26/30 = 86.7% ≥ 85%.
    rate = attendance_rate(["present"] * 25 + ["late"] + ["absent"] * 4)
    assert (rate.attended, rate.expected) == (26, 30)
    assert rate.rate == Fraction(26, 30) and rate.percent == 86.7
    assert not rate.needs_make_up


def test_excluded_and_pe_exempt_students_leave_the_denominator():
    # 30 sampled, 1 excluded, 2 PE-exempt (PE session): 27 expected; 22 present + 1 late = 23/27 = 85.2%.
    rate = attendance_rate(["excluded"] + ["pe_exempt"] * 2 + ["present"] * 22 + ["late"] + ["absent"] * 4)
    assert (rate.attended, rate.expected) == (23, 27)
    assert rate.percent == 85.2 and not rate.needs_make_up


def test_below_85_percent_flags_a_make_up_session_once_every_student_is_marked():
    # 20 sampled, 16 present, 4 absent → 16/20 = 80% < 85%.
    rate = attendance_rate(["present"] * 16 + ["absent"] * 4)
    assert rate.percent == 80.0 and rate.complete and rate.needs_make_up


def test_the_rate_is_not_judged_while_students_are_left_to_mark():
    # 16 present, 3 absent, 1 not marked: 16/20 = 80% so far, but the last one decides —
    # present gives 17/20 = 85% (no make-up), absent 16/20 = 80% (make-up).
    rate = attendance_rate(["present"] * 16 + [None] + ["absent"] * 3)
    assert rate.percent == 80.0 and rate.unmarked == 1 and not rate.complete and not rate.needs_make_up
    assert not attendance_rate(["present"] * 17 + ["absent"] * 3).needs_make_up
    # After the first tap of 30: 0 of 30 attended, yet no flag.
    assert not attendance_rate(["absent"] + [None] * 29).needs_make_up


def test_exactly_85_percent_is_enough():
    rate = attendance_rate(["present"] * 17 + ["absent"] * 3)
    assert rate.rate == Fraction(85, 100) and not rate.needs_make_up


def test_nobody_expected_has_no_rate():
    assert attendance_rate(["excluded"]).rate is None


def test_a_session_where_nobody_was_marked_has_no_rate_and_needs_no_make_up():
    rate = attendance_rate([None] * 30)
    assert rate.rate is None and rate.percent is None and not rate.needs_make_up and rate.unmarked == 30


def test_marking_on_the_phone_updates_the_rate_and_shows_only_monitoring_ids(client, lworld):
    w = lworld
    w.round.stage = Stage.TESTING
    w.round.save()
    excluded = sampled_student(w.sampled_a, exclusion="functional")
    client.force_login(w.monitor)
    kwargs = {"round_pk": w.round.pk, "school_pk": w.school_a.pk, "session_pk": w.session.pk}
    students = list(w.sampled_a.students.exclude(pk=excluded.pk))
    for n, student in enumerate(students):
        status = "absent" if n < 2 else "present"
        response = client.post(
            reverse("attendance_mark", kwargs={**kwargs, "student_pk": student.pk}), {"status": status}, HTTP_HX_REQUEST="true"
        )
        assert response.status_code == 200
    client.post(reverse("attendance_mark", kwargs={**kwargs, "student_pk": excluded.pk}), {"status": "excluded"})
    body = client.get(reverse("session_attendance", kwargs=kwargs)).content.decode()
    # 10 expected (the excluded one is out), 8 present → 80%: a make-up session is flagged.
    assert "80.0%" in body and 'id="make-up-flag"' in body
    assert students[0].monitoring_id in body and students[0].name not in body
    assert Attendance.objects.filter(record__session=w.session).count() == 11
    assert Attendance.objects.get(student=students[0]).history.first().history_user == w.monitor


def test_all_present_in_one_action_then_the_few_are_changed(client, lworld):
    w = lworld
    w.round.stage = Stage.TESTING
    w.round.save()
    pe = w.round.sessions.filter(grade=4, kind="pe").first()
    excluded = sampled_student(w.sampled_a, exclusion="functional")
    exempt = sampled_student(w.sampled_a, pe_exempt=True)
    students = list(w.sampled_a.students.exclude(pk__in=[excluded.pk, exempt.pk]).order_by("pk"))  # 10
    client.force_login(w.monitor)
    kwargs = {"round_pk": w.round.pk, "school_pk": w.school_a.pk, "session_pk": pe.pk}
    # One marked absent before: the action keeps it.
    client.post(reverse("attendance_mark", kwargs={**kwargs, "student_pk": students[0].pk}), {"status": "absent"})
    body = client.get(reverse("session_attendance", kwargs=kwargs)).content.decode()
    assert 'id="mark-all-present"' in body and 'id="left-to-mark"' in body and 'id="make-up-flag"' not in body
    client.post(reverse("attendance_mark_all", kwargs=kwargs))
    status = dict(Attendance.objects.filter(record__session=pe).values_list("student_id", "status"))
    assert status[students[0].pk] == "absent" and all(status[s.pk] == "present" for s in students[1:])
    assert status[excluded.pk] == "excluded" and status[exempt.pk] == "pe_exempt"
    assert Attendance.objects.get(student=students[1], record__session=pe).history.first().history_user == w.monitor
    # 9 of 10 expected: 90%, judged, no make-up; two more absent → 7/10 = 70%, make-up.
    body = client.get(reverse("session_attendance", kwargs=kwargs)).content.decode()
    assert "90.0%" in body and 'id="make-up-flag"' not in body and 'id="mark-all-present"' not in body
    for student in students[1:3]:
        client.post(reverse("attendance_mark", kwargs={**kwargs, "student_pk": student.pk}), {"status": "absent"})
    body = client.get(reverse("session_attendance", kwargs=kwargs)).content.decode()
    assert "70.0%" in body and 'id="make-up-flag"' in body


def test_all_present_waits_for_the_test_days(client, lworld):
    client.force_login(lworld.coord_a)
    kwargs = {"round_pk": lworld.round.pk, "school_pk": lworld.school_a.pk, "session_pk": lworld.session.pk}
    client.post(reverse("attendance_mark_all", kwargs=kwargs))
    assert not Attendance.objects.exists()


def test_actual_times_and_monitors_are_saved_with_a_version(client, lworld):
    w = lworld
    w.round.stage = Stage.TESTING
    w.round.save()
    client.force_login(w.coord_a)
    url = reverse("session_attendance", kwargs={"round_pk": w.round.pk, "school_pk": w.school_a.pk, "session_pk": w.session.pk})
    client.get(url)
    client.post(url, {"version": 1, "actual_start": "08:32", "actual_end": "10:01", "monitors": "周监测员、吴老师"})
    client.post(url, {"version": 1, "actual_start": "08:40", "actual_end": "10:05", "monitors": "别人"})  # stale
    from logistics.models import SessionRecord

    record = SessionRecord.objects.get(session=w.session)
    assert record.monitors == "周监测员、吴老师" and record.actual_start.minute == 32


def test_attendance_cannot_be_marked_before_the_test_days(client, lworld):
    client.force_login(lworld.coord_a)
    kwargs = {
        "round_pk": lworld.round.pk,
        "school_pk": lworld.school_a.pk,
        "session_pk": lworld.session.pk,
        "student_pk": lworld.student.pk,
    }
    client.post(reverse("attendance_mark", kwargs=kwargs), {"status": "present"})
    assert not Attendance.objects.exists()


def test_the_school_page_shows_each_sessions_rate_with_the_same_queries_for_any_number_of_sessions(
    client, lworld, django_assert_max_num_queries
):
    w = lworld
    w.round.stage = Stage.TESTING
    w.round.save()
    sessions = list(w.round.sessions.filter(grade=4).order_by("day", "start"))
    assert len(sessions) > 1
    first, students = sessions[0], list(w.sampled_a.students.all())
    record = SessionRecord.objects.create(session=first, sampled_school=w.sampled_a)
    Attendance.objects.bulk_create(
        Attendance(record=record, student=s, status="absent" if n < 3 else "present", marked_by=w.monitor) for n, s in enumerate(students)
    )
    client.force_login(w.staff)
    url = reverse("school_logistics", kwargs={"round_pk": w.round.pk, "school_pk": w.school_a.pk})
    body = client.get(url).content.decode()
    # 10 students, 7 present → 70.0%, a make-up session; the others, nothing marked, have no rate
    # (not 0.0%, which would call for a make-up session that nobody missed), and the read made no record.
    assert "70.0%" in body and body.count("0.0%") == 1 and body.count("session-unrecorded") == len(sessions) - 1
    assert SessionRecord.objects.filter(sampled_school=w.sampled_a).count() == 1
    with django_assert_max_num_queries(20) as queries:
        client.get(url)
    per_session = [q["sql"] for q in queries.captured_queries if "logistics_attendance" in q["sql"]]
    assert len(per_session) == 1  # one attendance query for all sessions
