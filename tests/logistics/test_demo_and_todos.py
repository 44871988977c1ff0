import datetime as dt
import random

from logistics.demo import load_demo
from logistics.models import Checklist, Handover, Incident, MockDrill
from logistics.todos import todos_for
from rounds.models import Stage

from .factories import sampled_school


def test_the_demo_does_nothing_without_a_sample(world):
    load_demo(rnd=world.round, rng=random.Random(1))
    assert not Checklist.objects.exists()


def test_the_demo_makes_checklists_in_every_state_and_a_custody_chain(world):
    from tests.factories import SchoolFactory

    for n in range(11):
        sampled_school(world.round, SchoolFactory(county=world.county), grade=4 if n < 5 else 8, students=4)
    load_demo(rnd=world.round, rng=random.Random(1))
    statuses = list(Checklist.objects.order_by("pk").values_list("status", flat=True))
    assert set(statuses[:8]) == {"draft", "submitted", "returned", "approved"}  # every state, for the tour
    assert statuses[8:] == ["approved"] * 3  # the others' were approved before the test, as in a tested round
    assert MockDrill.objects.count() == 1
    assert Handover.objects.count() == 2 and Incident.objects.filter(kind="seal").count() == 1


def test_coordinators_are_asked_to_fill_and_inspectors_to_review(lworld):
    w = lworld
    w.round.stage = Stage.PREPARATION
    w.round.save()
    today = dt.date(2027, 5, 1)
    todos = todos_for(user=w.coord_a, person=w.coord_a.person, rnd=w.round, today=today)
    assert len(todos) == 1 and w.school_a.name in todos[0].title
    assert todos_for(user=w.inspector, person=w.inspector.person, rnd=w.round, today=today) == []
    w.checklist_a.status = "submitted"
    w.checklist_a.save()
    todos = todos_for(user=w.inspector, person=w.inspector.person, rnd=w.round, today=today)
    assert len(todos) == 1 and "/review/" in todos[0].url
