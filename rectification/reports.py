"""Documents of the rectification slice: the rectification plan (整改方案) as it stands, the
approved version or the draft clearly marked as one, and the progress report (整改进展情况),
every item of the county's plan as of the day it is built."""

from __future__ import annotations

from django.db.models import Prefetch
from django.utils.translation import gettext as _

from rounds.documents import DocumentKind
from rounds.forms import today
from rounds.models import Round

from .models import PlanItem, Problem
from .selectors import item_rows, plan_of, tiles_for, with_latest_progress, with_states

PERM = "rectification.view_problems"
LATE = ("overdue", "escalated")


PLAN_TEMPLATE = "rectification/documents/plan.html"


def _plan(*, rnd: Round, subject: str, progress) -> tuple[str, dict]:
    progress(_("Reading the plan"), 20)
    plan = plan_of(rnd)
    if plan is None:
        raise LookupError(_("There is no rectification plan for this round yet."))
    return PLAN_TEMPLATE, plan_context(plan)


def plan_context(plan) -> dict:
    """The plan as it stands: its problems with their items, and the version if approved."""
    rnd = plan.round
    items = item_rows(plan.items.exclude(status=PlanItem.Status.WITHDRAWN))
    problems = Problem.objects.filter(round=rnd, withdrawn_at__isnull=True).prefetch_related(
        Prefetch("items", queryset=items, to_attr="plan_items")
    )
    return {
        "plan": plan,
        "problems": [p for p in problems.order_by("number", "pk") if p.plan_items],
        "version": plan.versions.order_by("-number").first() if plan.is_approved else None,
    }


def _progress_report(*, rnd: Round, subject: str, progress) -> tuple[str, dict]:
    progress(_("Reading the plan"), 20)
    plan, day = plan_of(rnd), today()
    if plan is None:
        raise LookupError(_("There is no rectification plan for this round yet."))
    live = plan.items.exclude(status=PlanItem.Status.WITHDRAWN)
    items = with_states(list(with_latest_progress(item_rows(live))), plan, day)
    by_department: dict[str, dict] = {}
    for item in items:
        row = by_department.setdefault(item.lead_department.name, {"name": item.lead_department.name, "items": 0, "closed": 0, "late": 0})
        row["items"] += 1
        row["closed"] += item.status == PlanItem.Status.CLOSED
        row["late"] += item.state in LATE
    return "rectification/documents/progress.html", {
        "plan": plan,
        "items": items,
        "late": [i for i in items if i.state in LATE],
        "tiles": tiles_for(live, today=day),
        "departments": sorted(by_department.values(), key=lambda r: r["name"]),
        "today": day,
    }


BUILDERS = {
    "rectification_plan": DocumentKind(
        title=lambda rnd, subject: (
            plan.title if (plan := plan_of(rnd)) else _("Rectification plan of the %(year)s monitoring") % {"year": rnd.year}
        ),
        build=_plan,
        perm=PERM,
    ),
    "rectification_progress": DocumentKind(
        title=lambda rnd, subject: _("Progress of the rectification of the %(year)s monitoring problems") % {"year": rnd.year},
        build=_progress_report,
        perm=PERM,
    ),
}
