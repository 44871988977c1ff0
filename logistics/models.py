"""A sample school's preparation and test days: the five-room readiness checklist (五室),
staff and the mock drill (模拟演练), attendance per session, the custody chain of sealed
packages (接收、保管、分发、回收、回邮) and incidents.

The custody chain and incidents are append-only: a mistake is corrected by a new entry that
points at the old one (``corrects``); ``AppendOnly`` refuses updates and deletes.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from rounds.models import Domain, Round, School, TestSession
from sampling.models import SampledSchool, SampledStudent


class AppendOnlyError(Exception):
    """An entry of an append-only record was about to be changed or deleted."""


class AppendOnly(models.Model):
    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError(f"{type(self).__name__} is append-only; record a correction instead.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError(f"{type(self).__name__} is append-only; record a correction instead.")


# --- the checklist template ---------------------------------------------------------------


class ChecklistTemplate(models.Model):
    """A round's readiness checklist: rooms and typed items. ``version`` moves on with every
    change, and each checklist remembers the version it was started on."""

    round = models.OneToOneField(Round, on_delete=models.CASCADE, related_name="checklist_template", verbose_name=_("round"))
    version = models.PositiveIntegerField(_("version"), default=1)
    changed_at = models.DateTimeField(_("changed at"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("checklist template")
        verbose_name_plural = _("checklist templates")

    def __str__(self) -> str:
        return f"{self.round} v{self.version}"


class ChecklistRoom(models.Model):
    template = models.ForeignKey(
        ChecklistTemplate,
        on_delete=models.CASCADE,
        related_name="rooms",
        verbose_name=_("template"),
    )
    code = models.SlugField(_("code"), max_length=30)
    title = models.CharField(_("room"), max_length=80)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    history = HistoricalRecords()

    # Put on the instances for the pages (selectors.template_rooms, the checklist views);
    # annotations only, not fields.
    item_list: list[ChecklistItem]
    open_problems: int
    comments: int
    rows: list[dict[str, object]]

    class Meta:
        verbose_name = _("checklist room")
        verbose_name_plural = _("checklist rooms")
        ordering = ["template", "order", "pk"]
        constraints = [models.UniqueConstraint(fields=["template", "code"], name="checklist_room_code_unique")]

    def __str__(self) -> str:
        return self.title


class ItemKind(models.TextChoices):
    YES_NO = "yes_no", _("Yes / no")
    COUNT = "count", _("Count")
    TEXT = "text", _("Text")
    LOCATION = "location", _("Location (building, floor, room)")


class ChecklistItem(models.Model):
    room = models.ForeignKey(ChecklistRoom, on_delete=models.CASCADE, related_name="items", verbose_name=_("room"))
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    text = models.CharField(_("item"), max_length=200)
    help_text = models.CharField(_("guidance"), max_length=300, blank=True)
    kind = models.CharField(_("kind"), max_length=10, choices=ItemKind.choices, default=ItemKind.YES_NO)
    minimum = models.PositiveIntegerField(_("minimum"), null=True, blank=True)
    minimum_item = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("at least the count of"),
        help_text=_("For a count: it must be at least the count given in this other item (e.g. computers ≥ teachers)."),
    )
    photo_required = models.BooleanField(_("photo required"), default=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")
        ordering = ["room__order", "room_id", "order", "pk"]

    def __str__(self) -> str:
        return self.text


# --- a school's checklist -------------------------------------------------------------------


class ChecklistStatus(models.TextChoices):
    DRAFT = "draft", _("Being filled in")
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Returned for changes")
    APPROVED = "approved", _("Approved")


class Checklist(models.Model):
    """One school's checklist for one round (the rooms serve every sampled grade of the school)."""

    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="checklists", verbose_name=_("round"))
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="checklists", verbose_name=_("school"))
    status = models.CharField(_("status"), max_length=10, choices=ChecklistStatus.choices, default=ChecklistStatus.DRAFT)
    template_version = models.PositiveIntegerField(_("template version"), default=1)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("checklist")
        verbose_name_plural = _("checklists")
        constraints = [models.UniqueConstraint(fields=["round", "school"], name="checklist_once_per_school")]

    def __str__(self) -> str:
        return f"{self.school} · {self.get_status_display()}"

    @property
    def is_fillable(self) -> bool:
        return self.status in (ChecklistStatus.DRAFT, ChecklistStatus.RETURNED)


