"""Recording views and exports of personal data (who, what, when, from where)."""

from __future__ import annotations

from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


def audit_record(*, request: HttpRequest, action: str, obj_type: str, obj_id: str = "", summary: str) -> None:
    from rounds.models import AuditEvent

    AuditEvent.objects.create(
        user=request.user if request.user.is_authenticated else None,
        action=action,
        object_type=obj_type,
        object_id=str(obj_id),
        summary=summary[:300],
        ip_address=client_ip(request),
    )
