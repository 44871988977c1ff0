"""One item: its progress reports, posting progress with evidence, and verification."""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from monitoring_site.http import AuthenticatedHttpRequest
from monitoring_site.permissions import get_visible_or_404, require_perm

from .. import services
from ..deadlines import deadline_state
from ..forms import ProgressForm
from ..models import PlanItem
from ..selectors import (
    can_report_on,
    evidence_visible_to,
    items_changeable_by,
    items_visible_to,
    progress_visible_to,
)
from ..services import RectificationError
from .common import refused, stage_context, today


def _item_page(request: AuthenticatedHttpRequest, item, form=None, status=200) -> HttpResponse:
    rnd = item.plan.round
    can_report = (
        item.is_active and item.is_in_force and request.user.has_perm("rectification.report_progress") and can_report_on(request.user, item)
    )
    state = deadline_state(
        deadline=item.approved_deadline,
        today=today(),
        active=item.is_active,
        due_soon_days=item.plan.due_soon_days,
        escalate_after_days=item.plan.escalate_after_days,
    )
    return render(
        request,
        "rectification/item_detail.html",
        {
            **stage_context(rnd),
            "item": item,
            "state": state,
            "today": today(),
            "reports": item.progress.select_related("posted_by", "verified_by").prefetch_related("files"),
            "warnings": item.warnings.all(),
            "can_report": can_report,
            "form": form or (ProgressForm() if can_report else None),
            "history": item.history.select_related("history_user").order_by("-history_date")[:20],
        },
        status=status,
    )


def _visible_item(request: AuthenticatedHttpRequest, pk: int) -> PlanItem:
    return get_visible_or_404(
        items_visible_to(request.user).select_related(
            "plan__round__county",
            "problem__finding",
            "lead_department",
            "responsible__user",
            "withdrawn_by",
        ),
        pk=pk,
    )


@require_perm("rectification.view_plan")
def item_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _item_page(request, _visible_item(request, pk))


@require_perm("rectification.report_progress")
def progress_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    item = get_visible_or_404(items_changeable_by(request.user).select_related("plan__round"), pk=pk)
    if request.method != "POST":
        return redirect("item_detail", pk=item.pk)
    form = ProgressForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.progress_post(
                item=item,
                text=data["text"],
                percent=data["percent"],
                marks_done=data["marks_done"],
                files=data["files"],
                user=request.user,
            )
        except RectificationError as exc:
            return refused(request, exc, "item_detail", pk=item.pk)
        messages.success(request, _("Progress reported; the supervision office will verify it."))
        return redirect("item_detail", pk=item.pk)
    return _item_page(request, _visible_item(request, pk), form=form, status=400)


@require_POST
@require_perm("rectification.verify_progress")
def progress_verify(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    progress = get_visible_or_404(progress_visible_to(request.user).select_related("item__plan__round"), pk=pk)
    accept = request.POST.get("decision") == "accept"
    try:
        services.progress_verify(
            progress=progress,
            accept=accept,
            reason=request.POST.get("reason", ""),
            user=request.user,
            today=today(),
        )
    except RectificationError as exc:
        return refused(request, exc, "item_detail", pk=progress.item_id)
    if accept:
        messages.success(request, _("Report accepted."))
    else:
        messages.info(request, _("Report returned to the department with your reason."))
    return redirect("item_detail", pk=progress.item_id)


# What a file may be shown as in the page, by the extension its bytes were checked against
# (rectification/evidence.py); never the type the uploading browser claimed.
INLINE_TYPES = {"jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png", "pdf": "application/pdf"}


def _inline_type(evidence) -> str:
    return INLINE_TYPES.get(evidence.original_name.rsplit(".", 1)[-1].lower(), "")


@require_perm("rectification.view_plan")
def evidence_download(request: AuthenticatedHttpRequest, pk: int) -> HttpResponseBase:
    evidence = get_visible_or_404(evidence_visible_to(request.user), pk=pk)
    return FileResponse(evidence.file.open("rb"), as_attachment=True, filename=evidence.original_name)


@require_perm("rectification.view_plan")
def evidence_inline(request: AuthenticatedHttpRequest, pk: int) -> HttpResponseBase:
    evidence = get_visible_or_404(evidence_visible_to(request.user), pk=pk)
    content_type = _inline_type(evidence)
    if not content_type:
        raise Http404
    response = FileResponse(evidence.file.open("rb"), content_type=content_type)
    response["Content-Disposition"] = "inline"
    return response


@require_perm("rectification.view_plan")
def evidence_preview(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The photo (or a PDF's link) in a page of its own, with a download link."""
    evidence = get_visible_or_404(evidence_visible_to(request.user).select_related("progress"), pk=pk)
    content_type = _inline_type(evidence)
    return render(
        request,
        "file_preview.html",
        {
            "file": evidence,
            "is_image": content_type.startswith("image/"),
            "is_pdf": content_type == "application/pdf",
            "inline_url": reverse("evidence_inline", args=[evidence.pk]),
            "download_url": reverse("evidence_download", args=[evidence.pk]),
            "back_url": reverse("item_detail", args=[evidence.progress.item_id]),
        },
    )
