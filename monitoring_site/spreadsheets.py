"""Reading and writing spreadsheets safely, shared by every importer and export.

Reading (``read_table``), the same rules for every import:
- the whole file is checked before a row is looked at (type, size, zip structure, unpacked
  size and compression ratio against zip bombs);
- the first *visible* sheet is read (hidden sheets are skipped, and the notes say which sheet
  was read); merged cells read as the value of their top-left cell; formulas as the value the
  spreadsheet last calculated, and a formula never calculated (no saved value) is an error;
- every cell is normalised before it is judged (``clean_cell``: Unicode NFKC, so full-width
  digits, letters, brackets and spaces read as ASCII; stray spaces dropped);
- the header row is found among the first rows (title rows above it are skipped and noted);
  headers match as people write them (``header_key``: NFKC, case, spaces, brackets, units),
  with the synonyms each ``Column`` declares; a header that matches nothing is an error
  naming it and the expected names;
- blank rows are skipped; a totals row (合计, 总计, 平均…) is left out with a note;
- every row is validated so the user gets every error with its row and column.
Writing: templates carry Chinese headers and drop-down lists; exported text that a
spreadsheet would run as a formula is neutralised.
"""

from __future__ import annotations

import csv as csv_module
import io
import re
import unicodedata
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
HEADER_SEARCH_ROWS = 10  # title rows and notes a clerk puts above the headers
TOTAL_WORDS = ("合计", "总计", "小计", "共计", "总数", "平均", "平均值", "均值", "平均数")


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
    synonyms: Sequence[str] = ()  # other headers people write for this column
    # Free text (a name, an address, a question) is kept as written, full-width punctuation
    # and all; only stray spaces are dropped. Everything else is NFKC-normalised to be judged.
    text: bool = False

    def keys(self) -> list[tuple[str, str | None]]:
        return [header_key(h) for h in (self.header, *self.synonyms)]


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
    notes: list[str] = field(default_factory=list)  # what was read and what was left out, for the user
    columns: list[Column] = field(default_factory=list)  # those asked for, and those ``extra`` found
    found: set[str] = field(default_factory=set)  # the fields whose column the file holds


# --- cells and headers -----------------------------------------------------------------

_SPACES = re.compile(r"\s+")
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\xad"))


def clean_cell(value: Any, *, text: bool = False) -> Any:
    """A cell as a person means it: text NFKC-normalised (full-width ３ → 3, （ → (, the
    ideographic space → a space; with ``text``, free text, only the spaces), invisible
    characters dropped, runs of spaces made one and the ends stripped, blank → None; a whole
    float (how calamine reads 4) → int."""
    if isinstance(value, str):
        if not value.isascii():
            value = (value if text else unicodedata.normalize("NFKC", value)).translate(_INVISIBLE)
            value = _SPACES.sub(" ", value)
        elif "  " in value or "\t" in value or "\n" in value or "\r" in value:
            value = _SPACES.sub(" ", value)
        return value.strip() or None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


# Unit words as headers write them (in brackets: 身高(cm), 身高（厘米）) → one spelling.
UNITS = {
    "cm": "cm", "厘米": "cm", "公分": "cm",
    "kg": "kg", "千克": "kg", "公斤": "kg",
    "ml": "ml", "毫升": "ml",
    "s": "s", "秒": "s", "sec": "s",
    "次": "次", "个": "次",
    "分": "分", "人": "人", "名": "人",
}  # fmt: skip
_BRACKETS = str.maketrans("[]【】〔〕{}<>〈〉《》", "()()()()()()()")
_UNIT_SUFFIX = re.compile(r"^(?P<name>.+?)\((?P<unit>[^()]*)\)$")


def header_key(header: Any) -> tuple[str, str | None]:
    """A header as (name, unit) for matching: NFKC, case and spaces ignored, any bracket read
    as a round one, a known unit in brackets at the end split off. ``身高（厘米）`` and
    ``身高 (CM)`` are ("身高", "cm"); ``身高`` is ("身高", None)."""
    text = clean_cell(header)
    text = "" if text is None else str(text)
    text = _SPACES.sub("", text.casefold().translate(_BRACKETS))
    match = _UNIT_SUFFIX.match(text)
    if match and match["unit"] in UNITS:
        return match["name"], UNITS[match["unit"]]
    return text, None


def _matches(key: tuple[str, str | None], column_keys: Iterable[tuple[str, str | None]]) -> bool:
    """Same name, and the same unit when both say one (a header may leave the unit out)."""
    name, unit = key
    return any(name == n and (unit is None or u is None or unit == u) for n, u in column_keys)


def is_totals_row(cells: Sequence[Any]) -> str | None:
    """The word (合计, 平均…) when the row's first filled cell names it a totals row."""
    first = next((c for c in cells if c is not None), None)
    if not isinstance(first, str) or len(first) > 8:
        return None
    word = _SPACES.sub("", first).rstrip(":：")
    return word if word in TOTAL_WORDS else None


