"""Every source string of the app has its Chinese; pages keep to the CSP (no inline code)."""

import re
from pathlib import Path

from django.utils import translation

APP = Path(__file__).resolve().parents[2] / "rectification"
PO = APP / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def _entries(text: str):
    for block in text.split("\n\n"):
        if "msgid " in block and 'msgid ""\nmsgstr "Project' not in block:
            yield block


def test_every_string_is_translated_and_none_is_fuzzy():
    text = PO.read_text(encoding="utf-8")
    assert "#, fuzzy" not in text
    untranslated = [b for b in _entries(text) if re.search(r'^msgstr(\[0\])? ""$', b, re.M)]
    assert untranslated == []


def test_the_compiled_catalogue_is_up_to_date():
    mo = PO.with_suffix(".mo")
    assert mo.exists() and mo.stat().st_mtime >= PO.stat().st_mtime - 1
    with translation.override("zh-hans"):
        assert translation.gettext("Rectification overview") == "整改总览"


def test_templates_have_no_inline_script_or_style():
    for path in (APP / "templates").rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        assert "style=" not in text, path
        assert "<style" not in text, path
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), path
        assert not re.search(r"\son[a-z]+=", text), path
