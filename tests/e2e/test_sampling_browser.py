"""County staff go from frame to confirmed school and student samples in real Chromium, with
the school's coordinator uploading the roster in between."""

import io
import re

import pytest
from openpyxl import Workbook

from rounds.models import Stage
from rounds.services import round_create
from sampling.models import RosterEntry, SampledSchool, SampledStudent, SchoolDraw

from ..factories import PASSWORD, SchoolFactory, late_may
from ..sampling.conftest import roster_rows, roster_workbook
from .conftest import log_out, login, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _frame_workbook(rows) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["学校标识码", "学校名称", "四年级学生数", "八年级学生数"])
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _upload(page, name: str, data: bytes) -> None:
    page.set_input_files("#id_file", {"name": name, "mimeType": "application/octet-stream", "buffer": data})
    page.click("main button[type=submit]")


def test_from_frame_to_confirmed_school_and_student_samples(page, world_e2e):
    w = world_e2e
    others = [SchoolFactory(county=w["county"], name=f"青山县第{n}小学", location="town") for n in "二三四"]
    start, end = late_may()
    rnd = round_create(county=w["county"], year=2027, cycle_year=1, test_start=start, test_end=end, user=w["staff"], grades=[4])
    rnd.stage = Stage.SAMPLING
    rnd.save()
    page.on("dialog", lambda dialog: dialog.accept())

    login(page, "staff", PASSWORD)
    page.goto("/sampling/mine/")
    page.wait_for_url(f"**/sampling/rounds/{rnd.pk}/")
    page.click("text=抽样框")
    page.click("text=从学校名册取入学校")
    page.wait_for_selector("text=已从学校名册向抽样框加入 4 所学校")
    page.click("text=导入学生数")
    # School A is large enough to be a certainty school: 200 ≥ T/n = 350/2.
    sizes = [(w["school"].code, "", 200, 0)] + [(s.code, "", size, 0) for s, size in zip(others, (40, 50, 60), strict=True)]
    _upload(page, "抽样框.xlsx", _frame_workbook(sizes))
    page.wait_for_selector("text=文件已导入")
    screenshot(page, "sampling-01-frame-imported")
    page.goto(f"/sampling/rounds/{rnd.pk}/frame/")
    assert "350" in page.inner_text("main")
    screenshot(page, "sampling-02-frame")

    page.goto(f"/sampling/rounds/{rnd.pk}/draw/4/")
    page.fill("#id_n", "2")
    page.fill("#id_seed", "20270526")
    screenshot(page, "sampling-03-draw-form")
    page.click("main button[type=submit]")
    page.wait_for_url("**/draw/4/review/")
    assert "20270526" in page.inner_text("main")
    screenshot(page, "sampling-04-draw-review")
    page.click("main button:has-text('确认学校样本')")
    page.wait_for_load_state()
    screenshot(page, "sampling-04b-after-confirm")
    page.wait_for_selector("text=学校样本已确认")
    draw = SchoolDraw.objects.get(round=rnd)
    assert draw.is_confirmed and draw.seed == 20270526
    sampled = SampledSchool.objects.get(round=rnd, school=w["school"])
    assert sampled.certainty

    log_out(page)
    login(page, "coord", PASSWORD)
    page.click(f"text=报送{w['school'].name}四年级名册")
    page.wait_for_url(f"**/sampling/schools/{sampled.pk}/")
    page.click("text=上传名册")
    bad = roster_rows(3, grade=4)
    bad[1]["student_number"] = "123"
    _upload(page, "名册.xlsx", roster_workbook(bad))
    page.wait_for_selector("text=文件未导入")
    assert "不是学籍号" in page.inner_text("main")
    screenshot(page, "sampling-05-roster-refused")
    page.goto(f"/sampling/schools/{sampled.pk}/roster/upload/")
    _upload(page, "名册.xlsx", roster_workbook(roster_rows(36, grade=4)))
    page.wait_for_selector("text=文件已导入")
    screenshot(page, "sampling-06-roster-imported")

    log_out(page)
    login(page, "staff", PASSWORD)
    page.goto(f"/sampling/rounds/{rnd.pk}/")
    assert "2 所学校中已有 1 所报送名册" in page.inner_text("main")
    page.click("main a:has-text('抽取学生')")
    page.wait_for_url("**/students/draw/")
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    screenshot(page, "sampling-07a-students-drawn")
    page.wait_for_selector("text=已在 1 所学校抽取学生")
    page.click("main button:has-text('确认 1 所学校的学生样本')")
    page.wait_for_selector("text=未入样学生的信息已删除")
    screenshot(page, "sampling-07-students-confirmed")
    assert SampledStudent.objects.filter(sampled_school=sampled).count() == 30
    assert RosterEntry.objects.filter(roster__sampled_school=sampled).count() == 30

    page.goto(f"/sampling/schools/{sampled.pk}/")
    body = page.inner_text("main")
    assert re.search(r"369901-27401-30", body)
    screenshot(page, "sampling-08-school")
    page.click("#documents button:has-text('座位标签')")
    page.wait_for_selector("#documents .badge.text-bg-success")
    assert "座位标签" in page.inner_text("#documents table")
    screenshot(page, "sampling-08b-school-documents")
    page.goto(f"/sampling/schools/{sampled.pk}/seat-labels/")
    assert page.locator(".seat-label").count() == 30
    screenshot(page, "sampling-09-seat-labels")
    page.goto(f"/sampling/schools/{sampled.pk}/notice/")
    assert "举报电话" in page.content()
    screenshot(page, "sampling-10-notice")
