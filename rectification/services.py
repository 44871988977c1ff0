"""Writes for rectification: keyword-only, atomic, and refusing what the plan's state forbids."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Max, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from monitoring_site.audit import history_user
from monitoring_site.concurrency import save_versioned
from monitoring_site.errors import Refused
from results.diagnosis import RULES
from results.models import Finding
from rounds.models import Round, Stage

from .models import (
    EvidenceFile,
    IndicatorReading,
    Notification,
    Plan,
    PlanItem,
    PlanVersion,
    Problem,
    Progress,
)
from .versions import plan_snapshot

WRITABLE_STAGES = (Stage.RESULTS, Stage.RECTIFICATION)


class RectificationError(Refused):
    """A change to the plan or its items refused."""


# --- may this be done now: one answer for the page that offers it and the service that does it ---
# Each returns "" when the change is allowed, else the reason for the user.


def stage_refusal(rnd: Round) -> str:
    """Problems, the plan and progress change only in the results and rectification stages."""
    if rnd.stage not in WRITABLE_STAGES:
        return _("The rectification plan can be changed only in the results and rectification stages.")
    return ""


def plan_change_refusal(*, rnd: Round, plan: Plan | None) -> str:
    """The heading and items of the plan (None: not started yet) change, and it is approved, only as a draft."""
    if plan is not None and plan.is_approved:
        return stage_refusal(rnd) or _("The plan is approved: start a new version to change it.")
    return stage_refusal(rnd)


def problem_withdraw_refusal(*, problem: Problem, plan: Plan | None) -> str:
    """A problem is withdrawn in the stage, and, when it has items still active, only while the
    plan is a draft (its items are withdrawn with it). Uses ``problem.items`` (prefetch it)."""
    if any(item.status != PlanItem.Status.WITHDRAWN for item in problem.items.all()):
        return plan_change_refusal(rnd=problem.round, plan=plan)
    return stage_refusal(problem.round)


def plan_revise_refusal(*, rnd: Round, plan: Plan | None) -> str:
    """A new version is opened from an approved plan."""
    if plan is None or not plan.is_approved:
        return stage_refusal(rnd) or _("The plan is already a draft.")
    return stage_refusal(rnd)


def item_change_refusal(*, item: PlanItem) -> str:
    """An item changes while it is active in a draft plan."""
    refusal = plan_change_refusal(rnd=item.plan.round, plan=item.plan)
    if not refusal and item.pk is not None and not item.is_active:
        return _("Only active items of a draft plan can be changed: start a new version.")
    return refusal


def _require(refusal: str) -> None:
    if refusal:
        raise RectificationError(refusal)


def check_stage(rnd: Round) -> None:
    _require(stage_refusal(rnd))


def _require_draft(plan: Plan) -> None:
    _require(plan_change_refusal(rnd=plan.round, plan=plan))


def _next_problem_number(rnd: Round) -> int:
    return (Problem.objects.filter(round=rnd).aggregate(n=Max("number"))["n"] or 0) + 1


@transaction.atomic
def problem_create(
    *,
    rnd: Round,
    title: str,
    source: str,
    user: User,
    description: str = "",
    source_reference: str = "",
    evidence_text: str = "",
) -> Problem:
    check_stage(rnd)
    problem = Problem(
        round=rnd,
        number=_next_problem_number(rnd),
        title=title,
        source=source,
        description=description,
        source_reference=source_reference,
        evidence_text=evidence_text,
        created_by=user,
    )
    history_user(problem, user)
    problem.save()
    return problem


@transaction.atomic
def problem_from_finding(*, finding: Finding, user: User) -> Problem:
    """One step from a diagnosed finding to a problem on the list, keeping its evidence."""
    if finding.status != Finding.Status.OPEN:
        raise RectificationError(_("A dismissed finding cannot become a problem."))
    existing = Problem.objects.filter(finding=finding, withdrawn_at__isnull=True).first()
    if existing:
        raise RectificationError(_("This finding is already problem %(n)s on the list.") % {"n": existing.number})
    problem = problem_create(
        rnd=finding.round,
        title=finding.title,
        source=Problem.Source.FINDING,
        user=user,
        evidence_text=finding.evidence_text,
        # What the rule looks at, in words; its code means nothing to a reader.
        source_reference=str(RULES[finding.rule].description)[:200] if finding.rule in RULES else "",
    )
    problem.finding = finding
    problem.save(update_fields=["finding"])
    return problem


@transaction.atomic
def problem_withdraw(*, problem: Problem, reason: str, user: User) -> Problem:
    plan = plan_of_round(problem.round)
    refusal = problem_withdraw_refusal(problem=problem, plan=plan)
    if refusal:
        raise RectificationError(refusal)
    if not reason.strip():
        raise RectificationError(_("Give the reason for withdrawing."))
    for item in problem.items.exclude(status=PlanItem.Status.WITHDRAWN):
        _withdraw(item, reason, user)
    problem.withdrawn_at, problem.withdrawn_by, problem.withdrawn_reason = (
        timezone.now(),
        user,
        reason,
    )
    history_user(problem, user)
    problem.save()
    return problem


def plan_of_round(rnd: Round) -> Plan | None:
    return Plan.objects.filter(round=rnd).first()


def plan_unsaved(*, rnd: Round) -> Plan:
    """The plan a round would get: what a page shows before anybody saved one (a read creates nothing)."""
    return Plan(
        round=rnd,
        title=_("%(county)s rectification plan for the problems found by the %(year)s national compulsory-education quality monitoring")
        % {"county": rnd.county.name, "year": rnd.year},
    )


@transaction.atomic
def plan_ensure(*, rnd: Round, user: User) -> Plan:
    plan = plan_of_round(rnd)
    if plan is None:
        check_stage(rnd)
        plan = plan_unsaved(rnd=rnd)
        history_user(plan, user)
        plan.save()
    return plan


@transaction.atomic
def plan_update(*, plan: Plan, expected_version: int, user: User, **fields) -> Plan:
    _require_draft(plan)
    for name, value in fields.items():
        setattr(plan, name, value)
    history_user(plan, user)
    save_versioned(plan, expected_version=expected_version)
    return plan


@transaction.atomic
def item_save(*, item: PlanItem, cooperating, user: User, expected_version: int | None) -> PlanItem:
    """Create or change an item of a draft plan (an approved plan changes by a new version)."""
    _require(item_change_refusal(item=item))
    if item.problem.round_id != item.plan.round_id or item.problem.is_withdrawn:
        raise RectificationError(_("Choose a problem of this round's list."))
    history_user(item, user)
    if item.pk is None:
        item.save()
    else:
        save_versioned(item, expected_version=expected_version or 0)
    item.cooperating_departments.set([d for d in cooperating if d.pk != item.lead_department_id])
    return item


def _withdraw(item: PlanItem, reason: str, user: User) -> None:
    item.status, item.withdrawn_by, item.withdrawn_reason = PlanItem.Status.WITHDRAWN, user, reason
    history_user(item, user)
    item.save()


@transaction.atomic
def item_withdraw(*, item: PlanItem, reason: str, user: User) -> PlanItem:
    """Take an item out of the plan; it stays, with who withdrew it and why."""
    _require_draft(item.plan)
    if not reason.strip():
        raise RectificationError(_("Give the reason for withdrawing."))
    if item.status == PlanItem.Status.CLOSED:
        raise RectificationError(_("A closed item cannot be withdrawn."))
    _withdraw(item, reason, user)
    return item


def _plan_items(plan: Plan) -> QuerySet[PlanItem]:
    return (
        plan.items.select_related("problem", "lead_department", "responsible__user")
        .prefetch_related("cooperating_departments")
        .order_by("problem__number", "pk")
    )


@transaction.atomic
def plan_approve(*, plan: Plan, user: User, expected_version: int) -> PlanVersion:
    """Freeze the draft as a numbered version; its deadlines come into force."""
    _require_draft(plan)
    items = list(_plan_items(plan))
    if not any(i.status != PlanItem.Status.WITHDRAWN for i in items):
        raise RectificationError(_("Add at least one item before approving the plan."))
    plan.status = Plan.Status.APPROVED
    history_user(plan, user)
    save_versioned(plan, expected_version=expected_version)
    for item in items:
        if item.is_active and item.approved_deadline != item.deadline:
            item.approved_deadline = item.deadline
            history_user(item, user)
            item.save(update_fields=["approved_deadline"])
    return PlanVersion.objects.create(
        plan=plan,
        number=plan.number,
        snapshot=plan_snapshot(plan, items),
        change_reason=plan.change_reason,
        approved_by=user,
        approved_at=timezone.now(),
    )


@transaction.atomic
def plan_revise(*, plan: Plan, reason: str, user: User, expected_version: int) -> Plan:
    """Open a new draft version of an approved plan; the approved deadlines stay in force."""
    _require(plan_revise_refusal(rnd=plan.round, plan=plan))
    if not reason.strip():
        raise RectificationError(_("Give the reason for the new version."))
    plan.status, plan.number, plan.change_reason = Plan.Status.DRAFT, plan.number + 1, reason
    history_user(plan, user)
    save_versioned(plan, expected_version=expected_version)
    return plan


def _notify(*, users, item: PlanItem | None, kind: str, message: str, warning=None) -> list[Notification]:
    seen, notices = set(), []
    for user in users:
        if user is None or user.pk in seen:
            continue
        seen.add(user.pk)
        notices.append(Notification(recipient=user, item=item, kind=kind, message=message[:300], warning=warning))
    return Notification.objects.bulk_create(notices)


def has_evidence(item: PlanItem, progress: Progress | None = None) -> bool:
    accepted = EvidenceFile.objects.filter(progress__item=item, progress__status=Progress.Status.ACCEPTED)
    return accepted.exists() or (progress is not None and progress.files.exists())


@transaction.atomic
def progress_post(*, item: PlanItem, text: str, percent: int, marks_done: bool, files, user: User) -> Progress:
    """A department's report; marking done needs evidence and waits for verification."""
    check_stage(item.plan.round)
    if not item.is_in_force:
        raise RectificationError(_("Progress can be reported once the plan with this item is approved."))
    if not item.is_active:
        raise RectificationError(_("This item is closed or withdrawn."))
    if item.progress.filter(status=Progress.Status.PENDING).exists():
        raise RectificationError(_("The last report is still waiting for verification."))
    if not 0 <= percent <= 100:
        raise RectificationError(_("The percentage must be between 0 and 100."))
    if marks_done and not files and not has_evidence(item):
        raise RectificationError(_("Attach evidence to report the item done."))
    progress = Progress(
        item=item,
        text=text,
        percent=100 if marks_done else percent,
        marks_done=marks_done,
        posted_by=user,
    )
    history_user(progress, user)
    progress.save()
    for upload in files:
        EvidenceFile.objects.create(
            progress=progress,
            file=upload,
            original_name=upload.name[:200],
            size=upload.size,
            content_type=getattr(upload, "content_type", "")[:100],
        )
    item.percent = progress.percent
    if marks_done:
        item.status = PlanItem.Status.SUBMITTED
    history_user(item, user)
    item.save(update_fields=["percent", "status"])
    return progress


