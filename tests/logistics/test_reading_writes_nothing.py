"""A GET writes nothing but the access log: opening a school's checklist, its page or a session
shows "not started" and creates no draft; the first save creates it (issue 15)."""

import pytest
from django.urls import reverse

from logistics.models import Checklist, SessionRecord
from rectification.models import Plan
from rounds.models import Stage

from .factories import sampled_school


@pytest.fixture
def untouched(world):
    """School B of the sample with nothing recorded: no checklist, no session record."""
    world.sampled_b = sampled_school(world.round, world.school_b, grade=8, students=3)
    world.session_b = world.round.sessions.filter(grade=8).order_by("day", "start").first()
    world.round.stage = Stage.PREPARATION
    world.round.save()
    return world


def _counts():
    return Checklist.objects.count(), SessionRecord.objects.count()


@pytest.mark.parametrize("who", ["leader", "staff", "coord_b"])
def test_opening_a_schools_pages_creates_no_checklist_and_no_session_record(client, untouched, who):
    w = untouched
    client.force_login(w.users()[who])
    school = {"round_pk": w.round.pk, "school_pk": w.school_b.pk}
    before = _counts()
    checklist = client.get(reverse("checklist_fill", kwargs=school))
    assert checklist.status_code == 200
    assert "未开始" in checklist.content.decode() or "Not started" in checklist.content.decode()
    assert client.get(reverse("school_logistics", kwargs=school)).status_code == 200
    if who == "coord_b":
        session = client.get(reverse("session_attendance", kwargs={**school, "session_pk": w.session_b.pk}))
        assert session.status_code == 200
    assert client.get(reverse("readiness_dashboard", kwargs={"round_pk": w.round.pk})).status_code in (200, 403)
    assert _counts() == before


def test_the_dashboard_still_shows_not_started_after_the_leader_opened_the_checklist(client, untouched):
    w = untouched
    client.force_login(w.leader)
    client.get(reverse("checklist_fill", kwargs={"round_pk": w.round.pk, "school_pk": w.school_b.pk}))
    dashboard = client.get(reverse("readiness_dashboard", kwargs={"round_pk": w.round.pk}), {"status": "not_started"})
    assert w.school_b.name in dashboard.content.decode()


def test_the_first_save_creates_the_checklist(client, untouched):
    w = untouched
    item = w.round.checklist_template.rooms.first().items.first()
    client.force_login(w.coord_b)
    url = reverse("answer_save", kwargs={"round_pk": w.round.pk, "school_pk": w.school_b.pk, "item_pk": item.pk})
    response = client.post(url, {"value_yes": "on", "value_count": "1", "value_text": "x", "version": ""}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert Checklist.objects.filter(round=w.round, school=w.school_b).exists()


def test_opening_the_plan_forms_creates_no_plan(client, world):
    world.round.stage = Stage.RECTIFICATION
    world.round.save()
    client.force_login(world.staff)
    for name in ("plan_edit", "item_create"):
        assert client.get(reverse(name, kwargs={"round_pk": world.round.pk})).status_code == 200
    assert not Plan.objects.filter(round=world.round).exists()


def test_the_readiness_export_is_named_in_chinese(client, untouched):
    client.force_login(untouched.staff)
    response = client.get(reverse("readiness_export", kwargs={"round_pk": untouched.round.pk}), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "filename*=utf-8''%E4%BA%94%E5%AE%A4" in response["Content-Disposition"]  # 五室…
