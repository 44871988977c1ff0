"""Setting up a round: rotation domains, timetable and milestones, late-May warning, stages,
and two people editing the same round."""

import datetime as dt

import pytest
from django.urls import reverse

from rounds.models import CYCLE_DOMAINS, Milestone, Round, Stage
from rounds.services import MILESTONE_OFFSETS, default_domains


@pytest.mark.parametrize(
    ("cycle_year", "expected"),
    [(1, ["math", "pe_health", "mental_health"]), (2, ["chinese", "arts", "english"]), (3, ["moral", "science", "labour"])],
)
def test_the_national_rotation_fills_in_the_domains(cycle_year, expected):
    assert default_domains(cycle_year) == expected
    assert [str(d) for d in CYCLE_DOMAINS[cycle_year]] == expected


def _form(**changes):
    data = {
        "year": 2028,
        "cycle_year": 2,
        "domains": ["chinese", "arts", "english"],
        "grades": [4, 8],
        "test_start": "2028-05-24",
        "test_end": "2028-05-25",
        "closes_at": "",
    }
    data.update(changes)
    return data


def test_staff_create_a_round_with_its_timetable_and_milestones(client, world):
    client.force_login(world.staff)
    response = client.post(reverse("round_create"), _form())
    rnd = Round.objects.get(county=world.county, year=2028)
    assert response["Location"] == reverse("round_detail", args=[rnd.pk])
    assert rnd.stage == Stage.SETUP and rnd.created_by == world.staff
    # Grade 4: Chinese, arts and arts' performance test, the questionnaire (English is grade 8's);
    # grade 8: the same and English.
    assert rnd.sessions.count() == 9
    assert {s.day for s in rnd.sessions.all()} == {dt.date(2028, 5, 24), dt.date(2028, 5, 25)}
    # Every milestone is there, dated relative to the first test day.
    milestones = {m.kind: m.due_date for m in Milestone.objects.filter(round=rnd)}
    assert milestones == {k: dt.date(2028, 5, 24) + dt.timedelta(days=o) for k, o in MILESTONE_OFFSETS.items()}


def test_test_days_outside_late_may_are_allowed_with_a_warning(client, world):
    client.force_login(world.staff)
    response = client.post(reverse("round_create"), _form(test_start="2028-06-10", test_end="2028-06-11"), follow=True)
    assert Round.objects.filter(year=2028).exists()
    assert "5月下旬" in response.content.decode() or "不在" in response.content.decode()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"test_end": "2028-05-27"}, "test_end"),  # three days is not one and a half
        ({"test_end": "2028-05-20"}, "test_end"),
        ({"domains": ["chinese", "arts"]}, "domains"),
        ({"year": 2027}, "year"),  # the county already has a 2027 round
    ],
)
def test_an_impossible_round_is_refused(client, world, changes, field):
    client.force_login(world.staff)
    response = client.post(reverse("round_create"), _form(**changes))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not Round.objects.filter(county=world.county, year=2028).exists()


def test_the_cycle_year_fragment_offers_that_years_domains(client, world):
    client.force_login(world.staff)
    response = client.get(reverse("round_create"), {"cycle_year": "3"}, headers={"HX-Request": "true"})
    assert response.context["form"].initial["domains"] == ["moral", "science", "labour"]


def test_the_round_moves_through_its_stages_in_order(client, world):
    client.force_login(world.staff)
    seen = []
    for _ in range(6):
        rnd = Round.objects.get(pk=world.round.pk)
        client.post(reverse("round_advance", args=[rnd.pk]), {"version": rnd.version})
        seen.append(Round.objects.get(pk=rnd.pk).stage)
    assert seen == ["sampling", "preparation", "testing", "results", "rectification", "closed"]
    body = client.get(reverse("round_detail", args=[world.round.pk])).content.decode()
    assert "已结束" in body or "closed" in body.lower()
    assert client.get(reverse("round_edit", args=[world.round.pk]))["Location"] == reverse("round_detail", args=[world.round.pk])


def test_a_stale_edit_is_refused_and_names_who_changed_it(client, world):
    rnd = world.round
    loaded_version = rnd.version
    client.force_login(world.staff)
    first = _form(
        year=2027,
        cycle_year=1,
        domains=["math", "pe_health", "mental_health"],
        test_start="2027-05-26",
        test_end="2027-05-27",
        version=loaded_version,
    )
    assert client.post(reverse("round_edit", args=[rnd.pk]), first).status_code == 302
    second = {**first, "test_start": "2027-05-27", "test_end": "2027-05-28"}
    response = client.post(reverse("round_edit", args=[rnd.pk]), second)
    assert response.status_code == 409
    assert world.staff.first_name in response.content.decode()
    assert Round.objects.get(pk=rnd.pk).test_start == dt.date(2027, 5, 26)


def test_each_role_sees_its_next_steps_with_due_dates(client, world):
    client.force_login(world.coord_a)
    body = client.get(reverse("home")).content.decode()
    assert "报送学生名册" in body or "Rosters due" in body
    assert "发布诊断报告" not in body and "Report issued" not in body
    client.force_login(world.dept_user)
    body = client.get(reverse("home")).content.decode()
    assert "整改方案" in body or "Rectification plan due" in body


def test_a_timetable_session_outside_the_test_days_is_refused(client, world):
    client.force_login(world.staff)
    rnd = world.round
    sessions = list(rnd.sessions.order_by("grade", "day", "start"))
    data = {
        "sessions-TOTAL_FORMS": len(sessions) + 1,
        "sessions-INITIAL_FORMS": len(sessions),
        "sessions-MIN_NUM_FORMS": 0,
        "sessions-MAX_NUM_FORMS": 1000,
    }
    for i, s in enumerate(sessions):
        data.update(
            {
                f"sessions-{i}-id": s.pk,
                f"sessions-{i}-round": rnd.pk,
                f"sessions-{i}-grade": s.grade,
                f"sessions-{i}-day": s.day.isoformat(),
                f"sessions-{i}-start": s.start.strftime("%H:%M"),
                f"sessions-{i}-end": s.end.strftime("%H:%M"),
                f"sessions-{i}-kind": s.kind,
                f"sessions-{i}-domain": s.domain,
                f"sessions-{i}-title": s.title,
            }
        )
    n = len(sessions)
    data.update(
        {
            f"sessions-{n}-grade": 4,
            f"sessions-{n}-day": "2027-06-01",
            f"sessions-{n}-start": "09:00",
            f"sessions-{n}-end": "10:00",
            f"sessions-{n}-kind": "test",
            f"sessions-{n}-domain": "math",
            f"sessions-{n}-title": "补测",
        }
    )
    response = client.post(reverse("timetable_edit", args=[rnd.pk]), data)
    assert response.status_code == 200
    assert rnd.sessions.count() == n
    data[f"sessions-{n}-day"] = "2027-05-27"
    assert client.post(reverse("timetable_edit", args=[rnd.pk]), data).status_code == 302
    assert rnd.sessions.filter(title="补测").exists()