# --- the file --------------------------------------------------------------------------


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


@dataclass
class Sheet:
    """The cells of the sheet an import reads, as values (row i of ``rows`` is sheet row i+1)."""

    name: str
    rows: list[list[Any]]
    uncalculated: set[tuple[int, int]]  # (row, column), 0-based: formulas without a saved value
    notes: list[str]


def read_sheet(data: bytes, *, name: str, csv: bool = False) -> Sheet:
    """The first visible worksheet of a checked workbook, merged cells filled in; with ``csv``,
    a file named ``….csv`` is read as CSV instead."""
    if csv and name.lower().endswith(".csv"):
        return Sheet(name, _csv_rows(data), set(), [])
    check_workbook_file(data, name=name)
    from python_calamine import CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheets = [m for m in workbook.sheets_metadata if m.typ == SheetTypeEnum.WorkSheet]
        visible = [m.name for m in sheets if m.visible == SheetVisibleEnum.Visible]
        if not visible:
            raise SpreadsheetError(_("The workbook has no visible sheet."))
        sheet = workbook.get_sheet_by_name(visible[0])
        rows = [list(row) for row in sheet.to_python(skip_empty_area=False)]
        merged = sheet.merged_cell_ranges or []
    except SpreadsheetError:
        raise
    except Exception:
        raise SpreadsheetError(_("The workbook could not be opened; save it again as .xlsx from Excel or WPS.")) from None
    for (top, left), (bottom, right) in merged:
        if top < len(rows) and left < len(rows[top]):
            value = rows[top][left]
            for r in range(top, min(bottom, len(rows) - 1) + 1):
                for c in range(left, min(right, len(rows[r]) - 1) + 1):
                    rows[r][c] = value
    notes = [_("Read the sheet “%(sheet)s”.") % {"sheet": visible[0]}]
    hidden = [m.name for m in sheets if m.name not in visible]
    if hidden:
        notes.append(_("Hidden sheets were skipped: %(sheets)s.") % {"sheets": "、".join(hidden)})
    if len(visible) > 1:
        notes.append(_("Only the first sheet was read; other sheets: %(sheets)s.") % {"sheets": "、".join(visible[1:])})
    return Sheet(visible[0], rows, _uncalculated(data, visible[0]), notes)


def _csv_rows(data: bytes) -> list[list[Any]]:
    """A CSV file's rows: UTF-8 (with or without BOM) or GB18030, as Excel saves it on a Chinese system."""
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
        return list(csv_module.reader(io.StringIO(text, newline="")))
    except csv_module.Error:
        raise unreadable from None


_FORMULA = re.compile(rb"<f[ >/]")


