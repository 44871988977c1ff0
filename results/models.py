"""Results of a round: imports of scores and PE-health measurements, cut scores, reference
data (province, nation, previous rounds; norms; BMI table; rule thresholds) and findings.

Imported rows are never edited: a re-import creates a new ``ResultImport`` whose rows replace
the active one's once confirmed, and the earlier import keeps its rows and its file, so
every version of the data stays in the history (监测数据可追溯).
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from monitoring_site import double_entry
from rounds.models import GRADE_CHOICES, County, Domain, ImportBatch, Region, Round
from sampling.models import SampledStudent


class Finding(models.Model):
    """A diagnosed problem with its evidence (value, reference, standard error, schools)."""

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("finding", "Open")
        DISMISSED = "dismissed", pgettext_lazy("finding", "Dismissed")

    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="findings", verbose_name=_("round"))
    rule = models.CharField(_("rule"), max_length=40, blank=True, help_text=_("Empty for a finding added by hand."))
    domain = models.CharField(_("domain"), max_length=20, choices=Domain.choices, blank=True)
    grade = models.PositiveSmallIntegerField(_("grade"), null=True, blank=True)
    title = models.CharField(_("finding"), max_length=200)
    evidence = models.JSONField(_("evidence"), default=dict, blank=True)
    evidence_text = models.TextField(_("evidence"), blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.OPEN)
    dismissed_reason = models.CharField(_("reason for dismissal"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        ordering = ["round", "-created_at"]

    def __str__(self) -> str:
        return self.title


class ResultImport(models.Model):
    """One uploaded file of scores (one domain) or PE-health measurements, and its fate."""

    class Kind(models.TextChoices):
        SCORES = "scores", _("Scores")
        PE = "pe", _("PE-health measurements")

    class State(models.TextChoices):
        CHECKING = "checking", _("Checking")
        AWAITING = "awaiting", _("Awaiting confirmation")
        ACTIVE = "active", _("In use")
        REPLACED = "replaced", _("Replaced")
        REFUSED = "refused", _("Refused")
        CANCELLED = "cancelled", _("Cancelled")

    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="result_imports", verbose_name=_("round"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    domain = models.CharField(_("domain"), max_length=20, choices=Domain.choices, blank=True)
    batch = models.OneToOneField(ImportBatch, on_delete=models.PROTECT, related_name="result_import")
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.CHECKING)
    replaces = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("replaces"),
    )
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    # Against the data in use, while AWAITING: rows added, changed, removed; columns emptied.
    difference = models.JSONField(_("difference"), default=dict, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("result import")
        verbose_name_plural = _("result imports")
        ordering = ["-batch__created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "kind", "domain"],
                condition=models.Q(state="active"),
                name="result_import_one_active",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.domain} {self.batch.original_name}"

    @property
    def is_busy(self) -> bool:
        """Being checked, or confirmed and being written: the status page keeps polling."""
        return self.state == self.State.CHECKING or (self.state == self.State.AWAITING and bool(self.confirmed_by_id))


class Attendance(models.TextChoices):
    PRESENT = "present", _("Tested")
    ABSENT = "absent", _("Absent")
    EXEMPT = "exempt", _("Exempt")


class StudentScore(models.Model):
    """A sampled student's score in one domain, from one import; by monitoring ID only."""

    # No index of its own: the unique (result_import, student) index starts with it, and one
    # index fewer to fill makes a national import (200,000 rows) faster.
    result_import = models.ForeignKey(ResultImport, on_delete=models.CASCADE, related_name="scores", db_index=False)
    student = models.ForeignKey(SampledStudent, on_delete=models.PROTECT, related_name="+")
    attendance = models.CharField(_("attendance"), max_length=10, choices=Attendance.choices, default=Attendance.PRESENT)
    score = models.FloatField(_("score"), null=True, blank=True)
    items = models.JSONField(_("item scores"), default=dict, blank=True)

    class Meta:
        verbose_name = _("student score")
        verbose_name_plural = _("student scores")
        constraints = [models.UniqueConstraint(fields=["result_import", "student"], name="score_once_per_import")]

    def __str__(self) -> str:
        return f"{self.student_id}: {self.score}"


