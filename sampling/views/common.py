"""Helpers the sampling views share: fetching scoped objects and answering refusals."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect

from monitoring_site.http import AuthenticatedHttpRequest
from monitoring_site.permissions import get_visible_or_404
from rounds.models import Round, Stage
from rounds.selectors import rounds_visible_to

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def round_of(request: AuthenticatedHttpRequest, pk: int) -> Round:
    return get_visible_or_404(rounds_visible_to(request.user), pk=pk)


def check_grade(grade: int) -> int:
    if grade not in (4, 8):
        raise Http404
    return grade


def refused(request: AuthenticatedHttpRequest, exc, to: str, *args) -> HttpResponse:
    messages.error(request, str(exc))
    return redirect(to, *args)


def stage_context(rnd) -> dict:
    return {"round": rnd, "stages": Stage.choices}