@transaction.atomic
def progress_verify(*, progress: Progress, accept: bool, reason: str = "", user: User, today: dt.date) -> Progress:
    """Accept or return a report; accepting a 'done' report with evidence closes the item."""
    item = progress.item
    check_stage(item.plan.round)
    if progress.status != Progress.Status.PENDING:
        raise RectificationError(_("This report has already been verified."))
    if not accept and not reason.strip():
        raise RectificationError(_("Give the reason for returning the report."))
    if accept and progress.marks_done and not has_evidence(item, progress):
        raise RectificationError(_("An item closes only with evidence."))
    progress.status = Progress.Status.ACCEPTED if accept else Progress.Status.RETURNED
    progress.verified_by, progress.verified_at, progress.return_reason = (
        user,
        timezone.now(),
        reason,
    )
    history_user(progress, user)
    progress.save()
    if progress.marks_done:
        item.status = PlanItem.Status.CLOSED if accept else PlanItem.Status.OPEN
        item.closed_at = today if accept else None
        history_user(item, user)
        item.save(update_fields=["status", "closed_at"])
    if accept:
        message = _("Your report on “%(item)s” was accepted.") % {"item": str(item)}
    else:
        message = _("Your report on “%(item)s” was returned: %(reason)s") % {
            "item": str(item),
            "reason": reason,
        }
    _notify(
        users=[progress.posted_by],
        item=item,
        kind="accepted" if accept else "returned",
        message=message,
    )
    return progress


@transaction.atomic
def indicator_reading_save(*, rnd: Round, indicator: str, value: Decimal, note: str, user: User) -> IndicatorReading:
    reading = IndicatorReading.objects.filter(round=rnd, indicator=indicator).first() or IndicatorReading(
        round=rnd, indicator=indicator, entered_by=user
    )
    reading.value, reading.note = value, note
    history_user(reading, user)
    reading.save()
    return reading


def notification_mark_read(*, notification: Notification) -> None:
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])


def notifications_mark_all_read(*, user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(read_at=timezone.now())
