"""Formatting of estimates: a value with its standard error in brackets, shares as percents."""

import math

from django import template

register = template.Library()
DASH = "—"


def _finite(x) -> bool:
    return x is not None and isinstance(x, int | float) and math.isfinite(x)


@register.filter
def pct(value, digits: int = 1) -> str:
    return f"{value * 100:.{digits}f}%" if _finite(value) else DASH


@register.filter
def num(value, digits: int = 1) -> str:
    return f"{value:.{digits}f}" if _finite(value) else DASH


def _parts(estimate) -> tuple[float, float | None] | None:
    """The value and SE of an estimate, or None for anything else: a template hands a filter
    ``""`` when a lookup on the way fails (``result.sex_gap.gap`` with no gap computable)."""
    value = getattr(estimate, "estimate", None)
    if value is None or not _finite(value):
        return None
    se = getattr(estimate, "se", None)
    return float(value), float(se) if se is not None and _finite(se) else None


@register.filter
def est(estimate, digits: int = 1) -> str:
    """500.3 (4.2): the estimate and its jackknife SE."""
    parts = _parts(estimate)
    if parts is None:
        return DASH
    value, se = parts
    return f"{value:.{digits}f} ({DASH if se is None else f'{se:.{digits}f}'})"


@register.filter
def est_pct(estimate) -> str:
    parts = _parts(estimate)
    if parts is None:
        return DASH
    value, se = parts
    return f"{value * 100:.1f}% ({DASH if se is None else f'{se * 100:.1f}'})"


@register.filter
def get(mapping, key):
    return mapping.get(key) if mapping else None
