"""The student draw: 30 by SRS (all when fewer), seeded and recorded, IDs, weights that add
up to the enrolment, and the deletion of the details of pupils not sampled."""

import re
from fractions import Fraction

import pytest

from sampling import students
from sampling.models import Roster, RosterEntry, SampledStudent, StudentDraw

from .conftest import roster_rows


def test_thirty_are_drawn_where_the_grade_is_larger_and_everyone_where_it_is_smaller(world, sampled):
    a, b = sampled
    assert a.students.count() == 30  # N = 40
    assert b.students.count() == 25  # N = 25: all


def test_weights_are_stored_and_add_up_to_the_enrolment(world, sampled):
    a, b = sampled
    # School A is the only grade-4 school of the frame: π = 1, weight 1. N = 40, n = 30.
    assert (a.probability, a.weight) == (1, 1)
    for s in a.students.all():
        assert s.within_probability == pytest.approx(30 / 40)
        assert s.final_weight == pytest.approx(1 * 40 / 30)
    assert sum(s.final_weight for s in a.students.all()) == pytest.approx(40)
    assert sum(1 / s.within_probability for s in a.students.all()) == pytest.approx(a.roster.size)
    assert sum(s.final_weight for s in b.students.all()) == pytest.approx(25)  # all taken: weight 1 each


def test_final_weights_carry_the_school_weight(world, drawn_schools):
    # Hand calculation: school weight 3.5, N = 45, n = 30 → final weight 3.5 × 45/30 = 5.25; Σ = 3.5 × 45 = 157.5.
    a, _b = drawn_schools
    a.weight, a.probability = 3.5, 1 / 3.5
    a.save()
    students.roster_replace(sampled=a, rows=roster_rows(45, grade=4), user=world.coord_a)
    students.student_draw_run(rnd=world.round, seed=5, user=world.staff)
    weights = [s.final_weight for s in a.students.all()]
    assert weights == [pytest.approx(5.25)] * 30
    assert sum(weights) == pytest.approx(157.5)
    assert Fraction(a.students.first().within_probability).limit_denominator(100) == Fraction(2, 3)


def test_monitoring_ids_follow_county_school_student(world, sampled):
    a, b = sampled
    ids = sorted(a.students.values_list("monitoring_id", flat=True))
    assert ids[0] == f"369901-27{a.grade}{a.serial:02d}-01"
    assert ids[-1].endswith("-30")
    assert all(re.fullmatch(r"369901-27[48]\d\d-\d\d", i) for i in SampledStudent.objects.values_list("monitoring_id", flat=True))


def test_the_same_seed_gives_the_same_students(world, drawn_schools):
    a, _b = drawn_schools
    students.roster_replace(sampled=a, rows=roster_rows(60, grade=4), user=world.coord_a)
    students.student_draw_run(rnd=world.round, seed=99, user=world.staff)
    first = sorted(a.students.values_list("student_number", flat=True))
    students.student_draw_run(rnd=world.round, seed=99, user=world.staff)
    assert sorted(a.students.values_list("student_number", flat=True)) == first
    students.student_draw_run(rnd=world.round, seed=100, user=world.staff)
    assert sorted(a.students.values_list("student_number", flat=True)) != first


def test_the_draw_is_recorded(world, sampled):
    a, _b = sampled
    draw = StudentDraw.objects.get(sampled_school=a)
    assert (draw.roster_size, draw.n, draw.drawn_by, draw.confirmed_by) == (40, 30, world.staff, world.staff)
    assert draw.seed == students.school_seed(seed=11, sampled=a)


def test_confirmation_deletes_the_details_of_pupils_not_sampled_and_keeps_n(world, sampled):
    a, _b = sampled
    roster = Roster.objects.get(sampled_school=a)
    assert roster.size == 40 and roster.details_deleted_at is not None
    kept = set(RosterEntry.objects.filter(roster=roster).values_list("student_number", flat=True))
    assert kept == set(a.students.values_list("student_number", flat=True))
    not_sampled = {r["name"] for r in roster_rows(40, grade=4)} - set(a.students.values_list("name", flat=True))
    assert not_sampled
    assert not RosterEntry.objects.filter(roster=roster, name__in=not_sampled).exists()
    assert not SampledStudent.history.filter(sampled_school=a, name__in=not_sampled).exists()


def test_after_confirmation_the_roster_and_students_no_longer_change(world, sampled):
    a, _b = sampled
    with pytest.raises(students.SamplingError):
        students.roster_replace(sampled=a, rows=roster_rows(10, grade=4), user=world.coord_a)
    with pytest.raises(students.SamplingError):
        students.student_draw_run(rnd=world.round, seed=1, user=world.staff)


def test_county_staff_draw_and_confirm_through_the_pages(client, world, drawn_schools):
    a, _b = drawn_schools
    students.roster_replace(sampled=a, rows=roster_rows(33, grade=4), user=world.coord_a)
    client.force_login(world.staff)
    assert client.post(f"/sampling/rounds/{world.round.pk}/students/draw/", {"seed": 123}).status_code == 302
    assert a.students.count() == 30
    client.post(f"/sampling/rounds/{world.round.pk}/students/confirm/")
    assert StudentDraw.objects.get(sampled_school=a).is_confirmed
    assert RosterEntry.objects.filter(roster__sampled_school=a).count() == 30
