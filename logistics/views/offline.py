"""Records kept on a device without a network, sent when it is back; the county's overview of
the devices' last syncs."""

from __future__ import annotations

import json
import uuid

from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from monitoring_site.http import AuthenticatedHttpRequest
from monitoring_site.permissions import require_perm

from ..selectors import sync_overview
from ..sync import offline_batch_apply
from .common import banner, round_or_404, school_or_404


def _device(value) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


@require_POST
@require_perm("logistics.sync_offline")
def sync(request: AuthenticatedHttpRequest, round_pk: int, school_pk: int) -> HttpResponse:
    """JSON in: ``{"device": uuid, "queued": n, "records": [{"id": uuid, "kind": …, "data": {…}}]}``;
    out: one answer per record, in order (applied, duplicate or refused with its reason).
    A request without a JSON body is a sync with nothing to send. The page's CSRF token goes in X-CSRFToken."""
    rnd = round_or_404(request, round_pk)
    school = school_or_404(request, rnd, school_pk)
    try:
        payload = json.loads(request.body) if request.content_type == "application/json" else {}
    except ValueError:
        payload = None
    if (
        not isinstance(payload, dict)
        or not isinstance(records := payload.get("records", []), list)
        or not all(isinstance(r, dict) for r in records)
    ):
        return JsonResponse({"error": _("The device sent something that is not a list of records.")}, status=400)
    try:
        queued = int(payload.get("queued") or len(records))
    except (TypeError, ValueError):
        queued = len(records)
    answers = offline_batch_apply(
        rnd=rnd, school=school, user=request.user, device=_device(payload.get("device")), queued=queued, records=records
    )
    return JsonResponse(
        {
            "results": [{"id": a.id, "outcome": a.outcome, "reason": a.reason} for a in answers],
            "synced_at": timezone.now().isoformat(),
        }
    )


@require_perm("logistics.view_sync")
def sync_overview_view(request: AuthenticatedHttpRequest, round_pk: int) -> HttpResponse:
    rnd = round_or_404(request, round_pk)
    return render(request, "logistics/sync_overview.html", {**banner(rnd), "rows": sync_overview(user=request.user, rnd=rnd)})
