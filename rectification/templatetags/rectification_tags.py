from django import template

from monitoring_site.permissions import person_of

from ..selectors import unread_count

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_notices(context) -> int:
    request = context.get("request")
    if request is None or person_of(request.user) is None:
        return 0
    return unread_count(request.user)


@register.filter
def state_class(state: str | None) -> str:
    return {
        "overdue": "danger",
        "escalated": "danger",
        "due_today": "warning",
        "due_soon": "warning",
        "on_track": "success",
    }.get(state or "", "secondary")


@register.filter
def who(user) -> str:
    """A user's full name, else the username; a dash for nobody."""
    if user is None:
        return "—"
    return user.get_full_name() or user.username
