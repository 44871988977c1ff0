"""Test day without a network, in real Chromium with the network cut (Playwright's offline mode):
attendance, a hand-over and questionnaire answers are kept on the device, survive a reload,
and reach the database exactly once when the network is back — even when sent twice."""

import datetime as dt

import pytest
from django.utils import timezone

from logistics.models import Attendance, Handover, SyncedRecord
from logistics.services import handover_record, package_add
from questionnaires.models import AccessCode, Answer, Kind
from questionnaires.services import access_codes_generate, answer_save, instrument_install_defaults, response_open
from rounds.models import Stage
from rounds.services import round_create

from ..factories import PASSWORD
from ..logistics.factories import sampled_school
from .conftest import login, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def test_day(world_e2e):
    w = dict(world_e2e)
    rnd = round_create(
        county=w["county"], year=2027, cycle_year=1, test_start=dt.date(2027, 5, 26), test_end=dt.date(2027, 5, 27), user=w["staff"]
    )
    rnd.stage = Stage.TESTING
    rnd.closes_at = timezone.now() + dt.timedelta(days=1)
    rnd.save()
    w["round"] = rnd
    w["sampled"] = sampled_school(rnd, w["school"], grade=4, students=6)
    w["session"] = rnd.sessions.filter(grade=4).order_by("day", "start").first()
    w["package"] = package_add(
        rnd=rnd, school=w["school"], code="P-01", seal_number="S-01", contents="数学测试卷", count=32, user=w["staff"]
    )
    handover_record(
        package=w["package"],
        kind="received",
        at=timezone.now() - dt.timedelta(hours=1),
        giver="县监测办",
        taker="校长",
        seal_intact=True,
        count_matched=True,
        user=w["coordinator"],
    )
    instrument_install_defaults(rnd=rnd, user=w["staff"])
    access_codes_generate(rnd=rnd, teachers_per_school=1, county_codes=0, user=w["staff"])
    w["base"] = f"/logistics/rounds/{rnd.pk}/schools/{w['school'].pk}/"
    return w


def _open_online(page, w):
    """Open the test-day pages once while online; the device keeps them."""
    login(page, "coord", PASSWORD)
    page.goto(w["base"] + f"sessions/{w['session'].pk}/")
    page.wait_for_selector("html[data-offline-ready='1']", timeout=30000)
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    page.wait_for_selector("#offline-count:has-text('未同步 0 条')")


def _answer_all_but(code, skip):
    """Every question answered already (from an earlier visit) except those in ``skip``."""
    response = response_open(access_code=code, now=timezone.now())
    for item in response.instrument.items.exclude(code__in=skip).filter(show_if_item=""):
        if item.choices:
            raw = [str(item.choices[0][0])]
        elif item.type == "number":
            raw = [str(int(item.min_value or 0))]
        else:
            raw = ["无"]
        answer_save(access_code_id=code.pk, item_code=item.code, raw=raw, now=timezone.now())
    return response


def _mark(page, student, status):
    page.click(f"#student-{student.pk} button[value={status}]")


