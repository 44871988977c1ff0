"""County staff log in, create a round and see it on their home page — in real Chromium."""

import pytest
from playwright.sync_api import expect

from rounds.models import Round

from ..factories import PASSWORD
from .conftest import login, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_county_staff_create_a_round_and_see_it_at_home(page, world_e2e):
    login(page, "staff", PASSWORD)
    screenshot(page, "foundation-01-home-empty")
    assert "我的待办" in page.content() or "创建" in page.content()
    page.goto("/rounds/new/")
    page.select_option("#id_cycle_year", "2")
    # htmx swaps in the rotation's domains for cycle year 2: Chinese, arts, English.
    expect(page.locator("input[name=domains][value=chinese]")).to_be_checked()
    assert page.is_checked("input[name=domains][value=arts]")
    assert not page.is_checked("input[name=domains][value=math]")
    page.fill("#id_year", "2028")
    page.fill("#id_test_start", "2028-05-24")
    page.fill("#id_test_end", "2028-05-25")
    screenshot(page, "foundation-02-round-form")
    page.click("main button[type=submit].btn-primary")
    page.wait_for_url("**/rounds/*/")
    assert set(Round.objects.get(year=2028).domains) == {"chinese", "arts", "english"}
    screenshot(page, "foundation-03-round-detail")
    page.goto("/")
    body = page.inner_text("main")
    assert "2028" in body
    screenshot(page, "foundation-04-home-with-round")
