"""Custody of the sealed packages and incidents: append-only, corrected by new entries."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from monitoring_site.http import AuthenticatedHttpRequest
from monitoring_site.permissions import get_visible_or_404, require_perm

from ..forms import CountersignForm, EvidenceForm, HandoverForm, IncidentForm, PackageForm
from ..models import Handover, Incident, Package
from ..selectors import incidents_visible_to, sampled_grades
from ..services import (
    LogisticsError,
    evidence_add,
    handover_record,
    incident_countersign,
    incident_record,
    package_add,
)
from ..uploads import UploadRefused
from .common import CUSTODY, banner, round_or_404, school_or_404, stage_refused


def _packages(rnd, school):
    return Package.objects.filter(round=rnd, school=school)


@require_perm("logistics.view_school")
def custody(request: AuthenticatedHttpRequest, round_pk: int, school_pk: int) -> HttpResponse:
    rnd = round_or_404(request, round_pk)
    school = school_or_404(request, rnd, school_pk)
    packages = _packages(rnd, school).prefetch_related(
        Prefetch(
            "handovers",
            queryset=Handover.objects.select_related("recorded_by").prefetch_related("incidents", "corrected_by"),
        ),
        "corrected_by",
    )
    form = PackageForm(packages=_packages(rnd, school))
    return render(
        request,
        "logistics/custody.html",
        {
            **banner(rnd),
            "school": school,
            "packages": packages,
            "form": form,
            "editable": request.user.has_perm("logistics.record_custody") and rnd.stage in CUSTODY,
        },
    )


@require_POST
@require_perm("logistics.record_custody")
def package_add_view(request: AuthenticatedHttpRequest, round_pk: int, school_pk: int) -> HttpResponse:
    rnd = round_or_404(request, round_pk)
    school = school_or_404(request, rnd, school_pk)
    form = PackageForm(request.POST, packages=_packages(rnd, school))
    if not stage_refused(request, rnd, CUSTODY):
        if form.is_valid():
            package_add(rnd=rnd, school=school, user=request.user, **form.cleaned_data)
            messages.success(request, _("Package recorded."))
        else:
            messages.error(request, "; ".join(str(e) for errs in form.errors.values() for e in errs))
    return redirect("custody", round_pk=rnd.pk, school_pk=school.pk)


@require_perm("logistics.record_custody")
def handover_add(request: AuthenticatedHttpRequest, round_pk: int, school_pk: int, package_pk: int) -> HttpResponse:
    rnd = round_or_404(request, round_pk)
    school = school_or_404(request, rnd, school_pk)
    package = get_visible_or_404(_packages(rnd, school), pk=package_pk)
    last = package.handovers.order_by("-pk").values_list("pk", flat=True).first()
    form = HandoverForm(
        request.POST or None,
        handovers=package.handovers.all(),
        initial={"corrects": request.GET.get("corrects"), "after": last},
    )
    status = 200
    if request.method == "POST" and not stage_refused(request, rnd, CUSTODY) and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "confirm"}
        try:
            _handover, incident = handover_record(package=package, user=request.user, **data)
        except LogisticsError as exc:
            messages.error(request, exc.message)
            # What was typed stays; the form now knows the chain as it is, so the person who
            # read the message and still means it records it with a second press.
            form = HandoverForm({**request.POST.dict(), "after": last or ""}, handovers=package.handovers.all())
            status = 409
        else:
            if incident:
                messages.warning(
                    request,
                    _(
                        "The seal or the count was not right: an incident was opened. "
                        "Describe what was done and ask the inspector to countersign."
                    ),
                )
                return redirect("incident_detail", round_pk=rnd.pk, school_pk=school.pk, pk=incident.pk)
            messages.success(request, _("Hand-over recorded."))
            return redirect("custody", round_pk=rnd.pk, school_pk=school.pk)
    return render(
        request,
        "logistics/form.html",
        {
            **banner(rnd),
            "form": form,
            "school": school,
            "back_url": reverse("custody", args=[rnd.pk, school.pk]),
            "title": _("Hand-over of package %(code)s") % {"code": package.code},
            "offline": {
                "kind": "handover",
                "package": package.pk,
                "after": last,
                "label": package.code,
            },
        },
        status=status,
    )


@require_perm("logistics.view_school")
def incident_list(request: AuthenticatedHttpRequest, round_pk: int, school_pk: int) -> HttpResponse:
    rnd = round_or_404(request, round_pk)
    school = school_or_404(request, rnd, school_pk)
    return render(
        request,
        "logistics/incidents.html",
        {
            **banner(rnd),
            "school": school,
            "incidents": incidents_visible_to(request.user, rnd=rnd).filter(school=school),
        },
    )


def _incident_form(request: AuthenticatedHttpRequest, rnd, school, data=None, files=None) -> IncidentForm:
    grades = [s.grade for s in sampled_grades(rnd=rnd, school=school)]
    return IncidentForm(
        data,
        files,
        sessions=rnd.sessions.filter(grade__in=grades),
        incidents=Incident.objects.filter(round=rnd, school=school),
        initial={"corrects": request.GET.get("corrects")},
    )


@require_perm("logistics.record_incident")
def incident_add(request: AuthenticatedHttpRequest, round_pk: int, school_pk: int) -> HttpResponse:
    rnd = round_or_404(request, round_pk)
    school = school_or_404(request, rnd, school_pk)
    form = _incident_form(request, rnd, school, request.POST or None, request.FILES or None)
    if request.method == "POST" and not stage_refused(request, rnd, CUSTODY) and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "attachment"}
        incident = incident_record(rnd=rnd, school=school, user=request.user, **data)
        if form.cleaned_data.get("attachment"):
            try:
                evidence_add(incident=incident, upload=form.cleaned_data["attachment"], user=request.user)
            except UploadRefused as exc:
                messages.error(request, exc.message)
        messages.success(request, _("Incident recorded; the county sees it now."))
        return redirect("incident_detail", round_pk=rnd.pk, school_pk=school.pk, pk=incident.pk)
    return render(
        request,
        "logistics/form.html",
        {
            **banner(rnd),
            "form": form,
            "school": school,
            "multipart": True,
            "title": _("Record an incident"),
            "back_url": reverse("incident_list", args=[rnd.pk, school.pk]),
            "offline": {"kind": "incident", "label": _("Incident")},
        },
    )


@require_perm("logistics.view_school")
def incident_detail(request: AuthenticatedHttpRequest, round_pk: int, school_pk: int, pk: int) -> HttpResponse:
    rnd = round_or_404(request, round_pk)
    school = school_or_404(request, rnd, school_pk)
    incident = get_visible_or_404(
        incidents_visible_to(request.user, rnd=rnd).filter(school=school).prefetch_related("attachments", "corrected_by"),
        pk=pk,
    )
    return render(
        request,
        "logistics/incident_detail.html",
        {
            **banner(rnd),
            "school": school,
            "incident": incident,
            "sign_form": CountersignForm(),
            "upload_form": EvidenceForm(),
            "signature": getattr(incident, "countersignature", None),
            "open": rnd.stage in CUSTODY,
        },
    )


@require_POST
@require_perm("logistics.countersign_incident")
def incident_countersign_view(request: AuthenticatedHttpRequest, round_pk: int, school_pk: int, pk: int) -> HttpResponse:
    rnd = round_or_404(request, round_pk)
    school = school_or_404(request, rnd, school_pk)
    incident = get_visible_or_404(Incident.objects.filter(round=rnd, school=school), pk=pk)
    form = CountersignForm(request.POST)
    if not stage_refused(request, rnd, CUSTODY) and form.is_valid():
        try:
            incident_countersign(incident=incident, note=form.cleaned_data["note"], user=request.user)
        except LogisticsError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Incident countersigned."))
    return redirect("incident_detail", round_pk=rnd.pk, school_pk=school.pk, pk=incident.pk)


@require_POST
@require_perm("logistics.record_incident")
def incident_attach(request: AuthenticatedHttpRequest, round_pk: int, school_pk: int, pk: int) -> HttpResponse:
    rnd = round_or_404(request, round_pk)
    school = school_or_404(request, rnd, school_pk)
    incident = get_visible_or_404(Incident.objects.filter(round=rnd, school=school), pk=pk)
    form = EvidenceForm(request.POST, request.FILES)
    if not stage_refused(request, rnd, CUSTODY):
        try:
            if not form.is_valid():
                raise UploadRefused(_("Choose a file to upload."))
            evidence_add(incident=incident, upload=form.cleaned_data["file"], user=request.user)
        except UploadRefused as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Attachment added."))
    return redirect("incident_detail", round_pk=rnd.pk, school_pk=school.pk, pk=incident.pk)


@require_perm("logistics.view_incidents")
def incident_feed(request: AuthenticatedHttpRequest, round_pk: int) -> HttpResponse:
    """Every incident of the county as it is recorded; the page polls for new ones."""
    rnd = round_or_404(request, round_pk)
    incidents = incidents_visible_to(request.user, rnd=rnd)[:200]
    template = "logistics/_incident_rows.html" if request.htmx else "logistics/incident_feed.html"
    return render(request, template, {**banner(rnd), "incidents": incidents})
