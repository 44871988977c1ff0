"""Reading score and measurement files: .xlsx through python-calamine (fast enough for a
national file of 200,000 rows) or UTF-8/GB18030 CSV, into the same ``Table`` as
``monitoring_site.spreadsheets.read_table``, with the same file checks and row rules.

Formulas are read as the values the spreadsheet last calculated (calamine reads the cached
value), so a formula cell is never evaluated here.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from python_calamine import CalamineWorkbook

from monitoring_site.spreadsheets import (
    Column,
    RowError,
    SpreadsheetError,
    Table,
    _clean,
    _header_positions,
    _parse_row,
    check_workbook_file,
)

ExtraColumns = Callable[[Sequence[Any]], list[Column]]


def _csv_rows(data: bytes) -> Iterator[Sequence[Any]]:
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
        yield from csv.reader(io.StringIO(text, newline=""))
    except csv.Error:
        raise SpreadsheetError(_("The CSV file could not be read; save it again as CSV (UTF-8) from Excel or WPS.")) from None


def _xlsx_rows(data: bytes, name: str) -> Iterator[Sequence[Any]]:
    check_workbook_file(data, name=name)
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        rows = workbook.get_sheet_by_index(0).to_python(skip_empty_area=False)
    except Exception:
        raise SpreadsheetError(_("The workbook could not be opened; save it again as .xlsx from Excel or WPS.")) from None
    yield from rows


def raw_rows(data: bytes, *, name: str) -> Iterator[Sequence[Any]]:
    """Every row of the first sheet (or of the CSV file), header first."""
    lower = name.lower()
    if lower.endswith(".csv"):
        return _csv_rows(data)
    if lower.endswith(".xlsx"):
        return _xlsx_rows(data, name)
    raise SpreadsheetError(_("The file must be an Excel workbook (.xlsx) or a CSV file made from the template."))


def read_results_table(
    data: bytes,
    *,
    name: str,
    columns: Sequence[Column],
    max_rows: int,
    extra: ExtraColumns | None = None,
) -> tuple[Table, list[Column]]:
    """Like ``read_table``, for .xlsx or .csv; ``extra`` adds columns found in the header
    (item scores). Returns the table and every column read."""
    rows = raw_rows(data, name=name)
    header = next(rows, None)
    all_columns = list(columns) + (extra(header or ()) if extra else [])
    positions = _header_positions(header, all_columns)
    table = Table()
    blank_rows: list[int] = []
    fields = [(c.field, positions[c.field]) for c in all_columns]
    for number, raw in enumerate(rows, start=2):
        if number - 1 > max_rows:
            raise SpreadsheetError(_("The file has more than %(n)s rows.") % {"n": max_rows})
        width = len(raw)
        cells = {field: _clean(raw[pos]) if pos < width else None for field, pos in fields}
        if all(v is None for v in cells.values()):
            blank_rows.append(number)
            continue
        if blank_rows:
            table.errors.extend(
                RowError(row=b, column="", message=_("Row %(row)s is blank; delete it or fill it in.") % {"row": b}) for b in blank_rows
            )
            blank_rows = []
        table.rows.append((number, _parse_row(number, cells, all_columns, table.errors)))
    if not table.rows and not table.errors:
        raise SpreadsheetError(_("The file has no data rows under the header."))
    return table, all_columns
