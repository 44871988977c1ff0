"""Double entry of a score sheet with the keyboard alone, in real Chromium: a second person types
the drawn row (its score differs from the first entry), a third decides it from the paper, and
the uploader reads the error rate on the import page (screenshots in test-artifacts/)."""

import pytest

from monitoring_site.roles import Role
from results.demo import _import
from results.models import RowDisagreement, VerificationRow
from results.verification import verification_draw
from rounds.models import Stage
from rounds.services import round_create

from ..factories import PASSWORD, PersonFactory, late_may
from ..results.factories import SCORE_HEADER, make_sample, xlsx_bytes
from .conftest import log_out, login, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def drawn(world_e2e):
    county, staff = world_e2e["county"], world_e2e["staff"]
    for username in ("second", "third"):
        PersonFactory(county=county, role=Role.COUNTY_STAFF, user__username=username)
    start, end = late_may()
    rnd = round_create(county=county, year=2027, cycle_year=1, test_start=start, test_end=end, user=staff)
    rnd.stage = Stage.RESULTS
    rnd.save()
    students = make_sample(rnd, schools=[world_e2e["school"]], per_school=4)
    rows = [(s.monitoring_id, "数学", "", 500 + i) for i, s in enumerate(students)]
    ri = _import(rnd, staff, kind="scores", domain="math", name="math.xlsx", data=xlsx_bytes(rows, header=SCORE_HEADER))
    return ri, verification_draw(result_import=ri, user=staff, seed=2027)  # ⌈5 % of 4⌉ = one row


def test_a_row_entered_twice_with_one_disagreement_is_decided_and_the_rate_shown(page, drawn):
    ri, verification = drawn
    row = verification.rows.get()
    first = ri.scores.get(student=row.student).score
    login(page, "second", PASSWORD)
    page.goto(f"/results/verification-rows/{row.pk}/")
    assert page.evaluate("document.activeElement.name") == "attendance"
    page.keyboard.press("Enter")  # blank status: tested
    assert page.evaluate("document.activeElement.name") == "score"
    page.keyboard.type(f"{first + 10:g}")
    screenshot(page, "results-double-entry-01-quick-entry")
    page.keyboard.press("Enter")  # Enter on the last field saves
    page.wait_for_url(f"**/results/imports/{ri.pk}/verification/")
    assert "与首次录入不一致的字段有 1 个" in page.inner_text("main")
    row.refresh_from_db()
    assert row.second_values == {"attendance": "present", "score": first + 10} and row.fields_compared == 2
    log_out(page)

    login(page, "third", PASSWORD)
    page.goto(f"/results/imports/{ri.pk}/verification/compare/")
    text = page.inner_text("table.disagreements tbody tr")
    assert row.student.monitoring_id in text and f"{first:g}" in text and f"{first + 10:g}" in text
    screenshot(page, "results-double-entry-02-comparison")
    page.keyboard.press("Space")  # the cursor starts on "the first entry": the paper agrees with it
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.wait_for_selector("table.disagreements .decided")
    assert RowDisagreement.objects.get().choice == "first"
    log_out(page)

    login(page, "staff", PASSWORD)
    page.goto(f"/results/imports/{ri.pk}/")
    assert page.inner_text(".verification-rates .rate-overall") == "50.00%"  # 1 field of 2
    assert "王监测 (首次录入)\t2\t0\t0\t0.00%" in page.inner_text(".verification-rates")
    assert page.is_visible(".verification-flag")
    screenshot(page, "results-double-entry-03-import-page")
    assert not VerificationRow.objects.filter(entered_at=None).exists()
