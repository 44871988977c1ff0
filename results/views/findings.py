"""Findings: run the diagnosis, read the evidence, add one by hand, dismiss with a reason."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from monitoring_site.http import AuthenticatedHttpRequest
from monitoring_site.permissions import get_visible_or_404, require_perm

from ..forms import DismissForm, FindingForm
from ..selectors import findings_visible_to
from ..services import StageRefused, diagnose, finding_add, finding_dismiss, finding_reopen
from .common import base_context, round_for


@require_perm("results.view_results")
def results_findings(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    rnd = round_for(request, pk)
    findings = (
        findings_visible_to(request.user).filter(round=rnd).select_related("created_by").order_by("status", "grade", "domain", "rule")
    )
    return render(
        request,
        "results/findings.html",
        base_context(rnd, findings=findings, form=FindingForm(), dismiss_form=DismissForm()),
    )


@require_POST
@require_perm("results.manage_results")
def results_diagnose(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    rnd = round_for(request, pk)
    found = diagnose(rnd=rnd, user=request.user)
    messages.success(request, _("Diagnosis run: %(n)s findings from the rules.") % {"n": len(found)})
    return redirect("results_findings", pk=rnd.pk)


@require_perm("results.manage_results")
def results_finding_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    rnd = round_for(request, pk)
    form = FindingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            finding_add(
                rnd=rnd,
                title=data["title"],
                domain=data["domain"],
                grade=data["grade"],
                evidence_text=data["evidence_text"],
                user=request.user,
            )
        except StageRefused as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Finding added."))
        return redirect("results_findings", pk=rnd.pk)
    return render(request, "results/finding_form.html", base_context(rnd, form=form))


@require_POST
@require_perm("results.manage_results")
def results_finding_dismiss(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    finding = get_visible_or_404(findings_visible_to(request.user).select_related("round"), pk=pk)
    form = DismissForm(request.POST)
    try:
        if finding.status == finding.Status.DISMISSED:
            finding_reopen(finding=finding, user=request.user)
            messages.success(request, _("Finding reopened."))
        elif form.is_valid():
            finding_dismiss(finding=finding, reason=form.cleaned_data["reason"], user=request.user)
            messages.success(request, _("Finding dismissed."))
        else:
            messages.error(request, _("Give a reason to dismiss a finding."))
    except StageRefused as exc:
        messages.error(request, exc.message)
    return redirect("results_findings", pk=finding.round_id)
