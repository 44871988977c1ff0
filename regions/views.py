"""A city's or province's supervision office: its counties side by side (the roll-up, with the
region's pooled estimates, and its Excel export), one county's round read-only, and the
reference values and norms it publishes. Monitoring ids at most: never a pupil's name."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import FileResponse, Http404, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from monitoring_site.audit import audit_record
from monitoring_site.errors import Refused
from monitoring_site.http import AuthenticatedHttpRequest
from monitoring_site.permissions import counties_visible_to, get_visible_or_404, require_perm, required_person
from monitoring_site.spreadsheets import Column, new_workbook, workbook_bytes, write_sheet
from results.estimation import Level
from results.models import ReferenceValue
from results.services import reference_value_delete
from rounds.forms import today
from rounds.models import County, Document, Region, Round

from .alerts import previous_means, region_alerts
from .forms import NORM_FORMS, RegionReferenceForm
from .models import ReportBatch
from .norms import PUBLISHED
from .selectors import OFFICE_DOCUMENTS, Rollup, county_round, rollup, sorted_rows
from .services import PublishRefused, region_norm_publish, region_norm_withdraw, region_reference_publish, report_batch_start


def _region(request) -> Region:
    region = required_person(request.user).region
    assert region is not None, "a region office has its region (Person's constraint)"
    return region


def _batches(request) -> QuerySet[ReportBatch]:
    """The office's own batches, and a province's those of its cities."""
    region = _region(request)
    return ReportBatch.objects.filter(Q(region=region) | Q(region__parent=region))


def _year_of(raw: str) -> int:
    return int(raw) if raw.isdigit() and 2015 <= int(raw) <= 2100 else today().year


def _year(request) -> int:
    return _year_of(request.GET.get("year", ""))


def _rollup(request) -> Rollup:
    return rollup(region=_region(request), year=_year(request), today=today())


@require_perm("regions.view_region")
def region_rollup(request: AuthenticatedHttpRequest) -> HttpResponse:
    data = _rollup(request)
    sort = request.GET.get("sort", "code")
    batches = ReportBatch.objects.filter(region=data.region, year=data.year)[:3]
    alerts = region_alerts(data, previous_means(data))
    return render(
        request,
        "regions/rollup.html",
        {
            "rollup": data,
            "rows": sorted_rows(data, sort),
            "sort": sort,
            "levels": list(Level),
            "today": today(),
            "batches": batches,
            "alerts": alerts,
        },
    )


def _fmt(value: float | None, digits: int = 1) -> str:
    return "" if value is None else f"{value:.{digits}f}"


@require_perm("regions.view_region")
def region_rollup_export(request: AuthenticatedHttpRequest) -> HttpResponse:
    data = _rollup(request)
    columns = [
        Column(_("County code"), "code", width=10),
        Column(_("County"), "name", width=14),
        Column(_("Stage"), "stage", width=10),
        Column(_("Sampled schools, grade 4"), "g4", width=10),
        Column(_("Sampled schools, grade 8"), "g8", width=10),
        Column(_("Checklists approved"), "approved", width=10),
        Column(_("Schools in the sample"), "schools", width=10),
        Column(_("Checklists overdue"), "overdue", width=10),
        Column(_("Questionnaire response rate (%)"), "response", width=12),
    ]
    for key in data.keys:
        label = data.key_label(key)
        columns += [
            Column(_("%(what)s: mean") % {"what": label}, "mean", width=10),
            Column(_("%(what)s: SE") % {"what": label}, "se", width=8),
            *[Column(f"{label}: {lv.label} (%)", "level", width=10) for lv in Level],
            Column(_("%(what)s: coefficient of variation") % {"what": label}, "cv", width=10),
        ]
    columns += [
        Column(_("Rectification on time"), "on_time", width=10),
        Column(_("Rectification due soon"), "due_soon", width=10),
        Column(_("Rectification overdue"), "late", width=10),
    ]

    def line(row):
        out = [
            row.county.code,
            row.county.name,
            row.round.get_stage_display() if row.round else _("no round"),
            row.sampled.get(4, 0),
            row.sampled.get(8, 0),
            row.approved,
            row.schools,
            row.overdue,
            _fmt(row.response_rate * 100 if row.response_rate is not None else None),
        ]
        for key in data.keys:
            h = row.headlines.get(key)
            out += [_fmt(h.mean.estimate if h and h.mean else None), _fmt(h.mean.se if h and h.mean else None)]
            out += [_fmt(h.levels[lv].estimate * 100 if h and h.levels else None) for lv in Level]
            out += [_fmt(h.cv if h else None, 3)]
        return [*out, row.on_time, row.due_soon, row.late]

    workbook = new_workbook()
    write_sheet(workbook, title=_("Counties"), columns=columns, rows=(line(r) for r in sorted_rows(data, request.GET.get("sort", "code"))))
    filename = _("counties-%(region)s-%(year)s.xlsx") % {"region": data.region.name, "year": data.year}
    return HttpResponse(
        workbook_bytes(workbook),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": content_disposition_header(True, filename)},
    )


def _county_round(request, pk: int) -> tuple[County, Round | None]:
    county = get_visible_or_404(counties_visible_to(request.user), pk=pk)
    return county, Round.objects.filter(county=county, year=_year(request)).select_related("county").first()


@require_perm("regions.view_region")
def region_county(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """One county's round of the year, read-only: its sample, readiness, test days,
    questionnaires, results, rectification and documents, by monitoring id and school only."""
    county, rnd = _county_round(request, pk)
    data = county_round(rnd=rnd, today=today()) if rnd else None
    return render(request, "regions/county.html", {"county": county, "round": rnd, "year": _year(request), "data": data})


@require_perm("regions.view_region")
def region_county_document(request: AuthenticatedHttpRequest, pk: int, document: int) -> HttpResponseBase:
    """One of the county's finished documents that an office reads (no pupil is named in them)."""
    county = get_visible_or_404(counties_visible_to(request.user), pk=pk)
    built = Document.objects.filter(round__county=county, kind__in=OFFICE_DOCUMENTS, status=Document.Status.DONE)
    doc = get_visible_or_404(built.select_related("round"), pk=document)
    audit_record(request=request, action="export", obj_type="document", obj_id=doc.pk, summary=doc.title)
    return FileResponse(doc.pdf.open("rb"), content_type="application/pdf", filename=f"{county.name}-{doc.title}.pdf")


