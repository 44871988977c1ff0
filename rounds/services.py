"""Writes for the registry, rounds and people: plain functions, keyword-only, atomic."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from monitoring_site.audit import history_user
from monitoring_site.concurrency import save_versioned
from monitoring_site.errors import Refused
from monitoring_site.roles import Role

from .models import (
    CYCLE_DOMAINS,
    DOMAIN_GRADES,
    PERFORMANCE_DOMAINS,
    STAGE_ORDER,
    County,
    Domain,
    ImportBatch,
    Milestone,
    MilestoneKind,
    Person,
    Region,
    Round,
    School,
    SessionKind,
    Stage,
    TestSession,
)

User = get_user_model()

if TYPE_CHECKING:
    from django.contrib.auth.models import User as AuthUser  # the annotations' (User above is the model)

# Default milestone dates, in days relative to the first test day.
MILESTONE_OFFSETS = {
    MilestoneKind.DEPLOYMENT: -60,
    MilestoneKind.ROSTERS_DUE: -45,
    MilestoneKind.SAMPLE_CONFIRMED: -30,
    MilestoneKind.CHECKLISTS_DUE: -7,
    MilestoneKind.MOCK_DRILL: -1,
    MilestoneKind.TEST_DAYS: 0,
    MilestoneKind.DATA_UPLOAD: 7,
    MilestoneKind.REPORT_ISSUED: 150,
    MilestoneKind.RECTIFICATION_PLAN_DUE: 180,
}


def default_domains(cycle_year: int) -> list[str]:
    return [str(d) for d in CYCLE_DOMAINS[cycle_year]]


def default_timetable(*, domains: list[str], grades: list[int], test_start: dt.date) -> list[dict]:
    """One and a half days: the round's domain tests on the first morning and afternoon and
    the second morning (only those a grade takes: English in grade 8), the student
    questionnaire after the first test. PE is tested as performance only; science and arts
    add their performance test after the first afternoon's session."""
    labels = dict(Domain.choices)
    day1, day2 = test_start, test_start + dt.timedelta(days=1)
    slots = [(day1, dt.time(8, 30), dt.time(10, 0)), (day1, dt.time(14, 0), dt.time(15, 30)), (day2, dt.time(8, 30), dt.time(10, 0))]
    sessions: list[dict] = []
    for grade in grades:
        taken = [d for d in domains if grade in DOMAIN_GRADES.get(d, (grade,))]
        for (day, start, end), domain in zip(slots, taken, strict=False):
            kind = SessionKind.PE if domain == Domain.PE_HEALTH else SessionKind.TEST
            sessions.append(
                {"grade": grade, "day": day, "start": start, "end": end, "kind": kind, "domain": domain, "title": str(labels[domain])}
            )
            if domain in PERFORMANCE_DOMAINS and domain != Domain.PE_HEALTH:
                sessions.append(
                    {
                        "grade": grade,
                        "day": day1,
                        "start": dt.time(15, 50),
                        "end": dt.time(16, 50),
                        "kind": SessionKind.PERFORMANCE,
                        "domain": domain,
                        "title": _("%(domain)s performance test") % {"domain": labels[domain]},
                    }
                )
        sessions.append(
            {
                "grade": grade,
                "day": day1,
                "start": dt.time(10, 30),
                "end": dt.time(11, 10),
                "kind": SessionKind.QUESTIONNAIRE,
                "domain": "",
                "title": _("Student questionnaire"),
            }
        )
    return sessions


def cycle_year_of(*, county, year: int) -> int:
    """The year of the national three-year rotation (监测周期) a round of ``year`` falls in,
    counted from the county's first round in the system (from 2021, the plan's first year,
    when it has none)."""
    first = Round.objects.filter(county=county).order_by("year").first()
    start_year, start_cycle = (first.year, first.cycle_year) if first else (2021, 1)
    return (start_cycle - 1 + year - start_year) % 3 + 1


@transaction.atomic
def round_create(
    *,
    county,
    year: int,
    cycle_year: int,
    test_start: dt.date,
    test_end: dt.date,
    user: AuthUser,
    domains: list[str] | None = None,
    grades: list[int] | None = None,
) -> Round:
    domains = domains or default_domains(cycle_year)
    grades = sorted(grades or [4, 8])
    rnd = Round(
        county=county,
        year=year,
        cycle_year=cycle_year,
        domains=domains,
        grades=grades,
        test_start=test_start,
        test_end=test_end,
        created_by=user,
    )
    history_user(rnd, user)
    rnd.save()
    for values in default_timetable(domains=domains, grades=grades, test_start=test_start):
        TestSession.objects.create(round=rnd, **values)
    Milestone.objects.bulk_create(
        Milestone(round=rnd, kind=kind, due_date=test_start + dt.timedelta(days=offset)) for kind, offset in MILESTONE_OFFSETS.items()
    )
    # The round is born with its five-room checklist, as with its timetable: no page creates it on a read.
    from logistics.services import checklist_template_ensure

    checklist_template_ensure(rnd=rnd)
    return rnd


@transaction.atomic
def round_update(*, rnd: Round, expected_version: int, user: AuthUser, **fields) -> Round:
    for name, value in fields.items():
        setattr(rnd, name, value)
    history_user(rnd, user)
    save_versioned(rnd, expected_version=expected_version)
    return rnd


class StageError(Refused):
    """A stage change the round does not allow."""