class ChecklistAnswer(models.Model):
    checklist = models.ForeignKey(Checklist, on_delete=models.CASCADE, related_name="answers", verbose_name=_("checklist"))
    item = models.ForeignKey(ChecklistItem, on_delete=models.PROTECT, related_name="answers", verbose_name=_("item"))
    value_yes = models.BooleanField(_("yes"), null=True, blank=True)
    value_count = models.PositiveIntegerField(_("count"), null=True, blank=True)
    value_text = models.CharField(_("text"), max_length=500, blank=True)
    building = models.CharField(_("building"), max_length=60, blank=True)
    floor = models.CharField(_("floor"), max_length=20, blank=True)
    room_name = models.CharField(_("room"), max_length=60, blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("checklist answer")
        verbose_name_plural = _("checklist answers")
        constraints = [models.UniqueConstraint(fields=["checklist", "item"], name="answer_once_per_item")]

    def __str__(self) -> str:
        return f"{self.checklist_id}/{self.item_id}"


def _evidence_path(instance, filename: str) -> str:
    return f"logistics/evidence/{filename}"


class EvidenceFile(models.Model):
    """A photo (or a PDF certificate) checked by content, with a JPEG thumbnail for images."""

    answer = models.ForeignKey(ChecklistAnswer, on_delete=models.CASCADE, null=True, blank=True, related_name="photos")
    incident = models.ForeignKey("Incident", on_delete=models.PROTECT, null=True, blank=True, related_name="attachments")
    file = models.FileField(_("file"), upload_to=_evidence_path)
    thumbnail = models.FileField(_("thumbnail"), upload_to=_evidence_path, blank=True)
    content_type = models.CharField(_("type"), max_length=40)
    original_name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveIntegerField(_("size"))
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    removed = models.BooleanField(_("removed"), default=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.original_name

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


class ChecklistEvent(models.Model):
    """One step of the review round trip: submitted, returned (with item comments) or approved."""

    class Kind(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        RETURNED = "returned", _("Returned")
        APPROVED = "approved", _("Approved")

    checklist = models.ForeignKey(Checklist, on_delete=models.CASCADE, related_name="events", verbose_name=_("checklist"))
    kind = models.CharField(_("step"), max_length=10, choices=Kind.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by"))
    at = models.DateTimeField(_("at"), auto_now_add=True)
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("checklist step")
        verbose_name_plural = _("checklist steps")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return self.get_kind_display()


class ItemComment(models.Model):
    event = models.ForeignKey(ChecklistEvent, on_delete=models.CASCADE, related_name="comments")
    item = models.ForeignKey(ChecklistItem, on_delete=models.PROTECT, related_name="+", verbose_name=_("item"))
    text = models.CharField(_("comment"), max_length=500)

    class Meta:
        verbose_name = _("item comment")
        verbose_name_plural = _("item comments")

    def __str__(self) -> str:
        return self.text


# --- staff and the mock drill ----------------------------------------------------------------


class StaffRole(models.TextChoices):
    CHIEF_MONITOR = "chief_monitor", _("Chief monitor")
    MONITOR = "monitor", _("Monitor")
    SECRECY_OFFICER = "secrecy_officer", _("Secrecy officer")
    INSPECTOR = "inspector", _("Responsible inspector")


class StaffAssignment(models.Model):
    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="+", verbose_name=_("round"))
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+", verbose_name=_("school"))
    role = models.CharField(_("duty"), max_length=20, choices=StaffRole.choices)
    domain = models.CharField(_("domain"), max_length=20, choices=Domain.choices, blank=True)
    name = models.CharField(pgettext_lazy("person", "name"), max_length=40)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("staff assignment")
        verbose_name_plural = _("staff assignments")
        ordering = ["round", "school", "role", "domain", "pk"]

    def __str__(self) -> str:
        return f"{self.get_role_display()} {self.name}"


class MockDrill(models.Model):
    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="+", verbose_name=_("round"))
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+", verbose_name=_("school"))
    date = models.DateField(_("date"))
    inspector_name = models.CharField(_("inspector present"), max_length=40)
    findings = models.TextField(_("findings"), blank=True)
    fixed = models.TextField(_("what was fixed"), blank=True)
    passed = models.BooleanField(_("passed"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("mock drill")
        verbose_name_plural = _("mock drills")
        ordering = ["-date", "-pk"]

    def __str__(self) -> str:
        return f"{self.school} {self.date}"


# --- test day -----------------------------------------------------------------------------------


class SessionRecord(models.Model):
    """What happened in one session of the timetable at one sampled school."""

    session = models.ForeignKey(TestSession, on_delete=models.PROTECT, related_name="+", verbose_name=_("session"))
    sampled_school = models.ForeignKey(SampledSchool, on_delete=models.PROTECT, related_name="+", verbose_name=_("sampled school"))
    actual_start = models.TimeField(_("actual start"), null=True, blank=True)
    actual_end = models.TimeField(_("actual end"), null=True, blank=True)
    monitors = models.CharField(_("monitors"), max_length=200, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("session record")
        verbose_name_plural = _("session records")
        constraints = [models.UniqueConstraint(fields=["session", "sampled_school"], name="session_record_once")]

    def __str__(self) -> str:
        return f"{self.sampled_school} · {self.session}"


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", _("Present")
    LATE = "late", _("Late")
    ABSENT = "absent", _("Absent")
    PE_EXEMPT = "pe_exempt", _("PE-exempt")
    EXCLUDED = "excluded", _("Excluded")


class Attendance(models.Model):
    record = models.ForeignKey(SessionRecord, on_delete=models.CASCADE, related_name="attendance")
    student = models.ForeignKey(SampledStudent, on_delete=models.PROTECT, related_name="+", verbose_name=_("student"))
    status = models.CharField(_("attendance"), max_length=10, choices=AttendanceStatus.choices)
    marked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    marked_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [models.UniqueConstraint(fields=["record", "student"], name="attendance_once_per_student")]

    def __str__(self) -> str:
        return f"{self.student_id} {self.status}"


# --- custody chain and incidents (append-only) ---------------------------------------------------


class Package(AppendOnly):
    """A sealed package of instruments (试卷袋) in a school's custody."""

    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="+", verbose_name=_("round"))
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+", verbose_name=_("school"))
    code = models.CharField(_("package code"), max_length=40)
    seal_number = models.CharField(_("seal number"), max_length=40)
    contents = models.CharField(_("contents"), max_length=200)
    count = models.PositiveIntegerField(_("count"))
    corrects = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrected_by",
        verbose_name=_("corrects"),
    )
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("sealed package")
        verbose_name_plural = _("sealed packages")
        ordering = ["code", "pk"]

    def __str__(self) -> str:
        return self.code


class HandoverKind(models.TextChoices):
    RECEIVED = "received", _("Received from the county")
    STORED = "stored", _("Stored in the cabinet")
    TAKEN_OUT = "taken_out", _("Taken out")
    DISTRIBUTED = "distributed", _("Distributed")
    COLLECTED = "collected", _("Collected")
    COUNTED = "counted", _("Counted")
    RESEALED = "resealed", _("Resealed")
    HANDED_BACK = "handed_back", _("Handed back")
    MAILED = "mailed", _("Mailed back")


class Handover(AppendOnly):
    """One step of a package's custody, signed by the two people who gave and took it."""

    package = models.ForeignKey(Package, on_delete=models.PROTECT, related_name="handovers", verbose_name=_("package"))
    kind = models.CharField(_("step"), max_length=15, choices=HandoverKind.choices)
    at = models.DateTimeField(_("time"))
    giver = models.CharField(_("given by"), max_length=40)
    taker = models.CharField(_("taken by"), max_length=40)
    seal_intact = models.BooleanField(_("seal intact"))
    count_matched = models.BooleanField(_("count matched"))
    counted = models.PositiveIntegerField(_("counted"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    corrects = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrected_by",
        verbose_name=_("corrects"),
    )
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("hand-over")
        verbose_name_plural = _("hand-overs")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.package} {self.get_kind_display()}"

    @property
    def is_irregular(self) -> bool:
        return not (self.seal_intact and self.count_matched)


class IncidentKind(models.TextChoices):
    SEAL = "seal", _("Seal or packaging")
    UNWELL = "unwell", _("Student unwell")
    DISRUPTION = "disruption", _("Disruption")
    EQUIPMENT = "equipment", _("Equipment")
    OTHER = "other", _("Other")


class Incident(AppendOnly):
    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="+", verbose_name=_("round"))
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+", verbose_name=_("school"))
    at = models.DateTimeField(_("time"))
    session = models.ForeignKey(
        TestSession,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("session"),
    )
    kind = models.CharField(_("kind"), max_length=12, choices=IncidentKind.choices)
    description = models.TextField(_("what happened"))
    action_taken = models.TextField(_("what was done"), blank=True)
    handover = models.ForeignKey(
        Handover,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="incidents",
        verbose_name=_("hand-over"),
    )
    corrects = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrected_by",
        verbose_name=_("corrects"),
    )
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["round", "recorded_at"])]

    def __str__(self) -> str:
        return f"{self.school} {self.get_kind_display()}"


