"""A batch of county reports a region's office asked for at once, and the norms an office
publishes for its counties."""

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from results.models import BmiBounds, Norm
from rounds.models import GRADE_CHOICES, Document, Domain, Region


class ReportBatch(models.Model):
    """Every county's diagnostic report of a year, built as one Celery group; the chord's
    callback sets ``finished_at`` when the last one is done (built or failed)."""

    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="report_batches", verbose_name=_("region"))
    year = models.PositiveIntegerField(_("year"))
    documents = models.ManyToManyField(Document, related_name="+", verbose_name=_("documents"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("requested by"))
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("batch of county reports")
        verbose_name_plural = _("batches of county reports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.region} {self.year}"


class PublishedNorm(models.Model):
    """A value a city or province office publishes: each county of the region uses it in place
    of its own row with the same ``KEY`` fields (a city's beats its province's: the nearest
    office wins). Withdrawn, it is deleted (its history stays) and the county's own row, never
    touched, is used again."""

    KEY: ClassVar[tuple[str, ...]]
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("published by"))
    published_at = models.DateTimeField(_("published at"), auto_now=True)

    class Meta:
        abstract = True

    def lookup(self) -> tuple:
        return tuple(getattr(self, field) for field in self.KEY)


class RegionNorm(PublishedNorm):
    """In place of the counties' ``results.Norm`` of the same key."""

    KEY = ("key",)
    key = models.CharField(_("norm"), max_length=20, choices=Norm.Key.choices)
    value = models.FloatField(_("value"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("published norm")
        verbose_name_plural = _("published norms")
        ordering = ["region", "key"]
        constraints = [models.UniqueConstraint(fields=["region", "key"], name="region_norm_once")]

    def __str__(self) -> str:
        return self.get_key_display()


class RegionLessonNorm(PublishedNorm):
    """In place of the counties' ``results.WeeklyLessonNorm`` of the same subject and grade."""

    KEY = ("subject", "grade")
    subject = models.CharField(_("subject"), max_length=20, choices=Domain.choices)
    grade = models.PositiveSmallIntegerField(_("grade"), choices=GRADE_CHOICES)
    lessons = models.FloatField(_("lessons a week, at most"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("published weekly lesson norm")
        verbose_name_plural = _("published weekly lesson norms")
        ordering = ["region", "grade", "subject"]
        constraints = [models.UniqueConstraint(fields=["region", "subject", "grade"], name="region_lesson_norm_once")]

    def __str__(self) -> str:
        return f"{self.get_subject_display()} {self.grade}: {self.lessons}"


class RegionBmiRow(PublishedNorm, BmiBounds):
    """In place of the counties' ``results.BmiNormRow`` of the same grade and sex."""

    KEY = ("grade", "sex")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("published BMI norm")
        verbose_name_plural = _("published BMI norms")
        ordering = ["region", "grade", "sex"]
        constraints = [
            models.UniqueConstraint(fields=["region", "grade", "sex"], name="region_bmi_norm_once"),
            models.CheckConstraint(
                condition=BmiBounds.INCREASING,
                name="region_bmi_norm_increase",
                violation_error_message=_("The bounds must increase: low weight up to < overweight from < obese from."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.region} {self.grade} {self.sex}"
