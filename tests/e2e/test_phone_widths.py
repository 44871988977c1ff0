"""At 390 × 844 every page a school-side user, inspector, monitor, department user, city office or
respondent reaches from the menu works without sideways scrolling: no page wider than the
screen, chart labels of at least 11 px, buttons and fields at least 44 px tall. Each page is
screenshotted to test-artifacts/phone-<role>-<page>.png."""

import re
from urllib.parse import urlparse

import pytest
from django.core.management import call_command
from django.urls import Resolver404, resolve

from .conftest import login, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "Jiance@2027"  # the demo's
ROLES = {"coordinator": "xuexiao1", "inspector": "ducha1", "monitor": "jianceyuan1", "department": "jiaoyan", "city_office": "shiji"}
# Files, print pages laid out for A4 (documents, letters, official papers) and leaving.
NOT_PAGES = re.compile(
    r"\.(xlsx|pdf|csv|zip)$|/pdf/$|/regions/export/|/logout/|/admin/|/media/|/static/|/html/|/print/|/report/|/download/|/inline/|/files/\d+/(full|thumb)/"
)
PRINT_VIEWS = {"notice_sheet", "seat_labels", "student_list_print", "document_html", "plan_print", "progress_report"}
PAGES_PER_ROLE = 40

CHECK = """() => {
  const visible = el => {
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && getComputedStyle(el).visibility !== 'hidden';
  };
  const small = [];
  for (const svg of document.querySelectorAll('svg[viewBox]')) {
    if (svg.closest('.qr') || !visible(svg)) continue;
    const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
    for (const t of svg.querySelectorAll('text')) {
      const size = parseFloat(getComputedStyle(t).fontSize) * scale;
      if (size < 10.95) small.push(t.textContent.trim().slice(0, 20) + ' ' + size.toFixed(1) + 'px');
    }
  }
  const low = [...document.querySelectorAll('main .btn, main .form-control, main .form-select')]
    .filter(visible).filter(el => el.getBoundingClientRect().height < 43.5)
    .map(el => (el.textContent.trim() || el.name || el.className).slice(0, 30) + ' ' + el.getBoundingClientRect().height.toFixed(0) + 'px');
  const wide = [...document.querySelectorAll('body *')].filter(visible)
    .filter(el => el.getBoundingClientRect().right > innerWidth + 1)
    .filter(el => !el.parentElement.closest('.chart-box, .rect-timeline-wrap, .table-responsive'))
    .slice(0, 5).map(el => el.tagName.toLowerCase() + '.' + String(el.className).slice(0, 40));
  return {overflow: document.documentElement.scrollWidth - innerWidth, small: small.slice(0, 5), low: low.slice(0, 5), wide};
}"""


@pytest.fixture
def demo(transactional_db):
    call_command("load_demo", "--no-documents", verbosity=0)


def _view_name(path: str) -> str:
    try:
        return resolve(path).url_name or ""
    except Resolver404:
        return ""


def _check(page, name: str, problems: list[str]) -> None:
    result = page.evaluate(CHECK)
    screenshot(page, name)
    if result["overflow"] > 0:
        problems.append(f"{page.url}: {result['overflow']} px wider than the screen ({', '.join(result['wide'])})")
    if result["small"]:
        problems.append(f"{page.url}: chart labels under 11 px: {result['small']}")
    if result["low"]:
        problems.append(f"{page.url}: touch targets under 44 px: {result['low']}")


def _crawl(page, role: str, problems: list[str]) -> list[str]:
    """The home page, every page it links to and the pages those link to: one URL per view."""
    seen_views: set[str] = set()
    queue, visited = ["/"], []
    while queue and len(visited) < PAGES_PER_ROLE:
        path = queue.pop(0)
        view = _view_name(path.split("?")[0])
        if not view or view in seen_views or view in PRINT_VIEWS:
            continue
        seen_views.add(view)
        response = page.goto(path)
        if response is None or response.status != 200 or "text/html" not in response.headers.get("content-type", ""):
            continue
        visited.append(view)
        _check(page, f"phone-{role}-{view}", problems)
        for href in page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))"):
            link = urlparse(href)
            if not link.netloc and link.path.startswith("/") and not NOT_PAGES.search(link.path):
                queue.append(link.path + (f"?{link.query}" if link.query else ""))
    return visited


@pytest.mark.parametrize("role", list(ROLES))
def test_every_page_of_the_role_fits_a_phone(phone_page, demo, role):
    login(phone_page, ROLES[role], PASSWORD)
    problems: list[str] = []
    visited = _crawl(phone_page, role, problems)
    assert len(visited) >= 5, visited  # the crawl reached the role's pages
    assert not problems, "\n".join(problems)


def test_the_respondent_answers_on_a_phone(phone_page, demo):
    from questionnaires.models import AccessCode

    code = AccessCode.objects.filter(kind="teacher", response__isnull=True).select_related("round").first()
    code.round.closes_at = None  # the demo round is past its answering window
    code.round.save(update_fields=["closes_at"])
    problems: list[str] = []
    phone_page.goto(f"/questionnaires/q/?code={code.display_code}")
    _check(phone_page, "phone-respondent-start", problems)
    phone_page.click("button[type=submit]")
    phone_page.wait_for_url("**/q/answer/")
    _check(phone_page, "phone-respondent-answer", problems)
    assert not problems, "\n".join(problems)


def test_the_inspector_reviews_a_submitted_checklist_on_a_phone(phone_page, demo):
    """The review page is reached from the checklist, not the menu: the crawl may not get there."""
    from django.urls import reverse

    from logistics.models import Checklist

    checklist = Checklist.objects.get(status="submitted", school__name="白沙镇北塘小学")  # ducha1's, as the README says
    login(phone_page, ROLES["inspector"], PASSWORD)
    response = phone_page.goto(reverse("checklist_review", args=[checklist.round_id, checklist.school_id]))
    assert response is not None and response.status == 200
    problems: list[str] = []
    _check(phone_page, "phone-inspector-checklist_review", problems)
    assert not problems, "\n".join(problems)
