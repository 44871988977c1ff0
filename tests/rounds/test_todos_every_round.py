"""Every role's home lists the work waiting in every open round, each line distinct and linked;
the leader's home summarises the round (issue 15 §3, issue 21)."""

import datetime as dt

from django.urls import reverse

from logistics.services import answer_save, checklist_ensure
from rounds.models import Stage
from rounds.selectors import todo_for
from rounds.services import round_create
from tests.logistics.factories import sampled_school
from tests.rectification.helpers import build

TODAY = dt.date(2027, 5, 10)


def _submitted_checklist(w):
    sampled_school(w.round, w.school_a, grade=4, students=3)
    w.round.stage = Stage.PREPARATION
    w.round.save()
    checklist = checklist_ensure(rnd=w.round, school=w.school_a)
    item = w.round.checklist_template.rooms.first().items.first()
    answer_save(checklist=checklist, item=item, values={"value_yes": True}, expected_version=None, user=w.coord_a)
    checklist.status = "submitted"
    checklist.save()
    return checklist


def test_the_inspector_is_asked_to_review_the_submitted_checklist_of_his_school(world):
    _submitted_checklist(world)
    todos = todo_for(world.inspector, today=TODAY)
    review = reverse("checklist_review", args=[world.round.pk, world.school_a.pk])
    assert [t.url for t in todos if t.url == review] == [review]


def test_the_leaders_home_summarises_the_round(client, world):
    build(world)
    client.force_login(world.leader)
    body = client.get(reverse("home")).content.decode()
    overview = reverse("rectification_overview", args=[world.round.pk])
    assert f'href="{overview}"' in body
    assert "Nothing is waiting" not in body and "没有待办" not in body


def test_two_items_of_one_problem_make_two_distinct_lines_for_staff(world):
    build(world)
    from rectification import services
    from rectification.models import PlanItem

    other = PlanItem.objects.get(pk=world.rect.other_item.pk)
    services.progress_post(item=other, text="已部署", percent=30, marks_done=False, files=[], user=world.staff)
    titles = [t.title for t in todo_for(world.staff, today=TODAY)]
    assert len(titles) == len(set(titles))


def test_the_set_up_of_a_new_round_does_not_hide_the_rectification_of_the_last(client, world):
    build(world)
    start = dt.date(2028, 5, 25)
    new = round_create(county=world.county, year=2028, cycle_year=2, test_start=start, test_end=start, user=world.staff)
    todos = todo_for(world.dept_user, today=TODAY)
    assert todos, "the department's rectification items of 2027 are still waiting"
    staff = todo_for(world.staff, today=TODAY)
    assert {t.detail.split(" · ")[0] for t in staff} >= {str(world.round), str(new)}
    client.force_login(world.staff)
    body = client.get(reverse("home")).content.decode()
    assert str(world.round) in body and str(new) in body


def test_the_round_switcher_brings_the_pages_back_to_the_last_rounds_rectification(client, world):
    build(world)
    start = dt.date(2028, 5, 25)
    new = round_create(county=world.county, year=2028, cycle_year=2, test_start=start, test_end=start, user=world.staff)
    client.force_login(world.staff)
    home = reverse("rectification_home")
    assert client.get(home)["Location"] == reverse("rectification_overview", args=[new.pk])  # the newest by default
    assert 'id="chosen-round"' in client.get(reverse("home")).content.decode()
    assert client.post(reverse("round_choose", args=[world.round.pk])).status_code == 302
    assert client.get(home)["Location"] == reverse("rectification_overview", args=[world.round.pk])
    world.round.stage = Stage.CLOSED
    world.round.save()
    assert client.get(home)["Location"] == reverse("rectification_overview", args=[new.pk])  # a closed round is not chosen
