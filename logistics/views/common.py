"""Helpers every logistics view uses: the round and school fetched within the user's scope,
and the stage check that refuses what the round's stage does not allow."""

from __future__ import annotations

from django.contrib import messages

from monitoring_site.http import AuthenticatedHttpRequest
from monitoring_site.permissions import get_visible_or_404
from rounds.models import Round, School, Stage
from rounds.selectors import rounds_visible_to

from ..selectors import sample_schools_visible_to
from ..services import CUSTODY, PREPARATION, TEST_DAYS, stage_allows

__all__ = ["CUSTODY", "PREPARATION", "TEST_DAYS", "banner", "round_or_404", "school_or_404", "stage_refused"]


def round_or_404(request: AuthenticatedHttpRequest, round_pk: int) -> Round:
    return get_visible_or_404(rounds_visible_to(request.user), pk=round_pk)


def school_or_404(request: AuthenticatedHttpRequest, rnd: Round, school_pk: int) -> School:
    """A school of the round's sample that the user may see; anything else is not found."""
    return get_visible_or_404(sample_schools_visible_to(request.user, rnd=rnd), pk=school_pk)


def stage_refused(request: AuthenticatedHttpRequest, rnd: Round, allowed) -> bool:
    """True (with a message for the user) when the round's stage does not allow the action."""
    ok, reason = stage_allows(rnd, allowed)
    if not ok:
        messages.error(request, reason)
    return not ok


def banner(rnd: Round) -> dict:
    return {"round": rnd, "stages": Stage.choices}