def test_marks_a_hand_over_and_answers_offline_reach_the_database_once(page, browser, live_server, test_day):
    w = test_day
    students = list(w["sampled"].students.order_by("pk"))
    _open_online(page, w)

    page.context.set_offline(True)
    _mark(page, students[0], "present")
    _mark(page, students[1], "absent")
    _mark(page, students[2], "late")
    _mark(page, students[2], "present")  # changed her mind: only the last mark waits
    page.wait_for_selector("#offline-count:has-text('未同步 3 条')")
    assert page.locator(".offline-pending").count() == 3

    page.reload()  # offline: the kept page, with the marks still waiting on it
    page.wait_for_selector("#offline-count:has-text('未同步 3 条')")
    assert "离线" in page.inner_text("#offline-state")
    assert page.locator(f"#student-{students[2].pk} button[value=present][aria-pressed=true]").count() == 1

    page.goto(w["base"] + f"custody/packages/{w['package'].pk}/handovers/new/")  # kept as well
    page.select_option("#id_kind", "stored")
    page.fill("#id_giver", "校长")
    page.fill("#id_taker", "保密员")
    page.check("#id_confirm")
    page.click("main form button.btn-primary[type=submit]")
    page.wait_for_url("**/custody/")
    page.wait_for_selector("#offline-count:has-text('未同步 4 条')")
    assert "P-01" in page.inner_text("#offline-list")
    screenshot(page, "offline-01-custody-with-queue")

    # A teacher answers on another computer whose network drops mid-questionnaire.
    respondent = browser.new_context(locale="zh-CN", base_url=live_server.url)
    q = respondent.new_page()
    q.on("dialog", lambda dialog: dialog.accept())
    code = AccessCode.objects.filter(kind=Kind.TEACHER).first()
    response = _answer_all_but(code, {"subject", "title_rank"})
    answered_before = Answer.objects.filter(response=response).count()
    q.goto("/questionnaires/q/")
    q.fill("#id_code", code.display_code)
    q.click("button[type=submit]")
    q.wait_for_url("**/questionnaires/q/answer/")
    respondent.set_offline(True)
    q.check("#item-subject input[value='math']")
    q.check("#item-title_rank input[value='3']")
    q.wait_for_selector("#q-offline:has-text('未同步 2 条')")
    q.click("#q-submit")  # waits for the answers
    q.wait_for_selector("#q-offline:has-text('提交')")
    screenshot(q, "offline-02-questionnaire-waiting")
    assert Answer.objects.filter(response=response).count() == answered_before
    response.refresh_from_db()
    assert not response.is_submitted

    # The network is back: everything is sent by itself, in order, once.
    page.context.set_offline(False)
    page.wait_for_selector("#offline-count:has-text('未同步 0 条')", timeout=30000)
    assert page.locator(".offline-applied").count() == 4
    # The custody page fetched its chain again: the synced hand-over is on it without a reload.
    page.wait_for_selector("#custody-chain tbody tr:nth-child(2) td:has-text('保密员')", timeout=10000)
    screenshot(page, "offline-03-synced")
    assert dict(Attendance.objects.values_list("student_id", "status")) == {
        students[0].pk: "present",
        students[1].pk: "absent",
        students[2].pk: "present",
    }
    assert list(w["package"].handovers.order_by("pk").values_list("kind", "giver", "taker")) == [
        ("received", "县监测办", "校长"),
        ("stored", "校长", "保密员"),
    ]
    assert SyncedRecord.objects.filter(outcome="applied").count() == 4

    respondent.set_offline(False)
    q.wait_for_url("**/questionnaires/q/done/", timeout=30000)
    response.refresh_from_db()
    assert response.is_submitted
    assert Answer.objects.filter(response=response).count() == answered_before + 2
    assert Answer.objects.get(response=response, item__code="subject").value == "math"
    respondent.close()

    # Signing out clears the device's copy.
    page.click("form[action$='/logout/'] button[type=submit]")
    page.wait_for_url(lambda url: "/logistics/" not in url)
    page.wait_for_load_state()
    assert page.evaluate("caches.keys()") == []
    assert page.evaluate("indexedDB.databases().then(d => d.map(x => x.name))") == []


def test_the_same_queue_sent_twice_is_stored_once(page, test_day):
    w = test_day
    students = list(w["sampled"].students.order_by("pk"))
    _open_online(page, w)
    page.context.set_offline(True)
    _mark(page, students[0], "present")
    _mark(page, students[1], "absent")
    page.wait_for_selector("#offline-count:has-text('未同步 2 条')")
    queue = page.evaluate("window.jianceOffline.db().then(d => d.getAll('queue'))")

    page.context.set_offline(False)
    page.wait_for_selector("#offline-count:has-text('未同步 0 条')", timeout=30000)
    # The same records again, as a retry after a lost answer or a second tab would send them.
    page.evaluate(
        "q => window.jianceOffline.db().then(d => Promise.all(q.map(r => d.put('queue', r))))",
        queue,
    )
    page.click("#offline-sync-now")
    page.wait_for_selector("#offline-count:has-text('未同步 0 条')")
    page.wait_for_selector(".offline-duplicate")
    assert Attendance.objects.count() == 2
    assert SyncedRecord.objects.count() == 2
    assert Handover.objects.count() == 1


def test_a_session_that_expired_offline_asks_to_sign_in_and_keeps_the_queue(page, test_day):
    w = test_day
    student = w["sampled"].students.order_by("pk").first()
    _open_online(page, w)
    page.context.set_offline(True)
    _mark(page, student, "present")
    page.wait_for_selector("#offline-count:has-text('未同步 1 条')")
    page.context.clear_cookies()  # the session ended while the device was offline
    page.context.set_offline(False)
    page.wait_for_selector("#offline-state:has-text('重新登录')", timeout=30000)
    assert page.is_visible("#offline-signin")
    assert "未同步 1 条" in page.inner_text("#offline-count")
    assert not Attendance.objects.exists()

    page.click("#offline-signin")  # signs in again and comes back to the page: then it is sent
    page.fill("#id_username", "coord")
    page.fill("#id_password", PASSWORD)
    page.click("main form button.btn-primary[type=submit]")
    page.wait_for_url(f"**/sessions/{w['session'].pk}/")
    page.wait_for_selector("#offline-count:has-text('未同步 0 条')", timeout=30000)
    assert list(Attendance.objects.values_list("student_id", "status")) == [(student.pk, "present")]
