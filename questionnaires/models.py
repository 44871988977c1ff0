"""Related-factor questionnaires (相关因素调查问卷): instruments, access codes, responses,
answers and the indicators derived from them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from monitoring_site import double_entry
from rounds.models import ImportBatch, Round
from sampling.models import SampledSchool, SampledStudent


class Kind(models.TextChoices):
    """The four questionnaires of the national plan."""

    STUDENT = "student", _("Student questionnaire")
    TEACHER = "teacher", _("Teacher questionnaire")
    PRINCIPAL = "principal", _("Principal questionnaire")
    COUNTY = "county", _("County administrator questionnaire")


class ItemType(models.TextChoices):
    SINGLE = "single", _("Single choice")
    MULTIPLE = "multiple", _("Multiple choice")
    SCALE = "scale", _("Agreement scale")
    NUMBER = "number", _("Number")
    TEXT = "text", _("Short text")


class Instrument(models.Model):
    """One version of one kind of questionnaire for a round; the newest version is handed out."""

    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="instruments", verbose_name=_("round"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    version = models.PositiveSmallIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=120)
    intro = models.TextField(_("introduction"), blank=True)
    source_name = models.CharField(_("loaded from"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    history = HistoricalRecords()

    is_current: bool  # put on the instances by the instrument list (an annotation, not a field)

    class Meta:
        verbose_name = _("instrument")
        verbose_name_plural = _("instruments")
        ordering = ["round", "kind", "-version"]
        constraints = [models.UniqueConstraint(fields=["round", "kind", "version"], name="instrument_version_unique")]

    def __str__(self) -> str:
        return f"{self.title} v{self.version}"


class Section(models.Model):
    instrument = models.ForeignKey(Instrument, on_delete=models.CASCADE, related_name="sections")
    order = models.PositiveSmallIntegerField()
    code = models.CharField(max_length=40)
    title = models.CharField(_("title"), max_length=200)

    class Meta:
        ordering = ["instrument", "order"]

    def __str__(self) -> str:
        return self.title


class Item(models.Model):
    """A question. Rows of a grid are items of type scale that share the grid's code and scale."""

    instrument = models.ForeignKey(Instrument, on_delete=models.CASCADE, related_name="items")
    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="items")
    order = models.PositiveSmallIntegerField()
    code = models.CharField(_("code"), max_length=40)
    type = models.CharField(_("type"), max_length=10, choices=ItemType.choices)
    label = models.CharField(_("question"), max_length=300)
    hint = models.CharField(_("hint"), max_length=300, blank=True)
    required = models.BooleanField(_("required"), default=True)
    choices = models.JSONField(_("choices"), default=list, blank=True)  # [[value, label], …]
    min_value = models.FloatField(_("minimum"), null=True, blank=True)
    max_value = models.FloatField(_("maximum"), null=True, blank=True)
    decimals = models.BooleanField(_("decimals allowed"), default=False)
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    show_if_item = models.CharField(_("shown if item"), max_length=40, blank=True)
    show_if_values = models.JSONField(_("shown if values"), default=list, blank=True)
    grid = models.CharField(_("grid"), max_length=40, blank=True)
    grid_label = models.CharField(_("grid question"), max_length=300, blank=True)

    class Meta:
        ordering = ["instrument", "order"]
        constraints = [models.UniqueConstraint(fields=["instrument", "code"], name="questionnaire_item_code_unique")]

    def __str__(self) -> str:
        return f"{self.code} {self.label}"

    @property
    def choice_labels(self) -> dict[str, str]:
        return {str(v): str(label) for v, label in self.choices}


class IndicatorRule(models.Model):
    """How answers become an indicator: a small expression over item codes (see expressions.py)."""

    instrument = models.ForeignKey(Instrument, on_delete=models.CASCADE, related_name="indicators")
    order = models.PositiveSmallIntegerField()
    code = models.CharField(_("code"), max_length=40)
    label = models.CharField(_("label"), max_length=200)
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    calculation = models.CharField(_("calculation"), max_length=300)

    class Meta:
        ordering = ["instrument", "order"]
        constraints = [models.UniqueConstraint(fields=["instrument", "code"], name="questionnaire_indicator_rule_unique")]

    def __str__(self) -> str:
        return self.code


class AccessCode(models.Model):
    """A code that opens one questionnaire for one respondent, without an account (访问码)."""

    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="access_codes")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    sampled_school = models.ForeignKey(
        SampledSchool,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="access_codes",
        verbose_name=_("sampled school"),
    )
    student = models.OneToOneField(
        SampledStudent,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="access_code",
        verbose_name=_("sampled student"),
    )
    serial = models.PositiveSmallIntegerField(_("number"), default=1)
    code = models.CharField(_("access code"), max_length=16, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("access code")
        verbose_name_plural = _("access codes")
        ordering = ["round_id", "sampled_school_id", "kind", "serial"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "sampled_school", "kind", "serial"],
                name="access_code_serial_unique",
            ),
        ]

    def __str__(self) -> str:
        return self.respondent_label

    @property
    def respondent_label(self) -> str:
        if self.student_id and self.student is not None:
            return self.student.monitoring_id
        return f"{self.get_kind_display()} {self.serial}"

    @property
    def display_code(self) -> str:
        return f"{self.code[:5]}-{self.code[5:]}"


