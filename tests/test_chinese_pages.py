"""Every page of the demo round, as each demo account sees it, is in Chinese (issue 15).

The test loads the demo county and, for every account, follows the links of its pages from its
home page, as a user would, taking at most a few pages of each URL pattern. What a person sees of
each page (its text, and the title, placeholder, aria-label, alt and button values) must hold no
Latin word outside the allow-list below (codes, units, names of formats and methods) and no grade
written other than 四年级/八年级. A last check makes sure the walk reached every page a person can
open, so a new page cannot hide from it.
"""

import re
from collections import Counter, defaultdict
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from django.core import signing
from django.core.management import call_command
from django.urls import Resolver404, get_resolver, resolve

from questionnaires.models import AccessCode
from questionnaires.views.public import COOKIE, SALT
from rounds.models import Round, Stage

ACCOUNTS = ["jiance", "lingdao", "ducha1", "xuexiao1", "xuexiao2", "jianceyuan1", "jiaoyan", "shiji", "shengji"]
PAGES_PER_PATTERN = 2
EARLIER_STAGES = [Stage.SETUP, Stage.SAMPLING, Stage.PREPARATION, Stage.TESTING]

# Words a Chinese page may show: units, formats, methods and names the field writes in Latin.
ALLOWED = {
    "English",  # the language switch names the other language in its own words
    "cm",
    "kg",
    "m",
    "ml",
    "s",
    "BMI",
    "PDF",
    "Excel",
    "XLSForm",
    "xlsx",
    "HTML",
    "SE",
    "ICC",
    "PPS",
    "ID",
    "IP",
    "Noto",
    "Sans",
    "Serif",
    "CJK",
    "SC",
    "csv",
    "JPEG",
    "JPG",
    "Word",  # file kinds, as the upload hints name them
    "PNG",
    "KB",
    "MB",
    "p",  # the p-value of a test, as Chinese statistical tables write it
    "n",  # symbols of a formula the page explains (Σ w·y / Σ w, the z-test)
    "w",
    "y",
    "z",
}
SHOWN_ATTRIBUTES = {"title", "placeholder", "aria-label", "alt"}
# Not shown, or shown as what the user types or reads as a symbol: code, keys, a variable (n, I, r).
HIDDEN_TAGS = {"script", "style", "template", "noscript", "code", "kbd", "samp", "var"}
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z'’]*")
# Codes (monitoring IDs, access codes, school codes), addresses and file names are not words.
NOT_WORDS = re.compile(r"\S*\d\S*|\S*[/@]\S*|\S*\.(?:xlsx|pdf|html|csv|json|jpe?g|png)\b|\b[A-Z]{5,}\b")
# An internal value a person cannot read: a digest, a raw expression.
INTERNAL = re.compile(r"\b(?=[0-9a-f]*[a-f])(?=[0-9a-f]*\d)[0-9a-f]{8,}\b|\w+ *[=!<>]= *\w+")
WRONG_GRADE = re.compile(r"(?<![\d.])[1-9]\s*年级|\bGrade\s*\d|\bG[1-9]\b")

# Pages a person never lands on by reading: files, fragments a form asks for, and built documents
# (their text is the reports' own, tested in tests/reports).
NOT_PAGES = {
    "logout",
    "set_language",
    "healthz",
    "login",  # the accounts are signed in; the log-in page is looked at below
    "document_pdf",
    "document_html",
    "evidence_file",
    "evidence_download",
    "pe_certificate",
    "service_worker",  # a script
    "offline_sync",  # JSON for the offline queue
    "attendance_mark_all",  # a button's POST; its page is the attendance page
}

