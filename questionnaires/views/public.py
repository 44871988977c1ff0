"""Answering without an account: a code opens one questionnaire; every answer is saved at once.

The respondent's code is kept in a signed, HTTP-only cookie, so the answering pages take no
object ids: a code can only ever reach its own questionnaire. Only the start page takes the
code in its address (``?code=``, from a slip's QR code), to fill in the form.
"""

from __future__ import annotations

from typing import cast

from django.core import signing
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from monitoring_site.audit import client_ip

from .. import ratelimit
from ..answers import AnswerInvalid, visible_codes
from ..forms import CodeEntryForm
from ..models import AccessCode, Response
from ..services import (
    NotReady,
    NotStarted,
    QuestionnaireClosed,
    UnknownItem,
    access_code_find,
    answer_save,
    answers_of,
    questionnaires_open,
    response_open,
    response_submit,
)

COOKIE = "q_respondent"
SALT = "questionnaires.respondent"
COOKIE_AGE = 12 * 3600


def _message(request: HttpRequest, title: str, text: str, status: int = 200) -> HttpResponse:
    return render(
        request,
        "questionnaires/respond_message.html",
        {"title": title, "text": text},
        status=status,
    )


def _closed(request: HttpRequest) -> HttpResponse:
    return _message(
        request,
        _("The questionnaire is closed"),
        _("The time for answering has ended. Answers already saved are kept."),
    )


def _respondent(request: HttpRequest) -> AccessCode | None:
    try:
        pk = cast(str, request.get_signed_cookie(COOKIE, salt=SALT, max_age=COOKIE_AGE))  # no default: KeyError
    except (KeyError, signing.BadSignature):
        return None
    return AccessCode.objects.select_related("round", "sampled_school__school", "student").filter(pk=pk).first()


def respond_start(request: HttpRequest) -> HttpResponse:
    # A slip's QR code opens this page with its code filled in; the code is still checked
    # (and counted against guessing) only when the respondent presses Start.
    form = CodeEntryForm(request.POST or None, initial={"code": request.GET.get("code", "")[:30]})
    if request.method == "POST":
        address = client_ip(request)
        if ratelimit.is_blocked(address):
            return render(
                request,
                "questionnaires/respond_start.html",
                {"form": form, "blocked": True},
                status=429,
            )
        code = access_code_find(code=request.POST.get("code", "")) if form.is_valid() else None
        if code is None:
            ratelimit.record_failure(address)
            form.add_error(
                "code",
                _("This access code is not valid. Check it against your slip and try again."),
            )
        elif hasattr(code, "response") and code.response.is_submitted:
            form.add_error(
                "code",
                _("This questionnaire has already been submitted; a code can be used only once."),
            )
        elif not questionnaires_open(rnd=code.round, now=timezone.now()):
            return _closed(request)
        else:
            response = redirect("respond_form")
            response.set_signed_cookie(
                COOKIE,
                str(code.pk),
                salt=SALT,
                max_age=COOKIE_AGE,
                httponly=True,
                samesite="Strict",
                secure=request.is_secure(),
            )
            return response
    return render(request, "questionnaires/respond_start.html", {"form": form})


def _sections(instrument, answers, errors=None):
    """Sections with their items, grid rows gathered under one heading."""
    items = list(instrument.items.all())
    shown = visible_codes(items, answers)
    errors = errors or {}
    sections = []
    for section in instrument.sections.all():
        blocks: list[dict] = []
        for item in (i for i in items if i.section_id == section.pk):
            entry = {
                "item": item,
                "value": answers.get(item.code),
                "hidden": item.code not in shown,
                "error": errors.get(item.code, ""),
            }
            if item.grid and blocks and blocks[-1].get("grid") == item.grid:
                blocks[-1]["rows"].append(entry)
            elif item.grid:
                blocks.append(
                    {
                        "grid": item.grid,
                        "label": item.grid_label,
                        "first": item,
                        "rows": [entry],
                        "hidden": entry["hidden"],
                    }
                )
            else:
                blocks.append(entry)
        hidden = all(block["hidden"] for block in blocks)
        sections.append({"section": section, "blocks": blocks, "hidden": hidden})
    answered = sum(1 for i in items if i.code in shown and answers.get(i.code) not in (None, "", []))
    return sections, answered, len(shown)


