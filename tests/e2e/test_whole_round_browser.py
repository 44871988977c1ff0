"""One walk through a whole round in real Chromium, from an empty database to a verified
rectification item, through the pages only.

Nothing is made behind the pages but the IT administrator's superuser. The administrator
creates the county and its monitoring office's first account in /admin/; county staff then do
everything else in the app: the school registry, departments and people, the round, the frame,
the school and student samples (rosters from two coordinators), the checklist (filled by a
coordinator, approved by the inspector), test-day attendance and custody (the monitor), a
teacher's questionnaire with a code, the scores, the county report (built by a real Celery
worker on Redis, which also runs every import of the walk), and the rectification plan with a
department's progress report verified by staff. Every spreadsheet is a real .xlsx: the app's
own template, downloaded from its page and filled in with openpyxl. A screenshot of each stage
goes to test-artifacts/walk-NN-*.png.
"""

from __future__ import annotations

import datetime as dt
import io
import random
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect

from logistics.models import Checklist, Handover
from questionnaires.models import Response
from rectification.models import PlanItem, Progress
from results.models import Finding
from rounds.models import County, Document, Person, Round, School
from sampling.models import SampledSchool, SampledStudent
from tests.integration.test_celery_worker import worker  # noqa: F401
from tests.reports.helpers import pdf_text

from .conftest import follow, log_out, login, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.services, pytest.mark.django_db(transaction=True)]

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
NEW_PASSWORD = "Qingshan-2027-walk"
SCHOOLS = [  # name, location, grade-4 enrolment in the frame
    ("青山县实验小学", "城区", 120),
    ("青山县城关第二小学", "城区", 90),
    ("青溪镇中心小学", "镇区", 60),
    ("龙泉镇中心小学", "镇区", 55),
    ("石门乡中心小学", "乡村", 40),
    ("大坪乡小学", "乡村", 35),
    ("桃源乡小学", "乡村", 38),
    ("白沙镇小学", "镇区", 45),
]
SURNAMES = "赵钱孙李周吴郑王冯陈"
GIVEN = "一二三四五六七八"


# --- small helpers ---------------------------------------------------------------------------


def _shot(page, number: int, stage: str) -> None:
    screenshot(page, f"walk-{number:02d}-{stage}")


def _menu(page, label: str) -> None:
    follow(page.locator(f"#sidebar a.nav-link:has-text('{label}')").first)


def _switch(page, username: str, password: str = NEW_PASSWORD) -> None:
    log_out(page)
    login(page, username, password)


