"""The round's sample: the frame, the PPS school draw, rosters and the sampled students.

Core models that the later apps rely on (SampledSchool, SampledStudent) are defined here
first; the sampling slice itself (issue 3) grows the rest around them.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from rounds.models import Round, School


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
    grade = models.PositiveSmallIntegerField(_("grade"), choices=[(4, _("Grade 4")), (8, _("Grade 8"))])
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="sampled_in", verbose_name=_("school"))
    serial = models.PositiveSmallIntegerField(_("school number"), help_text=_("Used in monitoring IDs."))
    enrolment = models.PositiveIntegerField(_("grade enrolment"))
    probability = models.FloatField(_("inclusion probability"))
    weight = models.FloatField(_("base weight"))
    certainty = models.BooleanField(_("certainty school"), default=False)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.SAMPLED)
    replaces = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="replaced_by", verbose_name=_("replaces"))
    replacement_reason = models.CharField(_("reason for replacement"), max_length=200, blank=True)
    history = HistoricalRecords()

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
