"""Reading and writing spreadsheets safely, shared by every importer and export.

Reading: the whole file is checked before a row is looked at (type, size, zip structure,
unpacked size and compression ratio against zip bombs), formulas are read as their cached
values, and every row is validated so the user gets every error with its row and column.
Writing: templates carry Chinese headers and drop-down lists; exported text that a
spreadsheet would run as a formula is neutralised.
"""

from __future__ import annotations

import csv as csv_module
import io
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

MAX_UNPACKED_BYTES = 200 * 1024 * 1024
MAX_COMPRESSION_RATIO = 200
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


class SpreadsheetError(Exception):
    """The file as a whole cannot be read; nothing of it is used."""


@dataclass(frozen=True)
class Column:
    header: str  # the Chinese header of the template
    field: str
    required: bool = True
    parse: Callable[[Any], Any] | None = None  # raises ValueError with a user message
    choices: Sequence[str] = ()  # drop-down list in the template
    width: int = 16
    example: str = ""


@dataclass
class RowError:
    row: int
    column: str
    message: str

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass
class Table:
    rows: list[tuple[int, dict[str, Any]]] = field(default_factory=list)  # (sheet row number, values)
    errors: list[RowError] = field(default_factory=list)
    columns: list[Column] = field(default_factory=list)  # those asked for, and those ``extra`` found


