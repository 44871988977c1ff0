"""Pages of the slice driven through the test client, the way the staff use them."""

import datetime as dt
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from rectification.models import PlanItem, Problem, Progress
from results.models import Finding

from .helpers import PDF, open_rectification


def _upload(name="会议纪要.pdf", data=PDF):
    return SimpleUploadedFile(name, data, content_type="application/pdf")


def test_staff_turn_a_finding_into_an_item_and_a_department_closes_it(client, world):
    open_rectification(world.round)
    finding = Finding.objects.create(round=world.round, title="数学校间差异较大", evidence_text="差异系数 0.31")
    client.force_login(world.staff)
    response = client.post(reverse("problem_from_finding", kwargs={"finding_pk": finding.pk}))
    problem = Problem.objects.get(finding=finding)
    assert response["Location"].endswith(f"?problem={problem.pk}")
    deadline = dt.date.today() + dt.timedelta(days=60)
    response = client.post(
        reverse("item_create", kwargs={"round_pk": world.round.pk}),
        {
            "problem": problem.pk,
            "goal": "缩小校际差距",
            "measures": "集团化办学",
            "lead_department": world.department.pk,
            "cooperating_departments": [world.other_department.pk],
            "deadline": deadline.isoformat(),
            "milestones": "2027-10-01 完成调研\n",
            "indicator": "数学差异系数",
            "target_direction": "at_most",
            "target_value": "0.25",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    item = PlanItem.objects.get(problem=problem)
    assert item.milestones == [{"date": "2027-10-01", "title": "完成调研"}]
    plan = item.plan
    client.post(reverse("plan_approve", kwargs={"round_pk": world.round.pk}), {"version": plan.version})
    item.refresh_from_db()
    assert item.approved_deadline == deadline

    client.force_login(world.dept_user)
    url = reverse("progress_create", kwargs={"pk": item.pk})
    response = client.post(url, {"text": "已完成", "percent": 100, "marks_done": "on", "files": [_upload()]})
    assert response.status_code == 302
    progress = Progress.objects.get(item=item)
    assert progress.files.get().original_name == "会议纪要.pdf"

    client.force_login(world.staff)
    verify = reverse("progress_verify", kwargs={"pk": progress.pk})
    client.post(verify, {"decision": "return", "reason": "缺少照片"})
    assert Progress.objects.get(pk=progress.pk).status == "returned"
    client.force_login(world.dept_user)
    client.post(
        url,
        {"text": "补充照片", "percent": 100, "marks_done": "on", "files": [_upload("照片.pdf")]},
    )
    second = Progress.objects.filter(item=item).latest("pk")
    client.force_login(world.staff)
    client.post(reverse("progress_verify", kwargs={"pk": second.pk}), {"decision": "accept"})
    assert PlanItem.objects.get(pk=item.pk).status == "closed"
    body = client.get(reverse("item_detail", kwargs={"pk": item.pk})).content.decode()
    assert "缺少照片" in body


def test_an_upload_that_is_not_what_it_claims_is_refused(client, rect):
    client.force_login(rect.dept_user)
    url = reverse("progress_create", kwargs={"pk": rect.rect.item.pk})
    Progress.objects.filter(item=rect.rect.item).update(status="accepted")
    response = client.post(url, {"text": "x", "percent": 10, "files": [_upload("假.pdf", b"MZ\x90\x00 not a pdf")]})
    assert response.status_code == 400
    assert "不是真正的" in response.content.decode()
    response = client.post(url, {"text": "x", "percent": 10, "files": [_upload("a.exe", b"MZ")]})
    assert response.status_code == 400


def test_the_export_neutralises_formulas(client, rect):
    item = rect.rect.item
    PlanItem.objects.filter(pk=item.pk).update(goal='=HYPERLINK("http://x")')
    client.force_login(rect.staff)
    response = client.get(reverse("rectification_export", kwargs={"round_pk": rect.round.pk}))
    sheet = load_workbook(io.BytesIO(response.content)).active
    goals = [row[2] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert '\'=HYPERLINK("http://x")' in goals
    assert len(goals) == 2


def test_a_department_exports_only_its_items(client, rect):
    client.force_login(rect.dept_user)
    response = client.get(reverse("rectification_export", kwargs={"round_pk": rect.round.pk}))
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.max_row == 2


def test_the_overview_filters_by_status_and_department(client, rect):
    client.force_login(rect.staff)
    url = reverse("rectification_overview", kwargs={"round_pk": rect.round.pk})
    body = client.get(url, {"department": rect.other_department.pk}).content.decode()
    assert reverse("item_detail", kwargs={"pk": rect.rect.other_item.pk}) in body
    assert reverse("item_detail", kwargs={"pk": rect.rect.item.pk}) not in body
    body = client.get(url, {"status": "closed"}).content.decode()
    assert reverse("item_detail", kwargs={"pk": rect.rect.item.pk}) not in body
    assert "<svg" in client.get(url).content.decode()


def test_the_printed_plan_reads_like_an_official_document(client, rect):
    rect.rect.plan.guiding_principle = "以立德树人为根本任务"
    rect.rect.plan.save()
    client.force_login(rect.leader)
    body = client.get(reverse("plan_print", kwargs={"round_pk": rect.round.pk})).content.decode()
    assert "一、指导思想" in body and "以立德树人为根本任务" in body
    assert "牵头部门" in body and rect.department.name in body
    assert "base.html" not in body and "app-sidebar" not in body


def test_versions_page_shows_a_readable_diff(client, rect):
    client.force_login(rect.staff)
    plan = rect.rect.plan
    plan.refresh_from_db()
    client.post(
        reverse("plan_revise", kwargs={"round_pk": rect.round.pk}),
        {"version": plan.version, "reason": "延期"},
    )
    item = PlanItem.objects.get(pk=rect.rect.item.pk)
    response = client.post(
        reverse("item_edit", kwargs={"pk": item.pk}),
        {
            "problem": item.problem_id,
            "goal": item.goal,
            "measures": item.measures,
            "lead_department": item.lead_department_id,
            "deadline": "2028-06-30",
            "version": item.version,
        },
    )
    assert response.status_code == 302
    body = client.get(reverse("plan_versions", kwargs={"round_pk": rect.round.pk})).content.decode()
    assert "2028-06-30" in body and "完成时限" in body


def test_the_notification_bell_counts_and_reads(client, rect):
    from rectification.models import Notification

    Notification.objects.create(recipient=rect.dept_user, item=rect.rect.item, kind="due_soon", message="到期")
    client.force_login(rect.dept_user)
    body = client.get(reverse("notification_list")).content.decode()
    assert "bi-bell-fill" in body and "到期" in body
    notice = Notification.objects.get()
    response = client.post(reverse("notification_read"), {"pk": notice.pk})
    assert response["Location"] == reverse("item_detail", kwargs={"pk": rect.rect.item.pk})
    assert Notification.objects.get().read_at is not None


def test_the_home_page_lists_rectification_todos(client, rect):
    client.force_login(rect.staff)
    body = client.get(reverse("home")).content.decode()
    assert "核验进展报告" in body


def test_each_visitor_gets_a_progress_form_with_their_own_csrf_token(rect):
    """Two sessions open the same item's empty progress form: each form carries its own
    session's CSRF token and each report is accepted. (A cached rendering of the crispy form
    once shared the first visitor's token — crispy adds one to a POST form — and refused the
    next visitor's report with 403.)"""
    import re

    from django.test import Client

    item = rect.rect.item
    Progress.objects.filter(item=item).update(status="accepted")
    page, create = reverse("item_detail", kwargs={"pk": item.pk}), reverse("progress_create", kwargs={"pk": item.pk})
    tokens = []
    for text in ("第一次汇报", "第二次汇报"):
        client = Client(enforce_csrf_checks=True)
        client.force_login(rect.dept_user)
        body = client.get(page).content.decode()
        form = body[body.index('id="report"') :]
        form = form[: form.index("</form>")]
        sent = re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', form)  # every one, as a browser sends them
        tokens.append(sent[-1])
        response = client.post(create, {"csrfmiddlewaretoken": sent, "text": text, "percent": 40, "files": [_upload()]})
        assert response.status_code == 302, response.status_code
        Progress.objects.filter(item=item).update(status="accepted")
    assert tokens[0] != tokens[1]
    assert set(Progress.objects.filter(item=item).values_list("text", flat=True)) >= {"第一次汇报", "第二次汇报"}


def test_a_department_home_lists_its_item_on_track_with_its_deadline_until_it_reports(client, rect):
    """An item a month from its deadline is still the department's work: its home lists it (not
    as urgent) with the date; while its report waits for the office, nothing is the department's move."""
    item = rect.rect.item
    client.force_login(rect.dept_user)
    assert Progress.objects.filter(item=item, status="pending").exists()
    assert "汇报整改进展" not in client.get(reverse("home")).content.decode()
    Progress.objects.filter(item=item).update(status="accepted")
    body = client.get(reverse("home")).content.decode()
    assert f"汇报整改进展：{item.problem.number}. {item.problem.title}" in body
    due = item.approved_deadline
    assert f"{due.year}年{due.month}月{due.day}日" in body
