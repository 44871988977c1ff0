"""The round's sample: the frame, the PPS school draw, rosters and the sampled students.

Core models that the later apps rely on (SampledSchool, SampledStudent) are defined here
first; the sampling slice itself (issue 3) grows the rest around them.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from rounds.models import GRADE_CHOICES, ImportBatch, Round, School


class Sex(models.TextChoices):
    MALE = "M", _("Male")
    FEMALE = "F", _("Female")


class SampledSchool(models.Model):
    """A school drawn for one grade of a round (样本校), with its inclusion probability."""

    class Status(models.TextChoices):
        SAMPLED = "sampled", _("Sampled")
        REPLACED = "replaced", _("Replaced")  # could not take part; a replacement took its place
        REPLACEMENT = "replacement", _("Replacement")  # took the place of a replaced school

    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="sampled_schools", verbose_name=_("round"))
    grade = models.PositiveSmallIntegerField(_("grade"), choices=GRADE_CHOICES)
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="sampled_in", verbose_name=_("school"))
    serial = models.PositiveSmallIntegerField(_("school number"), help_text=_("Used in monitoring IDs."))
    enrolment = models.PositiveIntegerField(_("grade enrolment"))
    probability = models.FloatField(_("inclusion probability"))
    weight = models.FloatField(_("base weight"))
    certainty = models.BooleanField(_("certainty school"), default=False)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.SAMPLED)
    replaces = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="replaced_by", verbose_name=_("replaces")
    )
    replacement_reason = models.CharField(_("reason for replacement"), max_length=200, blank=True)
    draw = models.ForeignKey("SchoolDraw", on_delete=models.PROTECT, null=True, blank=True, related_name="schools", verbose_name=_("draw"))
    replacement_candidates = models.JSONField(_("replacement schools"), default=list, blank=True)  # school ids, first choice first
    history = HistoricalRecords()

    candidate_names: list[str]  # put on the instances by the frame page (an annotation, not a field)

    class Meta:
        verbose_name = _("sampled school")
        verbose_name_plural = _("sampled schools")
        ordering = ["round", "grade", "serial"]
        constraints = [
            models.UniqueConstraint(fields=["round", "grade", "school"], name="sampled_school_once_per_grade"),
            models.UniqueConstraint(fields=["round", "grade", "serial"], name="sampled_school_serial_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.school.name}（{self.get_grade_display()}）"

    @property
    def takes_part(self) -> bool:
        return self.status != self.Status.REPLACED


class SampledStudent(models.Model):
    """A sampled student (样本学生). Every app after sampling uses the monitoring ID, never
    the name; only county staff and the school's own coordinator ever see the name."""

    class Exclusion(models.TextChoices):
        FUNCTIONAL = "functional", _("Functional disability")
        INTELLECTUAL = "intellectual", _("Intellectual or emotional disability")
        LANGUAGE = "language", _("Limited language")
        LEFT = "left", _("Left the school")

    sampled_school = models.ForeignKey(SampledSchool, on_delete=models.PROTECT, related_name="students", verbose_name=_("sampled school"))
    monitoring_id = models.CharField(_("monitoring ID"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=40)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    birth_date = models.DateField(_("date of birth"))
    class_name = models.CharField(_("class"), max_length=30, blank=True)
    student_number = models.CharField(_("student number"), max_length=30, blank=True)
    within_probability = models.FloatField(_("within-school probability"))
    final_weight = models.FloatField(_("final weight"))
    exclusion = models.CharField(_("exclusion"), max_length=20, choices=Exclusion.choices, blank=True)
    exclusion_reason = models.CharField(_("reason for exclusion"), max_length=200, blank=True)
    pe_exempt = models.BooleanField(_("exempt from the PE test"), default=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("sampled student")
        verbose_name_plural = _("sampled students")
        ordering = ["monitoring_id"]

    def __str__(self) -> str:
        return self.monitoring_id

    @property
    def is_excluded(self) -> bool:
        return bool(self.exclusion)


# --- the frame, the draws and the rosters (issue 3) --------------------------------------


class NoticeNames(models.TextChoices):
    """How the public notice board (监测公示) and seat labels show students' names."""

    FULL = "full", _("Full names")
    MASKED = "masked", _("Masked names (张*明)")
    NONE = "none", _("No names, monitoring IDs only")


class SamplingPlan(models.Model):
    """A round's sampling frame (抽样框) and settings. ``frame_version`` moves on with every
    change of the frame; the frame is frozen when the first school draw is confirmed."""

    round = models.OneToOneField(Round, on_delete=models.PROTECT, related_name="sampling_plan", verbose_name=_("round"))
    frame_version = models.PositiveIntegerField(_("frame version"), default=0)
    frozen_at = models.DateTimeField(_("frame frozen at"), null=True, blank=True)
    notice_names = models.CharField(
        _("names on the notice board and seat labels"), max_length=10, choices=NoticeNames.choices, default=NoticeNames.MASKED
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("sampling plan")
        verbose_name_plural = _("sampling plans")

    def __str__(self) -> str:
        return str(self.round)

    @property
    def is_frozen(self) -> bool:
        return self.frozen_at is not None


class FrameSchool(models.Model):
    """One school of the frame with the enrolment of each monitored grade."""

    plan = models.ForeignKey(SamplingPlan, on_delete=models.CASCADE, related_name="schools", verbose_name=_("sampling plan"))
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+", verbose_name=_("school"))
    grade4 = models.PositiveIntegerField(_("grade 4 enrolment"), default=0)
    grade8 = models.PositiveIntegerField(_("grade 8 enrolment"), default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("frame school")
        verbose_name_plural = _("frame schools")
        ordering = ["plan", "school__code"]
        constraints = [models.UniqueConstraint(fields=["plan", "school"], name="frame_school_once")]

    def __str__(self) -> str:
        return self.school.name

    def enrolment(self, grade: int) -> int:
        return self.grade4 if grade == 4 else self.grade8


class SchoolDraw(models.Model):
    """A recorded PPS draw of one grade's schools: who, when, seed, parameters, frame
    version and result. A new draw of the same grade replaces an unconfirmed one; the
    earlier records stay."""

    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="school_draws", verbose_name=_("round"))
    grade = models.PositiveSmallIntegerField(_("grade"), choices=GRADE_CHOICES)
    n = models.PositiveSmallIntegerField(_("schools to draw"))
    seed = models.BigIntegerField(_("random seed"))
    sort_keys = models.JSONField(_("sort order"), default=list)
    frame_version = models.PositiveIntegerField(_("frame version"))
    frame_units = models.PositiveIntegerField(_("schools in the frame"), default=0)
    frame_total = models.PositiveIntegerField(_("pupils in the frame"), default=0)
    result = models.JSONField(_("result"), default=dict)
    drawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("drawn by"))
    drawn_at = models.DateTimeField(_("drawn at"), auto_now_add=True)
    is_current = models.BooleanField(_("current"), default=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("confirmed by")
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("school draw")
        verbose_name_plural = _("school draws")
        ordering = ["round", "grade", "-drawn_at"]

    def __str__(self) -> str:
        return f"{self.round} {self.get_grade_display()} {self.seed}"

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None


class Roster(models.Model):
    """A sampled school's whole grade roster (年级名册). ``size`` (N) is kept after the
    entries of students not sampled are deleted: the weights need it."""

    sampled_school = models.OneToOneField(SampledSchool, on_delete=models.PROTECT, related_name="roster", verbose_name=_("sampled school"))
    size = models.PositiveIntegerField(_("students in the grade"), default=0)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("sent by"))
    submitted_at = models.DateTimeField(_("sent at"))
    details_deleted_at = models.DateTimeField(_("details of students not sampled deleted at"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("roster")
        verbose_name_plural = _("rosters")

    def __str__(self) -> str:
        return str(self.sampled_school)


class RosterEntry(models.Model):
    """One student of a roster. Deliberately without history: the entries of students not
    sampled must really be gone once the student draw is confirmed."""

    roster = models.ForeignKey(Roster, on_delete=models.CASCADE, related_name="entries", verbose_name=_("roster"))
    name = models.CharField(_("name"), max_length=40)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    birth_date = models.DateField(_("date of birth"))
    class_name = models.CharField(_("class"), max_length=30, blank=True)
    student_number = models.CharField(_("student number"), max_length=30)

    class Meta:
        verbose_name = _("roster entry")
        verbose_name_plural = _("roster entries")
        ordering = ["roster", "student_number"]
        constraints = [models.UniqueConstraint(fields=["roster", "student_number"], name="roster_student_number_once")]

    def __str__(self) -> str:
        return self.student_number


class RosterUpload(models.Model):
    """Ties an uploaded roster workbook (rounds.ImportBatch, kind "roster") to its school."""

    sampled_school = models.ForeignKey(
        SampledSchool, on_delete=models.PROTECT, related_name="roster_uploads", verbose_name=_("sampled school")
    )
    batch = models.OneToOneField(ImportBatch, on_delete=models.CASCADE, related_name="+", verbose_name=_("import"))

    class Meta:
        verbose_name = _("roster upload")
        verbose_name_plural = _("roster uploads")

    def __str__(self) -> str:
        return str(self.batch)


class StudentDraw(models.Model):
    """The recorded SRS of one school's students: seed, N, n, who and when."""

    sampled_school = models.OneToOneField(
        SampledSchool, on_delete=models.PROTECT, related_name="student_draw", verbose_name=_("sampled school")
    )
    seed = models.BigIntegerField(_("random seed"))
    roster_size = models.PositiveIntegerField(_("students in the grade"))
    n = models.PositiveSmallIntegerField(_("students drawn"))
    drawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("drawn by"))
    drawn_at = models.DateTimeField(_("drawn at"))
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("confirmed by")
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("student draw")
        verbose_name_plural = _("student draws")

    def __str__(self) -> str:
        return str(self.sampled_school)

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None


class PeExemption(models.Model):
    """体育免测试: a sampled student exempt from the PE test on a doctor's certificate."""

    student = models.OneToOneField(SampledStudent, on_delete=models.CASCADE, related_name="pe_exemption", verbose_name=_("student"))
    certificate = models.FileField(_("doctor's certificate"), upload_to="pe-certificates/%Y/")
    certificate_type = models.CharField(max_length=40)
    reason = models.CharField(_("reason"), max_length=200)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by"))
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("PE exemption")
        verbose_name_plural = _("PE exemptions")

    def __str__(self) -> str:
        return str(self.student)
