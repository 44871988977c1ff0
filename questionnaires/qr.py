"""The answering address as a respondent scans it: a QR code (segno) drawn as inline SVG."""

from __future__ import annotations

from urllib.parse import urlencode

import segno
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe


def answer_url(*, base: str, code: str = "") -> str:
    """The start page under ``base`` (scheme and host), with the code filled in when given."""
    url = base.rstrip("/") + reverse("respond_start")
    return f"{url}?{urlencode({'code': code})}" if code else url


def qr_svg(url: str) -> SafeString:
    """The QR code of ``url``; the SVG has no size of its own (the stylesheet gives it one)."""
    svg = segno.make(url, error="m").svg_inline(scale=1, border=2, omitsize=True, svgclass="qr-code")
    return format_html('<span class="qr" data-url="{}">{}</span>', url, mark_safe(svg))  # noqa: S308 — segno's own markup
