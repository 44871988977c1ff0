"""Score files (one domain, optional item scores) and PE-health measurement files: templates
and the all-or-nothing import. Students are named by monitoring ID only.

Attendance codes (状态): blank or 参加 = tested; 缺考 (or A) = absent; 免测/免考 (or E) =
exempt. An absent or exempt student must have no score; a tested one must have one.
A re-import of the same domain waits for confirmation before it replaces the data in use;
both imports stay (``ResultImport.State.REPLACED``).
"""

from __future__ import annotations

import functools
import itertools
import json
import operator
import re
from collections.abc import Sequence
from typing import Any, cast

from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from monitoring_site import cells
from monitoring_site.audit import history_user
from monitoring_site.difference import Difference, difference
from monitoring_site.spreadsheets import (
    Column,
    RowError,
    SpreadsheetError,
    Table,
    clean_cell,
    new_workbook,
    read_table,
    workbook_bytes,
    write_sheet,
)
from rounds.imports import batch_finish
from rounds.models import Domain, ImportBatch
from sampling.models import SampledStudent

from . import difference as rows_of
from .models import Attendance, PeMeasurement, ResultImport, StudentScore
from .reference import cut_scores_of

MAX_RESULT_ROWS = 250_000
MAX_REPORTED_ERRORS = 500
ID_HEADER, DOMAIN_HEADER, STATUS_HEADER, SCORE_HEADER = "监测编号", "学科领域", "状态", "成绩"
ITEM_HEADER = re.compile(r"^(题|Q|q|item)\s*[0-9]+")
ATTENDANCE_CODES = {
    "参加": Attendance.PRESENT,
    "P": Attendance.PRESENT,
    "缺考": Attendance.ABSENT,
    "A": Attendance.ABSENT,
    "免测": Attendance.EXEMPT,
    "免考": Attendance.EXEMPT,
    "E": Attendance.EXEMPT,
}

# Plausible ranges of the measured items of the PE-health test (体质健康测试).
PE_ITEMS: list[tuple[str, str, float, float]] = [
    ("身高(cm)", "height_cm", 80, 220),
    ("体重(kg)", "weight_kg", 10, 200),
    ("左眼视力", "vision_left", 3.0, 5.3),
    ("右眼视力", "vision_right", 3.0, 5.3),
    ("肺活量(ml)", "vital_capacity_ml", 200, 8000),
    ("50米跑(秒)", "run_50m_s", 5, 30),
    ("坐位体前屈(cm)", "sit_and_reach_cm", -30, 40),
    ("一分钟跳绳(次)", "rope_skipping", 0, 300),
]
# Other headers for the same items, as national physical-fitness exports write them (units in
# brackets, full-width or not, and a header without its unit match anyway: see header_key).
PE_SYNONYMS: dict[str, tuple[str, ...]] = {
    "vision_left": ("左眼裸眼视力", "裸眼视力(左)", "视力(左)", "左眼"),
    "vision_right": ("右眼裸眼视力", "裸眼视力(右)", "视力(右)", "右眼"),
    "run_50m_s": ("50m跑", "五十米跑", "50米"),
    "rope_skipping": ("1分钟跳绳", "跳绳", "一分钟跳绳"),
}


MONITORING_ID_LENGTH = 30
ID_SYNONYMS = ("监测号", "学生监测编号", "监测id")


def _monitoring_id(value: Any) -> str:
    text = cells.as_text(value)
    if len(text) > MONITORING_ID_LENGTH:
        raise ValueError(_("“%(value)s” is not a monitoring ID.") % {"value": text[:MONITORING_ID_LENGTH]})
    return text


def _attendance(value: Any) -> str:
    text = str(value).strip()
    if text in ATTENDANCE_CODES:
        return ATTENDANCE_CODES[text]
    raise ValueError(_("“%(value)s” is not one of: %(allowed)s.") % {"value": text, "allowed": "参加、缺考、免测"})


@functools.cache
def _domain_codes() -> dict[str, str]:
    """Chinese label (the template's) or code → code; the same for every row, so cached."""
    with translation.override("zh-hans"):
        labels = {str(label): code for code, label in Domain.choices}
    return {**labels, **{code: code for code in Domain.values}}


