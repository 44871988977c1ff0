"""Reads for rectification, already narrowed to what the user may see.

Department scope (decided here, once): a department user *sees* the items their department
leads or cooperates on — cooperating units need the measures and the deadline too — and
*changes* (reports progress on) only the items their department leads.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet

from monitoring_site.permissions import county_filtered, person_of
from monitoring_site.roles import Role
from rounds.selectors import rounds_visible_to

from .models import EvidenceFile, Notification, Plan, PlanItem, Problem, Progress


def _department_q(user, prefix: str = "") -> Q | None:
    """None: the whole county; a Q narrowing items to the user's department otherwise."""
    person = person_of(user)
    if person is None or person.role != Role.DEPARTMENT:
        return None
    dept = person.department_id or 0
    return Q(**{f"{prefix}lead_department_id": dept}) | Q(**{f"{prefix}cooperating_departments": dept})


def items_visible_to(user, queryset: QuerySet | None = None) -> QuerySet[PlanItem]:
    qs = PlanItem.objects.all() if queryset is None else queryset
    qs = county_filtered(user, qs, field="plan__round__county")
    narrow = _department_q(user)
    if narrow is not None:
        ids = PlanItem.objects.filter(narrow).values("pk")
        qs = qs.filter(pk__in=ids)
    return qs


def items_changeable_by(user, queryset: QuerySet | None = None) -> QuerySet[PlanItem]:
    """Items a department user may report on: those their department leads (the items it leads
    are among those it sees, so the county and the lead department are the whole test)."""
    person = person_of(user)
    qs = PlanItem.objects.all() if queryset is None else queryset
    if person is None or person.role != Role.DEPARTMENT:
        return qs.none()
    return county_filtered(user, qs, field="plan__round__county").filter(lead_department_id=person.department_id or 0)


def can_report_on(user, item: PlanItem) -> bool:
    """Whether ``user`` may report on ``item``, one already fetched through ``items_visible_to``:
    the rule of ``items_changeable_by`` without asking the database again."""
    person = person_of(user)
    return person is not None and person.role == Role.DEPARTMENT and item.lead_department_id == person.department_id


def problems_visible_to(user) -> QuerySet[Problem]:
    return county_filtered(user, Problem.objects.all(), field="round__county")


def progress_visible_to(user) -> QuerySet[Progress]:
    return Progress.objects.filter(item__in=items_visible_to(user).values("pk"))


def evidence_visible_to(user) -> QuerySet[EvidenceFile]:
    return EvidenceFile.objects.filter(progress__item__in=items_visible_to(user).values("pk"))


def plan_of(rnd) -> Plan | None:
    return Plan.objects.filter(round=rnd).first()


def round_for(user, pk: int):
    return rounds_visible_to(user).filter(pk=pk)


@dataclass(frozen=True)
class Tiles:
    open: int
    due_this_week: int
    overdue: int
    closed: int
    to_verify: int


def tiles_for(items: QuerySet[PlanItem], *, today: dt.date) -> Tiles:
    """One aggregate query, whatever the number of items."""
    active = Q(status__in=[PlanItem.Status.OPEN, PlanItem.Status.SUBMITTED])
    week_end = today + dt.timedelta(days=6 - today.weekday())
    counts = items.aggregate(
        open=Count("pk", distinct=True, filter=active),
        due_this_week=Count(
            "pk",
            distinct=True,
            filter=active & Q(approved_deadline__gte=today, approved_deadline__lte=week_end),
        ),
        overdue=Count("pk", distinct=True, filter=active & Q(approved_deadline__lt=today)),
        closed=Count("pk", distinct=True, filter=Q(status=PlanItem.Status.CLOSED)),
        to_verify=Count("pk", distinct=True, filter=Q(progress__status=Progress.Status.PENDING)),
    )
    return Tiles(**counts)


def filter_items(
    items: QuerySet[PlanItem],
    *,
    department: str = "",
    problem: str = "",
    status: str = "",
    today: dt.date,
) -> QuerySet[PlanItem]:
    if department.isdigit():
        items = items.filter(Q(lead_department_id=department) | Q(cooperating_departments=department)).distinct()
    if problem.isdigit():
        items = items.filter(problem_id=problem)
    if status == "overdue":
        items = items.filter(
            status__in=[PlanItem.Status.OPEN, PlanItem.Status.SUBMITTED],
            approved_deadline__lt=today,
        )
    elif status in PlanItem.Status.values:
        items = items.filter(status=status)
    return items


def item_rows(items: QuerySet[PlanItem]) -> QuerySet[PlanItem]:
    """What a list of items shows, fetched in a fixed number of queries."""
    return (
        items.select_related("problem", "lead_department", "responsible__user")
        .prefetch_related("cooperating_departments")
        .order_by("problem__number", "approved_deadline", "pk")
    )


def unread_count(user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def with_latest_progress(items: QuerySet[PlanItem]) -> QuerySet[PlanItem]:
    """Items with their progress reports, newest first (``item.progress.all|first``)."""
    return items.prefetch_related(Prefetch("progress", queryset=Progress.objects.order_by("-posted_at", "-pk")))


def with_states(items: list[PlanItem], plan: Plan, day: dt.date) -> list[PlanItem]:
    """Each item's standing against its deadline, with its label and badge, worked out once."""
    from django.urls import reverse

    from .deadlines import deadline_state, state_labels

    labels = state_labels()
    for item in items:
        item.state = deadline_state(
            deadline=item.approved_deadline,
            today=day,
            active=item.is_active,
            due_soon_days=plan.due_soon_days,
            escalate_after_days=plan.escalate_after_days,
        )
        key = item.status if item.status in ("closed", "withdrawn") else item.state or "draft"
        item.state_label, item.state_class = labels[key]
        item.url = reverse("item_detail", args=[item.pk])
    return items