# What the demo, having passed it, no longer offers anyone (a draw to confirm, a roster to send,
# a plan to approve, a failed build to retry) and the respondent's own posts. Their pages share
# the templates the walk reads elsewhere (the import page, the item and progress forms).
DONE_IN_THE_DEMO = {
    "frame_build",
    "frame_import",
    "frame_import_detail",
    "frame_template",
    "school_draw",
    "draw_confirm",
    "student_confirm",
    "roster_upload",
    "roster_type",
    "roster_template",
    "roster_import_detail",
    "import_detail",
    "instrument_install",
    "paper_import_detail",
    "results_import_confirm",
    "results_import_cancel",
    "handover_add",
    "incident_attach",
    "incident_countersign",
    "plan_edit",
    "plan_approve",
    "item_edit",
    "item_withdraw",
    "progress_create",
    "document_retry",
    "round_choose",  # the demo county has one round
    "import_confirm",  # no re-import waits for confirmation in the demo
    "import_cancel",
    "frame_import_confirm",
    "frame_import_cancel",
    "roster_import_confirm",
    "roster_import_cancel",
    "staff_edit",  # test staff and drills are recorded in preparation, long past
    "drill_add",
    "item_create",  # the plan is approved
    "problem_withdraw",  # every problem has its items in the approved plan
    "region_report_pdf",  # a file
    "region_county_document",  # a file
    "region_reports",  # no batch of reports has been asked for in the demo
    "region_reference_withdraw",  # the region has published no reference value in the demo
    "region_norm_withdraw",  # nor a norm
    "verification_draw",  # the demo's questionnaires were answered online: no paper batch to verify
    "verification_extend",
    "verification_forms",
    "verification_compare",
    "verification_workbook",  # a file; its upload is the forms page's form (both in Chinese: test_double_entry_workbook)
    "verification_workbook_upload",
    "second_entry",
    "disagreement_decide",
    "results_verification_draw",  # no score or PE import of the demo is verified (tested in tests/results/test_double_entry.py)
    "results_verification_extend",
    "results_verification_rows",
    "results_verification_workbook",
    "results_verification_compare",
    "results_second_entry",
    "results_disagreement_decide",
    "respond_save",
    "respond_submit",
    "respond_done",
}


