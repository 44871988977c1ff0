"""Reads for the registry and rounds, already narrowed to what the user may see."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from django.conf import settings
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from monitoring_site.permissions import county_filtered, person_of
from monitoring_site.roles import Role

from .imports import SCHOOL_IMPORT_KIND
from .models import ImportBatch, Milestone, MilestoneKind, Round, Stage


def stage_allows(rnd: Round, allowed) -> tuple[bool, str]:
    """(True, "") when the round's stage allows the action; else False and, for the user, the
    stage it is in and the stages in which it can be done."""
    if rnd.stage in allowed:
        return True, ""
    stages = "、".join(str(label) for value, label in Stage.choices if value in allowed)
    return False, _("The round is in the stage “%(stage)s”; this can be done in: %(stages)s.") % {
        "stage": rnd.get_stage_display(),
        "stages": stages,
    }


WORKFLOW_APPS = settings.PROJECT_APPS[1:]  # the slices after the round itself

# Whose to-do list each milestone belongs on.
MILESTONE_ROLES: dict[str, set[str]] = {
    MilestoneKind.DEPLOYMENT: {Role.COUNTY_STAFF, Role.COORDINATOR, Role.INSPECTOR, Role.MONITOR},
    MilestoneKind.ROSTERS_DUE: {Role.COUNTY_STAFF, Role.COORDINATOR},
    MilestoneKind.SAMPLE_CONFIRMED: {Role.COUNTY_STAFF, Role.LEADER},
    MilestoneKind.CHECKLISTS_DUE: {Role.COUNTY_STAFF, Role.COORDINATOR, Role.INSPECTOR},
    MilestoneKind.MOCK_DRILL: {Role.COUNTY_STAFF, Role.COORDINATOR, Role.INSPECTOR, Role.MONITOR},
    MilestoneKind.TEST_DAYS: {Role.COUNTY_STAFF, Role.COORDINATOR, Role.INSPECTOR, Role.MONITOR, Role.LEADER},
    MilestoneKind.DATA_UPLOAD: {Role.COUNTY_STAFF, Role.COORDINATOR},
    MilestoneKind.REPORT_ISSUED: {Role.COUNTY_STAFF, Role.LEADER},
    MilestoneKind.RECTIFICATION_PLAN_DUE: {Role.COUNTY_STAFF, Role.DEPARTMENT, Role.LEADER},
}


def rounds_visible_to(user) -> QuerySet[Round]:
    return county_filtered(user, Round.objects.select_related("county"))


def open_rounds(user) -> QuerySet[Round]:
    """The rounds of the user's county that are not closed, newest first: the set-up of a new
    round and the rectification of the last one are open at once."""
    return rounds_visible_to(user).exclude(stage=Stage.CLOSED).order_by("-year", "-pk")


def current_round(user, *, chosen: int | None = None) -> Round | None:
    """The open round the user chose to work on (``chosen``, kept in their session by
    round_choose), else the newest round of their county that is not closed."""
    rounds = open_rounds(user)
    return (rounds.filter(pk=chosen).first() if chosen else None) or rounds.first()


CHOSEN_ROUND = "chosen_round"  # the session key round_choose keeps the user's choice under


def round_of_request(request) -> Round | None:
    """current_round for the request's user and the choice in their session."""
    return current_round(request.user, chosen=request.session.get(CHOSEN_ROUND))


@dataclass(frozen=True)
class Todo:
    title: str
    due: dt.date | None
    url: str
    overdue: bool = False
    detail: str = ""


def todo_for(user, *, today: dt.date, rnd: Round | None = None) -> list[Todo]:
    """What waits for the user in ``rnd``, or by default in every open round of their county
    (each line then names its round when more than one is open); no two lines alike."""
    person = person_of(user)
    if person is None:
        return []
    rounds = [rnd] if rnd is not None else list(open_rounds(user))
    todos: list[Todo] = waiting_imports(
        user, ImportBatch.objects.filter(kind=SCHOOL_IMPORT_KIND), lambda batch: reverse("import_detail", args=[batch.pk])
    )
    if not rounds:
        if person.role == Role.COUNTY_STAFF:
            todos.append(Todo(_("Create this year's monitoring round"), None, reverse("round_create")))
        return todos
    for each in rounds:
        found = _round_todos(user, person, each, today)
        if len(rounds) > 1:
            found = [replace(t, detail=f"{each} · {t.detail}" if t.detail else str(each)) for t in found]
        todos.extend(found)
    distinct = list({(t.title, t.url, t.detail): t for t in todos}.values())
    return sorted(distinct, key=lambda t: (t.due is None, t.due or today))


def waiting_imports(user, batches, url) -> list[Todo]:
    """The user's own uploads among ``batches`` that wait for them to confirm or cancel their
    difference (a re-import changes nothing before that): one line each, to its page."""
    waiting = batches.filter(status=ImportBatch.Status.AWAITING, uploaded_by=user).order_by("created_at")
    return [
        Todo(_("Confirm or cancel the import of %(file)s: its changes wait for you") % {"file": b.original_name}, None, url(b))
        for b in waiting
    ]


def _round_todos(user, person, rnd: Round, today: dt.date) -> list[Todo]:
    todos: list[Todo] = []
    round_url = reverse("round_detail", args=[rnd.pk])
    if person.role == Role.COUNTY_STAFF and rnd.stage == Stage.SETUP:
        todos.append(Todo(_("Check the domains, test days, timetable and milestones, then open sampling"), None, round_url))
    milestones: list[Milestone] = list(rnd.milestones.filter(done_on__isnull=True).order_by("due_date"))
    for milestone in milestones:
        if person.role in MILESTONE_ROLES.get(milestone.kind, set()):
            todos.append(Todo(milestone.get_kind_display(), milestone.due_date, round_url, milestone.is_overdue(today)))
    for provider in _todo_providers():
        todos.extend(provider(user=user, person=person, rnd=rnd, today=today))
    return todos


def _todo_providers():
    """Each later app may offer ``todos.todos_for(*, user, person, rnd, today) -> list[Todo]``."""
    from importlib import import_module
    from importlib.util import find_spec

    providers = []
    for app in WORKFLOW_APPS:
        if find_spec(f"{app}.todos") is not None:
            providers.append(import_module(f"{app}.todos").todos_for)
    return providers
