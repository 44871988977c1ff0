"""The daily deadline sweep: due-soon, overdue and escalation notices, in the app and by e-mail.

Each (item, event, deadline) is recorded once in ``DeadlineWarning`` — the unique key — so a
second run on the same day, or the next day, sends nothing again; a deadline moved by a new
plan version is a new key. The in-app notices are committed before any e-mail is tried, and a
failed e-mail is noted on the warning, never rolled back into losing the notice.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import override

from monitoring_site.roles import Role
from rounds.models import Person

from .deadlines import events_due
from .models import DeadlineEvent, DeadlineWarning, Notification, PlanItem
from .services import _notify

log = logging.getLogger(__name__)


@dataclass
class SweepResult:
    warnings: int = 0
    notices: int = 0
    mails: int = 0
    mail_failures: int = 0
    by_event: dict = field(default_factory=dict)


def _recipients(item: PlanItem, event: str, people: dict) -> list:
    """Responsible person and the lead department's users; the county's leaders on escalation."""
    if event == DeadlineEvent.ESCALATED:
        return [p.user for p in people["leaders"].get(item.plan.round.county_id, [])]
    users = [item.responsible.user] if item.responsible else []
    users += [p.user for p in people["departments"].get(item.lead_department_id, [])]
    return users


def _message(item: PlanItem, event: str, deadline: dt.date) -> str:
    values = {"item": str(item), "dept": item.lead_department.name, "date": date_format(deadline, "DATE_FORMAT")}
    if event == DeadlineEvent.DUE_SOON:
        return _("Rectification item “%(item)s” (%(dept)s) is due on %(date)s.") % values
    if event == DeadlineEvent.OVERDUE:
        return _("Rectification item “%(item)s” (%(dept)s) is overdue: the deadline was %(date)s.") % values
    return _("Escalation: rectification item “%(item)s” (%(dept)s) is still open long after its deadline of %(date)s.") % values


def _people() -> dict:
    people = Person.objects.filter(role__in=[Role.LEADER, Role.DEPARTMENT], user__is_active=True).select_related("user")
    grouped: dict = {"leaders": {}, "departments": {}}
    for person in people:
        if person.role == Role.LEADER:
            grouped["leaders"].setdefault(person.county_id, []).append(person)
        elif person.department_id:
            grouped["departments"].setdefault(person.department_id, []).append(person)
    return grouped


def _record(item: PlanItem, event: str, today: dt.date, people: dict) -> tuple[DeadlineWarning, list] | None:
    """Write the warning and its notices in one transaction; None if this event was already sent."""
    assert item.approved_deadline is not None  # only items with one are warned about
    try:
        with transaction.atomic():
            warning = DeadlineWarning.objects.create(item=item, event=event, deadline=item.approved_deadline, found_on=today)
            notices = _notify(
                users=_recipients(item, event, people),
                item=item,
                kind=event,
                message=_message(item, event, item.approved_deadline),
                warning=warning,
            )
    except IntegrityError:
        return None
    return warning, notices


def _mail(warning: DeadlineWarning, notices: list[Notification]) -> tuple[int, int]:
    sent = failed = 0
    errors = []
    for notice in notices:
        if not notice.recipient.email:
            continue
        try:
            send_mail(
                _("Rectification deadline"),
                notice.message,
                settings.DEFAULT_FROM_EMAIL,
                [notice.recipient.email],
            )
            sent += 1
        except Exception as exc:  # any mail failure: keep the notice, note the error
            failed += 1
            errors.append(f"{notice.recipient.email}: {exc}")
            log.warning("deadline mail to %s failed: %s", notice.recipient.email, exc)
    if sent or errors:
        DeadlineWarning.objects.filter(pk=warning.pk).update(mailed=sent, mail_error="; ".join(errors)[:300])
    return sent, failed


def deadlines_notify(*, today: dt.date) -> SweepResult:
    """Find every in-force item that owes a warning today and send each warning once."""
    result = SweepResult()
    items = PlanItem.objects.filter(
        status__in=[PlanItem.Status.OPEN, PlanItem.Status.SUBMITTED],
        approved_deadline__isnull=False,
    ).select_related("plan__round", "lead_department", "responsible__user")
    people = _people()
    already = set(DeadlineWarning.objects.filter(item__in=items).values_list("item_id", "event", "deadline"))
    with override(settings.LANGUAGE_CODE):
        for item in items.iterator(chunk_size=500):
            for event in events_due(
                deadline=item.approved_deadline,
                today=today,
                active=True,
                due_soon_days=item.plan.due_soon_days,
                escalate_after_days=item.plan.escalate_after_days,
            ):
                if (item.pk, event, item.approved_deadline) in already:
                    continue
                recorded = _record(item, event, today, people)
                if recorded is None:
                    continue
                warning, notices = recorded
                result.warnings += 1
                result.notices += len(notices)
                result.by_event[event] = result.by_event.get(event, 0) + 1
                sent, failed = _mail(warning, notices)
                result.mails += sent
                result.mail_failures += failed
    return result