class Countersignature(AppendOnly):
    """The responsible inspector's countersignature of an incident (督学签字)."""

    incident = models.OneToOneField(Incident, on_delete=models.PROTECT, related_name="countersignature")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by"))
    at = models.DateTimeField(auto_now_add=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("countersignature")
        verbose_name_plural = _("countersignatures")

    def __str__(self) -> str:
        return f"{self.incident_id} {self.by_id}"


# --- records kept on a device while offline, synced later -------------------------------------------


class SyncedRecord(models.Model):
    """One record a device made offline, by the id the device gave it: applied at most once.

    A retry, a second tab or a flaky line sends the same id again and gets the first answer."""

    class Outcome(models.TextChoices):
        APPLIED = "applied", _("Applied")
        REFUSED = "refused", _("Refused")

    client_id = models.UUIDField(_("device record id"), unique=True)
    kind = models.CharField(_("kind"), max_length=20)
    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="+", verbose_name=_("round"))
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+", verbose_name=_("school"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    object_pk = models.PositiveBigIntegerField(null=True, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("synced record")
        verbose_name_plural = _("synced records")
        ordering = ["-received_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.kind} {self.client_id} {self.outcome}"


class DeviceSync(models.Model):
    """A device's last sync for a school, with how many records it said were still queued."""

    device = models.UUIDField(_("device"))
    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="+", verbose_name=_("round"))
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+", verbose_name=_("school"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("last sync"))
    queued = models.PositiveIntegerField(_("still queued"), default=0)

    class Meta:
        verbose_name = _("device sync")
        verbose_name_plural = _("device syncs")
        constraints = [models.UniqueConstraint(fields=["device", "round", "school"], name="device_sync_once")]

    def __str__(self) -> str:
        return f"{self.device} {self.school_id} {self.at}"