class PeMeasurement(models.Model):
    """A sampled student's PE-health measurements (体质健康测试), from one import."""

    result_import = models.ForeignKey(ResultImport, on_delete=models.CASCADE, related_name="measurements", db_index=False)
    student = models.ForeignKey(SampledStudent, on_delete=models.PROTECT, related_name="+")
    attendance = models.CharField(_("attendance"), max_length=10, choices=Attendance.choices, default=Attendance.PRESENT)
    height_cm = models.FloatField(_("height (cm)"), null=True, blank=True)
    weight_kg = models.FloatField(_("weight (kg)"), null=True, blank=True)
    vision_left = models.FloatField(_("vision, left eye"), null=True, blank=True)
    vision_right = models.FloatField(_("vision, right eye"), null=True, blank=True)
    vital_capacity_ml = models.FloatField(_("vital capacity (ml)"), null=True, blank=True)
    run_50m_s = models.FloatField(_("50 m run (s)"), null=True, blank=True)
    sit_and_reach_cm = models.FloatField(_("sit-and-reach (cm)"), null=True, blank=True)
    rope_skipping = models.FloatField(_("rope skipping (per minute)"), null=True, blank=True)

    class Meta:
        verbose_name = _("PE-health measurement")
        verbose_name_plural = _("PE-health measurements")
        constraints = [models.UniqueConstraint(fields=["result_import", "student"], name="measurement_once_per_import")]

    def __str__(self) -> str:
        return str(self.student_id)


