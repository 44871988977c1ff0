"""Double entry of the paper score and PE-health sheets (二次录入核查), as for the paper
questionnaires (``questionnaires.verification``): a seeded sample of an import's rows is typed
a second time by someone else, by workbook or in the browser; the two entries are compared
field by field; a third person decides every disagreement from the paper; the error rate is
held against a goal of ≤ 1 %.

A "form" is one student's row of the sheet; its fields are the import's columns: attendance,
then (unless both entries mark the student absent or exempt) the score and item scores, or
each PE measurement. The first entry is the import's row (the data in use); the second is
kept apart on its ``VerificationRow``. A decision writes the value decided into the data in
use; both entries stay on the ``RowDisagreement``, whose history holds who decided what, when.
Imported rows have no history of their own, so the decision's record is the change's record.
"""

from __future__ import annotations

import json
import math
import re
import secrets
from collections import defaultdict
from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from monitoring_site.audit import history_user
from monitoring_site.double_entry import SHARE, ErrorRates, error_rates_of, needs_full_entry, sample_draw
from monitoring_site.errors import Refused
from monitoring_site.spreadsheets import Column, RowError, SpreadsheetError, Table, new_workbook, read_table, workbook_bytes, write_sheet
from rounds.models import Domain

from .imports import PE_ITEMS, _check_rows, _item_columns, _students_of, pe_columns, score_columns
from .models import Attendance, PeMeasurement, ResultImport, ResultVerification, RowDisagreement, StudentScore, VerificationRow

PE_FIELDS = [field for _h, field, _lo, _hi in PE_ITEMS]


class EntryRefused(Refused):
    """The user may not do this step of the double entry (the message says why)."""


class WorkbookRefused(Refused):
    """A second-entry workbook with faults: nothing of it is kept; ``errors`` name row and column."""

    def __init__(self, errors: list[RowError]):
        super().__init__(_("Nothing was saved: correct the workbook and upload it again."))
        self.errors = sorted(errors, key=lambda e: e.row)


# --- the import's fields -------------------------------------------------------------------


def _rows_of(ri: ResultImport) -> QuerySet:
    return (PeMeasurement if ri.kind == ResultImport.Kind.PE else StudentScore).objects.filter(result_import=ri)


def item_headers(ri: ResultImport) -> list[str]:
    """The item-score columns of a score import (those its rows hold), in question order."""
    if ri.kind == ResultImport.Kind.PE:
        return []
    headers = {h for items in _rows_of(ri).values_list("items", flat=True) for h in items}
    return sorted(headers, key=lambda h: [int(p) if p.isdigit() else p for p in re.split(r"(\d+)", h)])


def entry_columns(ri: ResultImport, items: list[str] | None = None) -> list[Column]:
    """The import's own columns, with their checks: the second entry is read with them."""
    if ri.kind == ResultImport.Kind.PE:
        return pe_columns()
    return score_columns() + _item_columns(item_headers(ri) if items is None else items)


def value_columns(columns: list[Column]) -> list[Column]:
    return [c for c in columns if c.field not in ("monitoring_id", "domain")]


def _first_values(ri: ResultImport, student_id: int) -> dict[str, Any]:
    if ri.kind == ResultImport.Kind.PE:
        return _rows_of(ri).values("attendance", *PE_FIELDS).get(student_id=student_id)
    row = _rows_of(ri).values("attendance", "score", "items").get(student_id=student_id)
    return {"attendance": row["attendance"], "score": row["score"], **{f"item:{h}": v for h, v in row["items"].items()}}


def _values_of(ri: ResultImport, checked: tuple) -> dict[str, Any]:
    """A row ``_check_rows`` let through, as field → value."""
    if ri.kind == ResultImport.Kind.PE:
        return {"attendance": checked[2], **dict(zip(PE_FIELDS, checked[3:], strict=True))}
    return {"attendance": checked[2], "score": checked[3], **{f"item:{h}": v for h, v in json.loads(checked[4]).items()}}


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, int | float) and isinstance(b, int | float):
        return math.isclose(a, b, abs_tol=1e-9)
    return a == b


def compared_fields(fields: list[str], first: Mapping[str, Any], second: Mapping[str, Any]) -> list[str]:
    """The import's skip logic: a student absent or exempt in both entries has no values to compare."""
    present = Attendance.PRESENT
    if first.get("attendance") != present and second.get("attendance") != present:
        return ["attendance"]
    return fields


def import_fields(ri: ResultImport) -> list[str]:
    return [c.field for c in value_columns(entry_columns(ri))]