class Response(models.Model):
    """One respondent's answers to one instrument; submitted_at ends it."""

    class Source(models.TextChoices):
        ONLINE = "online", _("Online")
        PAPER = "paper", _("Paper form")

    access_code = models.OneToOneField(AccessCode, on_delete=models.PROTECT, related_name="response")
    instrument = models.ForeignKey(Instrument, on_delete=models.PROTECT, related_name="responses")
    source = models.CharField(_("source"), max_length=10, choices=Source.choices, default=Source.ONLINE)
    # The paper import that entered it (its first entry); online responses have none.
    import_batch = models.ForeignKey(
        ImportBatch, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("paper import")
    )
    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    last_saved_at = models.DateTimeField(_("last saved"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("response")
        verbose_name_plural = _("responses")
        ordering = ["access_code_id"]

    def __str__(self) -> str:
        return str(self.access_code)

    @property
    def is_submitted(self) -> bool:
        return self.submitted_at is not None


class Answer(models.Model):
    """One answer. Exactly one row per response and item: saves are upserts, never appends.

    No history table: each save by the respondent is itself the record, and a history row per
    keystroke-level save would double the writes on test day."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="answers")
    value = models.JSONField()
    saved_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["response", "item"], name="questionnaire_answer_once_per_item")]

    def __str__(self) -> str:
        return f"{self.item.code}={self.value}"


class IndicatorValue(models.Model):
    """An indicator of one respondent, computed when the response is submitted or imported."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="indicator_values")
    code = models.CharField(max_length=40)
    value = models.FloatField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["response", "code"], name="questionnaire_indicator_value_once")]

    def __str__(self) -> str:
        return f"{self.code}={self.value}"


# --- double entry of paper forms (二次录入核查) ------------------------------------------------


class VerificationSample(models.Model):
    """The forms of one paper import drawn for a second, independent entry (≥ 5 %, ≥ 1 a school).

    The draw is replayable: ``seed`` and the batch's responses give the same forms again
    (``questionnaires.verification.sample_draw``)."""

    GOAL = double_entry.GOAL  # disagreeing fields ÷ fields compared; above it the whole batch is entered twice

    batch = models.OneToOneField(ImportBatch, on_delete=models.PROTECT, related_name="verification", verbose_name=_("paper import"))
    instrument = models.ForeignKey(Instrument, on_delete=models.PROTECT, related_name="+")
    seed = models.BigIntegerField(_("seed"))
    share = models.FloatField(_("share drawn"), default=0.05)
    drawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    drawn_at = models.DateTimeField(_("drawn at"), auto_now_add=True)
    # Set when every drawn form has its second entry and the rate is above GOAL: the batch's
    # responses are then left out of every indicator (questionnaires.selectors.indicator_values)
    # until every form of the batch is entered twice and every disagreement decided.
    needs_full_entry = models.BooleanField(_("needs full double entry"), default=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("verification sample")
        verbose_name_plural = _("verification samples")

    def __str__(self) -> str:
        return str(self.batch)


class VerificationForm(models.Model):
    """One drawn paper form: the first entry is its response's answers; the second entry is
    kept here, apart, and never written over the first."""

    sample = models.ForeignKey(VerificationSample, on_delete=models.CASCADE, related_name="forms")
    response = models.OneToOneField(Response, on_delete=models.PROTECT, related_name="verification_form")
    second_values = models.JSONField(_("second entry"), default=dict, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("second enterer")
    )
    entered_at = models.DateTimeField(_("entered at"), null=True, blank=True)
    fields_compared = models.PositiveIntegerField(_("fields compared"), default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("form drawn for double entry")
        verbose_name_plural = _("forms drawn for double entry")
        ordering = ["sample", "response__access_code__sampled_school_id", "response__access_code__kind", "response__access_code__serial"]

    def __str__(self) -> str:
        return str(self.response)


class Disagreement(models.Model):
    """A field the two entries disagree on, and the third person's decision from the paper."""

    class Choice(models.TextChoices):
        FIRST = "first", _("The first entry")
        SECOND = "second", _("The second entry")
        OTHER = "other", _("Neither: the value on the paper")

    form = models.ForeignKey(VerificationForm, on_delete=models.CASCADE, related_name="disagreements")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+")
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
        ordering = ["form", "item__order"]
        constraints = [models.UniqueConstraint(fields=["form", "item"], name="disagreement_once_per_item")]

    def __str__(self) -> str:
        return f"{self.form} {self.item.code}"
