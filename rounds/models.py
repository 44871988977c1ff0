"""The registry (counties, departments, schools), rounds with their timetable and milestones,
people and their roles, and the records every app shares (audit events, import batches)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from monitoring_site.roles import REGION_ROLES, Role

county_code_validator = RegexValidator(r"^\d{6}$", _("A county code has 6 digits."))
school_code_validator = RegexValidator(r"^\d{10}$", _("A school identification code has 10 digits."))


class Domain(models.TextChoices):
    """学科领域 of the 2021 national plan."""

    MORAL = "moral", _("Moral education")
    CHINESE = "chinese", _("Chinese")
    MATH = "math", _("Mathematics")
    ENGLISH = "english", _("English")
    SCIENCE = "science", _("Science")
    PE_HEALTH = "pe_health", _("PE and health")
    ARTS = "arts", _("Arts")
    LABOUR = "labour", _("Labour")
    MENTAL_HEALTH = "mental_health", _("Mental health")


# The national three-year rotation (监测周期): three domains a year.
CYCLE_DOMAINS: dict[int, list[str]] = {
    1: [Domain.MATH, Domain.PE_HEALTH, Domain.MENTAL_HEALTH],
    2: [Domain.CHINESE, Domain.ARTS, Domain.ENGLISH],
    3: [Domain.MORAL, Domain.SCIENCE, Domain.LABOUR],
}
GRADES = (4, 8)


class SchoolType(models.TextChoices):
    PRIMARY = "primary", _("Primary school")
    TEACHING_POINT = "teaching_point", _("Teaching point")
    JUNIOR = "junior", _("Junior secondary school")
    NINE_YEAR = "nine_year", _("Nine-year school")
    TWELVE_YEAR = "twelve_year", _("Twelve-year school")
    COMPLETE_MIDDLE = "complete_middle", _("Complete secondary school")


GRADE4_TYPES = frozenset({SchoolType.PRIMARY, SchoolType.TEACHING_POINT, SchoolType.NINE_YEAR, SchoolType.TWELVE_YEAR})
GRADE8_TYPES = frozenset({SchoolType.JUNIOR, SchoolType.NINE_YEAR, SchoolType.TWELVE_YEAR, SchoolType.COMPLETE_MIDDLE})


class Location(models.TextChoices):
    URBAN = "urban", _("Urban")
    TOWN = "town", _("Town")
    RURAL = "rural", _("Rural")


class Region(models.Model):
    """A province (省) or a city (地市) of the region tree: province → city → county.

    A city belongs to one province and a county to one city; the supervision office of a city
    or a province reads its counties' rounds side by side (``Role.CITY_OFFICE``,
    ``Role.PROVINCE_OFFICE``)."""

    class Kind(models.TextChoices):
        PROVINCE = "province", _("Province")
        CITY = "city", _("City")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=30)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        limit_choices_to={"kind": "province"},
        verbose_name=_("province"),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["name"], condition=models.Q(kind="province"), name="region_province_unique_name"),
            models.UniqueConstraint(fields=["parent", "name"], condition=models.Q(kind="city"), name="region_city_unique_name"),
            models.CheckConstraint(
                condition=models.Q(kind="province", parent__isnull=True) | models.Q(kind="city", parent__isnull=False),
                name="region_city_in_a_province",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def counties(self) -> models.QuerySet[County]:
        """The counties of this city, or of every city of this province."""
        return County.objects.filter(models.Q(city=self) | models.Q(city__parent=self))


class County(models.Model):
    code = models.CharField(_("county code"), max_length=6, unique=True, validators=[county_code_validator])
    name = models.CharField(_("name"), max_length=50)
    city = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        related_name="counties_of_city",
        limit_choices_to={"kind": Region.Kind.CITY},
        verbose_name=_("city"),
    )
    hotline = models.CharField(_("reporting hotline"), max_length=30, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("county")
        verbose_name_plural = _("counties")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    @property
    def province(self) -> Region:
        return self.city.parent  # type: ignore[return-value]  # a city always has its province


class Department(models.Model):
    """A county bureau or unit that can own rectification items (牵头/配合部门)."""

    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="departments", verbose_name=_("county"))
    name = models.CharField(_("name"), max_length=60)
    leader_name = models.CharField(_("person in charge"), max_length=30, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["county", "name"]
        constraints = [models.UniqueConstraint(fields=["county", "name"], name="department_unique_name")]

    def __str__(self) -> str:
        return self.name


class School(models.Model):
    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="schools", verbose_name=_("county"))
    code = models.CharField(_("school identification code"), max_length=10, unique=True, validators=[school_code_validator])
    name = models.CharField(_("name"), max_length=80)
    school_type = models.CharField(_("school type"), max_length=20, choices=SchoolType.choices)
    location = models.CharField(_("location"), max_length=10, choices=Location.choices)
    address = models.CharField(_("address"), max_length=200, blank=True)
    principal = models.CharField(_("principal"), max_length=30, blank=True)
    contact_person = models.CharField(_("contact person"), max_length=30, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    student_count = models.PositiveIntegerField(_("students enrolled"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("school")
        verbose_name_plural = _("schools")
        ordering = ["county", "code"]
        indexes = [models.Index(fields=["county", "school_type", "location"])]

    def __str__(self) -> str:
        return self.name

    @property
    def has_grade4(self) -> bool:
        return self.school_type in GRADE4_TYPES

    @property
    def has_grade8(self) -> bool:
        return self.school_type in GRADE8_TYPES


class Stage(models.TextChoices):
    SETUP = "setup", _("Setup")
    SAMPLING = "sampling", _("Sampling")
    PREPARATION = "preparation", _("Preparation")
    TESTING = "testing", _("Testing")
    RESULTS = "results", _("Results")
    RECTIFICATION = "rectification", _("Rectification")
    CLOSED = "closed", _("Closed")


STAGE_ORDER = [s.value for s in Stage]
STAGE_ALLOWS = {
    Stage.SETUP: _("Set the domains, test days, timetable and milestones; register schools and give people roles."),
    Stage.SAMPLING: _("Build the school frame, draw and confirm the school sample, collect rosters and draw students."),
    Stage.PREPARATION: _("Schools fill in the five-room checklist, record staff and the mock drill; inspectors review."),
    Stage.TESTING: _("Test days: attendance, custody of sealed packages and incidents are recorded."),
    Stage.RESULTS: _("Import scores and measurements, set levels, read the results and build the reports."),
    Stage.RECTIFICATION: _("Turn findings into the rectification plan; departments report progress, supervisors verify."),
    Stage.CLOSED: _("The round is closed: everything can be read, nothing can be changed."),
}


class Round(models.Model):
    """One county's round of monitoring (监测轮次) in one year."""

    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="rounds", verbose_name=_("county"))
    year = models.PositiveIntegerField(_("year"), validators=[MinValueValidator(2015), MaxValueValidator(2100)])
    cycle_year = models.PositiveSmallIntegerField(_("cycle year"), choices=[(1, _("Year 1")), (2, _("Year 2")), (3, _("Year 3"))])
    domains = models.JSONField(_("domains"), default=list)
    grades = models.JSONField(_("grades"), default=list)
    test_start = models.DateField(_("first test day"))
    test_end = models.DateField(_("last test day"))
    closes_at = models.DateTimeField(_("questionnaires close"), null=True, blank=True)
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices, default=Stage.SETUP)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("round")
        verbose_name_plural = _("rounds")
        ordering = ["-year", "county"]
        constraints = [
            models.UniqueConstraint(fields=["county", "year"], name="round_one_per_county_year"),
            models.CheckConstraint(condition=models.Q(test_end__gte=models.F("test_start")), name="round_test_days_order"),
        ]

    def __str__(self) -> str:
        return _("%(county)s %(year)s monitoring") % {"county": self.county.name, "year": self.year}

    def get_domains_display(self) -> list[str]:
        labels = dict(Domain.choices)
        return [str(labels.get(code, code)) for code in self.domains]

    @property
    def stage_allows(self) -> str:
        return str(STAGE_ALLOWS[Stage(self.stage)])

    @property
    def is_closed(self) -> bool:
        return self.stage == Stage.CLOSED

    @property
    def next_stage(self) -> str | None:
        index = STAGE_ORDER.index(self.stage)
        return STAGE_ORDER[index + 1] if index + 1 < len(STAGE_ORDER) else None

    def test_days_in_late_may(self) -> bool:
        """Test days normally fall in late May (5月下旬: the 21st to the 31st)."""
        return all(d.month == 5 and d.day >= 21 for d in (self.test_start, self.test_end))


