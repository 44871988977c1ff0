"""To-dos on the home pages, and the demo round's sample."""

import datetime as dt
import random

from rounds.management.commands.load_demo import demo_schools
from rounds.models import School
from rounds.selectors import todo_for
from rounds.services import round_create
from sampling.demo import load_demo
from sampling.models import RosterEntry, SampledSchool, SampledStudent, StudentDraw

from .conftest import build_frame, draw_and_confirm_schools, open_sampling


def _titles(user):
    return [t.title for t in todo_for(user, today=dt.date(2027, 3, 1))]


def test_staff_are_asked_to_build_the_frame_then_to_draw(world):
    open_sampling(world)
    assert any("抽样框" in t or "frame" in t for t in _titles(world.staff))
    build_frame(world)
    titles = _titles(world.staff)
    assert {"抽取四年级样本校", "抽取八年级样本校"} <= set(titles)


def test_coordinators_are_asked_for_their_roster_by_the_due_date(world):
    build_frame(world)
    draw_and_confirm_schools(world)
    todos = todo_for(world.coord_a, today=dt.date(2027, 5, 1))
    roster = [t for t in todos if world.school_a.name in t.title]
    assert len(roster) == 1
    assert roster[0].due == world.round.milestones.get(kind="rosters_due").due_date
    assert roster[0].overdue  # due 45 days before the test days
    assert not [t for t in todo_for(world.coord_b, today=dt.date(2027, 5, 1)) if world.school_a.name in t.title]


def test_the_demo_round_gets_a_confirmed_sample(world):
    rng = random.Random(2027)
    county = world.other_county
    School.objects.bulk_create(School(county=county, **{**v, "code": "3698" + v["code"][4:]}) for v in demo_schools(rng))
    rnd = round_create(
        county=county, year=2028, cycle_year=1, test_start=dt.date(2028, 5, 25), test_end=dt.date(2028, 5, 26), user=world.foreign_staff
    )
    load_demo(rnd=rnd, rng=rng)
    rnd.refresh_from_db()
    assert rnd.stage == "sampling"
    assert SampledSchool.objects.filter(round=rnd, grade=4).count() == 12
    assert SampledSchool.objects.filter(round=rnd, grade=8).count() == 8
    assert StudentDraw.objects.filter(sampled_school__round=rnd, confirmed_at__isnull=False).count() == 20
    sampled = SampledStudent.objects.filter(sampled_school__round=rnd)
    assert sampled.count() == RosterEntry.objects.filter(roster__sampled_school__round=rnd).count()
    assert sampled.exclude(exclusion="").count() == 1
