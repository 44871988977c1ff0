from django import template

register = template.Library()


@register.filter
def num(value):
    """9.0 → 9, 9.5 → 9.5."""
    if value is None:
        return ""
    return int(value) if float(value).is_integer() else value
