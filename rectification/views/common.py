"""What every rectification view shares: the round in scope, the plan, and refusing writes."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect

from monitoring_site.concurrency import StaleEdit
from monitoring_site.permissions import get_visible_or_404
from rounds.forms import today  # noqa: F401  (re-exported: the one clock of the views)
from rounds.models import Stage
from rounds.selectors import rounds_visible_to

from ..services import RectificationError


def round_in_scope(request, round_pk: int):
    return get_visible_or_404(rounds_visible_to(request.user), pk=round_pk)


def stage_context(rnd) -> dict:
    return {"round": rnd, "stages": Stage.choices}


def refused(request, exc: Exception, to: str, **kwargs):
    """Show why a write was refused and go back; a stale edit answers 409 elsewhere."""
    message = exc.message if isinstance(exc, RectificationError | StaleEdit) else str(exc)
    messages.error(request, message)
    return redirect(to, **kwargs)
