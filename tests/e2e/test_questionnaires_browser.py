"""A teacher answers with a code in real Chromium, leaves, comes back, submits; the county sees it.
And the default instruments on a phone-sized screen (screenshots in test-artifacts/)."""

import pytest
from django.utils import timezone

from monitoring_site.roles import Role
from questionnaires.models import AccessCode, Kind, Response
from questionnaires.services import access_codes_generate, instrument_install_defaults
from rounds.services import round_create

from ..factories import PASSWORD, CountyFactory, PersonFactory, SchoolFactory, late_may
from ..questionnaires.factories import sampled_school
from .conftest import login, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def survey(transactional_db):
    county = CountyFactory(name="青山县", code="369901")
    school = SchoolFactory(county=county, name="青山县第一小学")
    staff = PersonFactory(county=county, role=Role.COUNTY_STAFF, user__username="staff").user
    start, end = late_may()
    rnd = round_create(county=county, year=2027, cycle_year=1, test_start=start, test_end=end, user=staff)
    rnd.closes_at = timezone.now() + timezone.timedelta(days=1)
    rnd.save()
    instrument_install_defaults(rnd=rnd, user=staff)
    ss = sampled_school(rnd=rnd, school=school, grade=4, students=2)
    access_codes_generate(rnd=rnd, teachers_per_school=2, county_codes=1, user=staff)
    return {"round": rnd, "ss": ss, "staff": staff}


def _code(ss, kind):
    return AccessCode.objects.filter(sampled_school=ss, kind=kind).order_by("serial").first()


def _open(page, code):
    page.goto("/questionnaires/q/")
    page.fill("#id_code", code.display_code)
    page.click("button[type=submit]")
    page.wait_for_url("**/questionnaires/q/answer/")


def _saved(page, item):
    page.wait_for_selector(f"#status-{item} [data-state=saved]")


def _choose(page, item, value):
    page.check(f"#item-{item} input[value='{value}']")
    _saved(page, item)


def _type(page, item, text):
    page.fill(f"#item-{item} input[name=value]", text)
    page.press(f"#item-{item} input[name=value]", "Tab")
    _saved(page, item)


def test_a_teacher_answers_leaves_comes_back_and_submits(page, survey):
    code = _code(survey["ss"], Kind.TEACHER)
    _open(page, code)
    assert "教师问卷" in page.inner_text("h1")
    # Skip logic: the PE-teaching questions appear only for a PE teacher.
    assert not page.is_visible("#item-pe_warmup")
    _choose(page, "subject", "pe")
    assert page.is_visible("#item-pe_warmup")
    _choose(page, "subject", "math")
    assert not page.is_visible("#item-pe_warmup")
    _choose(page, "subject", "pe")
    _type(page, "years_teaching", "12")
    _type(page, "lessons_week", "16")
    _choose(page, "title_rank", "3")
    page.fill("#item-training_hours input[name=value]", "999")  # out of range: a clear message
    page.press("#item-training_hours input[name=value]", "Tab")
    page.wait_for_selector("#status-training_hours [data-state=error]")
    assert "请填写 0 到 500 学时之间的数字" in page.inner_text("#status-training_hours")
    _type(page, "training_hours", "48")
    screenshot(page, "questionnaires-01-teacher-halfway")

    context = page.context
    page.close()  # the teacher leaves; everything given so far is on the server
    page = context.new_page()
    _open(page, code)
    assert page.input_value("#item-years_teaching input[name=value]") == "12"
    assert page.is_checked("#item-subject input[value='pe']")
    assert page.is_visible("#item-pe_warmup")
    for item, value in [
        ("training_time", "4"),
        ("training_theory", "3"),
        ("training_useful", "3"),
        ("training_rest", "2"),
        ("pe_warmup", "1"),
        ("pe_plan", "1"),
        ("pe_occupied", "2"),
        ("work_curriculum", "3"),
        ("work_homework", "4"),
        ("work_satisfied", "3"),
    ]:
        _choose(page, item, value)
    page.check("#item-training_forms input[value='online']")
    _saved(page, "training_forms")
    _type(page, "pe_practice_share", "55")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#q-submit")
    page.wait_for_url("**/questionnaires/q/done/")
    assert "问卷已提交" in page.inner_text("main")
    response = Response.objects.get(access_code=code)
    assert response.is_submitted and response.answers.count() == 17

    login(page, "staff", PASSWORD)
    page.goto(f"/questionnaires/rounds/{survey['round'].pk}/tracking/")
    row = page.inner_text("#tracking-table tbody tr")
    assert "青山县第一小学" in row and "1/2 (50%)" in row
    screenshot(page, "questionnaires-02-county-tracking")


@pytest.mark.parametrize("kind", [Kind.STUDENT, Kind.TEACHER, Kind.PRINCIPAL, Kind.COUNTY])
def test_the_default_instruments_on_a_phone(phone_page, survey, kind):
    code = AccessCode.objects.filter(round=survey["round"], kind=kind).order_by("pk").first()
    _open(phone_page, code)
    # Nothing sticks out sideways on a 390 px screen.
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone_page, f"questionnaires-phone-{kind}")
