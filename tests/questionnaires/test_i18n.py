"""Every source string of the app has its Simplified Chinese, none fuzzy, and the .mo is built."""

import ast
from pathlib import Path

from django.utils import translation

PO = Path(__file__).resolve().parents[2] / "questionnaires" / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def _entries() -> list[dict]:
    """(flags, msgid, msgstrs) of every entry, continuation lines joined."""
    entries, current, field = [], None, None
    for line in PO.read_text(encoding="utf-8").splitlines() + [""]:
        if not line.strip():
            if current:
                entries.append(current)
            current, field = None, None
            continue
        current = current or {"flags": "", "msgid": "", "msgstr": {}}
        if line.startswith("#,"):
            current["flags"] += line
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            value = ast.literal_eval(line)
            if field == "msgid":
                current["msgid"] += value
            elif field is not None:
                current["msgstr"][field] = current["msgstr"].get(field, "") + value
        else:
            keyword, _sep, rest = line.partition(" ")
            value = ast.literal_eval(rest)
            if keyword == "msgid":
                field, current["msgid"] = "msgid", value
            elif keyword.startswith("msgstr"):
                field = keyword
                current["msgstr"][field] = value
            else:
                field = None
    return [e for e in entries if e["msgid"]]


def test_no_entry_is_untranslated_or_fuzzy():
    entries = _entries()
    assert len(entries) > 100
    fuzzy = [e["msgid"] for e in entries if "fuzzy" in e["flags"]]
    untranslated = [e["msgid"] for e in entries if not all(e["msgstr"].values())]
    assert fuzzy == [] and untranslated == []


def test_the_compiled_catalogue_is_current_and_used():
    assert PO.with_suffix(".mo").stat().st_mtime >= PO.stat().st_mtime - 1
    with translation.override("zh-hans"):
        assert translation.gettext("This question must be answered.") == "此题必须回答。"
