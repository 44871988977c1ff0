"""Deadline arithmetic, pure and clock-free: the caller passes ``today``.

An item warns when its deadline in force is within ``due_soon_days`` (the deadline day
itself included), is overdue the day after it, and is escalated to the leader once it has
been overdue for ``escalate_after_days`` days or more. Closed and withdrawn items never warn.
"""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

DUE_SOON, DUE_TODAY, OVERDUE, ESCALATED, ON_TRACK = (
    "due_soon",
    "due_today",
    "overdue",
    "escalated",
    "on_track",
)


def deadline_state(
    *,
    deadline: dt.date | None,
    today: dt.date,
    active: bool,
    due_soon_days: int,
    escalate_after_days: int,
) -> str | None:
    """How an item stands against its deadline; None when it is not running (closed, none)."""
    if not active or deadline is None:
        return None
    days_left = (deadline - today).days
    if days_left < 0:
        return ESCALATED if -days_left >= escalate_after_days else OVERDUE
    if days_left == 0:
        return DUE_TODAY
    return DUE_SOON if days_left <= due_soon_days else ON_TRACK


def events_due(
    *,
    deadline: dt.date | None,
    today: dt.date,
    active: bool,
    due_soon_days: int,
    escalate_after_days: int,
) -> list[str]:
    """The warning events an item owes on ``today`` (each is sent once per deadline)."""
    state = deadline_state(
        deadline=deadline,
        today=today,
        active=active,
        due_soon_days=due_soon_days,
        escalate_after_days=escalate_after_days,
    )
    if state in (DUE_SOON, DUE_TODAY):
        return [DUE_SOON]
    if state == OVERDUE:
        return [OVERDUE]
    if state == ESCALATED:
        return [OVERDUE, ESCALATED]
    return []


def state_labels() -> dict[str, tuple[str, str]]:
    """Label and Bootstrap colour of each standing, for lists that show many items."""
    return {
        ON_TRACK: (_("On track"), "success"),
        DUE_SOON: (_("Due soon"), "warning"),
        DUE_TODAY: (_("Due today"), "warning"),
        OVERDUE: (pgettext("rectification", "Overdue"), "danger"),
        ESCALATED: (_("Overdue — escalated"), "danger"),
        "closed": (pgettext("rectification", "Closed"), "success"),
        "withdrawn": (_("Withdrawn"), "secondary"),
        "draft": (_("Not yet approved"), "light"),
    }
