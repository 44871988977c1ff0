"""Real Chromium (Debian's /usr/bin/chromium) driven by Playwright against a live server.

Screenshots of each stage go to test-artifacts/ so a person can look at them.
"""

import os
import shutil
import threading
from pathlib import Path

import pytest
from django.core.servers.basehttp import ThreadedWSGIServer
from django.test.testcases import LiveServerThread

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]

# Playwright's sync API runs an event loop in this thread; the test's own ORM calls are safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


class _OneRequestAtATime(ThreadedWSGIServer):
    """The live server answering one request after another (each connection still in a thread of
    its own, as browsers keep several open). On SQLite the test database lives in memory and the
    server's threads share its one connection: two requests at once (a service worker keeping
    pages, htmx polling beside a click) then break each other's savepoints. PostgreSQL gives each
    thread its own connection and keeps requests concurrent."""

    def set_app(self, application):
        lock = threading.Lock()

        def one_at_a_time(environ, start_response):
            with lock:
                return application(environ, start_response)

        super().set_app(one_at_a_time)


@pytest.fixture(scope="session", autouse=True)
def _sqlite_live_server_answers_one_at_a_time():
    from django.db import connection

    if connection.vendor == "sqlite":
        LiveServerThread.server_class = _OneRequestAtATime
    yield
    LiveServerThread.server_class = ThreadedWSGIServer


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        if os.environ.get("REQUIRE_SERVICES") == "1":
            pytest.fail(f"Chromium not found at {CHROMIUM}")
        pytest.skip(f"Chromium not found at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900}, base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


@pytest.fixture
def phone_page(browser, live_server):
    context = browser.new_context(
        locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, base_url=live_server.url
    )
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def follow(locator) -> None:
    """Click a link to another page and wait until that page (or where it redirects) has loaded.
    A click does not wait for the navigation it starts, nor does ``wait_for_load_state`` (the
    page being left is loaded already), so a count or a text read right after either may still
    be of the page left."""
    page = locator.page
    left = page.url
    locator.click()
    page.wait_for_url(lambda url: url != left)


def log_out(page) -> None:
    """Log out with the page's own button: the session ends on the server, so a response
    still arriving for the old page (a photo, a poll, each renewing the session cookie) cannot
    bring it back, as it could after clearing the cookies alone."""
    button = page.locator("form[action$='/logout/'] button[type=submit]")
    if not button.count():  # a page without the layout (a print view): the home page has it
        page.goto("/")
    button.first.click()
    page.wait_for_load_state()
    page.context.clear_cookies()


def login(page, username: str, password: str) -> None:
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("main form button.btn-primary[type=submit]")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


@pytest.fixture
def world_e2e(transactional_db):
    from monitoring_site.roles import Role

    from ..factories import CountyFactory, PersonFactory, SchoolFactory

    county = CountyFactory(name="青山县", code="369901")
    school = SchoolFactory(county=county, name="青山县第一小学")
    staff = PersonFactory(county=county, role=Role.COUNTY_STAFF, user__username="staff", user__first_name="王监测")
    coordinator = PersonFactory(county=county, role=Role.COORDINATOR, user__username="coord", schools=[school])
    return {"county": county, "school": school, "staff": staff.user, "coordinator": coordinator.user}
