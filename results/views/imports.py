"""Importing scores and PE-health measurements: upload, watch the check, confirm a re-import."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from monitoring_site.http import AuthenticatedHttpRequest
from monitoring_site.permissions import get_visible_or_404, require_perm
from monitoring_site.views import import_status
from rounds.models import Domain

from ..forms import ResultImportForm
from ..imports import template_bytes
from ..models import ResultImport
from ..reference import scored_domains
from ..selectors import imports_visible_to
from ..services import StageRefused, result_import_cancel, result_import_confirm, result_import_start
from .common import base_context, round_for
from .verification import verification_panel

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@require_perm("results.manage_results")
def results_import(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    rnd = round_for(request, pk)
    form = ResultImportForm(request.POST or None, request.FILES or None, domains=scored_domains(rnd))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            ri = result_import_start(
                rnd=rnd,
                kind=data["kind"],
                domain=data.get("domain") or "",
                upload=data["file"],
                user=request.user,
                language=get_language(),
            )
        except StageRefused as exc:
            messages.error(request, exc.message)
        else:
            return redirect("results_import_detail", pk=ri.pk)
    imports = imports_visible_to(request.user).filter(round=rnd)[:30]
    return render(
        request,
        "results/import.html",
        base_context(
            rnd,
            form=form,
            batches=imports,
            domains=[(d, dict(Domain.choices)[d]) for d in scored_domains(rnd)],
        ),
    )


@require_perm("results.manage_results")
def results_template(request: AuthenticatedHttpRequest, pk: int, kind: str) -> HttpResponse:
    rnd = round_for(request, pk)
    if kind != ResultImport.Kind.PE and kind not in scored_domains(rnd):
        raise Http404
    is_pe = kind == ResultImport.Kind.PE
    data = template_bytes(
        rnd=rnd,
        kind=ResultImport.Kind.PE if is_pe else ResultImport.Kind.SCORES,
        domain="" if is_pe else kind,
    )
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''results-{kind}-template.xlsx"
    return response


@require_perm("results.manage_results")
def results_import_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    ri = get_visible_or_404(imports_visible_to(request.user), pk=pk)
    batch = ri.batch
    who = batch.uploaded_by.get_full_name() or batch.uploaded_by.username
    what = ri.get_domain_display() if ri.domain else ri.get_kind_display()
    caption = _("%(what)s · uploaded by %(who)s · %(when)s") % {
        "what": what,
        "who": who,
        "when": formats.date_format(timezone.localtime(batch.created_at), "DATETIME_FORMAT"),
    }
    links = [
        (reverse("results_import", args=[ri.round_id]), _("Upload another file")),
        (reverse("results_overview", args=[ri.round_id]), _("County results")),
    ]
    done_note = _("A later import has since replaced it.") if ri.state == ResultImport.State.REPLACED else ""
    return import_status(
        request,
        batch=batch,
        heading=_("Import"),
        links=links,
        busy=ri.is_busy,
        caption=caption,
        confirm_url=reverse("results_import_confirm", args=[ri.pk]),
        cancel_url=reverse("results_import_cancel", args=[ri.pk]),
        difference=ri.difference,
        replaces_name=ri.replaces.batch.original_name if ri.replaces else "",
        done_note=done_note,
        done_link=(reverse("results_overview", args=[ri.round_id]), _("See the county's results")),
        tabs="results/_tabs.html",
        below="results/_verification.html" if ri.state in (ResultImport.State.ACTIVE, ResultImport.State.REPLACED) else "",
        ri=ri,
        **verification_panel(ri=ri),
        **base_context(ri.round),
    )


@require_POST
@require_perm("results.manage_results")
def results_import_confirm(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    ri = get_visible_or_404(imports_visible_to(request.user), pk=pk)
    try:
        result_import_confirm(result_import=ri, user=request.user, language=get_language())
    except StageRefused as exc:
        messages.error(request, exc.message)
    return redirect("results_import_detail", pk=ri.pk)


@require_POST
@require_perm("results.manage_results")
def results_import_cancel(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    ri = get_visible_or_404(imports_visible_to(request.user), pk=pk)
    if result_import_cancel(result_import=ri, user=request.user).state == ResultImport.State.CANCELLED:
        messages.info(request, _("The import was cancelled; the data in use is as it was."))
    return redirect("results_import_detail", pk=ri.pk)
