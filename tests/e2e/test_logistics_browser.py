"""A sample school prepares and tests in real Chromium: the coordinator fills the checklist on a
phone with a photo and submits it, the inspector returns one item, the coordinator fixes it, the
inspector approves; then a test day with attendance and a custody chain with a broken seal."""

import datetime as dt
import io
import re

import pytest
from PIL import Image

from logistics.models import Checklist, ChecklistItem, Countersignature, Incident, ItemKind
from logistics.services import answer_save, checklist_ensure, evidence_add
from monitoring_site.roles import Role
from rounds.models import Stage
from rounds.services import round_create

from ..factories import PASSWORD, PersonFactory
from ..logistics.factories import photo, sampled_school
from .conftest import log_out, login, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

VALUES = {
    ItemKind.YES_NO: {"value_yes": True},
    ItemKind.COUNT: {"value_count": 30},
    ItemKind.TEXT: {"value_text": "张老师"},
    ItemKind.LOCATION: {"building": "综合楼", "floor": "2", "room_name": "201"},
}


@pytest.fixture
def school_world(world_e2e):
    w = dict(world_e2e)
    w["inspector"] = PersonFactory(
        county=w["county"], role=Role.INSPECTOR, user__username="inspector", user__first_name="陈督学", schools=[w["school"]]
    ).user
    rnd = round_create(
        county=w["county"], year=2027, cycle_year=1, test_start=dt.date(2027, 5, 26), test_end=dt.date(2027, 5, 27), user=w["staff"]
    )
    rnd.stage = Stage.PREPARATION
    rnd.save()
    w["round"] = rnd
    w["sampled"] = sampled_school(rnd, w["school"], grade=4, students=10)
    checklist = checklist_ensure(rnd=rnd, school=w["school"])
    w["checklist"] = checklist
    # Every room but the secure room is already done; the secure room is filled in the browser.
    for item in ChecklistItem.objects.filter(room__template__round=rnd).exclude(room__code="secure"):
        answer = answer_save(checklist=checklist, item=item, values=VALUES[item.kind], expected_version=None, user=w["coordinator"])
        if item.photo_required:
            evidence_add(answer=answer, upload=photo(), user=w["coordinator"])
    w["secure"] = {
        i.kind + ("_photo" if i.photo_required else ""): i
        for i in ChecklistItem.objects.filter(room__template__round=rnd, room__code="secure").order_by("order")
    }
    return w


def _photo_file(tmp_path):
    path = tmp_path / "cabinet.jpg"
    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), (90, 120, 160)).save(buffer, format="JPEG")
    path.write_bytes(buffer.getvalue())
    return path


def _wait_saved(page, item):
    page.wait_for_selector(f"#status-{item.pk} .saved-mark")


