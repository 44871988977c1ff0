"""Optimistic locking: a form carries the version it was loaded with; a stale save is refused.

Two people editing the same record never silently overwrite each other: the second save
finds the version moved on and is told who changed the record and when.
"""

from __future__ import annotations

from typing import Any, cast

from django.db import models
from django.utils import formats, timezone
from django.utils.translation import gettext as _


class StaleEdit(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _who_changed(instance: models.Model) -> str:
    history = getattr(instance, "history", None)
    latest = history.order_by("-history_date").select_related("history_user").first() if history else None
    if latest is None:
        return _("Someone else changed this record after you opened it.")
    who = latest.history_user.get_full_name() or latest.history_user.username if latest.history_user else _("someone")
    when = formats.date_format(timezone.localtime(latest.history_date), "DATETIME_FORMAT")
    return _("%(who)s changed this record at %(when)s, after you opened it. Reload to see their changes, then make yours again.") % {
        "who": who,
        "when": when,
    }


def require_version(instance: models.Model, *, expected_version: int) -> None:
    """Refuse at once, before any other check, a change made from a page older than the record:
    the person is told who changed it and when, not what that change made impossible."""
    if cast(Any, instance).version != expected_version:  # every versioned model has its version field
        raise StaleEdit(_who_changed(instance))


def save_versioned(instance: models.Model, *, expected_version: int) -> None:
    """Save ``instance`` only if nobody saved it since ``expected_version`` was read.

    The check and the increment are one UPDATE … WHERE version = expected, so two concurrent
    saves cannot both pass; the history record is written by ``save()`` afterwards.
    """
    model: Any = type(instance)  # a versioned model: its manager ``objects`` and field ``version``
    moved = model.objects.filter(pk=instance.pk, version=expected_version).update(version=expected_version + 1)
    if moved == 0:
        raise StaleEdit(_who_changed(model.objects.get(pk=instance.pk)))
    setattr(instance, "version", expected_version + 1)  # noqa: B010
    instance.save()