def stage_refusal(ri: ResultImport) -> str:
    """Why the double entry of ``ri`` cannot change anything now, or "": it may exactly while
    the import itself may (``results.services.IMPORT_STAGES``); later, the results and the
    report built on them stand, and the check is read-only."""
    from .services import IMPORT_STAGES

    rnd = ri.round
    if rnd.stage in IMPORT_STAGES:
        return ""
    return _("In the stage “%(stage)s” the double entry can no longer change the data; it is shown read-only.") % {
        "stage": rnd.get_stage_display()
    }


def _require_stage(ri: ResultImport) -> None:
    if refusal := stage_refusal(ri):
        raise EntryRefused(refusal)


# --- the draw ------------------------------------------------------------------------------


def _rows_by_school(ri: ResultImport) -> dict[Hashable, list[int]]:
    by_school: dict[Hashable, list[int]] = defaultdict(list)
    for student, school in _rows_of(ri).values_list("student_id", "student__sampled_school__school_id"):
        by_school[school].append(student)
    return by_school


def sample_replay(*, verification: ResultVerification) -> list[int]:
    """The student ids the recorded seed draws from the import's rows today."""
    return sample_draw(forms_by_school=_rows_by_school(verification.result_import), seed=verification.seed, share=verification.share)


def _add_row(verification: ResultVerification, student_id: int, user: User) -> None:
    row = VerificationRow(verification=verification, student_id=student_id)
    history_user(row, user)
    row.save()


@transaction.atomic
def verification_draw(*, result_import: ResultImport, user: User, seed: int | None = None) -> ResultVerification:
    """Draw and record the rows of an import in use that are entered a second time."""
    ri = ResultImport.objects.select_for_update().select_related("round").get(pk=result_import.pk)
    _require_stage(ri)
    if ri.state != ResultImport.State.ACTIVE:
        raise EntryRefused(_("Only an import in use can be checked by double entry."))
    if ResultVerification.objects.filter(result_import=ri).exists():
        raise EntryRefused(_("This import already has its verification sample."))
    rows = _rows_by_school(ri)
    if not rows:
        raise EntryRefused(_("This import holds no rows."))
    seed = secrets.randbelow(2**31) if seed is None else seed
    verification = ResultVerification(result_import=ri, seed=seed, share=SHARE, drawn_by=user)
    history_user(verification, user)
    verification.save()
    for student_id in sample_draw(forms_by_school=rows, seed=seed):
        _add_row(verification, student_id, user)
    return verification


@transaction.atomic
def verification_extend(*, verification: ResultVerification, user: User) -> int:
    """Full double entry of a flagged import: every row not yet drawn joins the sample."""
    verification = ResultVerification.objects.select_for_update().get(pk=verification.pk)
    _require_stage(verification.result_import)
    if not verification.needs_full_entry:
        raise EntryRefused(_("Only an import flagged for full double entry is entered twice in full."))
    drawn = set(verification.rows.values_list("student_id", flat=True))
    missing = [s for s in _rows_of(verification.result_import).values_list("student_id", flat=True) if s not in drawn]
    for student_id in missing:
        _add_row(verification, student_id, user)
    return len(missing)


# --- the second entry ----------------------------------------------------------------------


def may_enter(verification: ResultVerification, user: User) -> None:
    if user.pk == verification.result_import.batch.uploaded_by_id:
        raise EntryRefused(_("You uploaded this import (the first entry); the second entry must be made by someone else."))


def may_compare(verification: ResultVerification, user: User) -> None:
    if user.pk == verification.result_import.batch.uploaded_by_id or user.pk in entered_by(verification=verification):
        raise EntryRefused(_("Disagreements are decided by a third person, who entered none of this import's rows."))


def workbook(*, verification: ResultVerification) -> bytes:
    """The sheet for the second entry: the drawn rows not yet entered, by monitoring ID only,
    under the import's own headers, every value column blank."""
    ri = verification.result_import
    ids = verification.rows.filter(entered_at=None).values_list("student__monitoring_id", flat=True)
    book = new_workbook()
    with translation.override("zh-hans"):
        if ri.kind == ResultImport.Kind.PE:
            write_sheet(book, title="体质健康二次录入", columns=entry_columns(ri), rows=[(i,) for i in ids])
        else:
            label = str(dict(Domain.choices)[ri.domain])
            write_sheet(book, title=f"{label}成绩二次录入", columns=entry_columns(ri), rows=[(i, label) for i in ids])
    return workbook_bytes(book)