def test_a_school_prepares_and_tests(page, phone_page, school_world, tmp_path):
    w = school_world
    rnd, school, items = w["round"], w["school"], w["secure"]
    phone_page.on("dialog", lambda dialog: dialog.accept())
    page.on("dialog", lambda dialog: dialog.accept())
    fill_url = f"/logistics/rounds/{rnd.pk}/schools/{school.pk}/checklist/"
    secure_room = items["location"].room_id

    # The coordinator fills the secure room on a phone, item by item, with a photo.
    login(phone_page, "coord", PASSWORD)
    phone_page.goto(f"{fill_url}?room={secure_room}")
    location = items["location"]
    phone_page.fill(f"#item-{location.pk} input[name=building]", "行政楼")
    phone_page.fill(f"#item-{location.pk} input[name=floor]", "1")
    phone_page.fill(f"#item-{location.pk} input[name=room_name]", "103")
    phone_page.locator(f"#item-{location.pk} input[name=room_name]").blur()
    _wait_saved(phone_page, location)
    cabinet = items["yes_no_photo"]
    phone_page.click(f"label[for=f-{cabinet.pk}]")
    _wait_saved(phone_page, cabinet)
    phone_page.set_input_files(f"#item-{cabinet.pk} input[type=file]", str(_photo_file(tmp_path)))
    phone_page.wait_for_selector(f"#item-{cabinet.pk} .photo-thumb img")
    keeper = items["text"]
    phone_page.fill(f"#item-{keeper.pk} input[name=value_text]", "刘保密")
    phone_page.locator(f"#item-{keeper.pk} input[name=value_text]").blur()
    _wait_saved(phone_page, keeper)
    phones = items["yes_no"]
    phone_page.click(f"label[for=f-{phones.pk}]")
    _wait_saved(phone_page, phones)
    phone_page.reload()
    assert phone_page.input_value(f"#item-{location.pk} input[name=building]") == "行政楼"
    screenshot(phone_page, "logistics-01-checklist-phone")
    phone_page.click("#submit-checklist")
    phone_page.wait_for_selector(".badge.status-submitted")
    assert Checklist.objects.get(pk=w["checklist"].pk).status == "submitted"

    # The inspector returns the keeper's item with a comment.
    login(page, "inspector", PASSWORD)
    page.goto(f"{fill_url}review/")
    page.fill(f"input[name=comment-{keeper.pk}]", "请写明保密员的全名和电话")
    page.click("button[value=return]")
    page.wait_for_selector(".badge.status-returned")

    # The coordinator sees the comment, fixes the item and submits again.
    phone_page.goto(f"{fill_url}?room={secure_room}")
    assert "请写明保密员的全名和电话" in phone_page.inner_text(f"#item-{keeper.pk}")
    phone_page.fill(f"#item-{keeper.pk} input[name=value_text]", "刘保密 13800000000")
    phone_page.locator(f"#item-{keeper.pk} input[name=value_text]").blur()
    _wait_saved(phone_page, keeper)
    screenshot(phone_page, "logistics-02-checklist-returned-phone")
    phone_page.click("#submit-checklist")
    phone_page.wait_for_selector(".badge.status-submitted")

    # The inspector approves.
    page.goto(f"{fill_url}review/")
    page.click("button[value=approve]")
    page.wait_for_selector(".badge.status-approved")
    assert Checklist.objects.get(pk=w["checklist"].pk).status == "approved"
    assert list(w["checklist"].events.values_list("kind", flat=True)) == ["submitted", "returned", "submitted", "approved"]

    # County staff see the dashboard.
    log_out(page)
    login(page, "staff", PASSWORD)
    page.goto(f"/logistics/rounds/{rnd.pk}/readiness/")
    assert school.name in page.inner_text("main")
    screenshot(page, "logistics-03-dashboard")

    # Test day: attendance on the phone; 2 of 10 absent → 80%, a make-up session is flagged.
    rnd.stage = Stage.TESTING
    rnd.save()
    session = rnd.sessions.filter(grade=4).order_by("day", "start").first()
    phone_page.goto(f"/logistics/rounds/{rnd.pk}/schools/{school.pk}/sessions/{session.pk}/")
    students = list(w["sampled"].students.order_by("monitoring_id"))
    for n, student in enumerate(students):
        status = "absent" if n < 2 else "present"
        phone_page.click(f"#student-{student.pk} button[value={status}]")
        phone_page.wait_for_selector(f"#student-{student.pk} button[value={status}][aria-pressed=true]")
    assert phone_page.inner_text("#attendance-rate").strip() == "80.0%"
    assert phone_page.is_visible("#make-up-flag")
    screenshot(phone_page, "logistics-04-attendance-phone")

    # Custody: a package is received, then taken out with a broken seal → an incident.
    phone_page.goto(f"/logistics/rounds/{rnd.pk}/schools/{school.pk}/custody/")
    phone_page.fill("#id_code", "P-0001")
    phone_page.fill("#id_seal_number", "S-20270001")
    phone_page.fill("#id_count", "32")
    phone_page.fill("#id_contents", "数学测试卷")
    phone_page.click("form[action$='packages/new/'] button[type=submit]")
    phone_page.click("a[href$='/handovers/new/']")
    phone_page.select_option("#id_kind", "taken_out")
    phone_page.fill("#id_giver", "保密员")
    phone_page.fill("#id_taker", "主监测员")
    phone_page.uncheck("#id_seal_intact")
    phone_page.fill("#id_note", "拆封时误将内舌裁断，已用学校自制封条封好并加盖公章")
    phone_page.check("#id_confirm")
    phone_page.click("main form button[type=submit]")
    phone_page.wait_for_url(re.compile(r".*/incidents/\d+/$"))
    incident = Incident.objects.get(kind="seal")
    assert incident.handover.seal_intact is False

    # The inspector countersigns it; the county sees it in the feed.
    log_out(page)
    login(page, "inspector", PASSWORD)
    page.goto(f"/logistics/rounds/{rnd.pk}/schools/{school.pk}/incidents/{incident.pk}/")
    page.click("form[action$='countersign/'] button[type=submit]")
    page.wait_for_selector(".countersigned")
    assert Countersignature.objects.get(incident=incident).by == w["inspector"]
    log_out(page)
    login(page, "staff", PASSWORD)
    page.goto(f"/logistics/rounds/{rnd.pk}/incidents/")
    assert "P-0001" in page.inner_text("main")
    screenshot(page, "logistics-05-incident-feed")
