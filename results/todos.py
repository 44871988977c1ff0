"""The results slice's entries on county staff's home page."""

from __future__ import annotations

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from monitoring_site.roles import Role
from rounds.models import Stage
from rounds.selectors import Todo

from .models import Finding, ResultImport, ResultVerification
from .reference import scored_domains


def todos_for(*, user, person, rnd, today) -> list[Todo]:
    if person.role == Role.LEADER:
        return _leader_line(rnd)
    if person.role != Role.COUNTY_STAFF or rnd.stage not in (Stage.TESTING, Stage.RESULTS):
        return []
    todos: list[Todo] = []
    imported = set(ResultImport.objects.filter(round=rnd, state=ResultImport.State.ACTIVE).values_list("kind", "domain"))
    missing = [d for d in scored_domains(rnd) if (ResultImport.Kind.SCORES, d) not in imported]
    if missing or (ResultImport.Kind.PE, "") not in imported:
        todos.append(
            Todo(
                _("Import the scores and PE-health measurements"),
                None,
                reverse("results_import", args=[rnd.pk]),
                detail=_("%(n)s domains still without scores") % {"n": len(missing)},
            )
        )
    awaiting = ResultImport.objects.filter(round=rnd, state=ResultImport.State.AWAITING).first()
    if awaiting:
        todos.append(
            Todo(
                _("Confirm a re-import"),
                None,
                reverse("results_import_detail", args=[awaiting.pk]),
            )
        )
    todos += _double_entry_todos(user, rnd)
    if imported and rnd.stage == Stage.RESULTS:
        open_findings = Finding.objects.filter(round=rnd, status=Finding.Status.OPEN).count()
        todos.append(
            Todo(
                _("Review the findings of the diagnosis"),
                None,
                reverse("results_findings", args=[rnd.pk]),
                detail=_("%(n)s open findings") % {"n": open_findings},
            )
        )
    return todos


def _double_entry_todos(user, rnd) -> list[Todo]:
    """What the double entry of the round's imports waits for from this person: rows to enter
    a second time (never the first enterer's), disagreements to decide (never an enterer's)."""
    todos = []
    checks = (
        ResultVerification.objects.filter(result_import__round=rnd, result_import__state=ResultImport.State.ACTIVE)
        .exclude(result_import__batch__uploaded_by=user)
        .annotate(
            waiting=Count("rows", filter=Q(rows__entered_at=None), distinct=True),
            undecided=Count("rows__disagreements", filter=Q(rows__disagreements__decided_at=None), distinct=True),
            mine=Count("rows", filter=Q(rows__entered_by=user), distinct=True),
        )
        .select_related("result_import__batch")
    )
    for v in checks:
        name = v.result_import.batch.original_name
        if v.waiting:
            todos.append(
                Todo(
                    _("Enter %(n)s drawn rows of %(file)s a second time") % {"n": v.waiting, "file": name},
                    None,
                    reverse("results_verification_rows", args=[v.result_import_id]),
                )
            )
        if v.undecided and not v.mine:
            todos.append(
                Todo(
                    _("Decide %(n)s disagreements of the double entry of %(file)s from the paper") % {"n": v.undecided, "file": name},
                    None,
                    reverse("results_verification_compare", args=[v.result_import_id]),
                )
            )
    return todos


def _leader_line(rnd) -> list[Todo]:
    """The leader's line once results are in: the problems the diagnosis found."""
    if rnd.stage not in (Stage.RESULTS, Stage.RECTIFICATION):
        return []
    if not ResultImport.objects.filter(round=rnd, state=ResultImport.State.ACTIVE).exists():
        return []
    found = Finding.objects.filter(round=rnd, status=Finding.Status.OPEN).count()
    return [
        Todo(
            _("Results: %(n)s problems found by the diagnosis") % {"n": found},
            None,
            reverse("results_findings", args=[rnd.pk]),
        )
    ]
