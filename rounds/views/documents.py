"""Documents of a round: request (queues a job), watch its progress, download, view as HTML."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.csp import csp_override
from django.views.decorators.http import require_POST

from monitoring_site.audit import audit_record
from monitoring_site.http import AuthenticatedHttpRequest
from monitoring_site.permissions import get_visible_or_404, require_perm

from ..documents import (
    data_version_numbers,
    document_kinds,
    document_request,
    document_retry,
    documents_visible_to,
    latest_builds,
    requested_document,
    requested_url,
)
from ..models import Document
from ..selectors import round_of_request, rounds_visible_to


def _allowed_kinds(user) -> dict:
    return {kind: spec for kind, spec in document_kinds().items() if user.has_perm(spec.perm)}


def _document_for(request: AuthenticatedHttpRequest, pk: int) -> Document:
    """A document of the user's county (else 404) of a kind the user may read (else 403) and,
    for kinds made per subject, of a subject in the user's scope (else 404)."""
    rounds = rounds_visible_to(request.user)
    document = get_visible_or_404(Document.objects.select_related("round", "created_by").filter(round__in=rounds), pk=pk)
    if document.kind not in _allowed_kinds(request.user):
        raise PermissionDenied
    return get_visible_or_404(documents_visible_to(request.user, rounds).select_related("round", "created_by"), pk=pk)


@require_perm("rounds.view_round")
def documents_home(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The menu's 文件: the documents of the round the user works on (the rounds list if none)."""
    rnd = round_of_request(request)
    return redirect("document_list", pk=rnd.pk) if rnd is not None else redirect("round_list")


@require_perm("rounds.view_round")
def document_list(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    rnd = get_visible_or_404(rounds_visible_to(request.user), pk=pk)
    kinds = _allowed_kinds(request.user)
    documents = documents_visible_to(request.user, rounds_visible_to(request.user).filter(pk=rnd.pk)).select_related("created_by")
    offer = [
        (kind, spec.title(rnd, "")) for kind, spec in kinds.items() if not spec.per_subject and request.user.has_perm(spec.request_perm)
    ]
    latest, versions = latest_builds(documents), data_version_numbers(documents)
    listed = list(documents)
    for document in listed:
        document.is_latest = document.pk in latest
        document.data_version_number = versions.get(document.pk)
    return render(
        request,
        "rounds/document_list.html",
        {"round": rnd, "documents": listed, "offer": offer, "requested": requested_document(request, listed)},
    )


@require_POST
@require_perm("rounds.request_documents")
def document_request_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    rnd = get_visible_or_404(rounds_visible_to(request.user), pk=pk)
    kind, subject = request.POST.get("kind", ""), request.POST.get("subject", "")[:40]
    spec = _allowed_kinds(request.user).get(kind)
    if spec is None or not request.user.has_perm(spec.request_perm):
        messages.error(request, _("Choose a document to build."))
        return redirect("document_list", pk=rnd.pk)
    if spec.subjects is not None and not (subject.isdigit() and spec.subjects(request.user).filter(pk=int(subject)).exists()):
        raise Http404
    document = document_request(rnd=rnd, kind=kind, subject=subject, user=request.user, language=get_language())
    return redirect(requested_url(reverse("document_list", args=[rnd.pk]), document))


# Reading is decided per kind (and subject) in _document_for: a coordinator reads the lists
# of their own school, county readers the county's documents.
@require_perm("rounds.view_round")
def document_status(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    document = _document_for(request, pk)
    if request.GET.get("part") == "note":
        return render(request, "rounds/_document_note.html", {"requested": document})
    builds = Document.objects.filter(round=document.round_id, kind=document.kind, subject=document.subject)
    document.is_latest = document.pk in latest_builds(builds)
    document.data_version_number = data_version_numbers(builds).get(document.pk)
    return render(request, "rounds/_document_row.html", {"d": document})


@require_POST
@require_perm("rounds.view_round")
def document_retry_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    document = _document_for(request, pk)
    if not request.user.has_perm(document_kinds()[document.kind].request_perm):
        raise PermissionDenied
    if document.status == Document.Status.FAILED:
        document_retry(document=document, language=get_language())
    return redirect("document_list", pk=document.round_id)


@require_perm("rounds.view_round")
def document_pdf(request: AuthenticatedHttpRequest, pk: int) -> HttpResponseBase:
    document = _document_for(request, pk)
    if document.status != Document.Status.DONE:
        raise Http404
    audit_record(request=request, action="export", obj_type="document", obj_id=document.pk, summary=document.title)
    return FileResponse(document.pdf.open("rb"), content_type="application/pdf", filename=f"{document.title}.pdf")


# A document's HTML carries its own print stylesheet; it never carries script.
DOCUMENT_CSP = {
    "default-src": ["'self'"],
    "style-src": ["'self'", "'unsafe-inline'"],
    "script-src": ["'none'"],
    "img-src": ["'self'", "data:"],
}


@csp_override(DOCUMENT_CSP)
@require_perm("rounds.view_round")
def document_html(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    document = _document_for(request, pk)
    if document.status != Document.Status.DONE:
        raise Http404
    audit_record(request=request, action="view", obj_type="document", obj_id=document.pk, summary=document.title)
    with document.html.open("rb") as handle:
        return HttpResponse(handle.read(), content_type="text/html; charset=utf-8")
