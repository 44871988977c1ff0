"""The CJK font: found through fontconfig as WeasyPrint finds it; without one a PDF is refused
(rather than printed as boxes) and a system check warns.

Pango reads the fonts once per process, so the PDFs are rendered in a fresh process started
with the fontconfig file to test (FONTCONFIG_FILE)."""

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core import checks
from pypdf import PdfReader

from monitoring_site.fonts import CjkFontMissing, cjk_font_families, require_cjk_font

ROOT = Path(__file__).resolve().parents[1]

# The cover of every document, through html_to_pdf (which refuses without a CJK font) or, with
# "--unguarded", through WeasyPrint alone: what a PDF would look like without the refusal.
RENDER = """
import sys
import django

django.setup()
from django.template.loader import render_to_string
from monitoring_site.fonts import CjkFontMissing
from monitoring_site.pdf import html_to_pdf

context = {
    "document": {"title": "区县监测诊断报告"},
    "county": {"province": "湖南省", "city": "长沙市", "name": "青山县"},
    "round": "青山县2026年监测",
}
html = render_to_string("documents/base.html", context)
if sys.argv[1:] == ["--unguarded"]:
    from weasyprint import HTML

    sys.stdout.buffer.write(HTML(string=html).write_pdf())
    sys.exit(0)
try:
    sys.stdout.buffer.write(html_to_pdf(html).data)
except CjkFontMissing as refused:
    sys.stderr.write(str(refused))
    sys.exit(3)
"""


def _render(*args: str, fonts_conf: Path | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "monitoring_site.settings"}
    env.pop("FONTCONFIG_FILE", None)
    if fonts_conf is not None:
        env["FONTCONFIG_FILE"] = str(fonts_conf)
    return subprocess.run([sys.executable, "-c", RENDER, *args], cwd=ROOT, env=env, capture_output=True, timeout=120)


def _embedded_fonts(pdf: bytes) -> set[str]:
    reader = PdfReader(io.BytesIO(pdf))
    return {str(font.get_object()["/BaseFont"]) for page in reader.pages for font in page["/Resources"]["/Font"].values()}


def _text(pdf: bytes) -> str:
    return "".join("".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages).split())


def test_the_project_fonts_embed_noto_cjk_and_the_chinese_text_extracts():
    done = _render()
    assert done.returncode == 0, done.stderr.decode()
    fonts = {f.replace("-", "") for f in _embedded_fonts(done.stdout)}  # "/ABCDEF+Noto-Sans-CJK-SC-Bold"
    assert any("NotoSansCJKSC" in f for f in fonts) and any("NotoSerifCJKSC" in f for f in fonts), fonts
    text = _text(done.stdout)
    for expected in ("区县监测诊断报告", "青山县", "湖南省", "内部资料"):
        assert expected in text, (expected, text)


def test_without_a_cjk_font_the_pdf_is_refused_in_chinese(latin_fonts_conf):
    done = _render(fonts_conf=latin_fonts_conf)
    assert done.returncode == 3, done.stderr.decode()
    assert not done.stdout
    assert "未安装中文字体" in done.stderr.decode()


def test_the_refusal_stands_for_boxes_weasyprint_would_print_without_a_word(latin_fonts_conf):
    done = _render("--unguarded", fonts_conf=latin_fonts_conf)
    assert done.returncode == 0, done.stderr.decode()
    fonts = _embedded_fonts(done.stdout)
    assert fonts and not any("CJK" in f for f in fonts), fonts
    assert "青山县" not in _text(done.stdout)


def test_fontconfig_offers_the_families_the_documents_name():
    assert {"Noto Sans CJK SC", "Noto Serif CJK SC"} <= set(cjk_font_families())


def test_the_system_check_is_quiet_with_a_cjk_font(db):
    assert not [m for m in checks.run_checks() if m.id == "rounds.W001"]


def test_the_system_check_warns_in_chinese_without_a_cjk_font(db, latin_fonts_only):
    assert cjk_font_families() == ()
    [warning] = [m for m in checks.run_checks() if m.id == "rounds.W001"]
    assert warning.level == checks.WARNING
    assert "未安装中文字体" in warning.msg and "fonts-noto-cjk" in warning.hint


def test_a_missing_fc_list_counts_as_no_font(monkeypatch):
    monkeypatch.setattr("monitoring_site.fonts.FC_LIST", ("fc-list-that-is-not-installed", ":lang=zh-cn"))
    cjk_font_families.cache_clear()
    try:
        assert cjk_font_families() == ()
        with pytest.raises(CjkFontMissing, match="fonts-noto-cjk"):
            require_cjk_font()
    finally:
        cjk_font_families.cache_clear()
