"""County staff import a score file with an error, read the message, import the corrected
file and see the county's results and findings — in real Chromium."""

import random

import pytest
from playwright.sync_api import expect

from results.demo import _import, _pe_row, _references
from results.models import DiagnosisRule, ResultImport
from results.reference import county_defaults_ensure
from rounds.models import Location, Stage
from rounds.services import round_create

from ..factories import PASSWORD, SchoolFactory, late_may
from ..results.factories import PE_HEADER, SCORE_HEADER, make_sample, xlsx_bytes
from .conftest import login, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SHIFT = {Location.URBAN: 30, Location.TOWN: 0, Location.RURAL: -45}


@pytest.fixture
def results_round(world_e2e):
    county, staff = world_e2e["county"], world_e2e["staff"]
    schools = [world_e2e["school"]] + [
        SchoolFactory(county=county, name=name, location=loc)
        for name, loc in [("青溪镇中心小学", "town"), ("石门乡小学", "rural"), ("城关第二小学", "urban")]
    ]
    world_e2e["school"].location = "urban"
    world_e2e["school"].save()
    start, end = late_may()
    rnd = round_create(county=county, year=2027, cycle_year=1, test_start=start, test_end=end, user=staff)
    rnd.stage = Stage.RESULTS
    rnd.save()
    students = make_sample(rnd, schools=schools, per_school=12, weights=[12.0, 20.0, 35.0, 15.0])
    rng = random.Random(7)
    rows = [_pe_row(s, rng) for s in students]
    _import(rnd, staff, kind="pe", domain="", name="pe.xlsx", data=xlsx_bytes(rows, header=PE_HEADER))
    _references(rnd)
    county_defaults_ensure(county=county)
    DiagnosisRule.objects.filter(county=county, code="between_school_variation").update(threshold=0.05)
    effect = {s.sampled_school_id: rng.gauss(0, 35) + SHIFT[s.sampled_school.school.location] for s in students}
    scores = [round(min(990, max(120, 500 + effect[s.sampled_school_id] + rng.gauss(0, 80))), 1) for s in students]
    return rnd, students, scores


def _upload(page, rows, name):
    page.select_option("#id_kind", "scores")
    page.select_option("#id_domain", "math")
    page.set_input_files("#id_file", {"name": name, "mimeType": XLSX, "buffer": xlsx_bytes(rows, header=SCORE_HEADER)})
    page.click("main form button[type=submit]")
    page.wait_for_url("**/results/imports/*/")


def test_county_staff_import_scores_and_see_results_and_findings(page, results_round):
    rnd, students, scores = results_round
    login(page, "staff", PASSWORD)
    page.goto(f"/results/rounds/{rnd.pk}/import/")
    screenshot(page, "results-01-import-form")

    bad = [(s.monitoring_id, "数学", "", score) for s, score in zip(students, scores, strict=True)]
    bad[3] = (students[3].monitoring_id, "数学", "缺考", 512)  # absent yet scored
    bad[5] = (students[5].monitoring_id, "数学", "", 1500)  # out of range
    _upload(page, bad, "数学成绩.xlsx")
    expect(page.locator(".import-errors")).to_be_visible()
    errors = page.inner_text(".import-errors")
    assert "5" in errors and "缺考" in errors and "1500" in errors
    assert "未导入" in page.inner_text("#import-status")
    screenshot(page, "results-02-import-refused")

    page.goto(f"/results/rounds/{rnd.pk}/import/")
    good = [
        (s.monitoring_id, "数学", "缺考" if i == 3 else "", None if i == 3 else score)
        for i, (s, score) in enumerate(zip(students, scores, strict=True))
    ]
    _upload(page, good, "数学成绩-更正.xlsx")
    expect(page.locator("#import-status .alert-success")).to_be_visible()
    assert ResultImport.objects.get(batch__original_name="数学成绩-更正.xlsx").state == "active"
    screenshot(page, "results-03-import-done")

    page.click("#import-status a")
    page.wait_for_url(f"**/results/rounds/{rnd.pk}/")
    overview = page.inner_text("main")
    assert "数学" in overview and "(" in overview
    expect(page.locator("svg.result-chart").first).to_be_visible()
    screenshot(page, "results-04-overview")

    page.goto(f"/results/rounds/{rnd.pk}/domain/math/4/")
    body = page.inner_text("main")
    assert "各校成绩统计表" in body and "青溪镇中心小学" in body and "差异系数" in body
    screenshot(page, "results-05-domain")

    page.goto(f"/results/rounds/{rnd.pk}/pe/")
    assert "BMI" in page.inner_text("main")
    screenshot(page, "results-06-pe")

    page.goto(f"/results/rounds/{rnd.pk}/findings/")
    page.click("form[action$='/findings/diagnose/'] button")
    page.wait_for_url(f"**/results/rounds/{rnd.pk}/findings/")
    expect(page.locator(".finding").first).to_be_visible()
    assert "校间差异较大" in page.inner_text("main")
    screenshot(page, "results-07-findings")

    page.goto(f"/results/rounds/{rnd.pk}/factors/")
    screenshot(page, "results-08-factors")
    page.goto(f"/results/rounds/{rnd.pk}/settings/")
    screenshot(page, "results-09-settings")