def check_entries(ri: ResultImport, table: Table) -> tuple[dict[int, tuple[int, dict[str, Any]]], list[RowError]]:
    """The rows of a second entry checked exactly as the import checks its rows: student pk →
    (sheet row, values), and every fault with its row and column."""
    errors = list(table.errors)
    students = _students_of(ri)
    checked = _check_rows(ri, table, students, errors)
    number_of = {students[v["monitoring_id"]][0]: n for n, v in table.rows if v["monitoring_id"] in students}
    return {c[1]: (number_of[c[1]], _values_of(ri, c)) for c in checked}, errors


def _save(row: VerificationRow, second: dict[str, Any], user: User) -> int:
    ri = row.verification.result_import
    first = _first_values(ri, row.student_id)
    fields = compared_fields(import_fields(ri), first, second)
    disagreements = [
        RowDisagreement(row=row, field=f, first_value=first.get(f), second_value=second.get(f))
        for f in fields
        if not _same(first.get(f), second.get(f))
    ]
    for d in disagreements:
        history_user(d, user)
        d.save()
    row.second_values, row.entered_by, row.entered_at, row.fields_compared = second, user, timezone.now(), len(fields)
    history_user(row, user)
    row.save()
    return len(disagreements)


@transaction.atomic
def second_entry_save(*, row: VerificationRow, second: dict[str, Any], user: User) -> int:
    """Keep one row's checked second entry apart from the first and record every field the two
    disagree on; returns the number of disagreements."""
    row = VerificationRow.objects.select_for_update().select_related("verification__result_import__batch").get(pk=row.pk)
    _require_stage(row.verification.result_import)
    may_enter(row.verification, user)
    if row.entered_at is not None:
        raise EntryRefused(_("This row has already been entered a second time."))
    n = _save(row, second, user)
    _flag(row.verification, user)
    return n


@transaction.atomic
def second_workbook_save(*, verification: ResultVerification, data: bytes, name: str, user: User) -> tuple[int, int]:
    """A filled-in second-entry workbook, whole or not at all (``WorkbookRefused`` names every
    fault's row and column); returns (rows entered, disagreements)."""
    verification = ResultVerification.objects.select_for_update().select_related("result_import__batch").get(pk=verification.pk)
    _require_stage(verification.result_import)
    may_enter(verification, user)
    ri = verification.result_import
    pe = ri.kind == ResultImport.Kind.PE
    try:
        table = read_table(
            data,
            name=name,
            columns=pe_columns() if pe else score_columns(),  # read as the import reads its file
            extra=None if pe else _item_columns,
            one_of=PE_FIELDS if pe else (),
        )
    except SpreadsheetError as exc:
        raise WorkbookRefused([RowError(0, "", str(exc))]) from None
    entries, errors = check_entries(ri, table)
    rows = {r.student_id: r for r in verification.rows.select_related("verification__result_import")}
    for student_id, (number, _values) in entries.items():
        row = rows.get(student_id)
        if row is None or row.entered_at is not None:
            mid = next(v["monitoring_id"] for n, v in table.rows if n == number)
            message = (
                _("Monitoring ID %(id)s is not drawn for the second entry.")
                if row is None
                else _("Monitoring ID %(id)s has already been entered a second time.")
            )
            errors.append(RowError(number, "监测编号", message % {"id": mid}))
    if not errors and not entries:
        errors.append(RowError(0, "", _("The workbook holds no row to enter.")))
    if errors:
        raise WorkbookRefused(errors)
    disagreeing = sum(_save(rows[s], values, user) for s, (_n, values) in entries.items())
    _flag(verification, user)
    return len(entries), disagreeing


# --- the decision --------------------------------------------------------------------------


def _covers_all(verification: ResultVerification) -> bool:
    return verification.rows.count() == _rows_of(verification.result_import).count()


def _flag(verification: ResultVerification, user: User) -> None:
    rates = error_rates(verification=verification)
    flagged = needs_full_entry(flagged=verification.needs_full_entry, rates=rates, covers_all=_covers_all(verification))
    if flagged != verification.needs_full_entry:
        verification.needs_full_entry = flagged
        history_user(verification, user)
        verification.save(update_fields=["needs_full_entry"])


def _parse_other(ri: ResultImport, field: str, text: str, grade: int) -> Any:
    from .reference import cut_scores_of

    column = next(c for c in entry_columns(ri, items=[field.removeprefix("item:")]) if c.field == field)
    if text.strip() == "":
        return Attendance.PRESENT if field == "attendance" else None  # a blank status is "tested", as in the import
    try:
        value = column.parse(text) if column.parse else text.strip()
    except ValueError as exc:
        raise EntryRefused(str(exc)) from None
    if field == "score" and isinstance(value, float):
        cut = cut_scores_of(rnd=ri.round, domain=ri.domain, grade=grade)
        if not cut.min_score <= value <= cut.max_score:
            limits = {"value": f"{value:g}", "low": f"{cut.min_score:g}", "high": f"{cut.max_score:g}"}
            raise EntryRefused(_("%(value)s is outside %(low)s–%(high)s.") % limits)
    return value