def _render_form(request: HttpRequest, response: Response, *, errors=None, status=200) -> HttpResponse:
    answers = answers_of(response)
    sections, answered, total = _sections(response.instrument, answers, errors)
    return render(
        request,
        "questionnaires/respond_form.html",
        {
            "response": response,
            "instrument": response.instrument,
            "code": response.access_code,
            "sections": sections,
            "answered": answered,
            "total": total,
            "errors": errors or {},
        },
        status=status,
    )


def respond_form(request: HttpRequest) -> HttpResponse:
    code = _respondent(request)
    if code is None:
        return redirect("respond_start")
    try:
        response = response_open(access_code=code, now=timezone.now())
    except QuestionnaireClosed:
        return _closed(request)
    except NotReady:
        return _message(
            request,
            _("Not ready yet"),
            _("This questionnaire has not been set up yet. Ask the test staff."),
        )
    if response.is_submitted:
        return redirect("respond_done")
    if not questionnaires_open(rnd=code.round, now=timezone.now()):
        return _closed(request)
    return _render_form(request, response)


def _respondent_code_id(request: HttpRequest) -> int | None:
    try:
        return int(cast(str, request.get_signed_cookie(COOKIE, salt=SALT, max_age=COOKIE_AGE)))  # no default: KeyError
    except (KeyError, ValueError, signing.BadSignature):
        return None


@require_POST
@transaction.non_atomic_requests  # answer_save is its own short transaction: no savepoints
def respond_save(request: HttpRequest) -> HttpResponse:
    code_id = _respondent_code_id(request)
    if code_id is None:
        return HttpResponse(status=403)
    try:
        answer_save(
            access_code_id=code_id,
            item_code=request.POST.get("item", ""),
            raw=request.POST.getlist("value"),
            now=timezone.now(),
        )
    except NotStarted:
        return HttpResponse(status=403)
    except UnknownItem:
        return HttpResponse(status=404)
    except AnswerInvalid as exc:
        return _save_status(error=exc.message)
    except QuestionnaireClosed:
        return _save_status(error=_("The questionnaire is closed; this answer was not saved."))
    return _save_status()


def _save_status(*, error: str | None = None) -> HttpResponse:
    """The line beside the question that says the answer is kept, or why not. Built with
    format_html rather than a template: it is the whole response of the autosave, test day's
    most frequent request."""
    if error:
        return HttpResponse(
            format_html(
                '<span class="q-status q-status-error" role="alert" data-state="error"><i class="bi bi-exclamation-circle"></i> {}</span>',
                error,
            )
        )
    return HttpResponse(
        format_html(
            '<span class="q-status q-status-ok" data-state="saved"><i class="bi bi-check2"></i> {} {}</span>',
            _("Saved"),
            timezone.localtime().strftime("%H:%M:%S"),
        )
    )


@require_POST
def respond_submit(request: HttpRequest) -> HttpResponse:
    code = _respondent(request)
    response = getattr(code, "response", None) if code else None
    if response is None:
        return redirect("respond_start")
    try:
        missing = response_submit(response_id=response.pk, now=timezone.now())
    except QuestionnaireClosed:
        transaction.set_rollback(True)
        return _closed(request)
    if missing:
        errors = {i.code: _("This question must be answered.") for i in missing}
        return _render_form(request, response, errors=errors, status=422)
    return redirect("respond_done")


def respond_done(request: HttpRequest) -> HttpResponse:
    code = _respondent(request)
    response = getattr(code, "response", None) if code else None
    if response is None or not response.is_submitted:
        return redirect("respond_start")
    page = render(request, "questionnaires/respond_done.html", {"code": code})
    page.delete_cookie(COOKIE, samesite="Strict")
    return page
