"""The roll-up's compact cells: a level share as a whole percent, a (domain, grade) heading."""

from django import template

from results.templatetags.results_tags import DASH, _parts

register = template.Library()


@register.filter
def est_share(estimate) -> str:
    parts = _parts(estimate)
    return DASH if parts is None else f"{parts[0] * 100:.0f}%"


@register.filter
def key_label(rollup, key) -> str:
    return rollup.key_label(key)