def _domain_label(value: Any) -> str:
    text = str(value).strip()
    code = _domain_codes().get(text)
    if code is not None:
        return code
    allowed = "、".join(k for k in _domain_codes() if k not in Domain.values)
    raise ValueError(_("“%(value)s” is not one of: %(allowed)s.") % {"value": text, "allowed": allowed})


def score_columns() -> list[Column]:
    return [
        Column(ID_HEADER, "monitoring_id", parse=_monitoring_id, width=18, synonyms=ID_SYNONYMS),
        Column(DOMAIN_HEADER, "domain", parse=_domain_label, width=14),
        Column(
            STATUS_HEADER,
            "attendance",
            required=False,
            parse=_attendance,
            choices=["参加", "缺考", "免测"],
            width=10,
        ),
        Column(SCORE_HEADER, "score", required=False, parse=cells.number, width=10, synonyms=("分数", "得分", "总分")),
    ]


def _item_columns(header: Sequence[Any]) -> list[Column]:
    names = [str(h) for h in map(clean_cell, header) if h is not None]
    return [Column(h, f"item:{h}", required=False, parse=cells.ranged(0, 1000)) for h in names if ITEM_HEADER.match(h)]


def pe_columns() -> list[Column]:
    return [
        Column(ID_HEADER, "monitoring_id", parse=_monitoring_id, width=18, synonyms=ID_SYNONYMS),
        Column(
            STATUS_HEADER,
            "attendance",
            required=False,
            parse=_attendance,
            choices=["参加", "缺考", "免测"],
            width=10,
        ),
        *(
            Column(header, field, required=False, parse=cells.ranged(low, high), width=14, synonyms=PE_SYNONYMS.get(field, ()))
            for header, field, low, high in PE_ITEMS
        ),
    ]


def template_bytes(*, rnd, kind: str, domain: str = "") -> bytes:
    """The template with the round's sampled students' monitoring IDs filled in."""
    from sampling.selectors import sampled_students

    ids = sampled_students(rnd=rnd).filter(exclusion="").order_by("monitoring_id").values_list("monitoring_id", flat=True)
    workbook = new_workbook()
    with translation.override("zh-hans"):
        if kind == ResultImport.Kind.PE:
            write_sheet(workbook, title="体质健康测试", columns=pe_columns(), rows=[(i,) for i in ids])
        else:
            label = str(dict(Domain.choices)[domain])
            write_sheet(
                workbook,
                title=f"{label}成绩",
                columns=score_columns(),
                rows=[(i, label) for i in ids],
            )
    return workbook_bytes(workbook)


# --- the import -------------------------------------------------------------------------


def result_import_run(*, result_import_id: int, confirm: bool = False) -> ResultImport:
    """Check the whole file; write it in one transaction, or nothing. When another import of
    the same data is in use, stop at AWAITING until ``confirm``."""
    ri = ResultImport.objects.select_related("batch", "round").get(pk=result_import_id)
    batch = ri.batch
    if ri.state not in (ResultImport.State.CHECKING, ResultImport.State.AWAITING) or (
        ri.state == ResultImport.State.AWAITING and not confirm
    ):
        return ri  # running the same job twice gives the same result
    ImportBatch.objects.filter(pk=batch.pk).update(status=ImportBatch.Status.RUNNING, progress=10)
    with batch.file.open("rb") as handle:
        data = handle.read()
    pe = ri.kind == ResultImport.Kind.PE
    try:
        table = read_table(
            data,
            name=batch.original_name,
            columns=pe_columns() if pe else score_columns(),
            max_rows=MAX_RESULT_ROWS,
            extra=None if pe else _item_columns,
            one_of=[field for _h, field, _lo, _hi in PE_ITEMS] if pe else (),
            csv=True,
        )
    except SpreadsheetError as exc:
        return _finish(ri, errors=[RowError(0, "", str(exc))])
    ImportBatch.objects.filter(pk=batch.pk).update(progress=50)
    errors = table.errors
    checked = _check_rows(ri, table, _students_of(ri), errors)
    if errors:
        return _finish(ri, errors=errors, notes=table.notes, rows_total=len(table.rows))
    active = ResultImport.objects.filter(round=ri.round, kind=ri.kind, domain=ri.domain, state=ResultImport.State.ACTIVE).first()
    if active is not None and not confirm:
        ri.replaces = active
        ri.state = ResultImport.State.AWAITING
        ri.difference = _difference(ri, active, checked).as_dict()
        ri.save(update_fields=["replaces", "state", "difference"])
        ImportBatch.objects.filter(pk=batch.pk).update(
            status=ImportBatch.Status.AWAITING, progress=100, rows_total=len(table.rows), notes=table.notes
        )
        batch.refresh_from_db()
        return ri
    _write(ri, checked, active)
    return _finish(ri, errors=[], notes=table.notes, rows_total=len(table.rows), created=len(checked))