class CutScores(models.Model):
    """The scale of a domain and grade and the lower bounds of levels Ⅱ, Ⅲ and Ⅳ."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="cut_scores", verbose_name=_("round"))
    domain = models.CharField(_("domain"), max_length=20, choices=Domain.choices)
    grade = models.PositiveSmallIntegerField(_("grade"), choices=GRADE_CHOICES)
    min_score = models.FloatField(_("lowest possible score"), default=0)
    max_score = models.FloatField(_("highest possible score"), default=1000)
    level2 = models.FloatField(_("level Ⅱ from"), default=400)
    level3 = models.FloatField(_("level Ⅲ from"), default=500)
    level4 = models.FloatField(_("level Ⅳ from"), default=600)
    low_mark = models.FloatField(_("low score below"), default=300)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("cut scores")
        verbose_name_plural = _("cut scores")
        ordering = ["round", "grade", "domain"]
        constraints = [
            models.UniqueConstraint(fields=["round", "domain", "grade"], name="cut_scores_once"),
            models.CheckConstraint(
                condition=models.Q(
                    min_score__lte=models.F("low_mark"),
                    low_mark__lte=models.F("level2"),
                    level2__lt=models.F("level3"),
                    level3__lt=models.F("level4"),
                    level4__lte=models.F("max_score"),
                ),
                name="cut_scores_increase",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_domain_display()} {self.grade}"

    @property
    def cuts(self) -> list[float]:
        return [self.level2, self.level3, self.level4]


class Indicator(models.TextChoices):
    """What a reference value or a previous-round value is about."""

    MEAN = "mean", _("Mean score")
    LEVEL4 = "level4", _("Share in level Ⅳ (excellent)")
    LEVEL1 = "level1", _("Share in level Ⅰ (needs improvement)")
    ICC = "icc", _("Share of variance between schools")
    CV = "cv", _("Between-school coefficient of variation")
    NORMAL_WEIGHT = "normal_weight", _("Normal body shape rate")
    OVERWEIGHT = "overweight", _("Overweight rate")
    OBESE = "obese", _("Obesity rate")
    POOR_VISION = "poor_vision", _("Poor-vision rate")


class ReferenceValue(models.Model):
    """A value to compare with: the province's, the nation's or the county's earlier round."""

    from_system: bool  # set on the references results.previous hands out: estimated here, not typed

    class Source(models.TextChoices):
        PROVINCE = "province", _("Province")
        NATION = "nation", _("Nation")
        PREVIOUS = "previous", _("Previous round")
        CITY = "city", _("City")

    # Typed by a county for one round, or published by a city or province office for the
    # year, which every county of the region is then compared with.
    county = models.ForeignKey(County, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("county"))
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, null=True, blank=True, related_name="references", verbose_name=_("published by")
    )
    # The round it was typed for: a reference serves that round only, never the next one.
    round = models.ForeignKey(Round, on_delete=models.PROTECT, null=True, related_name="references", verbose_name=_("round"))
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    year = models.PositiveIntegerField(_("year"))
    domain = models.CharField(_("domain"), max_length=20, choices=Domain.choices, blank=True)
    grade = models.PositiveSmallIntegerField(_("grade"), choices=GRADE_CHOICES)
    indicator = models.CharField(_("indicator"), max_length=20, choices=Indicator.choices)
    value = models.FloatField(_("value"))
    se = models.FloatField(_("standard error"), default=0)
    note = models.CharField(_("where it comes from"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("reference value")
        verbose_name_plural = _("reference values")
        ordering = ["county", "source", "-year", "grade", "domain", "indicator"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "source", "year", "domain", "grade", "indicator"],
                name="reference_once_a_round",
            ),
            models.UniqueConstraint(
                fields=["region", "source", "year", "domain", "grade", "indicator"],
                condition=models.Q(region__isnull=False),
                name="reference_once_a_region_year",
                violation_error_message=_("This value is already published for the year: withdraw it first to change it."),
            ),
            models.CheckConstraint(condition=models.Q(se__gte=0), name="reference_se_positive"),
            models.CheckConstraint(
                condition=models.Q(county__isnull=False, region__isnull=True)
                | models.Q(county__isnull=True, region__isnull=False, round__isnull=True),
                name="reference_typed_or_published",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_source_display()} {self.year} {self.get_indicator_display()}"


class Norm(models.Model):
    """A reference norm a county may edit (sleep 10 h / 9 h, homework 60 / 90 min, PE ≥ 1 h)."""

    class Key(models.TextChoices):
        SLEEP_PRIMARY = "sleep_primary", _("Sleep, primary (hours a day, at least)")
        SLEEP_JUNIOR = "sleep_junior", _("Sleep, junior (hours a day, at least)")
        HOMEWORK_PRIMARY = (
            "homework_primary",
            _("Written homework, grades 3–6 (minutes a day, at most)"),
        )
        HOMEWORK_JUNIOR = "homework_junior", _("Written homework, junior (minutes a day, at most)")
        PE_ACTIVITY = "pe_activity", _("PE activity at school (hours a day, at least)")

    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="+", verbose_name=_("county"))
    key = models.CharField(_("norm"), max_length=20, choices=Key.choices)
    value = models.FloatField(_("value"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("norm")
        verbose_name_plural = _("norms")
        ordering = ["county", "key"]
        constraints = [models.UniqueConstraint(fields=["county", "key"], name="norm_once")]

    def __str__(self) -> str:
        return self.get_key_display()


class WeeklyLessonNorm(models.Model):
    """Lessons a week per subject and grade from the province's curriculum plan (课时标准)."""

    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="+", verbose_name=_("county"))
    subject = models.CharField(_("subject"), max_length=20, choices=Domain.choices)
    grade = models.PositiveSmallIntegerField(_("grade"), choices=GRADE_CHOICES)
    lessons = models.FloatField(_("lessons a week, at most"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("weekly lesson norm")
        verbose_name_plural = _("weekly lesson norms")
        ordering = ["county", "grade", "subject"]
        constraints = [models.UniqueConstraint(fields=["county", "subject", "grade"], name="lesson_norm_once")]

    def __str__(self) -> str:
        return f"{self.get_subject_display()} {self.grade}: {self.lessons}"


class BmiBounds(models.Model):
    """A row of the National Student Physical Health Standard's BMI table (kg/m², one decimal):
    a county's own, or one its city or province published (``regions.RegionBmiRow``)."""

    INCREASING = models.Q(low_max__lt=models.F("overweight_min"), overweight_min__lt=models.F("obese_min"))
    grade = models.PositiveSmallIntegerField(_("grade"))
    sex = models.CharField(_("sex"), max_length=1, choices=[("M", _("Male")), ("F", _("Female"))])
    low_max = models.DecimalField(_("low weight up to"), max_digits=4, decimal_places=1)
    overweight_min = models.DecimalField(_("overweight from"), max_digits=4, decimal_places=1)
    obese_min = models.DecimalField(_("obese from"), max_digits=4, decimal_places=1)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.grade} {self.sex}"


class BmiNormRow(BmiBounds):
    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="+", verbose_name=_("county"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("BMI norm")
        verbose_name_plural = _("BMI norms")
        ordering = ["county", "grade", "sex"]
        constraints = [
            models.UniqueConstraint(fields=["county", "grade", "sex"], name="bmi_norm_once"),
            models.CheckConstraint(condition=BmiBounds.INCREASING, name="bmi_norm_increase"),
        ]


class DiagnosisRule(models.Model):
    """A diagnosis rule's threshold for one county (see ``results.diagnosis.RULES``)."""

    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="+", verbose_name=_("county"))
    code = models.CharField(_("rule"), max_length=40)
    enabled = models.BooleanField(_("in use"), default=True)
    threshold = models.FloatField(_("threshold"))
    level = models.FloatField(
        _("test level"),
        default=0.05,
        help_text=_("A finding must hold at this level (two-sided): 0.05 asks the difference to pass 1.96 SE; 1 tests nothing."),
        validators=[MinValueValidator(0.001), MaxValueValidator(1.0)],
    )
    level_reason = models.CharField(_("why a laxer level"), max_length=200, blank=True, help_text=_("Required for a level above 0.05."))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("diagnosis rule")
        verbose_name_plural = _("diagnosis rules")
        ordering = ["county", "code"]
        constraints = [models.UniqueConstraint(fields=["county", "code"], name="rule_once")]

    def __str__(self) -> str:
        return self.code

    def clean(self):
        if self.level > 0.05 and not self.level_reason.strip():
            raise ValidationError({"level_reason": _("Say why findings may rest on weaker evidence than the 0.05 level.")})


class ResultVerification(models.Model):
    """The rows of one ACTIVE score or PE-health import drawn for a second, independent entry
    from the paper sheets (≥ 5 % of each school's rows, at least one; see
    ``results.verification``). Replayable: ``seed`` and the import's rows give the same rows."""

    GOAL = double_entry.GOAL  # disagreeing fields ÷ fields compared; above it the whole batch is entered twice

    result_import = models.OneToOneField(
        ResultImport, on_delete=models.PROTECT, related_name="verification", verbose_name=_("result import")
    )
    seed = models.BigIntegerField(_("seed"))
    share = models.FloatField(_("share drawn"), default=0.05)
    drawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    drawn_at = models.DateTimeField(_("drawn at"), auto_now_add=True)
    # Set when every drawn row has its second entry and the rate is above GOAL: the import is
    # then left out of every result (results.selectors.active_import) until every row of it is
    # entered twice and every disagreement decided.
    needs_full_entry = models.BooleanField(_("needs full double entry"), default=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("verification sample of a result import")
        verbose_name_plural = _("verification samples of result imports")

    def __str__(self) -> str:
        return str(self.result_import)


class VerificationRow(models.Model):
    """One drawn row (one student's line of the paper sheet): the first entry is the import's
    row; the second entry is kept here, apart, and never written over the first."""

    verification = models.ForeignKey(ResultVerification, on_delete=models.CASCADE, related_name="rows")
    student = models.ForeignKey(SampledStudent, on_delete=models.PROTECT, related_name="+")
    second_values = models.JSONField(_("second entry"), default=dict, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("second enterer")
    )
    entered_at = models.DateTimeField(_("entered at"), null=True, blank=True)
    fields_compared = models.PositiveIntegerField(_("fields compared"), default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("row drawn for double entry")
        verbose_name_plural = _("rows drawn for double entry")
        ordering = ["verification", "student__monitoring_id"]
        constraints = [models.UniqueConstraint(fields=["verification", "student"], name="verification_row_once")]

    def __str__(self) -> str:
        return self.student.monitoring_id


class RowDisagreement(models.Model):
    """A field of a drawn row the two entries disagree on, and the third person's decision."""

    class Choice(models.TextChoices):
        FIRST = "first", _("The first entry")
        SECOND = "second", _("The second entry")
        OTHER = "other", _("Neither: the value on the paper sheet")

    row = models.ForeignKey(VerificationRow, on_delete=models.CASCADE, related_name="disagreements")
    field = models.CharField(_("field"), max_length=60)  # "attendance", "score", "item:题1", "height_cm", …
    first_value = models.JSONField(_("first entry"), null=True, blank=True)
    second_value = models.JSONField(_("second entry"), null=True, blank=True)
    choice = models.CharField(_("decision"), max_length=10, choices=Choice.choices, blank=True)
    decided_value = models.JSONField(_("value decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("decided by")
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("disagreement")
        verbose_name_plural = _("disagreements")
        ordering = ["row", "pk"]
        constraints = [models.UniqueConstraint(fields=["row", "field"], name="row_disagreement_once_per_field")]

    def __str__(self) -> str:
        return f"{self.row} {self.field}"
