"""The problem list and the plan: heading, items, approval, versions, the printable document."""

from __future__ import annotations

from types import SimpleNamespace

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csp import csp_override
from django.views.decorators.http import require_POST

from monitoring_site.concurrency import StaleEdit
from monitoring_site.http import AuthenticatedHttpRequest
from monitoring_site.permissions import county_filtered, get_visible_or_404, require_perm
from results.models import Finding
from rounds.views.documents import DOCUMENT_CSP

from .. import services
from ..forms import PlanForm, PlanItemForm, ProblemForm, ReasonForm
from ..models import Plan, Problem
from ..reports import PLAN_TEMPLATE, plan_context
from ..selectors import item_rows, items_visible_to, plan_of, problems_visible_to
from ..services import RectificationError
from ..versions import compare, plan_snapshot
from .common import refused, round_and_plan, round_in_scope, stage_context


def _version(request: AuthenticatedHttpRequest) -> int:
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return 0


@require_perm("rectification.view_problems")
def problem_list(request: AuthenticatedHttpRequest, round_pk: int) -> HttpResponse:
    rnd = round_in_scope(request, round_pk)
    problems = (
        problems_visible_to(request.user)
        .filter(round=rnd)
        .select_related("round", "finding", "withdrawn_by")
        .prefetch_related("items__lead_department")
    )
    taken = set(problems.filter(withdrawn_at__isnull=True, finding__isnull=False).values_list("finding_id", flat=True))
    findings = [f for f in Finding.objects.filter(round=rnd, status=Finding.Status.OPEN) if f.pk not in taken]
    plan = plan_of(rnd)
    listed = list(problems)
    for problem in listed:  # the page offers 撤回 only where the service would take it
        setattr(problem, "withdraw_refusal", services.problem_withdraw_refusal(problem=problem, plan=plan))  # noqa: B010
    return render(
        request,
        "rectification/problem_list.html",
        {
            **stage_context(rnd),
            "problems": listed,
            "findings": findings,
            "problem_refusal": services.stage_refusal(rnd),
            "plan_refusal": services.plan_change_refusal(rnd=rnd, plan=plan),
        },
    )


@require_perm("rectification.manage_plan")
def problem_create(request: AuthenticatedHttpRequest, round_pk: int) -> HttpResponse:
    rnd = round_in_scope(request, round_pk)
    form = ProblemForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            problem = services.problem_create(rnd=rnd, user=request.user, **form.cleaned_data)
        except RectificationError as exc:
            return refused(request, exc, "problem_list", round_pk=rnd.pk)
        messages.success(request, _("Problem %(n)s added.") % {"n": problem.number})
        return redirect("problem_list", round_pk=rnd.pk)
    return render(request, "rectification/problem_form.html", {**stage_context(rnd), "form": form})


@require_POST
@require_perm("rectification.manage_plan")
def problem_from_finding(request: AuthenticatedHttpRequest, finding_pk: int) -> HttpResponse:
    finding = get_visible_or_404(county_filtered(request.user, Finding.objects.all(), "round__county"), pk=finding_pk)
    try:
        problem = services.problem_from_finding(finding=finding, user=request.user)
    except RectificationError as exc:
        return refused(request, exc, "problem_list", round_pk=finding.round_id)
    messages.success(
        request,
        _("Finding turned into problem %(n)s; now give it a plan item.") % {"n": problem.number},
    )
    return redirect(f"{_item_create_url(problem)}")


def _item_create_url(problem: Problem) -> str:
    from django.urls import reverse

    return reverse("item_create", kwargs={"round_pk": problem.round_id}) + f"?problem={problem.pk}"