@transaction.atomic
def round_advance(*, rnd: Round, user: AuthUser, expected_version: int) -> Round:
    """Move the round to its next stage; setup can only be left with a timetable in place."""
    if rnd.next_stage is None:
        raise StageError(_("The round is already closed."))
    if rnd.stage == Stage.SETUP and not rnd.sessions.exists():
        raise StageError(_("Set up the test-day timetable before moving on to sampling."))
    rnd.stage = STAGE_ORDER[STAGE_ORDER.index(rnd.stage) + 1]
    history_user(rnd, user)
    save_versioned(rnd, expected_version=expected_version)
    return rnd


@transaction.atomic
def school_save(*, school: School, user: AuthUser, expected_version: int | None) -> School:
    history_user(school, user)
    if school.pk is None:
        school.save()
    else:
        assert expected_version is not None  # VersionedForm requires it for an existing record
        save_versioned(school, expected_version=expected_version)
    return school


def issue_password() -> str:
    """A password that passes the validators and can be read out over the phone."""
    alphabet = "ABCDEFGHJKMNPQRSTUVWXYZabcdefghjkmnpqrstuvwxyz23456789"
    return "-".join("".join(secrets.choice(alphabet) for _ in range(4)) for _ in range(3))


@transaction.atomic
def person_create(
    *, county, username: str, full_name: str, email: str, role: str, schools=(), department=None, phone: str = "", by: AuthUser
) -> tuple[Person, str]:
    password = issue_password()
    user = User.objects.create_user(username=username, password=password, email=email, first_name=full_name)
    person = Person(user=user, county=county, role=role, department=department, phone=phone, must_change_password=True)
    history_user(person, by)
    person.save()
    person.schools.set(schools)
    return person, password


@transaction.atomic
def person_update(
    *,
    person: Person,
    full_name: str,
    email: str,
    role: str,
    schools=(),
    department=None,
    phone: str = "",
    is_active: bool = True,
    by: AuthUser,
) -> Person:
    user = person.user
    user.first_name, user.email, user.is_active = full_name, email, is_active
    user.save(update_fields=["first_name", "email", "is_active"])
    person.role, person.department, person.phone = role, department, phone
    history_user(person, by)
    person.save()
    person.schools.set(schools)
    return person


@transaction.atomic
def person_reset_password(*, person: Person, by: AuthUser) -> str:
    password = issue_password()
    person.user.set_password(password)
    person.user.save(update_fields=["password"])
    person.must_change_password = True
    history_user(person, by)
    person.save(update_fields=["must_change_password"])
    return password


def school_import_start(*, county, upload, user: AuthUser, language: str) -> ImportBatch:
    """Keep the file, then queue the import once this request's transaction commits."""
    from .tasks import school_import

    batch = ImportBatch.objects.create(kind="schools", county=county, file=upload, original_name=upload.name[:200], uploaded_by=user)
    transaction.on_commit(lambda: school_import.delay(batch.pk, language))
    return batch


def school_import_confirm(*, batch: ImportBatch, user: AuthUser, language: str) -> ImportBatch:
    from .tasks import school_import

    return import_batch_confirm(batch=batch, user=user, queue=lambda: school_import.delay(batch.pk, language))


@transaction.atomic
def import_batch_confirm(*, batch: ImportBatch, user: AuthUser, queue: Callable[[], object]) -> ImportBatch:
    """Confirm the difference an import waits on: ``queue`` (the import's task) runs once this
    commits and writes it, or shows a new difference should the data have changed meanwhile."""
    batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.status != ImportBatch.Status.AWAITING:
        return batch  # decided already: a second click changes nothing
    batch.status, batch.progress, batch.decided_by = ImportBatch.Status.QUEUED, 0, user
    batch.save(update_fields=["status", "progress", "decided_by"])
    transaction.on_commit(queue)
    return batch


@transaction.atomic
def import_batch_cancel(*, batch: ImportBatch, user: AuthUser) -> ImportBatch:
    """Drop an import that waits on its difference; the data in use stays as it is."""
    batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.status != ImportBatch.Status.AWAITING:
        return batch
    batch.status, batch.decided_by, batch.finished_at = ImportBatch.Status.CANCELLED, user, timezone.now()
    batch.save(update_fields=["status", "decided_by", "finished_at"])
    return batch


@transaction.atomic
def county_create(
    *, code: str, name: str, province: str, city: str, hotline: str = "", username: str, full_name: str, email: str = "", by=None
) -> tuple[County, Person, str]:
    """A county and its first county-staff account, whose password is returned to be handed
    over once (it must be changed at the first log-in)."""
    county = County(code=code, name=name, city=region_city_ensure(province=province, city=city), hotline=hotline)
    county.full_clean()
    history_user(county, by)
    county.save()
    person, password = person_create(county=county, username=username, full_name=full_name, email=email, role=Role.COUNTY_STAFF, by=by)
    return county, person, password


@transaction.atomic
def county_update(*, county: County, name: str, hotline: str, user) -> County:
    """The county's name and reporting hotline (举报电话), as its staff keep them. Its city is
    not theirs to change: it decides which offices read the county."""
    county.name, county.hotline = name, hotline
    history_user(county, user)
    county.save(update_fields=["name", "hotline"])
    return county


@transaction.atomic
def region_city_ensure(*, province: str, city: str) -> Region:
    """The city of that name in the province of that name, both created if new."""
    province, city = province.strip(), city.strip()
    if not province or not city:
        raise ValidationError({"city": [_("Name the province and the city of the county.")]})
    top, _created = Region.objects.get_or_create(kind=Region.Kind.PROVINCE, name=province, parent=None)
    found, _created = Region.objects.get_or_create(kind=Region.Kind.CITY, name=city, parent=top)
    return found