def _difference(ri: ResultImport, active: ResultImport, checked: list[tuple]) -> Difference:
    """The checked rows against the import in use (see ``monitoring_site.difference``)."""
    headers = [h for h, _f, _lo, _hi in PE_ITEMS]
    current = rows_of.in_use(active, pe_fields=[f for _h, f, _lo, _hi in PE_ITEMS], pe_headers=headers)
    rows = [row[1:] for row in checked]
    new = rows_of.pe_rows(rows, headers) if ri.kind == ResultImport.Kind.PE else rows_of.score_rows(rows)
    return difference(current=current, new=new)


def _students_of(ri: ResultImport) -> dict[str, tuple[int, int, str, bool]]:
    """monitoring ID → (student pk, grade, exclusion, PE-exempt) for the round's sample."""
    query = SampledStudent.objects.filter(sampled_school__round=ri.round).values_list(
        "monitoring_id", "pk", "sampled_school__grade", "exclusion", "pe_exempt"
    )
    return {mid: (pk, grade, exclusion, pe_exempt) for mid, pk, grade, exclusion, pe_exempt in query}


def _items_json(item_columns: list[Column], values: dict[str, Any]) -> str:
    return json.dumps({c.header: values[c.field] for c in item_columns if values[c.field] is not None}, ensure_ascii=False)


def _check_rows(ri: ResultImport, table: Table, students: dict, errors: list[RowError]) -> list[tuple]:
    """The rows to write, as ``(import pk, student pk, attendance, *values)`` in student order;
    every fault found is added to ``errors`` with its row and column."""
    pe = ri.kind == ResultImport.Kind.PE
    value_columns = [c for c in table.columns if c.field not in ("monitoring_id", "domain", "attendance")]
    item_columns = [c for c in value_columns if c.field.startswith("item:")]
    cuts = {} if pe else {g: cut_scores_of(rnd=ri.round, domain=ri.domain, grade=g) for g in (4, 8)}
    ranges = {g: (cut.min_score, cut.max_score) for g, cut in cuts.items()}
    present = Attendance.PRESENT
    seen: dict[str, int] = {}
    other_domain: list[int] = []
    checked: list[tuple] = []
    for number, values in table.rows:
        mid = values["monitoring_id"]
        if mid is None:
            continue  # its fault is already named
        if mid in seen:
            message = _("Monitoring ID %(id)s already appears in row %(row)s.") % {"id": mid, "row": seen[mid]}
            errors.append(RowError(number, ID_HEADER, message))
            continue
        seen[mid] = number
        student = students.get(mid)
        if student is None:
            errors.append(RowError(number, ID_HEADER, _("Monitoring ID %(id)s is not a sampled student of this round.") % {"id": mid}))
            continue
        pk, grade, exclusion, pe_exempt = student
        if not pe and values.get("domain") not in (None, ri.domain):
            other_domain.append(number)
            continue
        attendance = values["attendance"] or present
        cells = [values[c.field] for c in value_columns]
        if attendance != present:
            given = next((c.header for c, v in zip(value_columns, cells, strict=True) if v is not None), None)
            if given is not None:
                label = dict(Attendance.choices)[attendance]
                errors.append(RowError(number, given, _("The student is marked “%(code)s” yet has a value.") % {"code": label}))
            checked.append((ri.pk, pk, attendance, *[None] * len(cells)) if pe else (ri.pk, pk, attendance, None, "{}"))
            continue
        if exclusion:
            message = _("Monitoring ID %(id)s was excluded after sampling; mark the student absent.") % {"id": mid}
            errors.append(RowError(number, ID_HEADER, message))
            continue
        if pe:
            if pe_exempt:
                errors.append(RowError(number, STATUS_HEADER, _("The student is exempt from the PE test; mark them “免测”.")))
                continue
            checked.append((ri.pk, pk, present, *cells))
            continue
        score = values["score"]
        if score is None:
            errors.append(RowError(number, SCORE_HEADER, _("A tested student needs a score; or mark the student absent.")))
            continue
        low, high = ranges[grade]
        if not low <= score <= high:
            message = _("%(value)s is outside %(low)s–%(high)s.") % {"value": f"{score:g}", "low": f"{low:g}", "high": f"{high:g}"}
            errors.append(RowError(number, SCORE_HEADER, message))
            continue
        checked.append((ri.pk, pk, present, score, _items_json(item_columns, values)))
    if other_domain:
        label = dict(Domain.choices)[ri.domain]
        errors.append(
            RowError(
                other_domain[0],
                DOMAIN_HEADER,
                _("%(n)s rows are for another domain; this import is for %(domain)s. Choose the right domain or the right file.")
                % {"n": len(other_domain), "domain": label},
            )
        )
    checked.sort(key=operator.itemgetter(1))  # in student order: the indexes grow at their end
    return checked