@require_POST
@require_perm("rectification.manage_plan")
def problem_withdraw(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    problem = get_visible_or_404(problems_visible_to(request.user), pk=pk)
    form = ReasonForm(request.POST)
    try:
        services.problem_withdraw(problem=problem, reason=form.data.get("reason", ""), user=request.user)
    except RectificationError as exc:
        return refused(request, exc, "problem_list", round_pk=problem.round_id)
    messages.success(request, _("Problem withdrawn; it stays on the list with your reason."))
    return redirect("problem_list", round_pk=problem.round_id)


@require_perm("rectification.view_plan")
def plan_detail(request: AuthenticatedHttpRequest, round_pk: int) -> HttpResponse:
    rnd, plan = round_and_plan(request, round_pk)
    items = list(item_rows(items_visible_to(request.user).filter(plan=plan).select_related("plan__round"))) if plan else []
    return render(
        request,
        "rectification/plan_detail.html",
        {
            **stage_context(rnd),
            "plan": plan,
            "items": items,
            "plan_refusal": services.plan_change_refusal(rnd=rnd, plan=plan),
            "revise_refusal": services.plan_revise_refusal(rnd=rnd, plan=plan),
            "changeable": {item.pk for item in items if not services.item_change_refusal(item=item)},
            "versions": plan.versions.select_related("approved_by") if plan else [],
        },
    )


def _draft_plan(request, rnd):
    """The plan to edit: made by the first save, shown unsaved to a GET (a read creates nothing)."""
    if request.method == "POST":
        return services.plan_ensure(rnd=rnd, user=request.user)
    return services.plan_of_round(rnd) or services.plan_unsaved(rnd=rnd)


@require_perm("rectification.manage_plan")
def plan_edit(request: AuthenticatedHttpRequest, round_pk: int) -> HttpResponse:
    rnd = round_in_scope(request, round_pk)
    refusal = services.plan_change_refusal(rnd=rnd, plan=plan_of(rnd))
    if refusal:
        return refused(request, RectificationError(refusal), "plan_detail", round_pk=rnd.pk)
    plan = _draft_plan(request, rnd)
    form = PlanForm(request.POST or None, instance=plan)
    if request.method == "POST" and form.is_valid():
        fields = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            services.plan_update(
                plan=Plan.objects.get(pk=plan.pk),
                user=request.user,
                expected_version=form.cleaned_data.get("version") or 0,
                **fields,
            )
        except StaleEdit as exc:
            messages.error(request, exc.message)
            return render(
                request,
                "rectification/plan_form.html",
                {**stage_context(rnd), "form": form},
                status=409,
            )
        messages.success(request, _("Plan heading saved."))
        return redirect("plan_detail", round_pk=rnd.pk)
    return render(request, "rectification/plan_form.html", {**stage_context(rnd), "form": form})


@require_POST
@require_perm("rectification.manage_plan")
def plan_approve(request: AuthenticatedHttpRequest, round_pk: int) -> HttpResponse:
    rnd = round_in_scope(request, round_pk)
    plan = plan_of(rnd)
    try:
        if plan is None:
            raise RectificationError(_("Add at least one item before approving the plan."))
        version = services.plan_approve(plan=plan, user=request.user, expected_version=_version(request))
    except (RectificationError, StaleEdit) as exc:
        return refused(request, exc, "plan_detail", round_pk=rnd.pk)
    messages.success(
        request,
        _("Version %(n)s of the plan approved; its deadlines are now in force.") % {"n": version.number},
    )
    return redirect("plan_detail", round_pk=rnd.pk)


@require_POST
@require_perm("rectification.manage_plan")
def plan_revise(request: AuthenticatedHttpRequest, round_pk: int) -> HttpResponse:
    rnd = round_in_scope(request, round_pk)
    plan = get_object_or_404(Plan, round=rnd)
    try:
        services.plan_revise(
            plan=plan,
            reason=request.POST.get("reason", ""),
            user=request.user,
            expected_version=_version(request),
        )
    except (RectificationError, StaleEdit) as exc:
        return refused(request, exc, "plan_detail", round_pk=rnd.pk)
    messages.success(
        request,
        _("Version %(n)s opened as a draft; the approved deadlines stay in force until it is approved.") % {"n": plan.number},
    )
    return redirect("plan_detail", round_pk=rnd.pk)


# The printable plan is the plan document's own template, rendered live (the PDF with its
# versions is requested from the plan page).
@csp_override(DOCUMENT_CSP)
@require_perm("rectification.view_problems")
def plan_print(request: AuthenticatedHttpRequest, round_pk: int) -> HttpResponse:
    rnd = round_in_scope(request, round_pk)
    plan = get_object_or_404(Plan, round=rnd)
    preview = SimpleNamespace(title=plan.title, created_at=timezone.now())
    return render(request, PLAN_TEMPLATE, {**plan_context(plan), "document": preview, "round": rnd, "county": rnd.county})


@require_perm("rectification.view_problems")
def plan_versions(request: AuthenticatedHttpRequest, round_pk: int) -> HttpResponse:
    rnd = round_in_scope(request, round_pk)
    plan = get_object_or_404(Plan, round=rnd)
    versions = list(plan.versions.select_related("approved_by").order_by("number"))
    choices = {str(v.number): v.snapshot for v in versions}
    if not plan.is_approved:
        choices["draft"] = plan_snapshot(plan, item_rows(plan.items.all()))
    keys = list(choices)
    a = request.GET.get("a") or (keys[-2] if len(keys) > 1 else (keys[0] if keys else ""))
    b = request.GET.get("b") or (keys[-1] if keys else "")
    changes = compare(choices[a], choices[b]) if a in choices and b in choices else []
    return render(
        request,
        "rectification/plan_versions.html",
        {
            **stage_context(rnd),
            "plan": plan,
            "versions": versions,
            "keys": keys,
            "a": a,
            "b": b,
            "changes": changes,
            "has_draft": "draft" in choices,
        },
    )


def _item_form_page(request: AuthenticatedHttpRequest, rnd, form, item=None) -> HttpResponse:
    return render(request, "rectification/item_form.html", {**stage_context(rnd), "form": form, "item": item})


@require_perm("rectification.manage_plan")
def item_create(request: AuthenticatedHttpRequest, round_pk: int) -> HttpResponse:
    rnd = round_in_scope(request, round_pk)
    refusal = services.plan_change_refusal(rnd=rnd, plan=plan_of(rnd))
    if refusal:
        return refused(request, RectificationError(refusal), "plan_detail", round_pk=rnd.pk)
    plan = _draft_plan(request, rnd)
    initial = {"problem": request.GET.get("problem")} if request.GET.get("problem", "").isdigit() else {}
    form = PlanItemForm(request.POST or None, rnd=rnd, initial=initial)
    if request.method == "POST" and form.is_valid():
        item = form.save(commit=False)
        item.plan = plan
        try:
            services.item_save(
                item=item,
                cooperating=form.cleaned_data["cooperating_departments"],
                user=request.user,
                expected_version=None,
            )
        except RectificationError as exc:
            return refused(request, exc, "plan_detail", round_pk=rnd.pk)
        messages.success(request, _("Item added to the draft plan."))
        return redirect("plan_detail", round_pk=rnd.pk)
    return _item_form_page(request, rnd, form)


@require_perm("rectification.manage_plan")
def item_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    item = get_visible_or_404(items_visible_to(request.user).select_related("plan__round"), pk=pk)
    rnd = item.plan.round
    refusal = services.item_change_refusal(item=item)
    if refusal:
        return refused(request, RectificationError(refusal), "plan_detail", round_pk=rnd.pk)
    form = PlanItemForm(request.POST or None, instance=item, rnd=rnd)
    if request.method == "POST" and form.is_valid():
        try:
            services.item_save(
                item=form.save(commit=False),
                user=request.user,
                cooperating=form.cleaned_data["cooperating_departments"],
                expected_version=form.cleaned_data.get("version") or 0,
            )
        except StaleEdit as exc:
            messages.error(request, exc.message)
            return render(
                request,
                "rectification/item_form.html",
                {**stage_context(rnd), "form": form, "item": item},
                status=409,
            )
        except RectificationError as exc:
            return refused(request, exc, "plan_detail", round_pk=rnd.pk)
        messages.success(request, _("Item saved."))
        return redirect("plan_detail", round_pk=rnd.pk)
    return _item_form_page(request, rnd, form, item)


@require_POST
@require_perm("rectification.manage_plan")
def item_withdraw(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    item = get_visible_or_404(items_visible_to(request.user).select_related("plan__round"), pk=pk)
    try:
        services.item_withdraw(item=item, reason=request.POST.get("reason", ""), user=request.user)
    except RectificationError as exc:
        return refused(request, exc, "item_detail", pk=item.pk)
    messages.success(request, _("Item withdrawn; it stays in the plan's history with your reason."))
    return redirect("plan_detail", round_pk=item.plan.round_id)
