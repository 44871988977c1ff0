"""The five-room checklist: filled in room by room (autosaved per item), photos, submit, review."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from monitoring_site.concurrency import StaleEdit, require_version
from monitoring_site.http import AuthenticatedHttpRequest
from monitoring_site.permissions import get_visible_or_404, require_perm, schools_visible_to
from rounds.models import Round, School

from ..forms import AnswerForm, EvidenceForm, ReviewForm
from ..models import Checklist, ChecklistAnswer, ChecklistItem, EvidenceFile
from ..selectors import (
    _answers_by_checklist,
    changes_since_return,
    checklist_of,
    checklist_status,
    last_return,
    open_comments,
    problems_of,
    template_rooms,
)
from ..services import (
    LogisticsError,
    answer_save,
    can_fill_checklist,
    can_review_checklist,
    checklist_approve,
    checklist_ensure,
    checklist_return,
    checklist_submit,
    evidence_add,
    evidence_remove,
    stage_allows,
)
from ..uploads import UploadRefused
from .common import PREPARATION, banner, round_or_404, school_or_404, stage_refused

PROBLEM_LABELS = {
    "missing": gettext_lazy("Not answered yet"),
    "no": gettext_lazy("Answered “no”"),
    "below_minimum": gettext_lazy("Below the minimum"),
    "photo": gettext_lazy("A photo is required"),
}

STATUS = "logistics/_item_status.html"


def _load(request: AuthenticatedHttpRequest, round_pk: int, school_pk: int) -> tuple[Round, School, Checklist]:
    """Round, school and checklist; the checklist is created by the first write, never by a read
    (a GET shows one never saved as "not started")."""
    rnd = round_or_404(request, round_pk)
    school = school_or_404(request, rnd, school_pk)
    if request.method == "POST":
        return rnd, school, checklist_ensure(rnd=rnd, school=school)
    return rnd, school, checklist_of(rnd=rnd, school=school)


def _can_fill(request: AuthenticatedHttpRequest, rnd: Round, checklist: Checklist) -> bool:
    return can_fill_checklist(user=request.user, rnd=rnd, checklist=checklist)[0]


def _item_context(
    request: AuthenticatedHttpRequest,
    rnd,
    checklist,
    item,
    *,
    answer=None,
    error="",
    saved=False,
    problems=None,
    comments=None,
) -> dict:
    if answer is None and checklist.pk:
        answer = (
            ChecklistAnswer.objects.filter(checklist=checklist, item=item)
            .prefetch_related(Prefetch("photos", queryset=EvidenceFile.objects.filter(removed=False)))
            .first()
        )
    if problems is None:
        items = list(ChecklistItem.objects.filter(room__template__round=rnd))
        problems = problems_of(items, _answers_by_checklist([checklist.pk]).get(checklist.pk, {}))
    if comments is None:
        comments = open_comments(checklist) if checklist.pk else {}
    problem = problems.get(item.pk)
    return {
        "round": rnd,
        "checklist": checklist,
        "item": item,
        "answer": answer,
        "error": error,
        "saved": saved,
        "photos": list(answer.photos.all()) if answer else [],
        "problem": problem,
        "problem_label": PROBLEM_LABELS.get(problem, ""),
        "comment": comments.get(item.pk),
        "editable": _can_fill(request, rnd, checklist),
    }


def _answers_with_photos(checklist) -> dict:
    if checklist.pk is None:
        return {}
    photos = Prefetch("photos", queryset=EvidenceFile.objects.filter(removed=False))
    return {a.item_id: a for a in checklist.answers.prefetch_related(photos)}


@require_perm("logistics.view_checklist")
def checklist_fill(request: AuthenticatedHttpRequest, round_pk: int, school_pk: int) -> HttpResponse:
    rnd, school, checklist = _load(request, round_pk, school_pk)
    rooms = template_rooms(rnd=rnd)
    answers = _answers_with_photos(checklist)
    items = [i for room in rooms for i in room.item_list]
    problems = problems_of(items, _answers_by_checklist([checklist.pk]).get(checklist.pk, {}))
    comments = open_comments(checklist) if checklist.pk else {}
    room_id = request.GET.get("room")
    current = next((r for r in rooms if str(r.pk) == room_id), rooms[0] if rooms else None)
    for room in rooms:
        room.open_problems = sum(1 for i in room.item_list if problems[i.pk] is not None)
        room.comments = sum(1 for i in room.item_list if i.pk in comments)
    cards = [
        _item_context(
            request,
            rnd,
            checklist,
            item,
            answer=answers.get(item.pk),
            problems=problems,
            comments=comments,
        )
        for item in (current.item_list if current else [])
    ]
    return render(
        request,
        "logistics/checklist_fill.html",
        {
            **banner(rnd),
            "school": school,
            "checklist": checklist,
            "status": checklist_status(checklist),
            "rooms": rooms,
            "current": current,
            "cards": cards,
            "open_problems": sum(1 for p in problems.values() if p is not None),
            "editable": _can_fill(request, rnd, checklist),
            "events": checklist.events.select_related("by").prefetch_related("comments__item") if checklist.pk else [],
            "can_review": can_review_checklist(user=request.user, rnd=rnd, checklist=checklist)[0],
            "fill_refusal": can_fill_checklist(user=request.user, rnd=rnd, checklist=checklist)[1],
            "stage_refusal": stage_allows(rnd, PREPARATION)[1],
            "history": checklist.history.select_related("history_user")[:20] if checklist.pk else [],
        },
    )


def _item_response(
    request: AuthenticatedHttpRequest, rnd, school, checklist, item, *, status=200, fragment="logistics/_item.html", **extra
) -> HttpResponse:
    if not request.htmx:
        if extra.get("error"):
            messages.error(request, extra["error"])
        return redirect(reverse("checklist_fill", args=[rnd.pk, school.pk]) + f"?room={item.room_id}")
    return render(request, fragment, _item_context(request, rnd, checklist, item, **extra), status=status)


@require_POST
@require_perm("logistics.fill_checklist")
def answer_save_view(request: AuthenticatedHttpRequest, round_pk: int, school_pk: int, item_pk: int) -> HttpResponse:
    rnd, school, checklist = _load(request, round_pk, school_pk)
    item = get_visible_or_404(ChecklistItem.objects.filter(room__template__round=rnd), pk=item_pk)
    if stage_refused(request, rnd, PREPARATION):
        return _item_response(
            request,
            rnd,
            school,
            checklist,
            item,
            fragment=STATUS,
            status=409,
            error=_("The checklist cannot be changed in this stage."),
        )
    form = AnswerForm(request.POST, item=item)
    if not form.is_valid():
        errors = "; ".join(str(e) for errs in form.errors.values() for e in errs)
        return _item_response(request, rnd, school, checklist, item, fragment=STATUS, status=422, error=errors)
    try:
        answer_save(
            checklist=checklist,
            item=item,
            values=form.values(),
            expected_version=form.cleaned_data.get("version"),
            user=request.user,
        )
    except StaleEdit as exc:
        return _item_response(request, rnd, school, checklist, item, fragment=STATUS, status=409, error=exc.message)
    except LogisticsError as exc:
        return _item_response(request, rnd, school, checklist, item, fragment=STATUS, status=409, error=exc.message)
    return _item_response(request, rnd, school, checklist, item, fragment=STATUS, saved=True)


@require_POST
@require_perm("logistics.fill_checklist")
def photo_upload(request: AuthenticatedHttpRequest, round_pk: int, school_pk: int, item_pk: int) -> HttpResponse:
    rnd, school, checklist = _load(request, round_pk, school_pk)
    item = get_visible_or_404(ChecklistItem.objects.filter(room__template__round=rnd), pk=item_pk)
    if stage_refused(request, rnd, PREPARATION):
        return _item_response(
            request,
            rnd,
            school,
            checklist,
            item,
            status=409,
            error=_("The checklist cannot be changed in this stage."),
        )
    form = EvidenceForm(request.POST, request.FILES)
    try:
        if not form.is_valid():
            raise UploadRefused(_("Choose a photo to upload."))
        answer = ChecklistAnswer.objects.filter(checklist=checklist, item=item).first() or answer_save(
            checklist=checklist, item=item, values={}, expected_version=None, user=request.user
        )
        evidence_add(answer=answer, upload=form.cleaned_data["file"], user=request.user)
    except (UploadRefused, LogisticsError) as exc:
        return _item_response(request, rnd, school, checklist, item, status=422, error=exc.message)
    return _item_response(request, rnd, school, checklist, item, saved=True)


@require_POST
@require_perm("logistics.fill_checklist")
def photo_remove(request: AuthenticatedHttpRequest, round_pk: int, school_pk: int, photo_pk: int) -> HttpResponse:
    rnd, school, checklist = _load(request, round_pk, school_pk)
    photo = get_visible_or_404(
        EvidenceFile.objects.filter(answer__checklist=checklist, removed=False).select_related("answer__item"),
        pk=photo_pk,
    )
    assert photo.answer is not None  # the query follows answer__checklist
    item = photo.answer.item
    if stage_refused(request, rnd, PREPARATION):
        return _item_response(
            request,
            rnd,
            school,
            checklist,
            item,
            status=409,
            error=_("The checklist cannot be changed in this stage."),
        )
    try:
        evidence_remove(evidence=photo, user=request.user)
    except LogisticsError as exc:
        return _item_response(request, rnd, school, checklist, item, status=409, error=exc.message)
    return _item_response(request, rnd, school, checklist, item, saved=True)


def _evidence(request: AuthenticatedHttpRequest, pk: int) -> EvidenceFile:
    visible = schools_visible_to(request.user)
    return get_visible_or_404(
        EvidenceFile.objects.filter(answer__checklist__school__in=visible) | EvidenceFile.objects.filter(incident__school__in=visible),
        pk=pk,
    )


@require_perm("logistics.view_school")
def evidence_file(request: AuthenticatedHttpRequest, pk: int, variant: str) -> HttpResponseBase:
    """A photo or attachment, served only to people who may see its school: shown in the page
    (thumb, full) or saved under its own name (download)."""
    evidence = _evidence(request, pk)
    if variant == "thumb" and evidence.thumbnail:
        return FileResponse(evidence.thumbnail.open("rb"), content_type="image/jpeg")
    if variant == "download":
        return FileResponse(evidence.file.open("rb"), as_attachment=True, filename=evidence.original_name)
    if variant not in ("thumb", "full"):
        raise Http404
    response = FileResponse(evidence.file.open("rb"), content_type=evidence.content_type)
    response["Content-Disposition"] = "inline"
    return response


@require_perm("logistics.view_school")
def evidence_preview(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The photo (or a PDF's link) in a page of its own, with a download link."""
    evidence = _evidence(request, pk)
    answer, incident = evidence.answer, evidence.incident
    if answer is not None:
        checklist = answer.checklist
        back = reverse("checklist_fill", args=[checklist.round_id, checklist.school_id]) + f"?room={answer.item.room_id}"
    elif incident is not None:
        back = reverse("incident_detail", args=[incident.round_id, incident.school_id, incident.pk])
    else:
        back = ""
    return render(
        request,
        "file_preview.html",
        {
            "file": evidence,
            "is_image": evidence.is_image,
            "is_pdf": evidence.content_type == "application/pdf",
            "inline_url": reverse("evidence_file", args=[evidence.pk, "full"]),
            "download_url": reverse("evidence_file", args=[evidence.pk, "download"]),
            "back_url": back,
        },
    )


