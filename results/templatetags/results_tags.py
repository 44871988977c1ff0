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


@register.filter
def est(estimate, digits: int = 1) -> str:
    """500.3 (4.2): the estimate and its jackknife SE."""
    if estimate is None or not _finite(estimate.estimate):
        return DASH
    se = f"{estimate.se:.{digits}f}" if _finite(estimate.se) else DASH
    return f"{estimate.estimate:.{digits}f} ({se})"


@register.filter
def est_pct(estimate) -> str:
    if estimate is None or not _finite(estimate.estimate):
        return DASH
    se = f"{estimate.se * 100:.1f}" if _finite(estimate.se) else DASH
    return f"{estimate.estimate * 100:.1f}% ({se})"


@register.filter
def get(mapping, key):
    return mapping.get(key) if mapping else None