class ShownText(HTMLParser):
    """The text a person sees of a page: no scripts, styles or attribute values but the shown ones."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.links: list[str] = []
        self.posts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag in HIDDEN_TAGS:
            self._hidden += 1
        self.parts.extend(value for name, value in attrs if name in SHOWN_ATTRIBUTES and value)
        if tag == "input" and attributes.get("type") in {"submit", "button", "reset"} and attributes.get("value"):
            self.parts.append(attributes["value"])
        for name in ("href", "hx-get"):
            if attributes.get(name):
                self.links.append(attributes[name])
        if tag == "form" and attributes.get("method", "get").lower() == "post":
            self.posts.append(attributes.get("action") or "")
        elif tag == "form":
            self.links.append(attributes.get("action") or "")
        if attributes.get("hx-post"):
            self.posts.append(attributes["hx-post"])

    def handle_endtag(self, tag):
        if tag in HIDDEN_TAGS and self._hidden:
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden:
            self.parts.append(data)


def shown(html: str) -> ShownText:
    parser = ShownText()
    parser.feed(html)
    return parser


def offences(text: str, names: frozenset = frozenset()) -> list[str]:
    """The Latin words (but ``names``: the accounts' user names) and wrongly written grades in
    a page's shown text."""
    found = [m.group(0) for m in WRONG_GRADE.finditer(text)] + [m.group(0) for m in INTERNAL.finditer(text)]
    for chunk in NOT_WORDS.sub(" ", text).split():
        found += [w for w in LATIN_WORD.findall(chunk) if w not in ALLOWED and w not in names]
    return found


def _pattern(path: str) -> str | None:
    try:
        match = resolve(path)
    except Resolver404:
        return None
    return None if match.namespace == "admin" else match.view_name


def walk(client, start: list[str], seen: Counter, names: frozenset, limit: int = PAGES_PER_PATTERN) -> dict[str, list[str]]:
    """Follow the links from ``start``; the Latin words found, by page."""
    found: dict[str, list[str]] = {}
    queue, visited, taken = list(start), set(), Counter()
    while queue:
        url = queue.pop(0)
        parts = urlsplit(url)
        name = _pattern(parts.path)
        if url in visited or name is None or name in NOT_PAGES or taken[name] >= limit:
            continue
        visited.add(url)
        taken[name] += 1
        response = client.get(url)
        if response.status_code in (301, 302) and not response["Location"].startswith("/accounts/login/"):
            seen[name] += 1  # a page that sends the user on (to the current round, or back with a message)
            queue.insert(0, response["Location"])
            continue
        if response.status_code != 200:
            continue
        seen[name] += 1
        if not response.get("Content-Type", "").startswith("text/html"):
            continue
        page = shown(response.content.decode())
        words = offences(" ".join(page.parts), names)
        if words:
            found[url] = sorted(set(words))
        for action in page.posts:  # a form's target counts as reached; the walk only reads
            if name := _pattern(urlsplit(urljoin(url, action)).path):
                seen[name] += 1
        for link in page.links:
            target = urlsplit(urljoin(url, link))
            if not target.netloc and target.path and not target.path.startswith(("/static/", "/media/")):
                queue.append(target.path + (f"?{target.query}" if target.query else ""))
    return found


def _patterns() -> set[str]:
    names = set()

    def collect(resolver, namespace=None):
        for entry in resolver.url_patterns:
            if hasattr(entry, "url_patterns"):
                collect(entry, entry.namespace or namespace)
            elif namespace != "admin" and entry.name:
                names.add(entry.name)

    collect(get_resolver())
    return names


def test_every_page_of_the_demo_is_in_chinese(client, django_user_model, settings, django_capture_on_commit_callbacks):
    settings.LANGUAGE_CODE = "zh-hans"
    with django_capture_on_commit_callbacks(execute=False):
        call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115 - closed with the process
    rnd = Round.objects.get(county__code="369901")
    found: dict[str, dict[str, list[str]]] = defaultdict(dict)
    seen: Counter = Counter()
    names = frozenset(django_user_model.objects.values_list("username", flat=True))

    anonymous = walk(client, ["/accounts/login/", "/questionnaires/q/"], seen, names)
    if anonymous:
        found["anonymous"] = anonymous
    for username in ACCOUNTS:
        client.force_login(django_user_model.objects.get(username=username))
        pages = walk(client, ["/", f"/rounds/{rnd.pk}/"], seen, names)
        if pages:
            found[username] = pages
        client.logout()

    # The pages each earlier stage offers (forms the rectification stage shows read-only), as
    # the people who work in them; the demo's data stay as they are.
    for stage in EARLIER_STAGES:
        Round.objects.filter(pk=rnd.pk).update(stage=stage)
        for username in ("jiance", "xuexiao1", "ducha1", "jianceyuan1"):
            client.force_login(django_user_model.objects.get(username=username))
            pages = walk(client, ["/", f"/rounds/{rnd.pk}/"], seen, names, limit=1)
            if pages:
                found[f"{username} ({stage})"] = pages
            client.logout()
    Round.objects.filter(pk=rnd.pk).update(stage=Stage.RECTIFICATION)

    # A respondent with a code, while the questionnaires are open.
    Round.objects.filter(pk=rnd.pk).update(closes_at=None)
    code = AccessCode.objects.filter(round=rnd, response__isnull=True, student__isnull=False).first()
    client.cookies[COOKIE] = signing.get_cookie_signer(salt=COOKIE + SALT).sign(str(code.pk))
    respondent = walk(client, ["/questionnaires/q/answer/"], seen, names)
    if respondent:
        found["respondent"] = respondent

    assert not found, "\n".join(f"{who} {url}: {' '.join(words)}" for who, pages in found.items() for url, words in pages.items())
    unreached = _patterns() - NOT_PAGES - DONE_IN_THE_DEMO - set(seen)
    assert not unreached, f"pages the walk never reached: {sorted(unreached)}"


def test_the_check_finds_english_and_grades_written_otherwise():
    assert offences("学科领域 - Select an option - 数学") == ["Select", "an", "option"]
    assert offences("4年级 · Grade 8 · G4") == ["4年级", "Grade 8", "G4", "Grade"]
    assert offences("数据版本 3fa09c2b71de 计算 results_use == 1") == ["3fa09c2b71de", "results_use == 1", "results", "use"]


def test_the_check_lets_codes_units_and_names_through():
    assert offences("BMI 18.5 kg/m², 身高 132 cm，监测编号 369901-4-01-007，访问码 ABCDE-FGHJK，demo.jpg 报送 PDF English") == []
    assert offences("王监测 jiance", names=frozenset({"jiance"})) == []