def check_workbook_file(data: bytes, *, name: str) -> None:
    if not name.lower().endswith(".xlsx"):
        raise SpreadsheetError(_("The file must be an Excel workbook (.xlsx) made from the template."))
    if len(data) > settings.UPLOAD_MAX_BYTES:
        raise SpreadsheetError(_("The file is larger than %(mb)s MB.") % {"mb": settings.UPLOAD_MAX_BYTES // (1024 * 1024)})
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise SpreadsheetError(_("The file is not a valid .xlsx workbook (it may be damaged or renamed)."))
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except zipfile.BadZipFile:
        raise SpreadsheetError(_("The file is not a valid .xlsx workbook (it may be damaged or renamed).")) from None
    unpacked = sum(m.file_size for m in members)
    if unpacked > MAX_UNPACKED_BYTES:
        raise SpreadsheetError(
            _("The workbook unpacks to more than %(mb)s MB; split it into smaller files.") % {"mb": MAX_UNPACKED_BYTES // (1024 * 1024)}
        )
    for member in members:
        if member.compress_size and member.file_size / member.compress_size > MAX_COMPRESSION_RATIO:
            raise SpreadsheetError(_("The workbook is compressed suspiciously strongly and was refused."))


def read_table(
    data: bytes,
    *,
    name: str,
    columns: Sequence[Column],
    max_rows: int = 20000,
    engine: str = "openpyxl",
    extra: Callable[[Sequence[Any]], list[Column]] | None = None,
    csv: bool = False,
) -> Table:
    """Read the first sheet against ``columns``; raise SpreadsheetError for a file-level fault.

    ``engine="calamine"`` reads with python-calamine, ~20× faster on big files (rosters, score
    files); its numbers come back as floats (4.0), so the columns' parsers must accept those.
    ``extra(header)`` adds the columns a header holds beyond the fixed ones (a score file's item
    columns); ``csv`` also takes a CSV file (UTF-8 or GB18030) named ``….csv``.
    """
    if csv and name.lower().endswith(".csv"):
        workbook: Any = _CsvSheet(data)
    else:
        check_workbook_file(data, name=name)
        try:
            workbook = _CalamineSheet(data) if engine == "calamine" else load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception:
            raise SpreadsheetError(_("The workbook could not be opened; save it again as .xlsx from Excel or WPS.")) from None
    try:
        if isinstance(workbook, _CsvSheet | _CalamineSheet):
            raw_rows = workbook.raw_rows()
        else:
            raw_rows = workbook.worksheets[0].iter_rows(values_only=True)
        header = next(raw_rows, None)
        columns = [*columns, *(extra(header or ()) if extra else [])]
        positions = _header_positions(header, columns)
        table = Table(columns=columns)
        blank_rows: list[int] = []
        for number, raw in enumerate(raw_rows, start=2):
            if number - 1 > max_rows:
                raise SpreadsheetError(_("The file has more than %(n)s rows.") % {"n": max_rows})
            cells = {c.field: _clean(raw[positions[c.field]] if positions[c.field] < len(raw) else None) for c in columns}
            if all(v is None for v in cells.values()):
                blank_rows.append(number)
                continue
            # A blank row before data is an error; blank rows after the last data row are ignored.
            table.errors.extend(
                RowError(row=b, column="", message=_("Row %(row)s is blank; delete it or fill it in.") % {"row": b}) for b in blank_rows
            )
            blank_rows = []
            values = _parse_row(number, cells, columns, table.errors)
            table.rows.append((number, values))
    finally:
        workbook.close()
    if not table.rows and not table.errors:
        raise SpreadsheetError(_("The file has no data rows under the header."))
    return table


class _CsvSheet:
    """A CSV file (UTF-8, with or without BOM, or GB18030 as Excel saves it on a Chinese system),
    with the interface of ``_CalamineSheet``."""

    def __init__(self, data: bytes):
        if len(data) > settings.UPLOAD_MAX_BYTES:
            raise SpreadsheetError(_("The file is larger than %(mb)s MB.") % {"mb": settings.UPLOAD_MAX_BYTES // (1024 * 1024)})
        unreadable = SpreadsheetError(_("The CSV file could not be read; save it again as CSV (UTF-8) from Excel or WPS."))
        if b"\x00" in data:
            raise unreadable
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = data.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise unreadable
        try:
            self._rows = [tuple(row) for row in csv_module.reader(io.StringIO(text, newline=""))]
        except csv_module.Error:
            raise unreadable from None

    def raw_rows(self):
        return iter(self._rows)

    def close(self) -> None:
        self._rows = []


class _CalamineSheet:
    """The first sheet read by python-calamine, with openpyxl's ``close`` so read_table treats both alike."""

    def __init__(self, data: bytes):
        from python_calamine import CalamineWorkbook

        self._rows = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python(skip_empty_area=False)

    def raw_rows(self):
        return iter([tuple(row) for row in self._rows])

    def close(self) -> None:
        self._rows = []


def _header_positions(header: Sequence[Any] | None, columns: Sequence[Column]) -> dict[str, int]:
    found = {str(h).strip(): i for i, h in enumerate(header or ()) if h is not None}
    missing = [c.header for c in columns if c.header not in found and c.required]
    if missing:
        raise SpreadsheetError(
            _("The first row must hold the template's headers; missing: %(cols)s. Download the template and copy your data into it.")
            % {"cols": "、".join(missing)}
        )
    return {c.field: found.get(c.header, 10**6) for c in columns}


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def _parse_row(number: int, cells: dict[str, Any], columns: Sequence[Column], errors: list[RowError]) -> dict:
    values: dict[str, Any] = {}
    for column in columns:
        value = cells[column.field]
        if value is None:
            if column.required:
                errors.append(RowError(number, column.header, _("This column must be filled in.")))
            values[column.field] = None
            continue
        if column.parse is not None:
            try:
                value = column.parse(value)
            except ValueError as exc:
                errors.append(RowError(number, column.header, str(exc)))
                value = None
        values[column.field] = value
    return values


def neutralise(value: Any) -> Any:
    """Text starting with =, +, -, @ (or a tab/CR) would run as a formula: prefix an apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
HEADER_FONT = Font(bold=True, color="FFFFFF")


def write_sheet(
    workbook: Workbook, *, title: str, columns: Sequence[Column], rows: Iterable[Sequence[Any]] = (), validation_rows: int = 2000
):
    """Add a sheet with styled Chinese headers, drop-downs for coded columns and the given rows."""
    sheet = workbook.create_sheet(title=title[:31])
    sheet.append([c.header for c in columns])
    for index, column in enumerate(columns, start=1):
        cell = sheet.cell(row=1, column=index)
        cell.fill, cell.font = HEADER_FILL, HEADER_FONT
        cell.alignment = Alignment(horizontal="center")
        sheet.column_dimensions[get_column_letter(index)].width = column.width
        if column.choices:
            dv = DataValidation(type="list", formula1='"' + ",".join(column.choices) + '"', allow_blank=not column.required)
            dv.error = _("Choose a value from the list.")
            dv.errorTitle = column.header
            dv.showErrorMessage = True
            sheet.add_data_validation(dv)
            letter = get_column_letter(index)
            dv.add(f"{letter}2:{letter}{validation_rows + 1}")
    for row in rows:
        sheet.append([neutralise(v) for v in row])
    sheet.freeze_panes = "A2"
    return sheet


def workbook_bytes(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def new_workbook() -> Workbook:
    workbook = Workbook()
    workbook.remove(workbook.active)
    return workbook
