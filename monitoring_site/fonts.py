"""The CJK font the documents are set in, as fontconfig offers it to WeasyPrint (through Pango).

Without one WeasyPrint falls back to a Latin font and prints every Chinese character as an
empty box, without a word; so a PDF is refused instead (``CjkFontMissing``) and a system check
warns at start. ``make run`` and ``make test`` install Debian's fonts-noto-cjk, the families
``templates/documents/base.html`` names; any font fontconfig offers for Simplified Chinese will
do, since Pango falls back to it for each character the named families lack.
"""

from __future__ import annotations

import functools
import subprocess

from django.core import checks
from django.utils.translation import gettext

# fontconfig's own lister, installed with Pango (Debian's libpango-1.0-0 depends on fontconfig).
FC_LIST = ("fc-list", ":lang=zh-cn", "family")


class CjkFontMissing(Exception):
    """No font for Simplified Chinese: a PDF would show boxes in place of every character."""

    def __init__(self) -> None:
        super().__init__(missing_font_message())


def missing_font_message() -> str:
    return gettext(
        "No Chinese font is installed on this server, so the Chinese text of the document would print as empty boxes; "
        "it was not built. Install one (Debian: apt-get install fonts-noto-cjk), restart the application and its "
        "workers, then build the document again."
    )


@functools.cache
def cjk_font_families() -> tuple[str, ...]:
    """The font families fontconfig offers for Simplified Chinese, looked up once per process:
    Pango too reads the fonts once, so a font installed later counts after a restart."""
    try:
        listed = subprocess.run(FC_LIST, capture_output=True, text=True, timeout=30, check=True)  # noqa: S603
    except (OSError, subprocess.SubprocessError):
        return ()
    return tuple(sorted({line.split(",")[0].strip() for line in listed.stdout.splitlines() if line.strip()}))


def require_cjk_font() -> None:
    if not cjk_font_families():
        raise CjkFontMissing


def check_cjk_font(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """System check: warns at start (runserver, migrate, check) when documents cannot be built."""
    if cjk_font_families():
        return []
    return [
        checks.Warning(
            gettext("No Chinese font is installed: every document (PDF) will be refused instead of printing empty boxes."),
            hint=gettext("Install one (Debian: apt-get install fonts-noto-cjk; make run does it as root) and restart."),
            id="rounds.W001",
        )
    ]
