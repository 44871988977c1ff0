"""County staff re-import the registry in Chromium: the page shows what would change, column by
column, and nothing changes until they confirm."""

from playwright.sync_api import expect

from rounds.models import ImportBatch, School
from tests.rounds.test_school_import import HEADERS, workbook_bytes

from ..factories import PASSWORD, SchoolFactory
from .conftest import login, screenshot


def test_a_registry_reimport_shows_its_difference_and_waits_for_the_confirmation(page, world_e2e, tmp_path):
    county = world_e2e["county"]
    SchoolFactory(county=county, code="3699010001", name="青山县实验小学", principal="王校长", contact_phone="13800000001")
    SchoolFactory(county=county, code="3699010002", name="龙泉镇中心小学", principal="李校长", contact_phone="13800000002")
    rows = [
        ["3699010001", "青山县实验第一小学", "小学", "乡村", "", "", "", "13800000001", None],  # renamed, principal blank
        ["3699010002", "龙泉镇中心小学", "小学", "乡村", "", "", "", "13800000009", None],  # principal blank, phone changed
        ["3699010003", "白沙镇新建小学", "小学", "乡村", "", "", "", "", 300],  # new
    ]
    path = tmp_path / "学校名册（更新）.xlsx"
    path.write_bytes(workbook_bytes(rows, headers=HEADERS))

    login(page, "staff", PASSWORD)
    page.goto("/schools/import/")
    page.set_input_files("#id_file", str(path))
    page.click("main form button[type=submit]")
    status = page.locator("#import-status")
    expect(status.locator(".import-cleared")).to_be_visible()
    expect(status.locator(".import-changed-columns")).to_contain_text("校长")
    screenshot(page, "registry-reimport-difference")
    assert School.objects.get(code="3699010001").principal == "王校长"  # nothing written yet
    assert not School.objects.filter(code="3699010003").exists()

    status.get_by_role("button", name="确认这些修改").click()
    expect(page.locator("#import-status .alert-success")).to_contain_text("新增 1")
    screenshot(page, "registry-reimport-confirmed")
    school = School.objects.get(code="3699010001")
    assert (school.name, school.principal) == ("青山县实验第一小学", "")
    assert School.objects.get(code="3699010002").contact_phone == "13800000009"
    assert ImportBatch.objects.get().decided_by == world_e2e["staff"]
