from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

from ..qr import answer_url, qr_svg

register = template.Library()


@register.filter
def num(value):
    """9.0 → 9, 9.5 → 9.5."""
    if value is None:
        return ""
    return int(value) if float(value).is_integer() else value


@register.simple_tag
def answer_qr(base: str, code: str = ""):
    """The QR code of the answering address under ``base``, with ``code`` filled in."""
    return qr_svg(answer_url(base=base, code=code))


@register.filter
def breakable_url(url: str):
    """An address that wraps only after a slash, never inside a word."""
    return mark_safe("/<wbr>".join(conditional_escape(part) for part in str(url).split("/")))  # noqa: S308 — each part escaped


@register.filter
def answer_address(base: str) -> str:
    """The answering address under ``base``, as printed beside its QR code."""
    return answer_url(base=base)
