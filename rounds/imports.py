"""The school registry workbook: its template and its all-or-nothing import."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from monitoring_site import cells
from monitoring_site.audit import history_user
from monitoring_site.difference import Difference, difference
from monitoring_site.spreadsheets import Column, RowError, SpreadsheetError, new_workbook, read_table, workbook_bytes, write_sheet

from .models import ImportBatch, Location, School, SchoolType

logger = logging.getLogger(__name__)

SCHOOL_IMPORT_KIND = "schools"
MAX_SCHOOL_ROWS = 5000


def school_columns() -> list[Column]:
    types, locations = cells.chinese_labels(SchoolType.choices), cells.chinese_labels(Location.choices)
    return [
        Column("学校标识码", "code", parse=cells.school_code, width=16, example="3623270001", synonyms=cells.SCHOOL_CODE_SYNONYMS),
        Column(
            "学校名称", "name", parse=cells.text(80), width=28, example="城关镇第一小学", synonyms=cells.SCHOOL_NAME_SYNONYMS, text=True
        ),
        Column("办学类型", "school_type", parse=cells.coded(types), choices=list(types), width=18, synonyms=("学校类型",)),
        Column("城乡类型", "location", parse=cells.coded(locations), choices=list(locations), width=12, synonyms=("城乡分类",)),
        Column("地址", "address", required=False, parse=cells.text(200), width=30, synonyms=("学校地址",), text=True),
        Column("校长", "principal", required=False, parse=cells.text(30), width=12, synonyms=("校长姓名",), text=True),
        Column("联系人", "contact_person", required=False, parse=cells.text(30), width=12, text=True),
        Column("联系电话", "contact_phone", required=False, parse=cells.text(30), width=16, synonyms=("电话", "联系方式")),
        Column("在校生数", "student_count", required=False, parse=cells.whole_number(0, 20000), width=10, synonyms=("学生数",)),
    ]


def school_template_bytes(*, schools=()) -> bytes:
    workbook = new_workbook()
    labels_type = dict(SchoolType.choices)
    labels_loc = dict(Location.choices)
    with translation.override("zh-hans"):
        rows = [
            (
                s.code,
                s.name,
                str(labels_type[s.school_type]),
                str(labels_loc[s.location]),
                s.address,
                s.principal,
                s.contact_person,
                s.contact_phone,
                s.student_count,
            )
            for s in schools
        ]
        write_sheet(workbook, title="学校名册", columns=school_columns(), rows=rows)
    return workbook_bytes(workbook)


def school_import_run(*, batch_id: int) -> ImportBatch:
    """Validate the whole workbook, then write every school in one transaction, or nothing.

    A re-import that would change or clear what the registry holds waits for the user to see
    the difference and confirm it (``batch_hold``). A column the file does not have leaves
    what is stored alone; a blank cell in a column it has means "no value" and clears the
    stored one, which the difference shows (``cleared``) before anything is written."""
    batch = ImportBatch.objects.select_related("county").get(pk=batch_id)
    if batch.is_finished or batch.status == ImportBatch.Status.AWAITING:  # running the same job twice gives the same result
        return batch
    ImportBatch.objects.filter(pk=batch.pk).update(status=ImportBatch.Status.RUNNING, progress=10)
    with batch.file.open("rb") as handle:
        data = handle.read()
    try:
        table = read_table(data, name=batch.original_name, columns=school_columns(), max_rows=MAX_SCHOOL_ROWS)
    except SpreadsheetError as exc:
        return batch_finish(batch, errors=[RowError(0, "", str(exc))])
    errors = list(table.errors)
    errors.extend(_cross_row_errors(batch, table.rows))
    if errors:
        return batch_finish(batch, errors=errors, notes=table.notes, rows_total=len(table.rows))
    rows = [(number, {f: v for f, v in values.items() if f in table.found}) for number, values in table.rows]
    written = _write_schools(batch, rows, notes=table.notes)
    if written is None:
        return batch
    return batch_finish(batch, errors=[], notes=table.notes, rows_total=len(rows), created=written[0], updated=written[1])


def batch_hold(batch: ImportBatch, *, diff: Difference, notes: Sequence[str], rows_total: int, warning: str = "") -> bool:
    """Whether a checked import stops before writing, AWAITING the user's decision on ``diff``:
    when it would lower the data in use (``Difference.lowers_data_in_use``, or what
    ``warning`` says it would also lose) and nobody has confirmed it yet, or when it was
    confirmed against a difference that no longer holds (the data changed meanwhile). Call it
    inside the write's transaction, with the data locked."""
    confirmed = batch.decided_by_id is not None
    shown, batch.difference = batch.difference, diff.as_dict()  # kept with the outcome either way
    if not (diff.lowers_data_in_use or warning) or (confirmed and batch.difference == shown):
        return False
    batch.notes = [*notes, warning] if warning else list(notes)
    if confirmed:
        batch.notes.append(_("The data in use changed after the difference was shown. Check the new difference, then confirm or cancel."))
    batch.status, batch.progress, batch.rows_total, batch.decided_by = ImportBatch.Status.AWAITING, 100, rows_total, None
    batch.save(update_fields=["status", "progress", "rows_total", "decided_by", "difference", "notes"])
    return True


