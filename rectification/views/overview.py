"""The overview (tiles, filters, timeline, list), its Excel export and printable progress report,
the effect of rectification, and the notification bell."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header, urlencode
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from monitoring_site.http import AuthenticatedHttpRequest
from monitoring_site.permissions import get_visible_or_404, require_perm
from rounds.models import Department
from rounds.selectors import round_of_request

from .. import services
from ..effect import effects_for
from ..exports import items_workbook
from ..forms import IndicatorReadingForm
from ..models import Notification, PlanItem, Problem
from ..selectors import filter_items, item_rows, items_visible_to, plan_of, tiles_for, with_latest_progress, with_states
from ..services import RectificationError, check_stage
from ..timeline import OVERDUE_STATES, build
from .common import refused, round_and_plan, round_in_scope, stage_context, today

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PAGE_SIZE = 50


@require_perm("rectification.view_plan")
def rectification_home(request: AuthenticatedHttpRequest) -> HttpResponse:
    rnd = round_of_request(request)
    if rnd is None:
        return render(request, "rectification/no_round.html")
    return redirect("rectification_overview", round_pk=rnd.pk)


def _filtered(request: AuthenticatedHttpRequest, rnd, plan, day) -> tuple[QuerySet[PlanItem], QuerySet[PlanItem], dict[str, str]]:
    items = items_visible_to(request.user).filter(plan=plan)
    chosen = {k: request.GET.get(k, "") for k in ("department", "problem", "status")}
    return items, filter_items(items, today=day, **chosen), chosen


@require_perm("rectification.view_plan")
def rectification_overview(request: AuthenticatedHttpRequest, round_pk: int) -> HttpResponse:
    rnd, plan = round_and_plan(request, round_pk)
    day = today()
    context = {**stage_context(rnd), "plan": plan, "today": day}
    if plan is not None:
        items, filtered, chosen = _filtered(request, rnd, plan, day)
        page = Paginator(item_rows(filtered), PAGE_SIZE).get_page(request.GET.get("page"))
        rows = _with_texts(with_states(list(page.object_list), plan, day))
        timeline = build(
            [
                (
                    i,
                    Truncator(f"{i.problem.number}. {i.goal}").chars(22),
                    i.created_at.date(),
                    i.approved_deadline or i.deadline,
                    i.state or i.status,
                )
                for i in rows
            ],
            today=day,
        )
        query = urlencode({k: v for k, v in chosen.items() if v})
        departments = Department.objects.filter(county=rnd.county_id).order_by("name")
        problems = Problem.objects.filter(round=rnd, withdrawn_at__isnull=True).values_list("pk", "number", "title")
        context.update(
            {
                "tiles": tiles_for(items, today=day),
                "page": page,
                "rows": rows,
                "timeline": timeline,
                "chosen": chosen,
                "query": query,
                # Only what the filter's options show: no model instances to build.
                "departments": _options(departments.values_list("pk", "name"), chosen["department"]),
                "problems": _options(
                    ((pk, f"{number}. {Truncator(title).chars(30)}") for pk, number, title in problems),
                    chosen["problem"],
                ),
                "statuses": _options([("overdue", pgettext("rectification", "Overdue")), *PlanItem.Status.choices], chosen["status"]),
            }
        )
    return render(request, "rectification/overview.html", context)


def _with_texts(rows: list[PlanItem]) -> list[PlanItem]:
    """What each row and timeline bar prints, put together once here rather than by template filters."""
    for item in rows:
        due = item.approved_deadline or item.deadline
        item.due_text = due.isoformat()
        item.overdue = item.state in OVERDUE_STATES
        item.state_css = item.state or item.status
        item.problem_text = f"{item.problem.number}. {Truncator(item.problem.title).chars(28)}"
        item.goal_text = Truncator(item.goal).chars(50)
        item.with_text = "、".join(d.name for d in item.cooperating_departments.all())
        item.bar_title = f"{Truncator(item.goal).chars(60)} · {item.due_text}"
    return rows


def _options(choices, chosen: str) -> list[tuple[str, str, bool]]:
    """(value, label, selected) for a filter's <option>s."""
    return [(str(value), label, str(value) == chosen) for value, label in choices]


@require_perm("rectification.view_plan")
def rectification_export(request: AuthenticatedHttpRequest, round_pk: int) -> HttpResponse:
    rnd = round_in_scope(request, round_pk)
    plan = plan_of(rnd)
    items: list[PlanItem] | QuerySet[PlanItem] = []
    if plan is not None:
        _all, filtered, _chosen = _filtered(request, rnd, plan, today())
        items = with_latest_progress(item_rows(filtered))
    data = items_workbook(items, title=_("Rectification items"))
    filename = _("rectification-%(year)s.xlsx") % {"year": rnd.year}
    return HttpResponse(data, content_type=XLSX, headers={"Content-Disposition": content_disposition_header(True, filename)})


@require_perm("rectification.view_plan")
def rectification_report(request: AuthenticatedHttpRequest, round_pk: int) -> HttpResponse:
    rnd = round_in_scope(request, round_pk)
    plan, day = plan_of(rnd), today()
    items, tiles = [], None
    if plan is not None:
        visible, filtered, _chosen = _filtered(request, rnd, plan, day)
        items = with_states(list(with_latest_progress(item_rows(filtered))), plan, day)
        tiles = tiles_for(visible, today=day)
    return render(
        request,
        "rectification/report_print.html",
        {"round": rnd, "plan": plan, "items": items, "tiles": tiles, "today": day},
    )


@require_perm("rectification.view_problems")
def rectification_effect(request: AuthenticatedHttpRequest, round_pk: int) -> HttpResponse:
    rnd = round_in_scope(request, round_pk)
    plan = plan_of(rnd)
    form = IndicatorReadingForm(request.POST or None)
    if request.method == "POST":
        if not request.user.has_perm("rectification.manage_plan"):
            return refused(
                request,
                RectificationError(_("Only the supervision office enters values.")),
                "rectification_effect",
                round_pk=rnd.pk,
            )
        if form.is_valid():
            try:
                check_stage(rnd)
                services.indicator_reading_save(rnd=rnd, user=request.user, **form.cleaned_data)
            except RectificationError as exc:
                return refused(request, exc, "rectification_effect", round_pk=rnd.pk)
            messages.success(request, _("Indicator value saved."))
            return redirect("rectification_effect", round_pk=rnd.pk)
    items = item_rows(plan.items.exclude(status=PlanItem.Status.WITHDRAWN)) if plan else []
    return render(
        request,
        "rectification/effect.html",
        {
            **stage_context(rnd),
            "plan": plan,
            "effects": effects_for(rnd=rnd, items=items),
            "form": form,
            "readings": rnd.indicator_readings.order_by("indicator"),
        },
    )


@require_perm("rectification.view_notifications")
def notification_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    notices = Notification.objects.filter(recipient=request.user).select_related("item")
    page = Paginator(notices, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "rectification/notification_list.html", {"page": page})


@require_POST
@require_perm("rectification.view_notifications")
def notification_read(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Open one notice (``pk`` in the form) and go to its item, or mark every notice read."""
    own = Notification.objects.filter(recipient=request.user)
    pk = request.POST.get("pk", "")
    if not pk.isdigit():
        services.notifications_mark_all_read(user=request.user)
        return redirect("notification_list")
    notice = get_visible_or_404(own, pk=pk)
    services.notification_mark_read(notification=notice)
    if notice.item_id and items_visible_to(request.user).filter(pk=notice.item_id).exists():
        return redirect("item_detail", pk=notice.item_id)
    return redirect("notification_list")
