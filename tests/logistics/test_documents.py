"""The county's readiness summary through the document engine: schools × rooms as of the day
it is built, what is overdue and who must act; county readers read it, nobody else."""

import datetime as dt

import pytest
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from rounds.models import Document, MilestoneKind, Stage
from tests.reports.helpers import pdf_rows, pdf_text


@pytest.fixture
def summary(client, lworld):
    """Checklists were due yesterday, in the preparation stage: school A has one room half
    done, B has not started."""
    w = lworld
    w.round.stage = Stage.PREPARATION
    w.round.save(update_fields=["stage"])
    w.round.milestones.filter(kind=MilestoneKind.CHECKLISTS_DUE).update(due_date=timezone.localdate() - dt.timedelta(days=1))
    client.force_login(w.staff)
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(reverse("document_request", args=[w.round.pk]), {"kind": "readiness_summary"})
    assert response.status_code == 302
    return Document.objects.get(kind="readiness_summary")


def test_the_summary_shows_each_school_and_room_what_is_overdue_and_who_must_act(lworld, summary):
    w = lworld
    assert summary.status == Document.Status.DONE, summary.error
    text, rows = pdf_text(summary), pdf_rows(summary)
    rooms = list(w.round.checklist_template.rooms.order_by("order", "pk"))
    assert "2027年监测样本校准备情况汇总" in text and "共2所样本校" in text
    assert "一、总体情况" in text and "二、逾期学校及责任人" in text and "三、各校各室准备情况" in text
    # Not started, being filled in, submitted, returned, approved; overdue (both, due yesterday).
    assert "110002" in rows
    assert "已完成学校" + "0/2" * len(rooms) in rows
    total = sum(room.items.count() for room in rooms)
    coordinator = w.coord_a.last_name + w.coord_a.first_name
    # School A: its first room in progress, the others not started, its coordinator must act.
    assert f"{w.school_a.code}{w.school_a.name}4填写中已逾期填写中{'未开始' * (len(rooms) - 1)}0/{total}学校（{coordinator}）" in rows
    assert f"{w.school_b.code}{w.school_b.name}8未开始已逾期{'未开始' * len(rooms)}0/{total}" in "".join(rows)
    assert w.foreign_school.name not in text


@pytest.mark.parametrize(("role", "status"), [("leader", 200), ("inspector", 403), ("coord_a", 403), ("dept", 403), ("foreign", 404)])
def test_county_readers_read_the_summary(client, lworld, summary, role, status):
    client.force_login(lworld.users()[role])
    assert client.get(reverse("document_pdf", args=[summary.pk])).status_code == status


def test_the_dashboard_offers_the_summary(client, lworld):
    client.force_login(lworld.staff)
    body = client.get(reverse("readiness_dashboard", kwargs={"round_pk": lworld.round.pk})).content.decode()
    assert 'value="readiness_summary"' in body
    client.force_login(lworld.inspector)
    body = client.get(reverse("readiness_dashboard", kwargs={"round_pk": lworld.round.pk})).content.decode()
    assert 'value="readiness_summary"' not in body
