"""What rectification adds to the home page: departments see each of their open items, soonest
deadline first, marked due soon or overdue where so (and reports sent back to them); the
supervision office sees the reports waiting to be verified."""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils.translation import gettext as _

from monitoring_site.roles import Role
from rounds.selectors import Todo

from .deadlines import DUE_SOON, DUE_TODAY, deadline_state
from .models import PlanItem, Progress
from .selectors import items_changeable_by, items_visible_to, tiles_for

LIMIT = 20


def todos_for(*, user, person, rnd, today: dt.date) -> list[Todo]:
    if person.role == Role.DEPARTMENT:
        return _department_todos(user, rnd, today)
    if person.role == Role.COUNTY_STAFF:
        return _staff_todos(user, rnd)
    if person.role == Role.LEADER:
        return _leader_summary(user, rnd, today)
    return []


def _named(item: PlanItem) -> str:
    """An item by its problem and lead department (two items may share a goal, or a problem; an
    item of a problem is each department's own)."""
    return f"{item.problem.number}. {item.problem.title}（{item.lead_department.name}）"


def _leader_summary(user, rnd, today: dt.date) -> list[Todo]:
    """The leader's line on rectification: items open, due this week, overdue and closed."""
    items = items_visible_to(user).filter(plan__round=rnd)
    if not items.exists():
        return []
    tiles = tiles_for(items, today=today)
    return [
        Todo(
            _("Rectification: %(open)s items open, %(week)s due this week, %(overdue)s overdue, %(closed)s closed")
            % {"open": tiles.open, "week": tiles.due_this_week, "overdue": tiles.overdue, "closed": tiles.closed},
            None,
            reverse("rectification_overview", args=[rnd.pk]),
            overdue=tiles.overdue > 0,
        )
    ]


def _department_todos(user, rnd, today: dt.date) -> list[Todo]:
    open_items = items_changeable_by(user).filter(plan__round=rnd, status=PlanItem.Status.OPEN)
    later = Progress.objects.filter(item=OuterRef("item"), posted_at__gt=OuterRef("posted_at"))
    returned = list(
        Progress.objects.filter(item__in=open_items.values("pk"), status=Progress.Status.RETURNED)
        .exclude(Exists(later))  # a newer report has answered it
        .select_related("item__problem", "item__lead_department")
        .order_by("-posted_at")[:LIMIT]
    )
    todos = [
        Todo(
            _("Report returned — send a new one: %(goal)s") % {"goal": _named(report.item)},
            report.item.approved_deadline,
            reverse("item_detail", args=[report.item_id]),
        )
        for report in returned
    ]
    awaiting = Progress.objects.filter(item=OuterRef("pk"), status=Progress.Status.PENDING)
    items = (
        open_items.filter(approved_deadline__isnull=False)
        .exclude(pk__in=[report.item_id for report in returned])
        .annotate(awaiting_verification=Exists(awaiting))
        .select_related("plan", "problem", "lead_department")
        .order_by("approved_deadline")[:200]
    )
    for item in items:
        state = deadline_state(
            deadline=item.approved_deadline,
            today=today,
            active=True,
            due_soon_days=item.plan.due_soon_days,
            escalate_after_days=item.plan.escalate_after_days,
        )
        if state is None or (state == "on_track" and item.awaiting_verification):
            continue  # nothing is this department's move until the office has read its report
        if state == "on_track":  # not yet urgent, but still the department's work, with its date
            title = _("Report progress on: %(goal)s")
        elif state in (DUE_SOON, DUE_TODAY):
            title = _("Rectification item due: %(goal)s")
        else:
            title = _("Rectification item overdue: %(goal)s")
        todos.append(
            Todo(
                title % {"goal": _named(item)},
                item.approved_deadline,
                reverse("item_detail", args=[item.pk]),
                overdue=state not in ("on_track", DUE_SOON, DUE_TODAY),
            )
        )
    return todos[:LIMIT]


def _staff_todos(user, rnd) -> list[Todo]:
    pending = (
        Progress.objects.filter(
            item__in=items_visible_to(user).filter(plan__round=rnd).values("pk"),
            status=Progress.Status.PENDING,
        )
        .select_related("item__problem", "item__lead_department")
        .order_by("posted_at")[:LIMIT]
    )
    return [
        Todo(
            _("Verify the progress report on: %(goal)s") % {"goal": _named(p.item)},
            p.item.approved_deadline,
            reverse("item_detail", args=[p.item_id]),
        )
        for p in pending
    ]
