"""Recording views and exports of personal data (who, what, when, from where)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Model
from django.http import HttpRequest

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.contrib.auth.models import AnonymousUser


def client_ip(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


def audit_record(
    *, request: HttpRequest | None = None, user=None, action: str, obj_type: str, obj_id: str | int = "", summary: str
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


def history_user(obj: Model, user: AbstractBaseUser | AnonymousUser | None) -> None:
    """Name the user that the next save of ``obj`` records in its history.

    django-simple-history reads the ``_history_user`` attribute of an instance when it is saved
    (its convention for saves outside a request); the attribute is not declared on the models,
    hence the setattr."""
    setattr(obj, "_history_user", user)  # noqa: B010
