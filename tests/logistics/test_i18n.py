"""Every English source string of the logistics app has its Chinese, and the .mo is compiled."""

import gettext
import re
from pathlib import Path

LOCALE = Path(__file__).resolve().parents[2] / "logistics" / "locale" / "zh_Hans" / "LC_MESSAGES"


def _entries(text: str):
    for block in text.split("\n\n"):
        lines = [line for line in block.strip().splitlines() if line]
        if not any(line.startswith("msgid") for line in lines):
            continue
        fuzzy = any(line.startswith("#,") and "fuzzy" in line for line in lines)
        parts: dict[str, str] = {}
        key = None
        for line in lines:
            match = re.match(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d\])?) "(.*)"$', line)
            if match:
                key = match.group(1)
                parts[key] = match.group(2)
            elif line.startswith('"') and key:
                parts[key] += line[1:-1]
        yield parts, fuzzy


def test_every_entry_is_translated_and_none_is_fuzzy():
    entries = list(_entries((LOCALE / "django.po").read_text(encoding="utf-8")))
    assert len(entries) > 100
    problems = []
    for parts, fuzzy in entries:
        if parts.get("msgid") == "":
            continue
        strs = [v for k, v in parts.items() if k.startswith("msgstr")]
        if fuzzy or not strs or not all(strs):
            problems.append(parts.get("msgid"))
    assert problems == []


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), text)


def test_the_compiled_catalogue_matches_the_po_file():
    with (LOCALE / "django.mo").open("rb") as handle:
        catalogue = gettext.GNUTranslations(handle)
    assert catalogue.gettext("Readiness checklist") == "五室准备清单"
    stale = []
    for parts, _fuzzy in _entries((LOCALE / "django.po").read_text(encoding="utf-8")):
        if not parts.get("msgid") or "msgid_plural" in parts:
            continue
        msgid, msgstr = _unescape(parts["msgid"]), _unescape(parts["msgstr"])
        got = catalogue.pgettext(_unescape(parts["msgctxt"]), msgid) if "msgctxt" in parts else catalogue.gettext(msgid)
        if got != msgstr:
            stale.append(msgid)
    assert stale == []
