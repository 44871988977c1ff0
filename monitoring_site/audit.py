"""Recording views and exports of personal data (who, what, when, from where)."""

from __future__ import annotations

from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


def audit_record(
    *, request: HttpRequest | None = None, user=None, action: str, obj_type: str, obj_id: str = "", summary: str
) -> None:
    """Record from a request (its user and address), or for a user outside any request (a
    background job working on someone's behalf, e.g. building a list with names)."""
    from rounds.models import AuditEvent

    if request is not None:
        user = request.user if request.user.is_authenticated else None
    AuditEvent.objects.create(
        user=user,
        action=action,
        object_type=obj_type,
        object_id=str(obj_id),
        summary=summary[:300],
        ip_address=client_ip(request) if request is not None else None,
    )
