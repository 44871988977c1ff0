"""What the logistics slice adds to people's home pages."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils.translation import gettext as _

from monitoring_site.roles import Role
from rounds.models import MilestoneKind, Round, Stage
from rounds.selectors import Todo

from .models import Checklist, ChecklistStatus
from .selectors import sample_schools_visible_to


def todos_for(*, user, person, rnd: Round, today: dt.date) -> list[Todo]:
    if rnd.stage not in (Stage.PREPARATION, Stage.TESTING):
        return []
    due = rnd.milestones.filter(kind=MilestoneKind.CHECKLISTS_DUE).values_list("due_date", flat=True).first()
    schools = list(sample_schools_visible_to(user, rnd=rnd))
    statuses = dict(Checklist.objects.filter(round=rnd, school__in=schools).values_list("school_id", "status"))
    todos: list[Todo] = []
    if person.role == Role.COORDINATOR:
        for school in schools:
            status = statuses.get(school.pk, ChecklistStatus.DRAFT)
            if status in (ChecklistStatus.DRAFT, ChecklistStatus.RETURNED):
                title = (
                    _("Fix the returned readiness checklist of %(school)s")
                    if status == ChecklistStatus.RETURNED
                    else _("Fill in the readiness checklist of %(school)s")
                ) % {"school": school.name}
                todos.append(
                    Todo(
                        title,
                        due,
                        reverse("checklist_fill", args=[rnd.pk, school.pk]),
                        overdue=bool(due and today > due),
                    )
                )
    elif person.role in (Role.INSPECTOR, Role.COUNTY_STAFF):
        for school in schools:
            if statuses.get(school.pk) == ChecklistStatus.SUBMITTED:
                todos.append(
                    Todo(
                        _("Review the readiness checklist of %(school)s") % {"school": school.name},
                        due,
                        reverse("checklist_review", args=[rnd.pk, school.pk]),
                    )
                )
    return todos
