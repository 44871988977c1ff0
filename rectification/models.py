"""The problem list, the rectification plan (整改方案) with its items and versions, progress
reports with evidence, and the warnings and notifications that follow the deadlines.

Nothing here is deleted: a withdrawn problem or item keeps who withdrew it and why.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from results.models import Finding
from rounds.models import Department, Person, Round

USER = settings.AUTH_USER_MODEL


class Problem(models.Model):
    """One entry of the problem list (问题清单): from a finding, or typed in from a letter."""

    class Source(models.TextChoices):
        FINDING = "finding", _("Finding of the results")
        FEEDBACK_LETTER = "feedback_letter", _("Provincial feedback letter")
        SELF_CHECK = "self_check", _("County self-check")
        SUPERVISION = "supervision", _("Special supervision")
        OTHER = "other", _("Other")

    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="problems", verbose_name=_("round"))
    finding = models.ForeignKey(
        Finding,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="problems",
        verbose_name=_("finding"),
    )
    number = models.PositiveSmallIntegerField(_("number"), default=1)
    title = models.CharField(_("problem"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    source_reference = models.CharField(
        _("source reference"),
        max_length=200,
        blank=True,
        help_text=_("For example the letter's number and date."),
    )
    evidence_text = models.TextField(_("evidence"), blank=True)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        USER,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("withdrawn by"),
    )
    withdrawn_reason = models.CharField(_("reason for withdrawal"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("problem")
        verbose_name_plural = _("problems")
        ordering = ["round", "number", "pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None


class Plan(models.Model):
    """The round's rectification plan. Approved, it changes only through a new version."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        APPROVED = "approved", pgettext_lazy("rectification", "Approved")

    round = models.OneToOneField(Round, on_delete=models.PROTECT, related_name="rectification_plan", verbose_name=_("round"))
    title = models.CharField(_("title"), max_length=200)
    guiding_principle = models.TextField(_("guiding principle"), blank=True)
    leadership_group = models.TextField(_("leadership group"), blank=True)
    work_requirements = models.TextField(_("work requirements"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    number = models.PositiveSmallIntegerField(_("plan version"), default=1)
    change_reason = models.CharField(_("reason for the new version"), max_length=300, blank=True)
    due_soon_days = models.PositiveSmallIntegerField(_("warn days before the deadline"), default=10)
    escalate_after_days = models.PositiveSmallIntegerField(_("escalate to the leader after days overdue"), default=7)
    version = models.PositiveIntegerField(default=1, editable=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("rectification plan")
        verbose_name_plural = _("rectification plans")

    def __str__(self) -> str:
        return self.title

    @property
    def is_approved(self) -> bool:
        return self.status == self.Status.APPROVED


class PlanVersion(models.Model):
    """A frozen copy of the plan as approved; versions are compared from these."""

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="versions", verbose_name=_("plan"))
    number = models.PositiveSmallIntegerField(_("plan version"))
    snapshot = models.JSONField(_("content"))
    change_reason = models.CharField(_("reason for the new version"), max_length=300, blank=True)
    approved_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("approved by"))
    approved_at = models.DateTimeField(_("approved at"))

    class Meta:
        verbose_name = _("plan version")
        verbose_name_plural = _("plan versions")
        ordering = ["plan", "number"]
        constraints = [models.UniqueConstraint(fields=["plan", "number"], name="plan_version_unique_number")]

    def __str__(self) -> str:
        return f"{self.plan} v{self.number}"


class TargetDirection(models.TextChoices):
    AT_LEAST = "at_least", _("at least")
    AT_MOST = "at_most", _("at most")


class PlanItem(models.Model):
    """One rectification task for one problem: goal, measures, owners and the deadline."""

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("rectification", "In progress")
        SUBMITTED = "submitted", _("Reported done")
        CLOSED = "closed", pgettext_lazy("rectification", "Closed")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="items", verbose_name=_("plan"))
    problem = models.ForeignKey(Problem, on_delete=models.PROTECT, related_name="items", verbose_name=_("problem"))
    goal = models.TextField(_("rectification goal"))
    indicator = models.CharField(
        _("indicator"),
        max_length=100,
        blank=True,
        help_text=_("Optional: what is measured, e.g. myopia rate (%)."),
    )
    target_direction = models.CharField(_("target"), max_length=10, blank=True, choices=TargetDirection.choices)
    target_value = models.DecimalField(_("target value"), max_digits=10, decimal_places=2, null=True, blank=True)
    target_by = models.DateField(_("target reached by"), null=True, blank=True)
    measures = models.TextField(_("measures"))
    lead_department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        related_name="led_items",
        verbose_name=_("lead department"),
    )
    cooperating_departments = models.ManyToManyField(
        Department,
        blank=True,
        related_name="cooperating_items",
        verbose_name=_("cooperating departments"),
    )
    responsible = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("responsible person"),
    )
    deadline = models.DateField(_("deadline"))
    approved_deadline = models.DateField(
        _("deadline in force"),
        null=True,
        blank=True,
        help_text=_("The deadline of the last approved plan version; warnings follow it."),
    )
    milestones = models.JSONField(_("milestones"), default=list, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    percent = models.PositiveSmallIntegerField(_("percent done"), default=0)
    closed_at = models.DateField(_("closed on"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        USER,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("withdrawn by"),
    )
    withdrawn_reason = models.CharField(_("reason for withdrawal"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    history = HistoricalRecords(m2m_fields=[cooperating_departments])

    # Put on the instances for the pages (selectors.with_states, the overview's _with_texts);
    # annotations only, not fields.
    state: str | None
    state_label: str
    state_class: str
    url: str
    due_text: str
    overdue: bool
    state_css: str
    problem_text: str
    goal_text: str
    with_text: str
    bar_title: str

    class Meta:
        verbose_name = _("plan item")
        verbose_name_plural = _("plan items")
        ordering = ["plan", "problem__number", "pk"]
        indexes = [models.Index(fields=["plan", "status", "approved_deadline"])]

    def __str__(self) -> str:
        return self.goal[:60]

    @property
    def is_active(self) -> bool:
        return self.status in (self.Status.OPEN, self.Status.SUBMITTED)

    @property
    def is_in_force(self) -> bool:
        return self.approved_deadline is not None

    def days_left(self, today: dt.date) -> int | None:
        return (self.approved_deadline - today).days if self.approved_deadline else None


class Progress(models.Model):
    """A department's progress report on an item (进展), verified by the supervision office."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for verification")
        ACCEPTED = "accepted", _("Accepted")
        RETURNED = "returned", _("Returned")

    item = models.ForeignKey(PlanItem, on_delete=models.PROTECT, related_name="progress", verbose_name=_("plan item"))
    text = models.TextField(pgettext_lazy("rectification", "what was done"))
    percent = models.PositiveSmallIntegerField(_("percent done"))
    marks_done = models.BooleanField(_("the item is done"), default=False)
    posted_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("posted by"))
    posted_at = models.DateTimeField(_("posted at"), auto_now_add=True)
    status = models.CharField(_("verification"), max_length=10, choices=Status.choices, default=Status.PENDING)
    verified_by = models.ForeignKey(
        USER,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("verified by"),
    )
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    return_reason = models.CharField(_("reason for returning"), max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")
        ordering = ["item", "-posted_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.item_id} {self.percent}%"


class EvidenceFile(models.Model):
    progress = models.ForeignKey(Progress, on_delete=models.PROTECT, related_name="files", verbose_name=_("progress report"))
    file = models.FileField(_("file"), upload_to="rectification/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveIntegerField(_("size"))
    content_type = models.CharField(_("type"), max_length=100)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.original_name


class IndicatorReading(models.Model):
    """A measured value of an indicator in a round, typed in when results do not hold it."""

    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="indicator_readings", verbose_name=_("round"))
    indicator = models.CharField(_("indicator"), max_length=100)
    value = models.DecimalField(_("value"), max_digits=10, decimal_places=2)
    note = models.CharField(_("source"), max_length=200, blank=True)
    entered_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("indicator value")
        verbose_name_plural = _("indicator values")
        constraints = [models.UniqueConstraint(fields=["round", "indicator"], name="indicator_reading_unique")]

    def __str__(self) -> str:
        return f"{self.indicator} = {self.value}"


class DeadlineEvent(models.TextChoices):
    DUE_SOON = "due_soon", _("Due soon")
    OVERDUE = "overdue", pgettext_lazy("rectification", "Overdue")
    ESCALATED = "escalated", _("Escalated to the leader")


class DeadlineWarning(models.Model):
    """One deadline event of one item; unique per item, event and deadline, so never sent twice.

    A deadline moved by a new plan version is a new deadline and may warn again.
    """

    item = models.ForeignKey(PlanItem, on_delete=models.PROTECT, related_name="warnings", verbose_name=_("plan item"))
    event = models.CharField(_("event"), max_length=10, choices=DeadlineEvent.choices)
    deadline = models.DateField(_("deadline"))
    found_on = models.DateField(_("found on"))
    mailed = models.PositiveSmallIntegerField(_("e-mails sent"), default=0)
    mail_error = models.CharField(_("e-mail error"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("deadline warning")
        verbose_name_plural = _("deadline warnings")
        ordering = ["-found_on", "pk"]
        constraints = [models.UniqueConstraint(fields=["item", "event", "deadline"], name="deadline_warning_once")]

    def __str__(self) -> str:
        return f"{self.item_id} {self.event} {self.deadline}"


class Notification(models.Model):
    """An in-app notice (the bell); written before any e-mail so a mail failure loses nothing."""

    recipient = models.ForeignKey(
        USER,
        on_delete=models.CASCADE,
        related_name="rectification_notices",
        verbose_name=_("recipient"),
    )
    item = models.ForeignKey(
        PlanItem,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="notifications",
        verbose_name=_("plan item"),
    )
    warning = models.ForeignKey(
        DeadlineWarning,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="notifications",
    )
    kind = models.CharField(_("kind"), max_length=20)
    message = models.CharField(_("message"), max_length=300)
    created_at = models.DateTimeField(_("time"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self) -> str:
        return self.message
