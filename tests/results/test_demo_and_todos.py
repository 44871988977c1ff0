"""The demo extends the demo round when it has sampled students; to-dos for county staff."""

import random

from results.demo import load_demo
from results.models import Finding, PeMeasurement, ResultImport, StudentScore
from results.todos import todos_for


def test_the_demo_does_nothing_without_sampled_students(world):
    load_demo(rnd=world.round, rng=random.Random(1))
    assert not ResultImport.objects.exists()


def test_the_demo_imports_plausible_data_and_runs_the_diagnosis(results_world):
    load_demo(rnd=results_world.round, rng=random.Random(1))
    imports = ResultImport.objects.filter(round=results_world.round)
    assert set(imports.values_list("state", flat=True)) == {"active"}
    assert set(imports.values_list("domain", flat=True)) == {*results_world.round.domains, ""}
    scores = [s for s in StudentScore.objects.values_list("score", flat=True) if s is not None]
    assert scores and all(0 <= s <= 1000 for s in scores)
    assert PeMeasurement.objects.count() == len(results_world.students)
    # the demo's province values make the poor-vision rule or the mean rule speak, or not: either is fine,
    # but every finding it makes carries its evidence
    assert all(f.evidence_text and "value" in f.evidence for f in Finding.objects.all())


def test_county_staff_are_asked_to_import_then_to_review_findings(results_world):
    person = results_world.staff.person
    [todo] = todos_for(user=results_world.staff, person=person, rnd=results_world.round, today=None)
    assert "/import/" in todo.url
    load_demo(rnd=results_world.round, rng=random.Random(1))
    todos = todos_for(user=results_world.staff, person=person, rnd=results_world.round, today=None)
    assert [t.url.rsplit("/", 2)[-2] for t in todos] == ["findings"]


def test_other_roles_get_no_results_todos(results_world):
    person = results_world.coord_a.person
    assert todos_for(user=results_world.coord_a, person=person, rnd=results_world.round, today=None) == []
