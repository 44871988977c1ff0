"""Questionnaire tasks on the home page."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from monitoring_site.roles import Role
from rounds.models import Stage
from rounds.selectors import Todo

from .models import AccessCode, Instrument, VerificationSample
from .selectors import sampled_schools_visible_to, tracking

ACTIVE_STAGES = {Stage.SAMPLING, Stage.PREPARATION, Stage.TESTING}


def todos_for(*, user, person, rnd, today: dt.date) -> list[Todo]:
    if person.role == Role.LEADER:
        return _leader_line(rnd)
    entry = _double_entry_todos(user, rnd) if person.role == Role.COUNTY_STAFF and rnd.stage != Stage.CLOSED else []
    if rnd.stage not in ACTIVE_STAGES:
        return entry
    due = rnd.closes_at.date() if rnd.closes_at else None
    if person.role == Role.COUNTY_STAFF:
        todos = entry
        if not Instrument.objects.filter(round=rnd).exists():
            todos.append(Todo(_("Install the questionnaires"), None, reverse("instrument_list", args=[rnd.pk])))
        elif rnd.sampled_schools.exists() and not AccessCode.objects.filter(round=rnd).exists():
            todos.append(
                Todo(
                    _("Make the questionnaire access codes"),
                    None,
                    reverse("access_codes", args=[rnd.pk]),
                )
            )
        return todos
    if person.role == Role.COORDINATOR and rnd.stage == Stage.TESTING:
        ids = list(sampled_schools_visible_to(user).filter(round=rnd).values_list("pk", flat=True))
        todos = []
        for row in tracking(rnd=rnd, sampled_school_ids=ids):
            total = row.total
            if total.issued and total.submitted < total.issued:
                assert row.sampled_school is not None  # tracking gives one row per school
                todos.append(
                    Todo(
                        _("%(n)s questionnaires not yet submitted at %(school)s")
                        % {"n": total.issued - total.submitted, "school": row.sampled_school},
                        due,
                        reverse("school_tracking", args=[row.sampled_school.pk]),
                        overdue=bool(due and due < today),
                    )
                )
        return todos
    return []


def _leader_line(rnd) -> list[Todo]:
    """The leader's line: questionnaires submitted of the codes issued, all kinds together."""
    if rnd.stage in (Stage.SETUP, Stage.CLOSED):
        return []
    issued = submitted = 0
    for row in tracking(rnd=rnd):
        total = row.total
        issued, submitted = issued + total.issued, submitted + total.submitted
    if not issued:
        return []
    return [
        Todo(
            _("Questionnaires: %(submitted)s of %(issued)s submitted (%(percent)s%%)")
            % {"submitted": submitted, "issued": issued, "percent": round(100 * submitted / issued)},
            None,
            reverse("questionnaire_tracking", args=[rnd.pk]),
        )
    ]


def _double_entry_todos(user, rnd) -> list[Todo]:
    """What the double entry of the round's paper batches waits for from this person: forms to
    enter a second time (never the first enterer's), disagreements to decide (never an enterer's)."""
    todos = []
    samples = (
        VerificationSample.objects.filter(instrument__round=rnd)
        .exclude(batch__uploaded_by=user)
        .annotate(
            waiting=Count("forms", filter=Q(forms__entered_at=None), distinct=True),
            undecided=Count("forms__disagreements", filter=Q(forms__disagreements__decided_at=None), distinct=True),
            mine=Count("forms", filter=Q(forms__entered_by=user), distinct=True),
        )
        .select_related("batch")
    )
    for sample in samples:
        name = sample.batch.original_name
        if sample.waiting:
            todos.append(
                Todo(
                    _("Enter %(n)s drawn paper forms of %(file)s a second time") % {"n": sample.waiting, "file": name},
                    None,
                    reverse("verification_forms", args=[sample.batch_id]),
                )
            )
        if sample.undecided and not sample.mine:
            todos.append(
                Todo(
                    _("Decide %(n)s disagreements of the paper forms %(file)s from the paper") % {"n": sample.undecided, "file": name},
                    None,
                    reverse("verification_compare", args=[sample.batch_id]),
                )
            )
    return todos