@transaction.atomic
def _write(ri: ResultImport, checked: list[tuple], active: ResultImport | None) -> None:
    if active is not None:
        active.state = ResultImport.State.REPLACED
        history_user(active, ri.batch.uploaded_by)
        active.save(update_fields=["state"])
        ri.replaces = active
    if ri.kind == ResultImport.Kind.PE:
        columns = ["result_import_id", "student_id", "attendance", *(field for _h, field, _lo, _hi in PE_ITEMS)]
        insert_rows(PeMeasurement, columns, checked)
    else:
        insert_rows(StudentScore, ["result_import_id", "student_id", "attendance", "score", "items"], checked)
    ri.state = ResultImport.State.ACTIVE
    ri.confirmed_at = timezone.now()
    history_user(ri, ri.confirmed_by or ri.batch.uploaded_by)
    ri.save()


CHUNK_ROWS = 5_000  # rows an INSERT statement


def insert_rows(model, columns: list[str], rows: list[tuple]) -> None:
    """Insert imported rows without a model instance per row (a national file has 200,000):
    PostgreSQL's COPY, through psycopg's own ``write_row``, or multi-row INSERTs elsewhere.
    Imported rows have no per-row history (they are never edited), so nothing is lost by
    skipping ``save()``. Call it inside a transaction: a fault part way leaves nothing written."""
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The psycopg cursor itself (Django's wrapper has no COPY); its errors still come
            # out as Django's (IntegrityError and the like).
            with connection.wrap_database_errors, cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:  # noqa: S608
                for row in rows:
                    copy.write_row(row)
            return
        per = max(1, min(CHUNK_ROWS, cast(int, connection.features.max_query_params) // len(columns)))  # SQLite's
        mark = "(" + ", ".join(["%s"] * len(columns)) + ")"
        for start in range(0, len(rows), per):
            chunk = rows[start : start + per]
            cursor.execute(f"INSERT INTO {table} ({names}) VALUES {', '.join([mark] * len(chunk))}", list(itertools.chain(*chunk)))  # noqa: S608


def _finish(ri: ResultImport, *, errors: list[RowError], notes: Sequence[str] = (), rows_total: int = 0, created: int = 0) -> ResultImport:
    batch_finish(ri.batch, errors=sorted(errors, key=lambda e: e.row), notes=notes, rows_total=rows_total, created=created)
    if errors:
        ri.state = ResultImport.State.REFUSED
        ri.save(update_fields=["state"])
    return ri
