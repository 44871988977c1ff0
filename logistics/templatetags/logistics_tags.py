from django.template import Library
from django.utils.html import format_html_join

register = Library()


@register.simple_tag
def room_cells(cells):
    """The dashboard's room cells of one school, ``(state, label)`` each: hundreds of cells a
    page, written at once rather than through a template loop (several nodes per cell)."""
    return format_html_join(
        "",
        '<td class="room-cell"><span class="room-dot room-{}" title="{}"></span><span class="visually-hidden">{}</span></td>',
        ((state, label, label) for state, label in cells),
    )
