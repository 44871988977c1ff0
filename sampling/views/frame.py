"""County staff: the frame, the PPS school draws, their review, confirmation and replacements."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from monitoring_site.http import AuthenticatedHttpRequest
from monitoring_site.permissions import county_filtered, get_visible_or_404, require_perm
from monitoring_site.views import import_status
from rounds.models import ImportBatch, School, grade_label
from rounds.services import import_batch_cancel

from ..forms import DrawForm, NoticeSettingsForm, ReplaceForm, UploadForm, new_seed
from ..imports import FRAME_IMPORT_KIND, frame_template_bytes
from ..selectors import exclusion_rate, frame_summary, frame_totals, sampled_schools_visible_to, school_progress
from ..services import (
    DEFAULT_N,
    REPLACEMENT_STAGES,
    SamplingError,
    current_draw,
    current_draws,
    frame_build,
    frame_import_confirm,
    frame_import_start,
    notice_settings_save,
    plan_for,
    replacement_choices,
    school_draw_confirm,
    school_draw_run,
    school_replace,
    stage_refusal,
)
from .common import XLSX, check_grade, refused, round_of, stage_context


@require_perm("sampling.view_sampling")
def sampling_round(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    rnd = round_of(request, pk)
    plan = plan_for(rnd)
    rows = school_progress(rnd=rnd)
    current = current_draws(rnd)
    draws = {g: current.get(g) for g in rnd.grades}
    sampled, excluded, rate = exclusion_rate(rows)
    return render(
        request,
        "sampling/round.html",
        {
            **stage_context(rnd),
            "plan": plan,
            "totals": frame_totals(frame_summary(plan=plan)),
            "draws": draws,
            "rows": rows,
            "sent": sum(1 for r in rows if r["roster"]),
            "drawn": sum(1 for r in rows if r["draw"]),
            "unconfirmed": sum(1 for r in rows if r["draw"] and not r["draw"].is_confirmed),
            "county_sampled": sampled,
            "county_excluded": excluded,
            "county_rate": rate,
            "county_pct": rate * 100,
            "notice_form": NoticeSettingsForm(initial={"notice_names": plan.notice_names}),
        },
    )


@require_perm("sampling.view_sampling")
def frame_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    rnd = round_of(request, pk)
    plan = plan_for(rnd)
    summary = frame_summary(plan=plan)
    schools = plan.schools.select_related("school").order_by("school__location", "school__school_type", "school__code")
    return render(
        request,
        "sampling/frame.html",
        {
            **stage_context(rnd),
            "plan": plan,
            "summary": summary,
            "totals": frame_totals(summary),
            "frame_schools": schools,
            "unlisted": School.objects.filter(county=rnd.county, is_active=True).exclude(pk__in=plan.schools.values("school_id")).count(),
        },
    )


@require_POST
@require_perm("sampling.manage_sampling")
def frame_build_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    rnd = round_of(request, pk)
    try:
        added = frame_build(rnd=rnd, user=request.user)
    except SamplingError as exc:
        return refused(request, exc, "frame_detail", rnd.pk)
    messages.success(request, _("%(n)s schools of the registry were added to the frame.") % {"n": added})
    return redirect("frame_detail", rnd.pk)


@require_perm("sampling.manage_sampling")
def frame_template(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    rnd = round_of(request, pk)
    schools = plan_for(rnd).schools.select_related("school").order_by("school__code")
    response = HttpResponse(frame_template_bytes(frame_schools=schools), content_type=XLSX)
    response["Content-Disposition"] = "attachment; filename*=UTF-8''frame-template.xlsx"
    return response


@require_perm("sampling.manage_sampling")
def frame_import(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    rnd = round_of(request, pk)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            batch = frame_import_start(rnd=rnd, upload=form.cleaned_data["file"], user=request.user, language=get_language())
        except SamplingError as exc:
            return refused(request, exc, "frame_detail", rnd.pk)
        return redirect("frame_import_detail", rnd.pk, batch.pk)
    batches = county_filtered(request.user, ImportBatch.objects.filter(kind=FRAME_IMPORT_KIND)).select_related("uploaded_by")[:10]
    return render(request, "sampling/frame_import.html", {**stage_context(rnd), "form": form, "batches": batches})


def _frame_import(request: AuthenticatedHttpRequest, batch: int) -> ImportBatch:
    return get_visible_or_404(county_filtered(request.user, ImportBatch.objects.filter(kind=FRAME_IMPORT_KIND)), pk=batch)


@require_perm("sampling.manage_sampling")
def frame_import_detail(request: AuthenticatedHttpRequest, pk: int, batch: int) -> HttpResponse:
    rnd = round_of(request, pk)
    found = _frame_import(request, batch)
    links = [
        (reverse("frame_import", args=[rnd.pk]), _("Upload another file")),
        (reverse("frame_detail", args=[rnd.pk]), _("Back to the frame")),
    ]
    return import_status(
        request,
        batch=found,
        heading=_("Import"),
        links=links,
        difference=found.difference,
        confirm_url=reverse("frame_import_confirm", args=[rnd.pk, found.pk]),
        cancel_url=reverse("frame_import_cancel", args=[rnd.pk, found.pk]),
    )


@require_POST
@require_perm("sampling.manage_sampling")
def frame_import_confirm_view(request: AuthenticatedHttpRequest, pk: int, batch: int) -> HttpResponse:
    rnd = round_of(request, pk)
    frame_import_confirm(rnd=rnd, batch=_frame_import(request, batch), user=request.user, language=get_language())
    return redirect("frame_import_detail", rnd.pk, batch)


@require_POST
@require_perm("sampling.manage_sampling")
def frame_import_cancel(request: AuthenticatedHttpRequest, pk: int, batch: int) -> HttpResponse:
    rnd = round_of(request, pk)
    import_batch_cancel(batch=_frame_import(request, batch), user=request.user)
    messages.info(request, _("The import was cancelled; the frame is as it was."))
    return redirect("frame_import_detail", rnd.pk, batch)


@require_perm("sampling.manage_sampling")
def school_draw(request: AuthenticatedHttpRequest, pk: int, grade: int) -> HttpResponse:
    rnd = round_of(request, pk)
    check_grade(grade)
    draw = current_draw(rnd, grade)
    form = DrawForm(request.POST or None, initial={"n": DEFAULT_N[grade], "sort_order": "location,school_type,size", "seed": new_seed()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            school_draw_run(rnd=rnd, grade=grade, n=data["n"], seed=data["seed"], sort_order=data["sort_order"], user=request.user)
        except SamplingError as exc:
            return refused(request, exc, "sampling_round", rnd.pk)
        messages.success(
            request, _("The %(grade)s schools were drawn; review the sample, then confirm it.") % {"grade": grade_label(grade)}
        )
        return redirect("draw_review", rnd.pk, grade)
    return render(request, "sampling/draw_form.html", {**stage_context(rnd), "form": form, "grade": grade, "draw": draw})


@require_perm("sampling.view_sampling")
def draw_review(request: AuthenticatedHttpRequest, pk: int, grade: int) -> HttpResponse:
    rnd = round_of(request, pk)
    check_grade(grade)
    draw = current_draw(rnd, grade)
    schools = list(rnd.sampled_schools.filter(grade=grade).select_related("school", "replaces__school").order_by("serial"))
    names = dict(School.objects.filter(county=rnd.county).values_list("pk", "name"))
    for s in schools:
        s.candidate_names = [names.get(c, "?") for c in s.replacement_candidates]
    labels = {"location": _("location"), "school_type": _("school type"), "size": _("size")}
    return render(
        request,
        "sampling/draw_review.html",
        {
            **stage_context(rnd),
            "grade": grade,
            "draw": draw,
            "schools": schools,
            "sort_labels": [str(labels.get(k, k)) for k in draw.sort_keys] if draw else [],
            "weight_total": sum(s.weight * s.enrolment for s in schools if s.takes_part),
            "history": rnd.school_draws.filter(grade=grade).select_related("drawn_by", "confirmed_by"),
            "replace_refusal": stage_refusal(rnd, *REPLACEMENT_STAGES),
        },
    )


@require_POST
@require_perm("sampling.manage_sampling")
def draw_confirm(request: AuthenticatedHttpRequest, pk: int, grade: int) -> HttpResponse:
    rnd = round_of(request, pk)
    check_grade(grade)
    draw = current_draw(rnd, grade)
    try:
        if draw is None:
            raise SamplingError(_("Draw the schools first."))
        school_draw_confirm(draw=draw, user=request.user)
    except SamplingError as exc:
        return refused(request, exc, "draw_review", rnd.pk, grade)
    messages.success(request, _("The %(grade)s school sample is confirmed and the frame is frozen.") % {"grade": grade_label(grade)})
    return redirect("draw_review", rnd.pk, grade)


@require_perm("sampling.manage_sampling")
def school_replace_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    sampled = get_visible_or_404(sampled_schools_visible_to(request.user), pk=pk)
    candidates = replacement_choices(sampled)
    form = ReplaceForm(request.POST or None, candidates=candidates)
    refusal = stage_refusal(sampled.round, *REPLACEMENT_STAGES)
    if refusal:  # the page says why, read-only, and a POST refused keeps what was typed
        if request.method == "POST":
            messages.error(request, refusal)
        else:  # (a disabled field would show its initial value, not the typed one)
            for field in form.fields.values():
                field.disabled = True
        context = {**stage_context(sampled.round), "form": form, "sampled": sampled, "refusal": refusal}
        return render(request, "sampling/replace_form.html", context, status=409 if request.method == "POST" else 200)
    if request.method == "POST" and form.is_valid():
        school = next(s for s in candidates if s.pk == form.cleaned_data["school"])
        try:
            new = school_replace(sampled=sampled, school=school, reason=form.cleaned_data["reason"], user=request.user)
        except SamplingError as exc:
            return refused(request, exc, "draw_review", sampled.round_id, sampled.grade)
        messages.success(request, _("%(old)s was replaced by %(new)s.") % {"old": sampled.school.name, "new": new.school.name})
        return redirect("draw_review", sampled.round_id, sampled.grade)
    return render(request, "sampling/replace_form.html", {**stage_context(sampled.round), "form": form, "sampled": sampled})


@require_POST
@require_perm("sampling.manage_sampling")
def notice_settings(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    rnd = round_of(request, pk)
    form = NoticeSettingsForm(request.POST)
    if form.is_valid():
        notice_settings_save(rnd=rnd, notice_names=form.cleaned_data["notice_names"], user=request.user)
        messages.success(request, _("The notice-board setting was saved."))
    return redirect("sampling_round", rnd.pk)