def import_task_run(*, batch_id: int, run: Callable[[], ImportBatch]) -> str:
    """Run an import inside its Celery task; an unexpected error marks the batch interrupted
    (logged with its traceback) instead of leaving it running for ever."""
    try:
        return run().status
    except Exception:
        logger.exception("import %s interrupted", batch_id)
        import_interrupted(batch_id=batch_id)
        return "failed"


def import_interrupted(*, batch_id: int) -> None:
    """An import stopped by an unexpected error (database gone, worker stopping) while writing:
    its transaction rolled back, so nothing of it is kept; say so instead of running forever."""
    message = _("The import was interrupted before it finished; nothing of it was saved. Upload the file again.")
    finished = [ImportBatch.Status.DONE, ImportBatch.Status.FAILED, ImportBatch.Status.CANCELLED]
    ImportBatch.objects.filter(pk=batch_id).exclude(status__in=finished).update(
        status=ImportBatch.Status.FAILED,
        errors=[RowError(0, "", message).as_dict()],
        progress=100,
        finished_at=timezone.now(),
    )


def _cross_row_errors(batch: ImportBatch, rows) -> list[RowError]:
    errors: list[RowError] = []
    first_seen: dict[str, int] = {}
    for number, values in rows:
        code = values.get("code")
        if code is None:
            continue
        if code in first_seen:
            errors.append(
                RowError(number, "学校标识码", _("Code %(code)s already appears in row %(row)s.") % {"code": code, "row": first_seen[code]})
            )
        else:
            first_seen[code] = number
    elsewhere = dict(School.objects.filter(code__in=first_seen).exclude(county=batch.county).values_list("code", "county__name"))
    for code, county_name in elsewhere.items():
        errors.append(
            RowError(
                first_seen[code],
                "学校标识码",
                _("Code %(code)s belongs to a school of %(county)s.") % {"code": code, "county": county_name},
            )
        )
    return errors


@transaction.atomic
def _write_schools(batch: ImportBatch, rows, *, notes: Sequence[str]) -> tuple[int, int] | None:
    """(created, updated); or None when the import waits for confirmation."""
    existing = {s.code: s for s in School.objects.select_for_update().filter(county=batch.county)}
    headers = {c.field: c.header for c in school_columns()}
    current = {
        values["code"]: {headers[f]: getattr(existing[values["code"]], f) for f in values}
        for _number, values in rows
        if values["code"] in existing
    }
    new = {values["code"]: {headers[f]: _stored(f, v) for f, v in values.items()} for _number, values in rows}
    if batch_hold(batch, diff=difference(current=current, new=new), notes=notes, rows_total=len(rows)):
        return None
    user = batch.decided_by or batch.uploaded_by
    created = updated = 0
    for _number, values in rows:
        school = existing.get(values["code"])
        if school is None:
            school = School(county=batch.county)
            created += 1
        else:
            if all(getattr(school, f) == _stored(f, values[f]) for f in values):
                continue
            updated += 1
            school.version += 1
        for name, value in values.items():
            setattr(school, name, _stored(name, value))
        history_user(school, user)
        school.save()
    return created, updated


def _stored(field: str, value):
    """Blank text columns are stored as empty strings, a blank count as unknown."""
    if field == "student_count":
        return value
    return value or ""


def batch_finish(
    batch: ImportBatch, *, errors: list[RowError], notes: Sequence[str] = (), rows_total: int = 0, created: int = 0, updated: int = 0
) -> ImportBatch:
    """Record an import's outcome: refused with its errors, or done with its counts; and the
    reading's notes (sheet read, rows left out) either way."""
    batch.status = ImportBatch.Status.FAILED if errors else ImportBatch.Status.DONE
    batch.errors = [e.as_dict() for e in errors[:500]]
    batch.notes = list(notes)
    batch.rows_total, batch.created, batch.updated = rows_total, created, updated
    batch.progress = 100
    batch.finished_at = timezone.now()
    batch.save()
    return batch
