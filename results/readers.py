"""Reading score and measurement files: .xlsx through python-calamine (fast enough for a
national file of 200,000 rows) or UTF-8/GB18030 CSV, with the file checks and row rules of
``monitoring_site.spreadsheets.read_table``.

A national file is read column by column rather than cell by cell: each column's distinct
values are cleaned and parsed once (a score file has three domain labels, a few status codes
and a few thousand distinct scores), so the check costs little beside the reading itself.

Formulas are read as the values the spreadsheet last calculated (calamine reads the cached
value), so a formula cell is never evaluated here.
"""

from __future__ import annotations

import csv
import io
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from python_calamine import CalamineWorkbook

from monitoring_site.spreadsheets import (
    Column,
    RowError,
    SpreadsheetError,
    _header_positions,
    _parse_row,
    check_workbook_file,
)

ExtraColumns = Callable[[Sequence[Any]], list[Column]]


@dataclass
class Columns:
    """The non-blank rows of a file, column by column: ``values[field][i]`` is the parsed value
    (None when blank or not valid) of sheet row ``numbers[i]``."""

    columns: list[Column]
    numbers: list[int] = field(default_factory=list)
    values: dict[str, list[Any]] = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)


def _csv_rows(data: bytes) -> list[Sequence[Any]]:
    if len(data) > settings.UPLOAD_MAX_BYTES:
        raise SpreadsheetError(_("The file is larger than %(mb)s MB.") % {"mb": settings.UPLOAD_MAX_BYTES // (1024 * 1024)})
    if b"\x00" in data:
        raise SpreadsheetError(_("The CSV file could not be read; save it again as CSV (UTF-8) from Excel or WPS."))
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise SpreadsheetError(_("The CSV file could not be read; save it again as CSV (UTF-8) from Excel or WPS."))
    try:
        return list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error:
        raise SpreadsheetError(_("The CSV file could not be read; save it again as CSV (UTF-8) from Excel or WPS.")) from None


def _calamine_sheet(data: bytes, out: dict) -> None:
    """Parse the first sheet; run in a thread (calamine releases the GIL while it parses)."""
    try:
        out["sheet"] = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0)
    except Exception as exc:  # noqa: BLE001 — any fault of a malformed file becomes one message
        out["error"] = exc


def read_rows[T](data: bytes, *, name: str, meanwhile: Callable[[], T] = lambda: None) -> tuple[list[Sequence[Any]], T]:
    """Every row of the first sheet (or of the CSV file), header first, after the file checks;
    and the result of ``meanwhile()``, run in this thread while calamine parses the workbook in
    another one (a database query, say, which would otherwise wait for the reading)."""
    lower = name.lower()
    if lower.endswith(".csv"):
        rows = _csv_rows(data)
        return rows, meanwhile()
    if not lower.endswith(".xlsx"):
        raise SpreadsheetError(_("The file must be an Excel workbook (.xlsx) or a CSV file made from the template."))
    check_workbook_file(data, name=name)
    out: dict[str, Any] = {}
    reader = threading.Thread(target=_calamine_sheet, args=(data, out), name="calamine")
    reader.start()
    try:
        result = meanwhile()
    finally:
        reader.join()
    try:
        if "error" in out:
            raise out["error"]
        return out["sheet"].to_python(skip_empty_area=False), result
    except Exception:
        raise SpreadsheetError(_("The workbook could not be opened; save it again as .xlsx from Excel or WPS.")) from None


def _parse_column(raw: list[Any], column: Column) -> tuple[list[Any], dict[Any, str]]:
    """Clean and parse each distinct value once: the parsed column (None where blank or not
    valid) and the message of each value that is not valid. A parser with a ``many`` method
    (see ``results.imports.MonitoringId``) may parse the whole column at once instead; it
    returns None to leave the column to the value-by-value way."""
    many = getattr(column.parse, "many", None)
    if many is not None and (values := many(raw)) is not None:
        return values, {}
    parsed: dict[Any, Any] = {}
    bad: dict[Any, str] = {}
    parse = column.parse
    for value in set(raw):
        clean = (value.strip() or None) if isinstance(value, str) else value
        if clean is None or parse is None:
            parsed[value] = clean
            continue
        try:
            parsed[value] = parse(clean)
        except ValueError as exc:
            parsed[value] = None
            bad[value] = str(exc)
    return [parsed[v] for v in raw], bad


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def parse_rows(
    rows: list[Sequence[Any]],
    *,
    columns: Sequence[Column],
    max_rows: int,
    extra: ExtraColumns | None = None,
) -> Columns:
    """Check ``rows`` (header first) against ``columns`` (and the item columns ``extra`` finds in
    the header): every faulty cell is named by row and column; a blank row before the last
    data row is a fault, blank rows after it are ignored."""
    header = rows[0] if rows else None
    all_columns = list(columns) + (extra(header or ()) if extra else [])
    positions = _header_positions(header, all_columns)
    body = rows[1:]
    if len(body) > max_rows:
        raise SpreadsheetError(_("The file has more than %(n)s rows.") % {"n": max_rows})
    width = min(map(len, body), default=0)
    parsed: dict[str, list[Any]] = {}
    bad: dict[str, dict[Any, str]] = {}
    raw: dict[str, list[Any]] = {}
    for c in all_columns:
        pos = positions[c.field]
        raw[c.field] = [row[pos] for row in body] if pos < width else [row[pos] if pos < len(row) else None for row in body]
        parsed[c.field], bad[c.field] = _parse_column(raw[c.field], c)
    # A row is blank when every cell read is; only rows whose first cell reads as nothing can be.
    first = parsed[all_columns[0].field]
    blank = [i for i in _nones(first) if all(_blank(raw[c.field][i]) for c in all_columns)]
    keep = len(body)
    while blank and blank[-1] == keep - 1:  # blank rows after the last data row are ignored
        blank.pop()
        keep -= 1
    if keep == 0:
        raise SpreadsheetError(_("The file has no data rows under the header."))
    skip = set(blank)
    ranked: list[tuple[int, int, RowError]] = [
        (i + 2, -1, RowError(i + 2, "", _("Row %(row)s is blank; delete it or fill it in.") % {"row": i + 2})) for i in blank
    ]
    for rank, c in enumerate(all_columns):
        column_raw, column_bad = raw[c.field], bad[c.field]
        if not column_bad and not c.required:  # (an optional column's blanks are no fault)
            continue
        for i in _nones(parsed[c.field]):
            if i >= keep or i in skip:
                continue
            if column_raw[i] in column_bad:
                ranked.append((i + 2, rank, RowError(i + 2, c.header, column_bad[column_raw[i]])))
            elif c.required:  # read_table's own message for an empty required cell
                missing: list[RowError] = []
                _parse_row(i + 2, {c.field: None}, [c], missing)
                ranked.extend((i + 2, rank, e) for e in missing)
    ranked.sort(key=lambda r: (r[0], r[1]))
    result = Columns(columns=all_columns, errors=[e for _row, _rank, e in ranked])
    if skip or keep < len(body):
        result.numbers = [i + 2 for i in range(keep) if i not in skip]
        result.values = {f: [v for i, v in enumerate(values[:keep]) if i not in skip] for f, values in parsed.items()}
    else:
        result.numbers = list(range(2, keep + 2))
        result.values = parsed
    return result


def _nones(values: list[Any]) -> list[int]:
    """Where ``values`` holds None (a quick scan first: most columns have none)."""
    return [i for i, v in enumerate(values) if v is None] if None in values else []