def _uncalculated(data: bytes, sheet: str) -> set[tuple[int, int]]:
    """Formula cells with no saved value (written by a program that never calculated them,
    not by Excel or WPS): calamine reads them as blank, which must not pass for blank."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        if not any(_FORMULA.search(archive.read(n)) for n in archive.namelist() if n.startswith("xl/worksheets/")):
            return set()
    cells: set[tuple[int, int]] = set()
    formulas = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    values = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        for f_row, v_row in zip(formulas[sheet].iter_rows(), values[sheet].iter_rows(), strict=False):
            for f_cell, v_cell in zip(f_row, v_row, strict=False):
                if f_cell.data_type == "f" and v_cell.value is None:
                    cells.add((f_cell.row - 1, f_cell.column - 1))
    finally:
        formulas.close()
        values.close()
    return cells


# --- the table -------------------------------------------------------------------------

ExtraColumns = Callable[[Sequence[Any]], list[Column]]


@dataclass
class Header:
    """Where the header row is (0-based) and which column of the sheet each field reads."""

    row: int
    positions: dict[str, int]  # of the columns found
    columns: list[Column]  # those found
    all_columns: list[Column]  # those asked for and those ``extra`` found
    errors: list[RowError]
    missing: bool = False  # a required column is missing: no row can be read


def find_header(
    rows: Sequence[Sequence[Any]],
    columns: Sequence[Column],
    *,
    extra: ExtraColumns | None = None,
    sheet: str = "",
) -> Header:
    """The header row: the first of the top rows that holds every required column's header
    (or else the one that holds most, to name what is missing). Each header of it must match
    a column; two headers for the same column, or one for none, are errors."""
    best: tuple[int, int] | None = None  # (matched, row)
    for index, cells in enumerate(rows[:HEADER_SEARCH_ROWS]):
        keys = [header_key(c) for c in cells]
        required = sum(any(_matches(k, c.keys()) for k in keys) for c in columns if c.required)
        matched = sum(any(_matches(k, c.keys()) for k in keys) for c in columns)
        if required == sum(c.required for c in columns) and matched:
            best = (matched, index)
            break
        if matched and (best is None or matched > best[0]):
            best = (matched, index)
    index = best[1] if best else 0
    cells = list(rows[index]) if rows else []
    all_columns = list(columns) + (extra(cells) if extra else [])
    positions: dict[str, int] = {}
    errors: list[RowError] = []
    for position, cell in enumerate(cells):
        label = clean_cell(cell)
        if label is None:
            if any(position < len(r) and clean_cell(r[position]) is not None for r in rows[index + 1 :]):
                errors.append(RowError(index + 1, get_column_letter(position + 1), _("This column has values but no header.")))
            continue
        column = next((c for c in all_columns if _matches(header_key(label), c.keys())), None)
        if column is None:
            expected = "、".join(c.header for c in all_columns)
            message = _("“%(header)s” is not a column of this import; the columns are: %(expected)s.")
            errors.append(RowError(index + 1, str(label), message % {"header": label, "expected": expected}))
        elif column.field in positions:
            first = get_column_letter(positions[column.field] + 1)
            errors.append(
                RowError(
                    index + 1,
                    str(label),
                    _("Columns %(first)s and %(second)s are both “%(header)s”.")
                    % {"first": first, "second": get_column_letter(position + 1), "header": column.header},
                )
            )
        else:
            positions[column.field] = position
    missing = [c.header for c in columns if c.required and c.field not in positions]
    if missing:
        message = _("Sheet “%(sheet)s”: the header row must hold the template's headers; missing: %(cols)s.")
        errors.insert(0, RowError(index + 1, "", message % {"sheet": sheet, "cols": "、".join(missing)}))
    found = [c for c in all_columns if c.field in positions]
    return Header(index, positions, found, all_columns, errors, missing=bool(missing))


def read_table(
    data: bytes,
    *,
    name: str,
    columns: Sequence[Column],
    max_rows: int = 20000,
    extra: ExtraColumns | None = None,
    one_of: Sequence[str] = (),
    csv: bool = False,
) -> Table:
    """Read the first visible sheet against ``columns`` (and those ``extra`` finds in the
    header, e.g. a score file's item columns); raise SpreadsheetError for a file-level fault.
    ``one_of``: fields of which the file must hold at least one (a PE file's measurements);
    ``csv``: a file named ``….csv`` is taken too. A row's values hold every column, None
    where blank or where the file has no such column (``Table.found`` tells which it has)."""
    sheet = read_sheet(data, name=name, csv=csv)
    rows = sheet.rows
    header = find_header(rows, columns, extra=extra, sheet=sheet.name)
    table = Table(errors=list(header.errors), notes=list(sheet.notes), columns=header.all_columns, found=set(header.positions))
    if header.missing:
        return table
    if one_of and not any(f in header.positions for f in one_of):
        expected = "、".join(c.header for c in columns if c.field in one_of)
        raise SpreadsheetError(
            _("Sheet “%(sheet)s”: no measurement column was recognised; expected at least one of: %(expected)s.")
            % {"sheet": sheet.name, "expected": expected}
        )
    if header.row:
        skipped = "；".join(str(v) for r in rows[: header.row] for v in map(clean_cell, r) if v is not None)[:120]
        table.notes.append(
            _("The headers are in row %(row)s; the rows above them were skipped: %(text)s")
            % {"row": header.row + 1, "text": skipped or "—"}
        )
    header_at = {header.positions[c.field]: c.header for c in header.columns}
    # (position, field, free text?) of each column found, in the sheet's order
    reads = sorted((header.positions[c.field], c.field, c.text) for c in header.columns)
    uncalculated: dict[int, list[int]] = {}
    for r, c in sheet.uncalculated:
        uncalculated.setdefault(r, []).append(c)
    uncalculated_message = _("The cell holds a formula that was never calculated; open the file in Excel or WPS and save it again.")
    data_rows = 0
    for index in range(header.row + 1, len(rows)):
        number, raw = index + 1, rows[index]
        cells = {f: clean_cell(raw[p], text=t) if p < len(raw) else None for p, f, t in reads}
        if all(v is None for v in cells.values()):
            continue
        word = is_totals_row([cells[f] for _p, f, _t in reads])
        if word:
            table.notes.append(_("Row %(row)s (%(word)s) is a totals row and was left out.") % {"row": number, "word": word})
            continue
        data_rows += 1
        if data_rows > max_rows:
            raise SpreadsheetError(_("The file has more than %(n)s rows.") % {"n": max_rows})
        for c in sorted(uncalculated.get(index, ())):
            if c in header_at:
                table.errors.append(RowError(number, header_at[c], uncalculated_message))
        table.rows.append((number, parse_row(number, cells, header.all_columns, table.errors)))
    if not table.rows and not table.errors:
        raise SpreadsheetError(_("Sheet “%(sheet)s” has no data rows under the header.") % {"sheet": sheet.name})
    return table


def parse_row(number: int, cells: dict[str, Any], columns: Sequence[Column], errors: list[RowError]) -> dict:
    """Each column's value of one row (cells already cleaned); a fault goes to ``errors``."""
    values: dict[str, Any] = {}
    for column in columns:
        value = cells.get(column.field)
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
