"""The sampling slice's to-dos on every home page."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils.translation import gettext as _

from monitoring_site.roles import Role
from rounds.models import ImportBatch, MilestoneKind, Stage, grade_label
from rounds.selectors import Todo, waiting_imports

from .imports import FRAME_IMPORT_KIND
from .models import RosterUpload, SamplingPlan, StudentDraw
from .selectors import sampled_schools, sampled_schools_visible_to
from .services import current_draw


def todos_for(*, user, person, rnd, today: dt.date) -> list[Todo]:
    if rnd.stage != Stage.SAMPLING:
        return []
    todos = _waiting_imports(user, rnd)
    if person.role == Role.COUNTY_STAFF:
        todos += _staff_todos(rnd)
    if person.role == Role.COORDINATOR:
        todos += _coordinator_todos(user, rnd, today)
    return todos


def _waiting_imports(user, rnd) -> list[Todo]:
    frames = waiting_imports(
        user, ImportBatch.objects.filter(kind=FRAME_IMPORT_KIND), lambda b: reverse("frame_import_detail", args=[rnd.pk, b.pk])
    )
    school_of = dict(RosterUpload.objects.filter(sampled_school__round=rnd).values_list("batch_id", "sampled_school_id"))
    rosters = waiting_imports(
        user, ImportBatch.objects.filter(pk__in=list(school_of)), lambda b: reverse("roster_import_detail", args=[school_of[b.pk], b.pk])
    )
    return frames + rosters


def _staff_todos(rnd) -> list[Todo]:
    url = reverse("sampling_round", args=[rnd.pk])
    plan = SamplingPlan.objects.filter(round=rnd).first()
    if plan is None or not plan.schools.exists():
        return [
            Todo(
                _("Build the sampling frame from the registry and import the grade enrolments"),
                None,
                reverse("frame_detail", args=[rnd.pk]),
            )
        ]
    todos = []
    for grade in rnd.grades:
        draw = current_draw(rnd, grade)
        if draw is None:
            todos.append(
                Todo(_("Draw the %(grade)s schools") % {"grade": grade_label(grade)}, None, reverse("school_draw", args=[rnd.pk, grade]))
            )
        elif not draw.is_confirmed:
            todos.append(
                Todo(
                    _("Review and confirm the %(grade)s school sample") % {"grade": grade_label(grade)},
                    None,
                    reverse("draw_review", args=[rnd.pk, grade]),
                )
            )
    schools = sampled_schools(rnd=rnd)
    waiting = schools.filter(roster__isnull=False, student_draw__isnull=True).count()
    if waiting:
        todos.append(
            Todo(
                _("Draw students in %(n)s schools whose roster has arrived") % {"n": waiting}, None, reverse("student_draw", args=[rnd.pk])
            )
        )
    if StudentDraw.objects.filter(sampled_school__round=rnd, confirmed_at__isnull=True).exists():
        todos.append(Todo(_("Check and confirm the student samples"), None, url))
    return todos


def _coordinator_todos(user, rnd, today: dt.date) -> list[Todo]:
    due = rnd.milestones.filter(kind=MilestoneKind.ROSTERS_DUE).values_list("due_date", flat=True).first()
    todos = []
    for sampled in sampled_schools_visible_to(user).filter(round=rnd, roster__isnull=True).exclude(status="replaced"):
        draw = current_draw(rnd, sampled.grade)
        if draw is None or not draw.is_confirmed:
            continue
        todos.append(
            Todo(
                _("Send the %(grade)s roster of %(school)s") % {"grade": grade_label(sampled.grade), "school": sampled.school.name},
                due,
                reverse("sampled_school_detail", args=[sampled.pk]),
                overdue=bool(due and due < today),
            )
        )
    return todos