@require_POST
@require_perm("logistics.fill_checklist")
def checklist_submit_view(request: AuthenticatedHttpRequest, round_pk: int, school_pk: int) -> HttpResponse:
    rnd, school, checklist = _load(request, round_pk, school_pk)
    if not stage_refused(request, rnd, PREPARATION):
        try:
            checklist_submit(
                checklist=checklist,
                expected_version=int(request.POST.get("version") or -1),
                user=request.user,
            )
        except (StaleEdit, LogisticsError) as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("The checklist was submitted for review."))
    return redirect("checklist_fill", round_pk=rnd.pk, school_pk=school.pk)


@require_perm("logistics.review_checklist")
def checklist_review(request: AuthenticatedHttpRequest, round_pk: int, school_pk: int) -> HttpResponse:
    """The review form, offered only when the stage and the checklist allow a review; a refused
    or failed decision shows the form again with what the reviewer typed."""
    rnd, school, checklist = _load(request, round_pk, school_pk)
    rooms = template_rooms(rnd=rnd)
    form = ReviewForm(request.POST or None, initial={"version": checklist.version})
    typed = {i.pk: request.POST.get(f"comment-{i.pk}", "") for room in rooms for i in room.item_list}
    reviewable, reason = can_review_checklist(user=request.user, rnd=rnd, checklist=checklist)
    status = 200
    if request.method == "POST":
        stale = form.is_valid() and form.cleaned_data["version"] != checklist.version
        if stale or not reviewable:
            if stale:  # decided from a page older than the checklist: say who changed it first
                try:
                    require_version(checklist, expected_version=form.cleaned_data["version"])
                except StaleEdit as exc:
                    reason = exc.message
            messages.error(request, reason)
            status = 409
        elif form.is_valid():
            version, note = form.cleaned_data["version"], form.cleaned_data["note"]
            try:
                if request.POST.get("action") == "approve":
                    checklist_approve(checklist=checklist, note=note, expected_version=version, user=request.user)
                    messages.success(request, _("The checklist was approved."))
                else:
                    checklist_return(checklist=checklist, comments=typed, note=note, expected_version=version, user=request.user)
                    messages.success(request, _("The checklist was returned to the school with your comments."))
            except (StaleEdit, LogisticsError) as exc:
                messages.error(request, exc.message)
                status = 409 if isinstance(exc, StaleEdit) else 200  # another reviewer decided first
                checklist.refresh_from_db()
                reviewable, reason = can_review_checklist(user=request.user, rnd=rnd, checklist=checklist)
            else:
                return redirect("checklist_fill", round_pk=rnd.pk, school_pk=school.pk)
    answers = _answers_with_photos(checklist)
    problems = problems_of(
        [i for r in rooms for i in r.item_list],
        _answers_by_checklist([checklist.pk]).get(checklist.pk, {}),
    )
    returned = last_return(checklist)
    changes = changes_since_return(checklist, returned)
    for room in rooms:
        room.rows = [
            {
                "item": i,
                "answer": answers.get(i.pk),
                "problem": PROBLEM_LABELS.get(problems[i.pk] or "", ""),
                "comment": typed.get(i.pk, ""),
                "change": changes.get(i.pk),
            }
            for i in room.item_list
        ]
    return render(
        request,
        "logistics/checklist_review.html",
        {
            **banner(rnd),
            "school": school,
            "checklist": checklist,
            "status": checklist_status(checklist),
            "rooms": rooms,
            "returned": returned,
            "form": form,
            "reviewable": reviewable,
            "refusal": reason,
            "kept": request.method == "POST" and not reviewable,
        },
        status=status,
    )
