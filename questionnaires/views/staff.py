"""County staff, leaders, inspectors and coordinators: instruments, codes, tracking, indicators."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from monitoring_site.audit import audit_record
from monitoring_site.http import AuthenticatedHttpRequest
from monitoring_site.permissions import county_filtered, get_visible_or_404, person_of, require_perm
from monitoring_site.views import import_status
from rounds.models import AuditEvent, ImportBatch, Round
from rounds.selectors import round_of_request
from sampling.models import SampledSchool

from ..exports import codebook_and_data_bytes, definition_bytes, paper_template_bytes
from ..expressions import names
from ..forms import CodeSettingsForm, DefinitionUploadForm, PaperImportForm
from ..imports import PAPER_KIND
from ..models import AccessCode, Instrument, Kind
from ..qr import answer_url
from ..selectors import (
    codes_of_school,
    indicator_catalogue,
    indicator_summary,
    instruments_visible_to,
    rounds_visible_to,
    sampled_schools_visible_to,
    school_code_statuses,
    tracking,
)
from ..services import (
    PaperRefused,
    access_codes_generate,
    instrument_import,
    instrument_install_defaults,
    paper_import_start,
    paper_stage_refusal,
)
from . import xlsx_response
from .public import _sections
from .verification import verification_panel


def _round(request: AuthenticatedHttpRequest, pk: int) -> Round:
    return get_visible_or_404(rounds_visible_to(request.user), pk=pk)


@require_perm("questionnaires.view_tracking")
def questionnaire_index(request: AuthenticatedHttpRequest) -> HttpResponse:
    rnd = round_of_request(request)
    if rnd is None:
        return render(request, "questionnaires/no_round.html")
    return redirect("questionnaire_tracking", pk=rnd.pk)


# --- instruments ------------------------------------------------------------------------


@require_perm("questionnaires.manage")
def instrument_list(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    rnd = _round(request, pk)
    instruments = list(Instrument.objects.filter(round=rnd).order_by("kind", "-version"))
    latest: dict[str, Instrument] = {}
    for instrument in instruments:
        latest.setdefault(instrument.kind, instrument)
        instrument.is_current = latest[instrument.kind] is instrument
    return render(
        request,
        "questionnaires/instrument_list.html",
        {
            "round": rnd,
            "instruments": instruments,
            "latest": latest,
            "kinds": Kind.choices,
            "missing": [label for kind, label in Kind.choices if kind not in latest],
        },
    )


@require_POST
@require_perm("questionnaires.manage")
def instrument_install(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    rnd = _round(request, pk)
    created = instrument_install_defaults(rnd=rnd, user=request.user)
    messages.success(request, _("%(n)s default questionnaires installed.") % {"n": len(created)})
    return redirect("instrument_list", pk=rnd.pk)


@require_perm("questionnaires.manage")
def instrument_upload(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    rnd = _round(request, pk)
    form = DefinitionUploadForm(request.POST or None, request.FILES or None)
    errors: list[dict] = []
    if request.method == "POST" and form.is_valid():
        instrument, batch = instrument_import(
            rnd=rnd, kind=form.cleaned_data["kind"], title=form.cleaned_data["title"], upload=form.cleaned_data["file"], user=request.user
        )
        errors = batch.errors
        if instrument is not None:
            messages.success(
                request,
                _("Version %(v)s of “%(title)s” loaded; check the preview.") % {"v": instrument.version, "title": instrument.title},
            )
            return redirect("instrument_detail", pk=instrument.pk)
    return render(
        request,
        "questionnaires/instrument_upload.html",
        {"round": rnd, "form": form, "errors": errors},
        status=422 if errors else 200,
    )


@require_perm("questionnaires.manage")
def instrument_template(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    rnd = _round(request, pk)
    instrument = Instrument.objects.filter(round=rnd).order_by("kind", "-version").first()
    if instrument is None:
        instrument_install_defaults(rnd=rnd, user=request.user)
        instrument = Instrument.objects.filter(round=rnd, kind=Kind.STUDENT).first()
        assert instrument is not None  # just installed
    return xlsx_response(definition_bytes(instrument), "questionnaire-definition.xlsx")


@require_perm("questionnaires.manage")
def instrument_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    instrument = get_visible_or_404(instruments_visible_to(request.user), pk=pk)
    sections, _answered, total = _sections(instrument, {})
    return render(
        request,
        "questionnaires/instrument_detail.html",
        {
            "instrument": instrument,
            "round": instrument.round,
            "sections": sections,
            "total": total,
            "indicators": instrument.indicators.all(),
            "preview": True,
        },
    )


@require_perm("questionnaires.manage")
def instrument_definition(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    instrument = get_visible_or_404(instruments_visible_to(request.user), pk=pk)
    return xlsx_response(definition_bytes(instrument), f"definition-{instrument.kind}-v{instrument.version}.xlsx")


@require_perm("questionnaires.manage")
def instrument_export(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    instrument = get_visible_or_404(instruments_visible_to(request.user), pk=pk)
    audit_record(
        request=request,
        action=AuditEvent.Action.EXPORT,
        obj_type="questionnaires.Instrument",
        obj_id=instrument.pk,
        summary=_("Codebook and data of %(instrument)s") % {"instrument": instrument},
    )
    return xlsx_response(
        codebook_and_data_bytes(instrument),
        f"responses-{instrument.kind}-v{instrument.version}.xlsx",
    )


# --- paper forms ------------------------------------------------------------------------


@require_perm("questionnaires.manage")
def paper_template(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    instrument = get_visible_or_404(instruments_visible_to(request.user), pk=pk)
    return xlsx_response(paper_template_bytes(instrument), f"paper-{instrument.kind}-v{instrument.version}.xlsx")


@require_perm("questionnaires.manage")
def paper_import(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    instrument = get_visible_or_404(instruments_visible_to(request.user), pk=pk)
    form = PaperImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            batch = paper_import_start(instrument=instrument, upload=form.cleaned_data["file"], user=request.user, language=get_language())
        except PaperRefused as exc:
            messages.error(request, exc.message)
        else:
            return redirect("paper_import_detail", pk=batch.pk)
    batches = county_filtered(request.user, ImportBatch.objects.filter(kind=f"{PAPER_KIND}:{instrument.pk}"))[:10]
    return render(
        request,
        "questionnaires/paper_import.html",
        {
            "instrument": instrument,
            "form": form,
            "batches": batches,
            "round": instrument.round,
            "stage_refusal": paper_stage_refusal(instrument.round),
        },
    )


@require_perm("questionnaires.manage")
def paper_import_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    batch = get_visible_or_404(
        county_filtered(request.user, ImportBatch.objects.filter(kind__startswith=PAPER_KIND)),
        pk=pk,
    )
    return import_status(
        request, batch=batch, heading=_("Import paper forms"), below="questionnaires/_verification.html", **verification_panel(batch=batch)
    )


# --- access codes -----------------------------------------------------------------------


@require_perm("questionnaires.manage")
def access_codes(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    rnd = _round(request, pk)
    form = CodeSettingsForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        made = access_codes_generate(rnd=rnd, user=request.user, **form.cleaned_data)
        messages.success(request, _("%(n)s new access codes made.") % {"n": made})
        return redirect("access_codes", pk=rnd.pk)
    rows = tracking(rnd=rnd)
    return render(request, "questionnaires/access_codes.html", {"round": rnd, "form": form, "rows": rows})


@require_perm("questionnaires.manage")
def county_slips(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    rnd = _round(request, pk)
    codes = AccessCode.objects.filter(round=rnd, kind=Kind.COUNTY).order_by("serial")
    audit_record(
        request=request,
        action=AuditEvent.Action.VIEW,
        obj_type="questionnaires.AccessCode",
        obj_id=rnd.pk,
        summary=_("Code slips of the county administrators"),
    )
    return _slips(request, rnd=rnd, codes=codes, school=None)


@require_perm("questionnaires.print_slips")
def code_slips(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    school = get_visible_or_404(sampled_schools_visible_to(request.user), pk=pk)
    codes = codes_of_school(sampled_school=school)
    audit_record(
        request=request,
        action=AuditEvent.Action.VIEW,
        obj_type="questionnaires.AccessCode",
        obj_id=school.pk,
        summary=_("Code slips of %(school)s") % {"school": school},
    )
    return _slips(request, rnd=school.round, codes=codes, school=school)


def _slips(request: AuthenticatedHttpRequest, *, rnd: Round, codes, school: SampledSchool | None) -> HttpResponse:
    base = request.build_absolute_uri("/")
    context = {"round": rnd, "codes": codes, "school": school, "base": base, "start_url": answer_url(base=base)}
    return render(request, "questionnaires/slips.html", context)


# --- tracking ---------------------------------------------------------------------------


@require_perm("questionnaires.view_tracking")
def questionnaire_tracking(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    rnd = _round(request, pk)
    person = person_of(request.user)
    assert person is not None  # require_perm: a role
    school_ids = None
    if person.role not in ("county_staff", "leader"):
        school_ids = list(sampled_schools_visible_to(request.user).filter(round=rnd).values_list("pk", flat=True))
    rows = tracking(rnd=rnd, sampled_school_ids=school_ids)
    totals: dict[str, list[int]] = {}
    for row in rows:
        row.url = reverse("school_tracking", args=[row.sampled_school.pk]) if row.sampled_school else ""
        for kind, progress in row.kinds.items():
            total = totals.setdefault(kind, [0, 0])
            total[0] += progress.issued
            total[1] += progress.submitted
    return render(
        request,
        "questionnaires/tracking.html",
        {
            "round": rnd,
            "rows": rows,
            "kinds": [(k, Kind(k).label) for k in ("student", "teacher", "principal")],
            "totals": {
                k: {
                    "issued": v[0],
                    "submitted": v[1],
                    "percent": round(100 * v[1] / v[0]) if v[0] else 0,
                }
                for k, v in totals.items()
            },
            "closes_at": rnd.closes_at,
        },
    )


@require_perm("questionnaires.view_tracking")
def school_tracking(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    school = get_visible_or_404(sampled_schools_visible_to(request.user), pk=pk)
    codes, progress = school_code_statuses(sampled_school=school)
    return render(
        request,
        "questionnaires/school_tracking.html",
        {
            "school": school,
            "round": school.round,
            "codes": codes,
            "progress": progress,
        },
    )


@require_perm("questionnaires.print_slips")
def reminder_list(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    school = get_visible_or_404(sampled_schools_visible_to(request.user), pk=pk)
    codes = codes_of_school(sampled_school=school, unused_only=True)
    return render(
        request,
        "questionnaires/reminders.html",
        {"school": school, "round": school.round, "codes": codes, "now": timezone.now()},
    )


# --- indicators -------------------------------------------------------------------------


@require_perm("questionnaires.view_indicators")
def indicator_overview(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    rnd = _round(request, pk)
    catalogue = indicator_catalogue(rnd=rnd)
    chosen = request.GET.get("indicator", "")
    rule = next(
        (r for r in catalogue if f"{r.instrument.kind}:{r.code}" == chosen),
        catalogue[0] if catalogue else None,
    )
    county_rows = school_rows = []
    sources: list[str] = []
    if rule is not None:
        # The questions it is computed from, in the words respondents read (not the expression).
        sources = list(rule.instrument.items.filter(code__in=names(rule.calculation)).values_list("label", flat=True))
        county_rows = indicator_summary(rnd=rnd, indicator=rule.code, by="county", kind=rule.instrument.kind)
        school_rows = indicator_summary(rnd=rnd, indicator=rule.code, by="school", kind=rule.instrument.kind)
    return render(
        request,
        "questionnaires/indicators.html",
        {
            "round": rnd,
            "catalogue": catalogue,
            "rule": rule,
            "county_rows": county_rows,
            "school_rows": school_rows,
            "sources": sources,
        },
    )