def _write_decided(ri: ResultImport, student_id: int, field: str, value: Any) -> None:
    rows = _rows_of(ri).filter(student_id=student_id)
    if field.startswith("item:"):
        row = rows.get()
        items = {k: v for k, v in {**row.items, field.removeprefix("item:"): value}.items() if v is not None}
        rows.update(items=items)
    else:
        rows.update(**{field: value})


@transaction.atomic
def disagreement_decide(*, disagreement: RowDisagreement, choice: str, other: str = "", user: User) -> RowDisagreement:
    """Record the third person's decision from the paper and put the value decided into the
    data in use (the import's row); both entries stay as they were."""
    related = ("row__verification__result_import__batch", "row__student__sampled_school")
    disagreement = RowDisagreement.objects.select_for_update().select_related(*related).get(pk=disagreement.pk)
    row = disagreement.row
    verification = row.verification
    may_compare(verification, user)
    ri = verification.result_import
    _require_stage(ri)
    if ri.state != ResultImport.State.ACTIVE:
        raise EntryRefused(_("A later import has since replaced it."))
    if choice == RowDisagreement.Choice.FIRST:
        value = disagreement.first_value
    elif choice == RowDisagreement.Choice.SECOND:
        value = disagreement.second_value
    elif choice == RowDisagreement.Choice.OTHER:
        value = _parse_other(ri, disagreement.field, other, row.student.sampled_school.grade)
    else:
        raise EntryRefused(_("Choose which value the paper sheet holds."))
    disagreement.choice, disagreement.decided_value = choice, value
    disagreement.decided_by, disagreement.decided_at = user, timezone.now()
    history_user(disagreement, user)
    disagreement.save()
    _write_decided(ri, row.student_id, disagreement.field, value)
    _flag(verification, user)
    return disagreement


# --- reads ---------------------------------------------------------------------------------


def entered_by(*, verification: ResultVerification) -> set[int]:
    return set(verification.rows.exclude(entered_by=None).values_list("entered_by_id", flat=True))


def error_rates(*, verification: ResultVerification) -> ErrorRates:
    """Disagreeing fields ÷ fields compared, overall and by enterer (``error_rates_of``, as for
    the questionnaires)."""
    rows = [r for r in verification.rows.select_related("entered_by") if r.entered_at is not None]
    decisions = RowDisagreement.objects.filter(row__verification=verification).values_list("row_id", "choice", "decided_at")
    return error_rates_of(
        first=verification.result_import.batch.uploaded_by,
        forms=verification.rows.count(),
        entered=[(r.pk, r.entered_by, r.fields_compared) for r in rows if r.entered_by is not None],
        disagreements=[(row, choice if at else None) for row, choice, at in decisions],
    )


def field_label(ri: ResultImport, field: str) -> str:
    return next((c.header for c in entry_columns(ri, items=[field.removeprefix("item:")]) if c.field == field), field)


def shown(field: str, value: Any) -> str:
    if value is None:
        return "—"
    if field == "attendance":
        return str(dict(Attendance.choices).get(value, value))
    return f"{value:g}" if isinstance(value, float) else str(value)


@dataclass(frozen=True)
class ImportCheck:
    """One import in use, with its double entry (if any), as the pages and the report state it."""

    result_import: ResultImport
    verification: ResultVerification | None
    rates: ErrorRates | None

    @property
    def label(self) -> str:
        ri = self.result_import
        return str(ri.get_domain_display() if ri.domain else ri.get_kind_display())

    @property
    def status(self) -> str:
        """ "unchecked", "open", "flagged", "full" or "meets" (see ``questionnaires.verification.BatchCheck``)."""
        if self.verification is None or self.rates is None:
            return "unchecked"
        if self.verification.needs_full_entry:
            return "flagged"
        if not self.rates.complete or self.rates.undecided:
            return "open"
        return "meets" if self.rates.meets_goal else "full"


def import_check(ri: ResultImport) -> ImportCheck:
    verification = ResultVerification.objects.filter(result_import=ri).select_related("drawn_by", "result_import__batch").first()
    return ImportCheck(ri, verification, error_rates(verification=verification) if verification else None)


def result_entry_summary(*, rnd) -> list[ImportCheck]:
    """Every score and PE-health import in use of the round, with its double entry."""
    imports = ResultImport.objects.filter(round=rnd, state=ResultImport.State.ACTIVE).select_related("batch__uploaded_by")
    return [import_check(ri) for ri in imports.order_by("kind", "domain")]
