"""County staff turn a finding into a problem and give it to a department with a deadline; the
department reports progress with a file; the supervisor returns it, then accepts the second
report; an item past its deadline shows as overdue with its warning sent — in real Chromium."""

import datetime as dt

import pytest
from django.utils import timezone

from monitoring_site.roles import Role
from rectification.alerts import deadlines_notify
from rectification.models import DeadlineWarning, PlanItem, Progress
from results.models import Finding
from rounds.models import Stage
from rounds.services import round_create

from ..factories import PASSWORD, CountyFactory, DepartmentFactory, PersonFactory, late_may
from .conftest import log_out, login, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def county(transactional_db):
    county = CountyFactory(name="青山县", code="369901")
    dept = DepartmentFactory(county=county, name="教师发展中心（教研室）")
    DepartmentFactory(county=county, name="体卫艺股")
    staff = PersonFactory(county=county, role=Role.COUNTY_STAFF, user__username="staff", user__first_name="王监测").user
    PersonFactory(
        county=county,
        role=Role.DEPARTMENT,
        department=dept,
        user__username="jiaoyan",
        user__first_name="黄教研",
        user__email="jiaoyan@example.cn",
    )
    start, end = late_may(2026)
    rnd = round_create(county=county, year=2026, cycle_year=3, test_start=start, test_end=end, user=staff)
    rnd.stage = Stage.RECTIFICATION
    rnd.save()
    finding = Finding.objects.create(
        round=rnd,
        rule="math_between_school_cv",
        domain="math",
        grade=4,
        title="县域内学生数学学业表现校间差异较大",
        evidence_text="四年级数学校间差异系数 0.31，高于全国常模 0.22",
    )
    return {"round": rnd, "finding": finding, "dept": dept}


def _switch(page, username):
    log_out(page)
    login(page, username, PASSWORD)


def _add_item(page, rnd, *, goal, deadline):
    page.fill("#id_goal", goal)
    page.fill("#id_measures", "一是推进集团化办学；二是落实校长教师交流轮岗。")
    page.select_option("#id_lead_department", label="教师发展中心（教研室）")
    page.fill("#id_deadline", deadline.isoformat())
    page.click("form.rect-item-form button[type=submit]")
    page.wait_for_url(f"**/rectification/rounds/{rnd.pk}/plan/")


def test_a_finding_becomes_a_verified_rectification_item(page, county, tmp_path):
    rnd, today = county["round"], timezone.localdate()
    page.on("dialog", lambda dialog: dialog.accept())
    login(page, "staff", PASSWORD)
    page.goto(f"/rectification/rounds/{rnd.pk}/problems/")
    page.click("li.finding-row button[type=submit]")
    page.wait_for_url("**/items/new/?problem=*")
    _add_item(page, rnd, goal="缩小县域内数学学业表现校间差异", deadline=today + dt.timedelta(days=60))
    page.click("text=添加事项")
    page.select_option("#id_problem", index=1)
    _add_item(page, rnd, goal="开展数学教研专项指导", deadline=today - dt.timedelta(days=3))
    page.click("button:has-text('审定方案')")
    page.wait_for_selector(".plan-status:has-text('已审定')")
    screenshot(page, "rectification-01-plan")
    item = PlanItem.objects.get(goal="缩小县域内数学学业表现校间差异")
    late = PlanItem.objects.get(goal="开展数学教研专项指导")
    assert item.approved_deadline == today + dt.timedelta(days=60)

    evidence = tmp_path / "教研活动纪要.pdf"
    evidence.write_bytes(b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n")
    _switch(page, "jiaoyan")
    page.goto(f"/rectification/items/{item.pk}/")
    page.fill("#id_text", "已召开校际联合教研 3 次，形成帮扶名单。")
    page.fill("#id_percent", "100")
    page.check("#id_marks_done")
    page.set_input_files("#id_files", str(evidence))
    page.click("#report button[type=submit]")
    page.wait_for_selector(".progress-report.report-pending")

    _switch(page, "staff")
    page.goto(f"/rectification/items/{item.pk}/")
    page.fill(".verify-forms input[name=reason]", "缺少交流轮岗名单")
    page.click(".verify-forms button:has-text('退回')")
    page.wait_for_selector(".progress-report.report-returned")
    assert Progress.objects.get(item=item).status == "returned"

    _switch(page, "jiaoyan")
    page.goto(f"/rectification/items/{item.pk}/")
    assert "缺少交流轮岗名单" in page.inner_text("main")
    page.fill("#id_text", "补充交流轮岗名单。")
    page.fill("#id_percent", "100")
    page.check("#id_marks_done")
    page.set_input_files("#id_files", str(evidence))
    page.click("#report button[type=submit]")
    page.wait_for_selector(".progress-report.report-pending")

    _switch(page, "staff")
    page.goto(f"/rectification/items/{item.pk}/")
    page.click(".verify-forms button:has-text('通过')")
    page.wait_for_selector(".item-state:has-text('已销号')")
    assert PlanItem.objects.get(pk=item.pk).status == "closed"

    result = deadlines_notify(today=today)  # what the daily beat job does
    assert result.by_event.get("overdue") == 1
    assert DeadlineWarning.objects.filter(item=late, event="overdue").exists()
    page.goto(f"/rectification/rounds/{rnd.pk}/")
    assert page.inner_text(".tile-overdue .tile-number") == "1"
    assert page.inner_text(".tile-closed .tile-number") == "1"
    screenshot(page, "rectification-02-overview")
    page.goto(f"/rectification/items/{late.pk}/")
    assert "已逾期" in page.inner_text(".item-state")
    assert "已逾期" in page.inner_text(".warning-list")
    screenshot(page, "rectification-03-overdue-item")
    page.goto(f"/rectification/rounds/{rnd.pk}/plan/print/")
    assert "三、存在问题、整改目标及措施" in page.inner_text("body")
    screenshot(page, "rectification-05-plan-print")

    _switch(page, "jiaoyan")
    page.goto("/rectification/notifications/")
    assert "已逾期" in page.inner_text(".notice-list")
    screenshot(page, "rectification-04-notifications")
