"""What the logistics slice adds to people's home pages: the checklist to fill or fix, the
submitted checklists to review, the test-day sessions still to record, and for the leader the
readiness of the sample. Only work the round's stage allows is listed."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils.translation import gettext as _

from monitoring_site.roles import Role
from rounds.models import MilestoneKind, Round, Stage
from rounds.selectors import Todo

from .models import Checklist, ChecklistStatus
from .selectors import sample_schools_visible_to, sampled_grades, session_rates, session_records_of, sessions_for
from .services import PREPARATION, TEST_DAYS


def todos_for(*, user, person, rnd: Round, today: dt.date) -> list[Todo]:
    if rnd.stage in (Stage.SETUP, Stage.SAMPLING, Stage.CLOSED):
        return []
    schools = list(sample_schools_visible_to(user, rnd=rnd))
    statuses = dict(Checklist.objects.filter(round=rnd, school__in=schools).values_list("school_id", "status"))
    if person.role == Role.LEADER:
        return [_readiness_line(rnd, schools, statuses)] if schools else []
    todos: list[Todo] = []
    if rnd.stage in PREPARATION:
        todos += _checklist_todos(person, rnd, schools, statuses, today)
    if rnd.stage in TEST_DAYS and person.role in (Role.COORDINATOR, Role.MONITOR):
        todos += _session_todos(rnd, schools)
    return todos


def _checklist_todos(person, rnd: Round, schools, statuses, today: dt.date) -> list[Todo]:
    due = rnd.milestones.filter(kind=MilestoneKind.CHECKLISTS_DUE).values_list("due_date", flat=True).first()
    todos: list[Todo] = []
    for school in schools:
        status = statuses.get(school.pk, ChecklistStatus.DRAFT)
        if person.role == Role.COORDINATOR and status in (ChecklistStatus.DRAFT, ChecklistStatus.RETURNED):
            title = (
                _("Fix the returned readiness checklist of %(school)s")
                if status == ChecklistStatus.RETURNED
                else _("Fill in the readiness checklist of %(school)s")
            ) % {"school": school.name}
            url = reverse("checklist_fill", args=[rnd.pk, school.pk])
            todos.append(Todo(title, due, url, overdue=bool(due and today > due)))
        elif person.role in (Role.INSPECTOR, Role.COUNTY_STAFF) and status == ChecklistStatus.SUBMITTED:
            todos.append(
                Todo(
                    _("Review the readiness checklist of %(school)s") % {"school": school.name},
                    due,
                    reverse("checklist_review", args=[rnd.pk, school.pk]),
                )
            )
    return todos


def _session_todos(rnd: Round, schools) -> list[Todo]:
    """Each session of the user's schools with students not marked yet."""
    todos: list[Todo] = []
    for school in schools:
        by_grade = {s.grade: s for s in sampled_grades(rnd=rnd, school=school)}
        timetable = list(sessions_for(rnd=rnd, grades=list(by_grade)))
        records = session_records_of(pairs=[(session, by_grade[session.grade]) for session in timetable])
        for session, rate in zip(timetable, session_rates(records=records), strict=True):
            if rate.unmarked:
                todos.append(
                    Todo(
                        _("Record attendance: %(school)s, %(session)s") % {"school": school.name, "session": session.title},
                        session.day,
                        reverse("session_attendance", args=[rnd.pk, school.pk, session.pk]),
                    )
                )
    return todos


def _readiness_line(rnd: Round, schools, statuses) -> Todo:
    approved = sum(1 for s in schools if statuses.get(s.pk) == ChecklistStatus.APPROVED)
    return Todo(
        _("Readiness: %(approved)s of %(total)s sample schools' checklists approved") % {"approved": approved, "total": len(schools)},
        None,
        reverse("readiness_dashboard", args=[rnd.pk]),
    )