@require_perm("regions.view_region")
def region_references(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The values this office published; adding one (publish_references) compares every county with it."""
    region = _region(request)
    form = RegionReferenceForm(request.POST or None, region=region)
    if request.method == "POST":
        if not request.user.has_perm("regions.publish_references"):
            raise PermissionDenied
        if form.is_valid():
            try:
                region_reference_publish(ref=form.instance, user=request.user)
            except PublishRefused as refused:
                form.add_error(None, refused.message)  # published by a colleague meanwhile
            else:
                messages.success(request, _("Reference value published: your counties are now compared with it."))
                return redirect("region_references")
    published = ReferenceValue.objects.filter(region=region).order_by("-year", "source", "grade", "domain", "indicator")
    return render(request, "regions/references.html", {"region": region, "form": form, "published": published})


@require_POST
@require_perm("regions.publish_references")
def region_reference_withdraw_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    ref = get_visible_or_404(ReferenceValue.objects.filter(region=_region(request)), pk=pk)
    reference_value_delete(ref=ref, user=request.user)  # withdrawn: kept in the history
    messages.success(request, _("Reference value withdrawn."))
    return redirect("region_references")


@require_perm("regions.view_region")
def region_norms(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The norms this office published (norms, weekly lessons, BMI rows); publishing one
    (publish_references) puts it in place of every county's own value for the same key."""
    region = _region(request)
    posted = None
    if request.method == "POST":
        posted = request.POST["publish"] if request.POST.get("publish") in NORM_FORMS else "norm"
    forms = {kind: form(request.POST if kind == posted else None, region=region, prefix=kind) for kind, form in NORM_FORMS.items()}
    if posted is not None:
        if not request.user.has_perm("regions.publish_references"):
            raise PermissionDenied
        form = forms[posted]
        if form.is_valid():
            region_norm_publish(norm=form.instance, user=request.user)
            messages.success(request, _("Norm published: your counties now use it in place of their own."))
            return redirect("region_norms")
    return render(request, "regions/norms.html", {"region": region, "forms": forms, "published": _norms_in_force(region)})


def _norms_in_force(region: Region) -> dict[str, list]:
    """The office's own rows of each kind, and for a city its province's for the keys the city
    published none of (its counties use those too; the page marks them, and offers no withdrawal)."""
    shown = {}
    for kind, model in PUBLISHED.items():
        own = list(model._default_manager.filter(region=region))
        keys = {row.lookup() for row in own}
        inherited = []
        if region.kind == Region.Kind.CITY and region.parent_id:
            inherited = [
                row
                for row in model._default_manager.filter(region_id=region.parent_id).select_related("region")
                if row.lookup() not in keys
            ]
        shown[kind] = own + inherited
    return shown


@require_POST
@require_perm("regions.publish_references")
def region_norm_withdraw_view(request: AuthenticatedHttpRequest, kind: str, pk: int) -> HttpResponse:
    if kind not in PUBLISHED:
        raise Http404
    norm = get_visible_or_404(PUBLISHED[kind]._default_manager.filter(region=_region(request)), pk=pk)
    region_norm_withdraw(norm=norm, user=request.user)
    messages.success(request, _("Norm withdrawn: your counties use their own value again."))
    return redirect("region_norms")


@require_POST
@require_perm("regions.build_reports")
def region_reports_start(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Build every county's diagnostic report of the year at once (one job per county)."""
    try:
        batch = report_batch_start(region=_region(request), year=_year_of(request.POST.get("year", "")), user=request.user)
    except Refused as refused:
        messages.error(request, refused.message)
        return redirect("region_rollup")
    return redirect("region_reports", pk=batch.pk)


@require_perm("regions.view_region")
def region_reports(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """One batch's progress: each county's build, and the batch done when the chord says so."""
    batch = get_visible_or_404(_batches(request), pk=pk)
    documents = list(batch.documents.select_related("round__county").order_by("round__county__code"))
    done = sum(d.status in (Document.Status.DONE, Document.Status.FAILED) for d in documents)
    template = "regions/_reports_progress.html" if request.htmx else "regions/reports.html"
    return render(request, template, {"batch": batch, "documents": documents, "done": done})


@require_perm("regions.view_region")
def region_report_pdf(request: AuthenticatedHttpRequest, pk: int, document: int) -> HttpResponseBase:
    """A county's report of the batch (school names and estimates; no pupil is named in it)."""
    batch = get_visible_or_404(_batches(request), pk=pk)
    doc = get_visible_or_404(batch.documents.filter(status=Document.Status.DONE), pk=document)
    audit_record(request=request, action="export", obj_type="document", obj_id=doc.pk, summary=doc.title)
    return FileResponse(doc.pdf.open("rb"), content_type="application/pdf", filename=f"{doc.round.county.name}-{doc.title}.pdf")