def _first_login(page, username: str, issued: str) -> None:
    """A new account logs in with the issued password and must choose its own first."""
    log_out(page)
    login(page, username, issued)
    page.wait_for_url("**/accounts/password/")
    page.fill("#id_old_password", issued)
    page.fill("#id_new_password1", NEW_PASSWORD)
    page.fill("#id_new_password2", NEW_PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url(lambda url: "/accounts/password/" not in url)


def _arrive(page, pattern: str) -> None:
    """Wait for ``pattern``; when it does not come, say what the page shows instead (a refusal,
    an error on the form) rather than a bare timeout."""
    try:
        page.wait_for_url(pattern)
    except PlaywrightTimeout:
        shows = page.inner_text("body")
        raise AssertionError(f"expected {pattern}, still at {page.url}, which shows: {' '.join(shows.split())[:600]}") from None


def _download(page, selector: str) -> bytes:
    with page.expect_download() as info:
        page.click(selector)
    return Path(info.value.path()).read_bytes()


def _fill_template(data: bytes, rows) -> bytes:
    """Append rows under the headers of a template downloaded from the app (or fill its
    pre-listed rows when ``rows`` is a function of the existing row)."""
    workbook = load_workbook(io.BytesIO(data))
    sheet = workbook.active
    if callable(rows):
        for row in sheet.iter_rows(min_row=2):
            if row[0].value:
                for cell, value in zip(row, rows([c.value for c in row]), strict=False):
                    cell.value = value
    else:
        for row in rows:
            sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _upload(page, name: str, data: bytes, selector: str = "main form button[type=submit]") -> None:
    page.set_input_files("#id_file", {"name": name, "mimeType": XLSX, "buffer": data})
    page.click(selector)


def _imported(page) -> None:
    """The import page polls until the worker has finished; it must say the file went in."""
    page.wait_for_selector("#import-status .alert-success, #import-status .alert-danger", timeout=60000)
    assert page.locator("#import-status .alert-success").count() == 1, page.inner_text("#import-status")


def _open_round(page, rnd: Round) -> None:
    _menu(page, "监测轮次")
    page.click(f"main a:has-text('{rnd}')")
    page.wait_for_url(f"**/rounds/{rnd.pk}/")


def _advance(page, rnd: Round, to: str) -> None:
    _open_round(page, rnd)
    with page.expect_response(lambda r: r.request.method == "POST" and r.url.endswith("/advance/")):
        page.click("form[action$='/advance/'] button[type=submit]")
    page.wait_for_load_state()
    rnd.refresh_from_db()
    assert rnd.stage == to, page.inner_text("main")


def _admin_add(page, model: str, fields: dict, selects: dict | None = None) -> None:
    page.goto(f"/admin/{model}/add/")
    for field, value in fields.items():
        page.fill(f"#id_{field}", value)
    for field, option in (selects or {}).items():
        page.select_option(f"#id_{field}", **option)
    page.click("input[name=_save]")
    page.wait_for_selector(".messagelist .success")


def _person(page, *, username: str, full_name: str, role: str, schools=(), department: str = "") -> str:
    """County staff create an account on the people page; the page shows the issued password."""
    _menu(page, "人员与角色")
    page.click("main a[href$='/people/new/']")
    page.fill("#id_username", username)
    page.fill("#id_full_name", full_name)
    page.select_option("#id_role", role)
    if schools:
        page.select_option("#id_schools", label=list(schools))
    if department:
        page.select_option("#id_department", label=department)
    page.click("main form button.btn-primary[type=submit]")
    return page.inner_text(".issued-password").strip()


def _photo(tmp_path: Path) -> Path:
    from PIL import Image

    path = tmp_path / "room.jpg"
    Image.new("RGB", (640, 480), (90, 140, 110)).save(path, format="JPEG")
    return path


def _fill_checklist(page, photo: Path) -> None:
    """Answer every item of every room the way a coordinator does: each change saves itself.
    The one-field answers of a room go out together; a location (three fields) and each
    photo are waited for before the next."""
    for index in range(page.locator(".room-tabs a.room-tab").count()):
        follow(page.locator(".room-tabs a.room-tab").nth(index))
        items = [card.get_attribute("id").removeprefix("item-") for card in page.locator(".checklist-item").all()]
        for pk in items:
            card = page.locator(f"#item-{pk}")
            if card.locator("input[name=value_yes]").count():
                card.locator(f"label.btn[for=f-{pk}]").click()
            elif card.locator("input[name=value_count]").count():
                card.locator("input[name=value_count]").fill("40")
                card.locator("input[name=value_count]").blur()
            elif card.locator("input[name=value_text]").count():
                card.locator("input[name=value_text]").fill("刘保密 13800000000")
                card.locator("input[name=value_text]").blur()
            else:
                card.locator("input[name=building]").fill("综合楼")
                card.locator("input[name=floor]").fill("2")
                card.locator("input[name=room_name]").fill(f"20{index}")
                card.locator("input[name=room_name]").blur()
                page.wait_for_selector(f"#status-{pk} .saved-mark")
        for pk in items:
            page.wait_for_selector(f"#status-{pk} .saved-mark")
        # A locator, not wait_for_function: a string predicate is run through eval,
        # which the page's CSP (no 'unsafe-eval') refuses whenever it is polled.
        expect(page.locator("form.answer-form.htmx-request, form.answer-form[data-dirty]")).to_have_count(0)
        photos = [pk for pk in items if page.locator(f"#item-{pk} input.photo-input").count()]
        for pk in photos:
            page.set_input_files(f"#item-{pk} input.photo-input", str(photo))
        for pk in photos:
            page.wait_for_selector(f"#item-{pk} .photo-thumb img")


def _roster(count: int, *, offset: int) -> list[tuple]:
    rows = []
    for i in range(count):
        born = dt.date(2017, 1 + i % 12, 1 + i % 28)
        name = SURNAMES[i % 10] + GIVEN[(i // 10) % 8] + "甲乙丙丁"[offset]
        rows.append((name, "男" if i % 2 else "女", born, 4, f"{1 + i % 2}班", f"G369901{born:%Y%m%d}{offset}{i:03d}"))
    return rows


# --- the walk --------------------------------------------------------------------------------


def test_a_whole_round_from_an_empty_database(worker, page, browser, live_server, django_user_model, tmp_path):  # noqa: F811
    try:
        _walk(worker, page, browser, live_server, django_user_model, tmp_path)
    except Exception:
        screenshot(page, "walk-failed-here")
        for n, other in enumerate(p for context in browser.contexts for p in context.pages if p is not page):
            screenshot(other, f"walk-failed-here-{n + 1}")  # the teacher's phone, the coordinator's window
        raise


def _walk(worker, page, browser, live_server, django_user_model, tmp_path):  # noqa: F811, PLR0915
    _process, log = worker
    page.on("dialog", lambda dialog: dialog.accept())
    page.set_default_timeout(20000)
    django_user_model.objects.create_superuser("itadmin", "it@example.cn", "It-admin-2027!")
    assert not County.objects.exists() and not School.objects.exists()

    # 1. The IT administrator creates the county and its monitoring office's first account.
    page.goto("/admin/login/")
    page.fill("#id_username", "itadmin")
    page.fill("#id_password", "It-admin-2027!")
    page.click("input[type=submit]")
    page.wait_for_url("**/admin/")
    _admin_add(page, "rounds/region", {"name": "示范省"}, {"kind": {"value": "province"}})
    _admin_add(page, "rounds/region", {"name": "示范市"}, {"kind": {"value": "city"}, "parent": {"label": "示范省"}})
    _admin_add(page, "rounds/county", {"code": "369901", "name": "青山县", "hotline": "0791-12345"}, {"city": {"label": "示范市"}})
    page.goto("/admin/auth/user/add/")
    page.fill("#id_username", "wang")
    page.fill("#id_password1", "Issued-by-IT-42")
    page.fill("#id_password2", "Issued-by-IT-42")
    page.click("input[name=_save]")
    page.wait_for_selector(".messagelist .success")
    _admin_add(page, "rounds/person", {}, {"user": {"label": "wang"}, "role": {"value": "county_staff"}, "county": {"label": "青山县"}})
    _shot(page, 1, "admin-county-and-first-account")
    county = County.objects.get(code="369901")
    assert Person.objects.get(user__username="wang").county == county

    # 2. County staff: their own password, the school registry from the template, a department.
    _first_login(page, "wang", "Issued-by-IT-42")
    _menu(page, "学校")
    page.click("main a[href$='/schools/import/']")
    template = _download(page, "main a[href$='/schools/import/template.xlsx']")
    registry = [(f"3699010{n:03d}", name, "小学", loc, "", "", "", "", size * 6) for n, (name, loc, size) in enumerate(SCHOOLS, 1)]
    _upload(page, "学校名册.xlsx", _fill_template(template, registry))
    _imported(page)
    assert School.objects.filter(county=county).count() == len(SCHOOLS)
    _shot(page, 2, "registry-imported")
    _menu(page, "部门")
    page.fill("#id_name", "教师发展中心（教研室）")
    page.click("form[action$='/departments/new/'] button[type=submit]")
    page.wait_for_selector("main td:has-text('教师发展中心（教研室）')")

    # 3. The round: grade 4 only, cycle year 1 (mathematics), test days in late May.
    _menu(page, "监测轮次")
    page.click("main a[href$='/rounds/new/']")
    page.select_option("#id_cycle_year", "1")
    expect(page.locator("input[name=domains][value=math]")).to_be_checked()
    page.uncheck("input[name=grades][value='8']")
    page.fill("#id_year", "2027")
    page.fill("#id_test_start", "2027-05-26")
    page.fill("#id_test_end", "2027-05-27")
    page.click("main button[type=submit].btn-primary")
    page.wait_for_url(re.compile(r".*/rounds/\d+/$"))
    rnd = Round.objects.get(county=county, year=2027)
    assert rnd.grades == [4] and rnd.domains == ["math", "pe_health", "mental_health"]
    _shot(page, 3, "round-created")
    _advance(page, rnd, "sampling")

    # 4. The frame: the registry's schools, then their enrolments on the frame template.
    _menu(page, "样本")
    page.wait_for_url(f"**/sampling/rounds/{rnd.pk}/")
    page.click("main a[href$='/frame/']")
    page.click("text=从学校名册取入学校")
    page.wait_for_selector(f"text=已从学校名册向抽样框加入 {len(SCHOOLS)} 所学校")
    page.click("text=导入学生数")
    template = _download(page, "main a[href$='/frame/template.xlsx']")
    sizes = {name: enrolment for name, _loc, enrolment in SCHOOLS}
    _upload(page, "抽样框.xlsx", _fill_template(template, lambda row: [row[0], row[1], sizes[row[1]], 0]))
    _imported(page)
    _shot(page, 4, "frame-imported")

    # 5. Two schools drawn with probability proportional to size, and confirmed.
    _menu(page, "样本")
    page.click("main a[href$='/draw/4/']")
    page.fill("#id_n", "2")
    page.fill("#id_seed", "20270526")
    page.click("main button[type=submit]")
    page.wait_for_url("**/draw/4/review/")
    page.click("main button:has-text('确认学校样本')")
    page.wait_for_selector("text=学校样本已确认")
    sampled = list(SampledSchool.objects.filter(round=rnd).select_related("school").order_by("school__name"))
    assert len(sampled) == 2
    body = page.inner_text("main")
    assert all(s.school.name in body for s in sampled)
    _shot(page, 5, "schools-confirmed")

    # 6. People: a coordinator for each sampled school, the inspector and the monitor of the
    # first, and the department's user.
    first, second = sampled
    issued = {
        "coord1": _person(page, username="coord1", full_name="李协调", role="coordinator", schools=[first.school.name]),
        "coord2": _person(page, username="coord2", full_name="张协调", role="coordinator", schools=[second.school.name]),
        "inspector": _person(page, username="inspector", full_name="陈督学", role="inspector", schools=[first.school.name]),
        "monitor": _person(page, username="monitor", full_name="周监测", role="monitor", schools=[first.school.name]),
        "jiaoyan": _person(page, username="jiaoyan", full_name="黄教研", role="department", department="教师发展中心（教研室）"),
    }
    _menu(page, "人员与角色")
    _shot(page, 6, "people")

    # 7. Each coordinator logs in, follows the task on the home page and uploads the roster on
    # the roster template.
    for n, (username, ss) in enumerate([("coord1", first), ("coord2", second)]):
        _first_login(page, username, issued[username])
        page.click(f"text=报送{ss.school.name}四年级名册")
        page.wait_for_url(f"**/sampling/schools/{ss.pk}/")
        page.click("text=上传名册")
        template = _download(page, "main a[href$='/roster/template.xlsx']")
        _upload(page, "名册.xlsx", _fill_template(template, _roster(34 - n * 2, offset=n)))
        _imported(page)
        _shot(page, 7 + n, f"roster-{username}")

    # 8. County staff draw and confirm the students: 30 in each school.
    _switch(page, "wang")
    _menu(page, "样本")
    page.click("main a:has-text('抽取学生')")
    page.wait_for_url("**/students/draw/")
    page.click("main button[type=submit]")
    page.wait_for_selector("text=已在 2 所学校抽取学生")
    page.click("main button:has-text('确认 2 所学校的学生样本')")
    page.wait_for_selector("text=未入样学生的信息已删除")
    _shot(page, 9, "students-confirmed")
    assert SampledStudent.objects.filter(sampled_school__round=rnd).count() == 60
    _advance(page, rnd, "preparation")

    # 9. The first school's coordinator fills in the checklist with photos and submits it; the
    # inspector approves it.
    _switch(page, "coord1")
    _menu(page, "五室准备情况")
    page.click(f"main a[href$='/schools/{first.school.pk}/checklist/']")
    _fill_checklist(page, _photo(tmp_path))
    page.reload()
    assert page.locator(".checklist-item.item-open").count() == 0
    _shot(page, 10, "checklist-filled")
    page.click("#submit-checklist")
    page.wait_for_selector(".badge.status-submitted")
    _first_login(page, "inspector", issued["inspector"])
    _menu(page, "五室准备情况")
    page.click(f"main a:has-text('{first.school.name}')")
    page.click("main a[href$='/checklist/review/']")
    page.click("button[value=approve]")
    page.wait_for_selector(".badge.status-approved")
    _shot(page, 11, "checklist-approved")
    assert Checklist.objects.get(round=rnd, school=first.school).status == "approved"

    # 10. Test day: the monitor records attendance (one absent) and a package's hand-over.
    _switch(page, "wang")
    _advance(page, rnd, "testing")
    _first_login(page, "monitor", issued["monitor"])
    _menu(page, "本校监测实施")
    page.wait_for_url(f"**/logistics/rounds/{rnd.pk}/schools/{first.school.pk}/")
    follow(page.locator("main a[href*='/sessions/']").first)
    assert page.locator(".attendance-row").count() == 30
    for n in range(30):
        status = "absent" if n == 0 else "present"
        page.locator(".attendance-row").nth(n).locator(f"button[value={status}]").click()
        expect(page.locator(".attendance-row").nth(n).locator(f"button[value={status}]")).to_have_attribute("aria-pressed", "true")
    assert page.inner_text("#attendance-rate").strip() == "96.7%"
    _shot(page, 12, "attendance")
    page.go_back()
    page.click("main a[href$='/custody/']")
    page.fill("#id_code", "P-0001")
    page.fill("#id_seal_number", "S-20270001")
    page.fill("#id_count", "32")
    page.fill("#id_contents", "数学测试卷")
    page.click("form[action$='packages/new/'] button[type=submit]")
    page.click("a[href$='/handovers/new/']")
    page.select_option("#id_kind", "taken_out")
    page.fill("#id_giver", "保密员")
    page.fill("#id_taker", "周监测")
    page.check("#id_confirm")
    page.click("main form button[type=submit]")
    page.wait_for_url("**/custody/")
    assert "P-0001" in page.inner_text("main")
    _shot(page, 13, "custody")
    assert Handover.objects.filter(package__code="P-0001", seal_intact=True, kind="taken_out").count() == 1

    # 11. Questionnaires: staff install them and make the codes; a teacher answers on a phone
    # with the code from the school's slips.
    _switch(page, "wang")
    _menu(page, "问卷填答进度")
    page.click("main .nav-tabs a[href$='/instruments/']")
    page.click("form[action$='/instruments/install/'] button")
    page.wait_for_load_state()
    page.click("main .nav-tabs a[href$='/codes/']")
    page.fill("#id_teachers_per_school", "2")
    page.fill("#id_county_codes", "1")
    page.click("main form button[type=submit]")
    page.wait_for_selector(".alert-success:has-text('访问码')")
    page.click(f"tr:has-text('{first.school.name}') a[href$='/slips/']")
    code = page.locator(".slip:has-text('教师') .slip-code").first.inner_text().strip()
    _shot(page, 14, "code-slips")
    teacher = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True, base_url=live_server.url)
    phone = teacher.new_page()
    phone.goto("/questionnaires/q/")
    phone.fill("#id_code", code)
    phone.click("button[type=submit]")
    _arrive(phone, "**/questionnaires/q/answer/")
    answers = [
        ("subject", "math"),
        ("title_rank", "3"),
        ("training_time", "4"),
        ("training_theory", "3"),
        ("training_useful", "3"),
        ("training_rest", "2"),
        ("work_curriculum", "3"),
        ("work_homework", "4"),
        ("work_satisfied", "3"),
    ]
    for item, value in answers:
        phone.check(f"#item-{item} input[value='{value}']")
        phone.wait_for_selector(f"#status-{item} [data-state=saved]")
    phone.check("#item-training_forms input[value='online']")
    phone.wait_for_selector("#status-training_forms [data-state=saved]")
    for item, value in [("years_teaching", "12"), ("lessons_week", "16"), ("training_hours", "48")]:
        phone.fill(f"#item-{item} input[name=value]", value)
        phone.press(f"#item-{item} input[name=value]", "Tab")
        phone.wait_for_selector(f"#status-{item} [data-state=saved]")
    screenshot(phone, "walk-15-teacher-questionnaire")
    phone.once("dialog", lambda dialog: dialog.accept())
    phone.click("#q-submit")
    _arrive(phone, "**/questionnaires/q/done/")
    teacher.close()
    response = Response.objects.get(access_code__round=rnd, submitted_at__isnull=False)
    assert response.access_code.sampled_school == first and response.answers.count() == 13

    # 12. Results: the sampled students' scores on the template that lists their monitoring
    # IDs; a quarter or more below level Ⅱ makes a finding.
    _advance(page, rnd, "results")
    _menu(page, "导入监测结果")
    template = _download(page, "main a[href$='/import/math/template.xlsx']")
    rng = random.Random(2027)
    centre = {first.school.name: 390, second.school.name: 330}  # both mostly in level Ⅰ: the share passes 20% beyond its SE
    school_of = dict(SampledStudent.objects.filter(sampled_school__round=rnd).values_list("monitoring_id", "sampled_school__school__name"))

    def score(row):
        return [row[0], row[1], "", round(min(990, max(120, rng.gauss(centre[school_of[row[0]]], 60))), 1)]

    page.select_option("#id_kind", "scores")
    page.select_option("#id_domain", "math")
    _upload(page, "数学成绩.xlsx", _fill_template(template, score))
    page.wait_for_url("**/results/imports/*/")
    expect(page.locator("#import-status .alert-success")).to_be_visible(timeout=60000)
    _shot(page, 16, "scores-imported")
    _menu(page, "发现的问题")
    page.click("form[action$='/findings/diagnose/'] button")
    page.wait_for_url(f"**/results/rounds/{rnd.pk}/findings/")
    expect(page.locator(".finding").first).to_be_visible()
    _shot(page, 17, "findings")
    finding = Finding.objects.get(round=rnd, rule="level1_share_high")

    # 13. The county report, built by the real worker: a progress bar, then the link.
    _open_round(page, rnd)
    page.click("main a[href$='/documents/']")
    page.click("form:has(input[value=county_report]) button")
    # Building a PDF takes the worker seconds: the page answers at once with a progress bar.
    expect(page.locator("tr[id^=document-] progress.job-progress")).to_be_visible()
    _shot(page, 18, "report-building")
    try:
        page.wait_for_selector("tr[id^=document-] a:has-text('PDF')", timeout=120000)
    finally:
        log.seek(0)
        output = log.read()
    report = Document.objects.get(round=rnd, kind="county_report")
    assert report.status == Document.Status.DONE, report.error or output[-3000:]
    _shot(page, 19, "report-built")
    text = pdf_text(report)
    assert "青山县" in text and "一、主要发现" in text and finding.title.replace(" ", "") in text
    # Every job of the walk went through the worker: the imports and the report.
    for task in (
        "rounds.tasks.school_import",
        "sampling.tasks.frame_import",
        "sampling.tasks.roster_import",
        "results.tasks.result_import",
        "rounds.tasks.document_build",
    ):
        assert task in output, task

    # 14. Rectification: the finding becomes a problem and a plan item; staff approve the plan.
    _advance(page, rnd, "rectification")
    _menu(page, "整改总览")
    page.click("main a[href$='/problems/']")
    page.click(f"li.finding-row:has-text('{finding.title}') button[type=submit]")
    page.wait_for_url("**/items/new/?problem=*")
    goal = "降低数学学业表现水平Ⅰ学生比例"
    page.fill("#id_goal", goal)
    page.fill("#id_measures", "一是开展数学教研专项指导；二是建立学困生帮扶名单。")
    page.select_option("#id_lead_department", label="教师发展中心（教研室）")
    page.fill("#id_deadline", (dt.date.today() + dt.timedelta(days=90)).isoformat())
    page.click("form.rect-item-form button[type=submit]")
    page.wait_for_url(f"**/rectification/rounds/{rnd.pk}/plan/")
    page.click("button:has-text('审定方案')")
    page.wait_for_selector(".plan-status:has-text('已审定')")
    _shot(page, 20, "plan-approved")
    item = PlanItem.objects.get(goal=goal, problem__finding=finding)

    # 15. The department reports progress with a file; staff verify it and the item is closed.
    _first_login(page, "jiaoyan", issued["jiaoyan"])
    _menu(page, "整改总览")
    follow(page.locator(f"main a:has-text('{goal}')").first)
    evidence = tmp_path / "教研活动纪要.pdf"
    evidence.write_bytes(b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n")
    page.fill("#id_text", "已开展数学教研专项指导 3 次，建立帮扶名单 24 人。")
    page.fill("#id_percent", "100")
    page.check("#id_marks_done")
    page.set_input_files("#id_files", str(evidence))
    page.click("#report button[type=submit]")
    page.wait_for_selector(".progress-report.report-pending")
    _shot(page, 21, "progress-posted")
    _switch(page, "wang")
    _menu(page, "整改总览")
    follow(page.locator(".tile-verify"))
    follow(page.locator(f"main a:has-text('{goal}')").first)
    assert "水平Ⅰ学生比例高于阈值" in page.inner_text("main") and "level1_share_high" not in page.inner_text("main")
    page.click(".verify-forms button:has-text('通过')")
    page.wait_for_selector(".item-state:has-text('已销号')")
    _shot(page, 22, "progress-verified")
    assert Progress.objects.get(item=item).status == "accepted"
    assert PlanItem.objects.get(pk=item.pk).status == "closed"
