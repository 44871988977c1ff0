"""What every rectification view shares: the round in scope, the plan, and refusing writes."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect

from monitoring_site.concurrency import StaleEdit
from monitoring_site.http import AuthenticatedHttpRequest
from monitoring_site.permissions import get_visible_or_404
from rounds.forms import today  # noqa: F401  (re-exported: the one clock of the views)
from rounds.models import Round, Stage
from rounds.selectors import rounds_visible_to

from ..models import Plan
from ..services import RectificationError


def round_in_scope(request: AuthenticatedHttpRequest, round_pk: int) -> Round:
    return get_visible_or_404(rounds_visible_to(request.user), pk=round_pk)


def round_and_plan(request: AuthenticatedHttpRequest, round_pk: int) -> tuple[Round, Plan | None]:
    """The round in scope and its plan (None before there is one): one query when the plan exists."""
    visible = rounds_visible_to(request.user).values("pk")
    plan = Plan.objects.select_related("round__county").filter(round__in=visible, round_id=round_pk).first()
    if plan is not None:
        return plan.round, plan
    return round_in_scope(request, round_pk), None


def stage_context(rnd) -> dict:
    return {"round": rnd, "stages": Stage.choices}


def refused(request: AuthenticatedHttpRequest, exc: Exception, to: str, **kwargs) -> HttpResponse:
    """Show why a write was refused and go back; a stale edit answers 409 elsewhere."""
    message = exc.message if isinstance(exc, RectificationError | StaleEdit) else str(exc)
    messages.error(request, message)
    return redirect(to, **kwargs)
