"""The rectification plan and the progress report through the document engine."""

import datetime as dt

import pytest
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from rectification import services
from rectification.models import Plan
from rounds.models import Document
from tests.reports.helpers import pdf_rows, pdf_text


def _build(client, world, kind):
    client.force_login(world.staff)
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert client.post(reverse("document_request", args=[world.round.pk]), {"kind": kind}).status_code == 302
    document = Document.objects.filter(kind=kind).latest("pk")
    assert document.status == Document.Status.DONE, document.error
    return document


def test_the_approved_plan_carries_its_version_and_every_item(client, rect):
    plan = rect.rect.plan
    plan.guiding_principle = "以立德树人为根本任务"
    plan.save()
    text = pdf_text(_build(client, rect, "rectification_plan"))
    assert plan.title in text and "以立德树人为根本任务" in text
    assert "一、指导思想" in text and "三、存在问题、整改目标及措施" in text
    assert f"第{plan.versions.get().number}版" in text and "草稿" not in text
    assert rect.rect.problem.title in text and rect.department.name in text and rect.other_department.name in text
    assert "外县" not in text


def test_a_plan_being_revised_is_printed_as_a_draft_on_every_page(client, rect):
    plan = Plan.objects.get(pk=rect.rect.plan.pk)
    services.plan_revise(plan=plan, reason="延期", user=rect.staff, expected_version=plan.version)
    document = _build(client, rect, "rectification_plan")
    text = pdf_text(document)
    assert "第1版" not in text
    # The stamp on the cover, the mark at the top of every other page, and the signature.
    assert text.count("草稿（未审定）") == 1 + (document.pages - 1) + 1
    assert document.pages == 2 and pdf_rows(document)[0].startswith("内部资料")  # the cover comes first


def _day(d: dt.date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"  # in text; table cells read 2026-05-27


def test_the_progress_report_counts_items_overdue_and_by_department(client, rect):
    today = timezone.localdate()
    other = rect.rect.other_item
    late = today - dt.timedelta(days=3)
    other.__class__.objects.filter(pk=other.pk).update(approved_deadline=late, percent=40)
    document = _build(client, rect, "rectification_progress")
    text, rows = pdf_text(document), pdf_rows(document)
    assert "2027年监测反馈问题整改进展情况" in text and "一、总体情况" in text and "二、逾期事项" in text
    assert f"截至{_day(today)}" in text
    # Items, open, due this week, overdue, closed, progress to verify.
    week_end = today + dt.timedelta(days=6 - today.weekday())
    due_this_week = int(today <= rect.rect.item.approved_deadline <= week_end)
    assert f"22{due_this_week}101" in rows
    # One item led by each department; the other department's is the overdue one.
    assert f"{rect.department.name}100" in rows and f"{rect.other_department.name}101" in rows
    goal = "".join(other.goal.split())
    assert f"{goal}{rect.other_department.name}—{late.isoformat()}40%" in rows
    assert f"已部署（待核验，{today.isoformat()}）" in text


@pytest.mark.parametrize(("role", "status"), [("leader", 200), ("dept", 403), ("coord_a", 403), ("foreign", 404)])
def test_county_readers_read_the_rectification_documents(client, rect, role, status):
    document = _build(client, rect, "rectification_progress")
    client.force_login(rect.users()[role])
    assert client.get(reverse("document_html", args=[document.pk])).status_code == status


def test_the_pages_offer_the_documents_to_staff(client, rect):
    client.force_login(rect.staff)
    plan_page = client.get(reverse("plan_detail", kwargs={"round_pk": rect.round.pk})).content.decode()
    overview = client.get(reverse("rectification_overview", kwargs={"round_pk": rect.round.pk})).content.decode()
    assert 'value="rectification_plan"' in plan_page and 'value="rectification_progress"' in overview
    client.force_login(rect.dept_user)
    overview = client.get(reverse("rectification_overview", kwargs={"round_pk": rect.round.pk})).content.decode()
    assert 'value="rectification_progress"' not in overview