class SessionKind(models.TextChoices):
    TEST = "test", _("Domain test")
    PE = "pe", _("PE performance test")
    PERFORMANCE = "performance", _("Performance test (science, arts)")
    QUESTIONNAIRE = "questionnaire", _("Questionnaire")


# Domains with on-site performance items (表现性测试): PE's runs and measurements, science's
# apparatus, arts' singing and drawing.
PERFORMANCE_DOMAINS = ("pe_health", "science", "arts")
# English is tested in grade 8 only.
DOMAIN_GRADES = {"english": (8,)}
GRADE_CHOICES = [(4, _("Grade 4")), (8, _("Grade 8"))]


def grade_label(grade: int) -> str:
    """四年级, 八年级: the one way a grade is written."""
    labels = dict(GRADE_CHOICES)
    return str(labels[grade]) if grade in labels else gettext("Grade %(g)s") % {"g": grade}


class TestSession(models.Model):
    """One session of the test-day timetable for one grade."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="sessions", verbose_name=_("round"))
    grade = models.PositiveSmallIntegerField(_("grade"), choices=GRADE_CHOICES)
    day = models.DateField(_("day"))
    start = models.TimeField(_("start"))
    end = models.TimeField(_("end"))
    kind = models.CharField(_("kind"), max_length=20, choices=SessionKind.choices)
    domain = models.CharField(_("domain"), max_length=20, choices=Domain.choices, blank=True)
    title = models.CharField(_("title"), max_length=60)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("test session")
        verbose_name_plural = _("test sessions")
        ordering = ["round", "grade", "day", "start"]
        constraints = [models.CheckConstraint(condition=models.Q(end__gt=models.F("start")), name="session_end_after_start")]

    def __str__(self) -> str:
        return self.title


class MilestoneKind(models.TextChoices):
    DEPLOYMENT = "deployment", _("Deployment and training")
    ROSTERS_DUE = "rosters_due", _("Rosters due")
    SAMPLE_CONFIRMED = "sample_confirmed", _("Sample confirmed")
    CHECKLISTS_DUE = "checklists_due", _("Checklists due")
    MOCK_DRILL = "mock_drill", _("Mock drill")
    TEST_DAYS = "test_days", _("Test days")
    DATA_UPLOAD = "data_upload", _("Data upload")
    REPORT_ISSUED = "report_issued", _("Report issued")
    RECTIFICATION_PLAN_DUE = "rectification_plan_due", _("Rectification plan due")


class Milestone(models.Model):
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="milestones", verbose_name=_("round"))
    kind = models.CharField(_("milestone"), max_length=30, choices=MilestoneKind.choices)
    due_date = models.DateField(_("due date"))
    done_on = models.DateField(_("done on"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["round", "due_date"]
        constraints = [models.UniqueConstraint(fields=["round", "kind"], name="milestone_one_per_kind")]

    def __str__(self) -> str:
        return self.get_kind_display()

    def is_overdue(self, today: dt.date) -> bool:
        return self.done_on is None and self.due_date < today


class Person(models.Model):
    """A user's role and scope: a county, a set of schools, or a department."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="person")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    # County roles have a county; a city or province office has its region instead.
    county = models.ForeignKey(County, on_delete=models.PROTECT, null=True, blank=True, related_name="people", verbose_name=_("county"))
    region = models.ForeignKey(Region, on_delete=models.PROTECT, null=True, blank=True, related_name="people", verbose_name=_("region"))
    schools = models.ManyToManyField(School, blank=True, related_name="people", verbose_name=_("schools"))
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, null=True, blank=True, related_name="people", verbose_name=_("department")
    )
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    must_change_password = models.BooleanField(_("must change password"), default=True)
    history = HistoricalRecords(m2m_fields=[schools])

    _school_ids: set[int]  # cached by permissions.scope_school_ids (an annotation, not a field)

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["county", "role", "user__username"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(role__in=sorted(REGION_ROLES), county__isnull=True, region__isnull=False)
                    | (~models.Q(role__in=sorted(REGION_ROLES)) & models.Q(county__isnull=False, region__isnull=True))
                ),
                name="person_county_or_region",
            )
        ]

    def __str__(self) -> str:
        return self.user.get_full_name() or self.user.username


