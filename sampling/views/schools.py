"""One sampled school: its page, its roster (uploaded or typed in), and the county's
student draw and its confirmation."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from monitoring_site.audit import audit_record
from monitoring_site.http import AuthenticatedHttpRequest
from monitoring_site.permissions import get_visible_or_404, require_perm
from monitoring_site.spreadsheets import RowError
from monitoring_site.views import import_status
from rounds.documents import documents_visible_to, requested_document
from rounds.models import AuditEvent, ImportBatch
from rounds.selectors import round_of_request, rounds_visible_to
from rounds.services import import_batch_cancel

from ..forms import RosterTypeForm, StudentDrawForm, UploadForm, new_seed
from ..imports import parse_typed_roster, roster_as_text, roster_row_errors, roster_template_bytes
from ..models import SampledSchool
from ..reports import BUILDERS
from ..rules import sees_names, sees_students
from ..selectors import EXCLUSION_LIMIT, sampled_schools_visible_to, school_progress
from ..services import SamplingError
from ..students import roster_import_confirm, roster_replace, roster_upload_start, student_draw_confirm, student_draw_run
from .common import XLSX, refused, round_of, stage_context


@require_perm("sampling.view_school_sample")
def my_sample(request: AuthenticatedHttpRequest) -> HttpResponse:
    rnd = round_of_request(request)
    if rnd and request.user.has_perm("sampling.view_sampling"):
        return redirect("sampling_round", rnd.pk)
    rows = school_progress(rnd=rnd, queryset=sampled_schools_visible_to(request.user)) if rnd else []
    return render(request, "sampling/my_sample.html", {"round": rnd, "rows": rows})


@require_perm("sampling.view_school_sample")
def sampled_school_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    sampled = get_visible_or_404(sampled_schools_visible_to(request.user), pk=pk)
    progress = school_progress(rnd=sampled.round, queryset=SampledSchool.objects.filter(pk=sampled.pk))  # in scope: just fetched from it
    names = sees_names(request.user)
    students = []
    if sees_students(request.user):
        qs = sampled.students.order_by("monitoring_id")
        students = list(qs if names else qs.defer("name", "birth_date", "student_number"))
    if students and names:  # every view of the students' names is recorded
        audit_record(
            request=request,
            action=AuditEvent.Action.VIEW,
            obj_type="sampled_school",
            obj_id=pk,
            summary=_("Sampled students of %(school)s with names") % {"school": sampled.school.name},
        )
    documents = list(
        documents_visible_to(request.user, rounds_visible_to(request.user), kinds=BUILDERS)
        .filter(round=sampled.round, subject=str(sampled.pk))
        .select_related("created_by")[:12]
    )
    return render(
        request,
        "sampling/school_detail.html",
        {
            **stage_context(sampled.round),
            "sampled": sampled,
            "row": progress[0] if progress else None,
            "students": students,
            "sees_names": names,
            "sees_students": sees_students(request.user),
            "limit": EXCLUSION_LIMIT,
            "documents": documents,
            "requested": requested_document(request, documents),
        },
    )


@require_perm("sampling.send_roster")
def roster_upload(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    sampled = get_visible_or_404(sampled_schools_visible_to(request.user), pk=pk)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            batch = roster_upload_start(sampled=sampled, upload=form.cleaned_data["file"], user=request.user, language=get_language())
        except SamplingError as exc:
            return refused(request, exc, "sampled_school_detail", sampled.pk)
        return redirect("roster_import_detail", sampled.pk, batch.pk)
    uploads = ImportBatch.objects.filter(pk__in=sampled.roster_uploads.values("batch_id")).select_related("uploaded_by")[:10]
    return render(
        request, "sampling/roster_upload.html", {**stage_context(sampled.round), "form": form, "sampled": sampled, "batches": uploads}
    )


@require_perm("sampling.send_roster")
def roster_template(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    sampled = get_visible_or_404(sampled_schools_visible_to(request.user), pk=pk)
    response = HttpResponse(roster_template_bytes(grade=sampled.grade), content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''roster-grade{sampled.grade}.xlsx"
    return response


def _roster_import(request: AuthenticatedHttpRequest, pk: int, batch: int) -> tuple[SampledSchool, ImportBatch]:
    sampled = get_visible_or_404(sampled_schools_visible_to(request.user), pk=pk)
    return sampled, get_visible_or_404(ImportBatch.objects.filter(pk__in=sampled.roster_uploads.values("batch_id")), pk=batch)


@require_perm("sampling.send_roster")
def roster_import_detail(request: AuthenticatedHttpRequest, pk: int, batch: int) -> HttpResponse:
    sampled, found = _roster_import(request, pk, batch)
    links = [
        (reverse("roster_upload", args=[sampled.pk]), _("Upload another file")),
        (reverse("sampled_school_detail", args=[sampled.pk]), _("Back to the school")),
    ]
    return import_status(
        request,
        batch=found,
        heading=_("Roster"),
        links=links,
        difference=found.difference,
        confirm_url=reverse("roster_import_confirm", args=[sampled.pk, found.pk]),
        cancel_url=reverse("roster_import_cancel", args=[sampled.pk, found.pk]),
    )


@require_POST
@require_perm("sampling.send_roster")
def roster_import_confirm_view(request: AuthenticatedHttpRequest, pk: int, batch: int) -> HttpResponse:
    _sampled, found = _roster_import(request, pk, batch)
    roster_import_confirm(batch=found, user=request.user, language=get_language())
    return redirect("roster_import_detail", pk, batch)


@require_POST
@require_perm("sampling.send_roster")
def roster_import_cancel(request: AuthenticatedHttpRequest, pk: int, batch: int) -> HttpResponse:
    _sampled, found = _roster_import(request, pk, batch)
    import_batch_cancel(batch=found, user=request.user)
    messages.info(request, _("The upload was cancelled; the roster is as it was."))
    return redirect("roster_import_detail", pk, batch)


@require_perm("sampling.send_roster")
def roster_type(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    sampled = get_visible_or_404(sampled_schools_visible_to(request.user), pk=pk)
    roster = getattr(sampled, "roster", None)
    initial = {"text": roster_as_text(roster.entries.all(), grade=sampled.grade)} if roster else {}
    if roster and request.method == "GET" and initial["text"]:
        audit_record(
            request=request,
            action=AuditEvent.Action.VIEW,
            obj_type="roster",
            obj_id=roster.pk,
            summary=_("Roster of %(school)s") % {"school": sampled.school.name},
        )
    form = RosterTypeForm(request.POST or None, initial=initial)
    errors: list[RowError] = []
    if request.method == "POST" and form.is_valid():
        rows, errors = parse_typed_roster(form.cleaned_data["text"])
        errors += roster_row_errors(sampled=sampled, rows=rows)
        if not errors:
            try:
                roster = roster_replace(sampled=sampled, rows=[v for _n, v in rows], user=request.user)
            except SamplingError as exc:
                return refused(request, exc, "sampled_school_detail", sampled.pk)
            messages.success(request, _("The roster was saved: %(n)s pupils.") % {"n": roster.size})
            return redirect("sampled_school_detail", sampled.pk)
    return render(
        request, "sampling/roster_type.html", {**stage_context(sampled.round), "form": form, "sampled": sampled, "errors": errors}
    )


@require_perm("sampling.manage_sampling")
def student_draw(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    rnd = round_of(request, pk)
    form = StudentDrawForm(request.POST or None, initial={"seed": new_seed()})
    if request.method == "POST" and form.is_valid():
        try:
            count = student_draw_run(rnd=rnd, seed=form.cleaned_data["seed"], user=request.user)
        except SamplingError as exc:
            return refused(request, exc, "sampling_round", rnd.pk)
        messages.success(request, _("Students were drawn in %(n)s schools; check them, then confirm.") % {"n": count})
        return redirect("sampling_round", rnd.pk)
    return render(request, "sampling/student_draw_form.html", {**stage_context(rnd), "form": form})


@require_POST
@require_perm("sampling.manage_sampling")
def student_confirm(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    rnd = round_of(request, pk)
    try:
        count = student_draw_confirm(rnd=rnd, user=request.user)
    except SamplingError as exc:
        return refused(request, exc, "sampling_round", rnd.pk)
    messages.success(
        request, _("The student samples of %(n)s schools are confirmed; the details of pupils not sampled were deleted.") % {"n": count}
    )
    return redirect("sampling_round", rnd.pk)
