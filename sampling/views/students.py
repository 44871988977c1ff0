"""Sampled students: exclusions, PE exemptions and the hand-out lists of a school."""

from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from monitoring_site.audit import audit_record
from monitoring_site.http import AuthenticatedHttpRequest
from monitoring_site.permissions import get_visible_or_404, require_perm
from rounds.documents import document_request, requested_url
from rounds.models import AuditEvent

from ..exports import seats, student_list_bytes
from ..forms import ExclusionForm, PeExemptionForm
from ..models import NoticeNames, SampledSchool
from ..reports import BUILDERS
from ..selectors import sampled_schools_visible_to, students_visible_to
from ..services import SamplingError, plan_for
from ..students import pe_exemption_record, pe_exemption_withdraw, student_exclude, students_editable
from .common import XLSX, refused, stage_context


def _student_page(request: AuthenticatedHttpRequest, template: str, student, form, *, status: int = 200, **extra) -> HttpResponse:
    """The page of one student's exclusion or exemption: its controls read-only with the reason
    when the stage refuses them (the same predicate the services use); a refused POST comes back
    with what was typed (a disabled field would show the saved value instead)."""
    rnd = student.sampled_school.round
    editable, refusal = students_editable(rnd)
    if not editable and not form.is_bound:
        for field in form.fields.values():
            field.disabled = True
    context = {**stage_context(rnd), "form": form, "student": student, "editable": editable, "refusal": refusal, **extra}
    return render(request, template, context, status=status)


@require_perm("sampling.edit_students")
def student_exclude_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    student = get_visible_or_404(students_visible_to(request.user), pk=pk)
    form = ExclusionForm(request.POST or None, initial={"exclusion": student.exclusion, "exclusion_reason": student.exclusion_reason})
    if request.method == "POST" and form.is_valid():
        try:
            student_exclude(
                student=student, code=form.cleaned_data["exclusion"], reason=form.cleaned_data["exclusion_reason"], user=request.user
            )
        except SamplingError as exc:
            messages.error(request, str(exc))
            return _student_page(request, "sampling/student_exclude.html", student, form, status=409)
        messages.success(request, _("Saved for %(id)s.") % {"id": student.monitoring_id})
        return redirect("sampled_school_detail", student.sampled_school_id)
    return _student_page(request, "sampling/student_exclude.html", student, form)


@require_perm("sampling.edit_students")
def pe_exemption(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    student = get_visible_or_404(students_visible_to(request.user), pk=pk)
    form = PeExemptionForm(request.POST or None, request.FILES or None)
    exemption = getattr(student, "pe_exemption", None)
    if request.method == "POST" and "withdraw" in request.POST:
        try:
            pe_exemption_withdraw(student=student, user=request.user)
        except SamplingError as exc:
            return refused(request, exc, "pe_exemption", student.pk)
        messages.success(request, _("The PE exemption of %(id)s was withdrawn.") % {"id": student.monitoring_id})
        return redirect("sampled_school_detail", student.sampled_school_id)
    if request.method == "POST" and form.is_valid():
        try:
            pe_exemption_record(
                student=student,
                certificate=form.cleaned_data["certificate"],
                content_type=form.content_type,
                reason=form.cleaned_data["reason"],
                user=request.user,
            )
        except SamplingError as exc:
            messages.error(request, str(exc))
            return _student_page(request, "sampling/pe_exemption.html", student, form, status=409, exemption=exemption)
        messages.success(request, _("%(id)s is exempt from the PE test and stays in the sample.") % {"id": student.monitoring_id})
        return redirect("sampled_school_detail", student.sampled_school_id)
    return _student_page(request, "sampling/pe_exemption.html", student, form, exemption=exemption)


@require_perm("sampling.edit_students")
def pe_certificate(request: AuthenticatedHttpRequest, pk: int) -> HttpResponseBase:
    student = get_visible_or_404(students_visible_to(request.user).filter(pe_exemption__isnull=False), pk=pk)
    exemption = student.pe_exemption
    audit_record(
        request=request,
        action=AuditEvent.Action.VIEW,
        obj_type="pe_exemption",
        obj_id=exemption.pk,
        summary=_("Doctor's certificate of %(id)s") % {"id": student.monitoring_id},
    )
    response = FileResponse(exemption.certificate.open("rb"), content_type=exemption.certificate_type)
    response["Content-Disposition"] = "inline"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_perm("sampling.print_lists")
def student_list_xlsx(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    sampled = get_visible_or_404(sampled_schools_visible_to(request.user), pk=pk)
    audit_record(
        request=request,
        action=AuditEvent.Action.EXPORT,
        obj_type="sampled_school",
        obj_id=sampled.pk,
        summary=_("Sampled-student list of %(school)s (Excel)") % {"school": sampled.school.name},
    )
    response = HttpResponse(student_list_bytes(sampled=sampled), content_type=XLSX)
    response["Content-Disposition"] = (
        f"attachment; filename*=UTF-8''students-{sampled.round.year}-grade{sampled.grade}-{sampled.serial:02d}.xlsx"
    )
    return response


def _printable(request: AuthenticatedHttpRequest, pk: int, template: str, what: str) -> HttpResponse:
    sampled = get_visible_or_404(sampled_schools_visible_to(request.user), pk=pk)
    mode = plan_for(sampled.round).notice_names
    if mode != NoticeNames.NONE:
        audit_record(
            request=request,
            action=AuditEvent.Action.VIEW,
            obj_type="sampled_school",
            obj_id=sampled.pk,
            summary=_("%(what)s of %(school)s") % {"what": what, "school": sampled.school.name},
        )
    return render(
        request,
        template,
        {
            "sampled": sampled,
            "seats": seats(sampled=sampled, mode=mode),
            "mode": mode,
            "county": sampled.round.county,
            "round": sampled.round,
            "answer_base": request.build_absolute_uri("/"),
        },
    )


@require_perm("sampling.print_lists")
def seat_labels(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _printable(request, pk, "sampling/seat_labels.html", _("Seat labels"))


@require_perm("sampling.print_lists")
def notice_sheet(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _printable(request, pk, "sampling/notice_sheet.html", _("Notice board"))


@require_POST
@require_perm("sampling.print_lists")
def school_document_request(request: AuthenticatedHttpRequest, pk: int, kind: str) -> HttpResponse:
    """Build one of the school's hand-out documents (list, labels, notice) as a PDF."""
    sampled = get_visible_or_404(sampled_schools_visible_to(request.user).exclude(status=SampledSchool.Status.REPLACED), pk=pk)
    if kind not in BUILDERS:
        raise Http404
    document = document_request(rnd=sampled.round, kind=kind, subject=str(sampled.pk), user=request.user, language=get_language())
    return redirect(requested_url(reverse("sampled_school_detail", args=[sampled.pk]), document) + "#documents")
