"""Double entry with the keyboard alone, in real Chromium: a second person types a drawn paper
form (one field differs from the first entry), a third decides it from the paper, and the first
enterer reads the error rate on the import page (screenshots in test-artifacts/)."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from monitoring_site.roles import Role
from questionnaires.models import Disagreement, VerificationForm
from questionnaires.services import access_codes_generate, instrument_install_defaults
from questionnaires.verification import verification_sample_draw
from rounds.services import round_create

from ..factories import PASSWORD, CountyFactory, PersonFactory, SchoolFactory, late_may
from ..questionnaires.double_entry import PaperBatch
from ..questionnaires.factories import sampled_school
from .conftest import log_out, login, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# The paper form as the second person reads it, field by field in the page's order (the four PE
# questions are skipped for a mathematics teacher); the first entry has 12 years of teaching.
TYPED = [
    ("subject", "math"),
    ("years_teaching", "21"),
    ("lessons_week", "14"),
    ("title_rank", "3"),
    ("training_hours", "72"),
    ("training_forms", "online;practice"),
    ("training_time", "3"),
    ("training_theory", "3"),
    ("training_useful", "2"),
    ("training_rest", "4"),
    ("work_curriculum", "3"),
    ("work_homework", "3"),
    ("work_satisfied", "3"),
    ("suggestion", ""),
]


@pytest.fixture
def paper(transactional_db):
    county = CountyFactory(name="青山县", code="369901")
    school = SchoolFactory(county=county, name="青山县第一小学")
    first = PersonFactory(county=county, role=Role.COUNTY_STAFF, user__username="first", user__first_name="李首录").user
    start, end = late_may()
    rnd = round_create(county=county, year=2027, cycle_year=1, test_start=start, test_end=end, user=first)
    rnd.closes_at = timezone.now() + timezone.timedelta(days=1)
    rnd.save()
    instrument_install_defaults(rnd=rnd, user=first)
    sampled_school(rnd=rnd, school=school, grade=4)
    access_codes_generate(rnd=rnd, teachers_per_school=2, county_codes=0, user=first)
    paper = PaperBatch(rnd=rnd, first=first)
    paper.sample = verification_sample_draw(batch=paper.batch, user=first, seed=2027)
    return paper


def test_a_form_entered_twice_with_one_disagreement_is_decided_and_the_rate_shown(page, paper):
    form = paper.sample.forms.get()  # two forms in the one school: ⌈5 %⌉ = one drawn
    login(page, "second", PASSWORD)
    page.goto(f"/questionnaires/double-entry/forms/{form.pk}/")
    assert page.evaluate("document.activeElement.name") == "subject"
    for code, value in TYPED:
        assert page.evaluate("document.activeElement.name") == code
        page.keyboard.type(value)
        if code == "subject":
            assert not page.is_visible("#field-pe_warmup")  # the skip logic of the import
        if code == "years_teaching":
            screenshot(page, "double-entry-01-quick-entry")
        page.keyboard.press("Enter")  # Enter on the last field saves
    page.wait_for_url(f"**/questionnaires/paper-imports/{paper.batch.pk}/double-entry/forms/")
    assert "不一致的字段有 1 个" in page.inner_text("main")
    form.refresh_from_db()
    assert form.entered_by == paper.second and form.fields_compared == 14
    log_out(page)

    login(page, "third", PASSWORD)
    page.goto(f"/questionnaires/paper-imports/{paper.batch.pk}/double-entry/comparison/")
    row = page.inner_text("table.disagreements tbody tr")
    assert form.response.access_code.display_code in row and "12" in row and "21" in row
    screenshot(page, "double-entry-02-comparison")
    # The cursor starts on the first undecided field's "first entry": the paper says 12.
    page.keyboard.press("Space")
    page.keyboard.press("Tab")  # the value on the paper (not needed)
    page.keyboard.press("Tab")  # the button
    page.keyboard.press("Enter")
    page.wait_for_selector("table.disagreements .decided")
    decided = Disagreement.objects.get()
    assert (decided.choice, decided.decided_value, decided.decided_by) == ("first", 12, paper.third)
    log_out(page)

    login(page, "first", PASSWORD)
    page.goto(f"/questionnaires/paper-imports/{paper.batch.pk}/")
    assert page.inner_text(".verification-rates .rate-overall") == "7.14%"  # 1 field of 14
    rates = page.inner_text(".verification-rates")
    assert "李首录 (首次录入)\t14\t0\t0\t0.00%" in rates  # the decision kept the first's value
    assert "(二次录入)\t14\t1\t0\t7.14%" in rates
    assert page.is_visible(".verification-flag")  # above 1 %: the whole batch is entered again
    screenshot(page, "double-entry-03-import-page")
    assert not VerificationForm.objects.filter(entered_at=None).exists()


def test_the_second_workbook_is_downloaded_filled_in_and_uploaded(page, paper, tmp_path):
    """The other way of the second entry: the workbook of the drawn forms, typed in a
    spreadsheet and uploaded; a bad cell first (refused, row and column named), then right."""
    import io

    from openpyxl import load_workbook

    form = paper.sample.forms.get()
    login(page, "second", PASSWORD)
    page.goto(f"/questionnaires/paper-imports/{paper.batch.pk}/double-entry/forms/")
    with page.expect_download() as download:
        page.click(".second-workbook a[href$='workbook.xlsx']")
    assert download.value.suggested_filename == f"second-entry-{paper.batch.pk}.xlsx"
    workbook = load_workbook(io.BytesIO(download.value.path().read_bytes()))
    sheet = workbook.worksheets[0]
    headers = [c.value for c in sheet[1]]
    assert sheet.cell(row=2, column=1).value == form.response.access_code.display_code
    assert all(c.value is None for c in sheet[2][1:])  # none of the first entry's values

    def upload(typed: dict) -> None:
        for column, header in enumerate(headers, start=1):
            if header in typed:
                sheet.cell(row=2, column=column, value=typed[header] or None)
        path = tmp_path / "second.xlsx"
        workbook.save(path)
        page.set_input_files(".second-workbook input[type=file]", str(path))
        page.click(".second-workbook button[type=submit]")
        page.wait_for_load_state()

    upload({**dict(TYPED), "years_teaching": "99"})
    errors = page.inner_text("table.import-errors")
    assert "2\tyears_teaching" in errors  # row 2, the column
    screenshot(page, "double-entry-04-workbook-refused")
    form.refresh_from_db()
    assert form.entered_at is None
    upload(dict(TYPED))
    expect(page.locator("main")).to_contain_text("不一致的字段有 1 个")  # the page the upload led to
    form.refresh_from_db()
    assert form.entered_by == paper.second and form.fields_compared == 14
    assert Disagreement.objects.get().second_value == 21
