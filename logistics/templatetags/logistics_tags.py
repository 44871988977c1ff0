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


@register.simple_tag(takes_context=True)
def offline_pages(context, rnd, school):
    """The school's test-day pages this user's device keeps for working offline."""
    from ..selectors import offline_pages as pages

    return pages(user=context["request"].user, rnd=rnd, school=school)
