"""Every user-facing string has its Simplified Chinese; no entry is fuzzy or empty."""

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CATALOGS = sorted(p for p in ROOT.glob("**/locale/zh_Hans/LC_MESSAGES/django.po") if ".venv" not in p.parts)


def _entries(path: Path):
    """(msgid, msgstr values, flags) for every entry, read without a gettext library."""
    entries, current, key, flags = [], None, None, set()
    for raw in path.read_text(encoding="utf-8").splitlines() + [""]:
        line = raw.strip()
        if line.startswith("#,"):
            flags |= {f.strip() for f in line[2:].split(",")}
        elif line.startswith("msgid "):
            current, key = {"msgid": line[6:].strip('"'), "msgstr": [], "flags": flags}, "msgid"
            flags = set()
        elif line.startswith("msgid_plural"):
            key = "plural"
        elif line.startswith("msgstr"):
            current["msgstr"].append(line.split(" ", 1)[1].strip('"'))
            key = "msgstr"
        elif line.startswith('"') and current is not None:
            if key == "msgid":
                current["msgid"] += line.strip('"')
            elif key == "msgstr":
                current["msgstr"][-1] += line.strip('"')
        elif not line and current is not None:
            entries.append(current)
            current = None
    return [e for e in entries if e["msgid"]]


def test_there_are_catalogs():
    assert any(p.parent.parent.parent.parent.name == "rounds" for p in CATALOGS)


@pytest.mark.parametrize("path", CATALOGS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_string_is_translated(path):
    entries = _entries(path)
    untranslated = [e["msgid"] for e in entries if not all(e["msgstr"])]
    fuzzy = [e["msgid"] for e in entries if "fuzzy" in e["flags"]]
    assert not untranslated, f"untranslated: {untranslated[:10]}"
    assert not fuzzy, f"fuzzy: {fuzzy[:10]}"


@pytest.mark.parametrize("path", CATALOGS, ids=lambda p: str(p.relative_to(ROOT)))
def test_the_compiled_catalog_is_up_to_date(path):
    compiled = path.with_suffix(".mo")
    assert compiled.exists() and compiled.stat().st_mtime >= path.stat().st_mtime - 1, "run compilemessages"