class AuditEvent(models.Model):
    """A record of a view or export of personal data, or another act worth tracing."""

    class Action(models.TextChoices):
        VIEW = "view", _("Viewed")
        EXPORT = "export", _("Exported")
        IMPORT = "import", _("Imported")
        CHANGE = "change", _("Changed")

    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    object_type = models.CharField(_("object type"), max_length=60)
    object_id = models.CharField(_("object id"), max_length=60, blank=True)
    summary = models.CharField(_("summary"), max_length=300)
    ip_address = models.GenericIPAddressField(_("address"), null=True, blank=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.user} {self.action} {self.object_type}"


class ImportBatch(models.Model):
    """An uploaded spreadsheet and what became of it; the file is kept with its outcome."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        AWAITING = "awaiting", _("Waiting for confirmation")
        DONE = "done", _("Imported")
        FAILED = "failed", _("Refused")
        CANCELLED = "cancelled", _("Cancelled")

    kind = models.CharField(_("kind"), max_length=30)
    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="+", verbose_name=_("county"))
    file = models.FileField(_("file"), upload_to="imports/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=200)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(_("progress"), default=0)
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    created = models.PositiveIntegerField(_("created"), default=0)
    updated = models.PositiveIntegerField(_("updated"), default=0)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    # What the reading noted: the sheet read, hidden sheets and title or totals rows left out.
    notes = models.JSONField(_("notes"), default=list, blank=True)
    # Against the data in use, while AWAITING (``monitoring_site.difference.Difference``).
    difference = models.JSONField(_("difference"), default=dict, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("confirmed or cancelled by"),
    )

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.kind} {self.original_name}"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED, self.Status.CANCELLED)


class Document(models.Model):
    """A document built by a background job (PDF + the HTML it was made from).

    Every version is kept; ``data_version`` is a digest of the rendered HTML, so two builds
    from the same data carry the same digest and a change in the data shows as a new one.
    """

    is_latest: bool  # set by the documents list: the newest finished build of its kind and subject
    data_version_number: int | None  # set by the documents list: rounds.documents.data_version_numbers

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Building")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="documents", verbose_name=_("round"))
    kind = models.CharField(_("kind"), max_length=40)
    subject = models.CharField(_("subject"), max_length=40, blank=True, help_text=_("e.g. the school a letter is for"))
    title = models.CharField(_("title"), max_length=200)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    stage = models.CharField(_("stage"), max_length=100, blank=True)
    progress = models.PositiveSmallIntegerField(_("progress"), default=0)
    error = models.TextField(_("error"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    pdf = models.FileField(_("PDF"), upload_to="documents/%Y/%m/", blank=True)
    html = models.FileField(_("HTML"), upload_to="documents/%Y/%m/", blank=True)
    size = models.PositiveIntegerField(_("size"), default=0)
    pages = models.PositiveIntegerField(_("pages"), default=0)
    data_version = models.CharField(_("data version"), max_length=16, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("requested by"))
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    built_by = models.CharField(_("built by"), max_length=120, blank=True, help_text=_("the worker process (host:pid) that built it"))

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["round", "kind", "subject", "-created_at"])]

    def __str__(self) -> str:
        return self.title

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)
