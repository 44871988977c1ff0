"""The compiled catalogue is current; pages keep to the CSP (no inline code). Every catalog's
completeness is checked by tests/test_i18n.py."""

import re
from pathlib import Path

from django.utils import translation

APP = Path(__file__).resolve().parents[2] / "rectification"
PO = APP / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def test_the_compiled_catalogue_is_up_to_date():
    mo = PO.with_suffix(".mo")
    assert mo.exists() and mo.stat().st_mtime >= PO.stat().st_mtime - 1
    with translation.override("zh-hans"):
        assert translation.gettext("Rectification overview") == "整改总览"


def test_templates_have_no_inline_script_or_style():
    # documents/ holds the PDF templates: WeasyPrint reads their print stylesheet, and their web
    # view is served with the document CSP (no script at all), see rounds.views.documents.
    for path in (APP / "templates").rglob("*.html"):
        if "documents" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        assert "style=" not in text, path
        assert "<style" not in text, path
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), path
        assert not re.search(r"\son[a-z]+=", text), path
