"""HTML → PDF with WeasyPrint. Documents share one look (templates/documents/base.html) and
embed a subset of a CJK font (Noto Sans/Serif CJK SC from the system, found by fontconfig);
without such a font a PDF is refused (``monitoring_site.fonts``)."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

from monitoring_site.fonts import require_cjk_font


@dataclass(frozen=True)
class RenderedPdf:
    data: bytes
    pages: int


def html_to_pdf(html: str) -> RenderedPdf:
    """Raises ``CjkFontMissing`` rather than print Chinese text as boxes."""
    require_cjk_font()
    from weasyprint import HTML

    document = HTML(string=html, base_url=str(settings.BASE_DIR / "static")).render()
    # WeasyPrint embeds only the glyphs used (font subsetting), so a 20-page report stays small.
    return RenderedPdf(data=document.write_pdf(), pages=len(document.pages))
