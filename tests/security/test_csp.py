"""The content security policy forbids inline script and style, and no page of ours needs them.

The policy is only worth something if the pages work under it: a ``<script>`` with a body, an
``on…=`` handler or a ``style=`` attribute would be blocked by the browser. Every template of
the project is scanned as written, and the pages each role reaches from its home page are
rendered and parsed, since template tags and widgets (crispy forms) add markup of their own.
"""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from tests.access import ROLES

ROOT = Path(settings.BASE_DIR)
TEMPLATE_DIRS = [ROOT / "templates", *sorted(ROOT.glob("*/templates"))]
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>\s*\S", re.IGNORECASE)
HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.IGNORECASE)
STYLE_ATTR = re.compile(r"<[^>]*\sstyle\s*=", re.IGNORECASE)
# Templates that are never served as pages: documents rendered to PDF by WeasyPrint.
NOT_PAGES = ("/documents/",)


class InlineFinder(HTMLParser):
    def __init__(self):
        super().__init__()
        self.found: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        names = {name for name, _value in attrs}
        if tag == "script":
            self._in_script = "src" not in names and dict(attrs).get("type") not in ("application/json", "text/template")
        for name in names:
            if name.startswith("on") or name == "style":
                self.found.append(f"<{tag} {name}=…>")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script and data.strip():
            self.found.append(f"<script>{data.strip()[:60]}…")


def inline_code(html: str) -> list[str]:
    finder = InlineFinder()
    finder.feed(html)
    return finder.found


def test_the_policy_forbids_inline_script_and_style():
    policy = settings.SECURE_CSP
    for directive in ("script-src", "style-src", "default-src"):
        assert "'unsafe-inline'" not in policy[directive] and "'unsafe-eval'" not in policy[directive]
    assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]


def test_every_page_carries_the_policy_header(client, world):
    client.force_login(world.staff)
    header = client.get(reverse("home"))["Content-Security-Policy"]
    script_src = next(part for part in header.split(";") if part.strip().startswith("script-src"))
    assert "'self'" in script_src and "unsafe-inline" not in script_src
    assert "unsafe-inline" not in client.get(reverse("login"))["Content-Security-Policy"]


def test_no_template_of_the_project_holds_inline_script_handlers_or_styles():
    offenders = []
    for folder in TEMPLATE_DIRS:
        for path in sorted(folder.rglob("*.html")):
            relative = str(path.relative_to(ROOT))
            if any(part in relative for part in NOT_PAGES):
                continue
            text = path.read_text()
            for kind, pattern in (("inline <script>", INLINE_SCRIPT), ("on…= handler", HANDLER), ("style=", STYLE_ATTR)):
                for match in pattern.finditer(text):
                    line = text.count("\n", 0, match.start()) + 1
                    offenders.append(f"{relative}:{line}: {kind}")
    assert not offenders, "blocked by the content security policy:\n" + "\n".join(offenders)


def _links(html: str) -> set[str]:
    return {
        href
        for href in re.findall(r'href="(/[^"#?]*)"', html)
        if not href.startswith(("/static/", "/media/", "/admin/", "/accounts/logout")) and not href.endswith((".xlsx", ".pdf", ".csv"))
    }


@pytest.mark.parametrize("role", ROLES)
def test_the_pages_a_role_reaches_from_home_render_without_inline_code(client, qworld, role):
    """Home and every page linked from it (menu and tasks), as each role sees them."""
    client.force_login(qworld.world.users()[role])
    home = client.get(reverse("home"), follow=True)  # a region's office is sent on to its roll-up
    pages = {reverse("home"): home}
    for href in sorted(_links(home.content.decode())):
        pages[href] = client.get(href)
    offenders = [
        f"{url}: {found}"
        for url, response in pages.items()
        if response.status_code == 200 and "text/html" in response["Content-Type"]
        for found in inline_code(response.content.decode())
    ]
    assert len(pages) > 2
    assert not offenders, "\n".join(offenders)
