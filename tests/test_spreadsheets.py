"""Workbooks as county offices keep them, read through monitoring_site.spreadsheets: title
rows, totals rows, full-width text, headers written differently, hidden sheets, merged cells,
formulas. Each is read as meant, or refused by row and column."""

import io

import pytest
from openpyxl import Workbook

from monitoring_site import cells
from monitoring_site.spreadsheets import Column, SpreadsheetError, clean_cell, header_key, read_table

COLUMNS = [
    Column("学校标识码", "code", parse=cells.school_code, synonyms=cells.SCHOOL_CODE_SYNONYMS),
    Column("学校名称", "name", parse=cells.text(80), text=True),
    Column("身高(cm)", "height", required=False, parse=cells.ranged(80, 220), synonyms=("身长",)),
    Column("体重(kg)", "weight", required=False, parse=cells.ranged(10, 200)),
]


def xlsx(rows, *, build=None) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(list(row))
    if build:
        build(workbook, sheet)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def read(data, **kwargs):
    return read_table(data, name="f.xlsx", columns=COLUMNS, **kwargs)


def test_full_width_digits_and_spaces_are_read_as_ascii():
    assert clean_cell("３６９９０００１０１") == "3699000101"
    assert clean_cell("\u3000 城关镇  一小 \u200b") == "城关镇 一小"
    assert clean_cell(4.0) == 4 and clean_cell("   ") is None
    table = read(xlsx([["学校标识码", "学校名称"], ["３６９９０００１０１", "竹园小学（分校）"]]))
    assert table.errors == []
    # the code is judged after NFKC; the name is free text, kept as written
    assert table.rows == [(2, {"code": "3699000101", "name": "竹园小学（分校）", "height": None, "weight": None})]
    assert table.found == {"code", "name"}


def test_a_code_in_other_digits_is_an_error_not_a_second_school():
    # Arabic-Indic digits are digits to \d, yet no NFKC form of them is ASCII
    table = read(xlsx([["学校标识码", "学校名称"], ["٣٦٩٩٠٠٠١٠١", "甲"]]))
    assert [(e.row, e.column) for e in table.errors] == [(2, "学校标识码")]


def test_numbers_stored_as_text_are_numbers():
    table = read(xlsx([["学校标识码", "学校名称", "身高(cm)"], ["3699000101", "甲", " １３２.５ "]]))
    assert table.errors == [] and table.rows[0][1]["height"] == 132.5


@pytest.mark.parametrize("header", ["身高", "身高(cm)", "身高（cm）", "身高（厘米）", "身高 (CM)", "身高【公分】", "身长"])
def test_headers_match_as_people_write_them(header):
    table = read(xlsx([["学校代码", "学校名称", header], ["3699000101", "甲", 140]]))
    assert table.errors == [], table.errors
    assert table.rows[0][1]["height"] == 140


def test_header_keys_split_known_units_only():
    assert header_key("身高（厘米）") == header_key("身高(cm)") == ("身高", "cm")
    assert header_key("学校名称(全称)") == ("学校名称(全称)", None)


def test_a_header_with_another_unit_or_unknown_name_is_an_error_naming_it():
    table = read(xlsx([["学校标识码", "学校名称", "身高(m)", "备注"], ["3699000101", "甲", 1.4, "x"]]))
    errors = [(e.row, e.column) for e in table.errors]
    assert errors == [(1, "身高(m)"), (1, "备注")]
    assert "学校标识码、学校名称、身高(cm)、体重(kg)" in table.errors[1].message


def test_a_column_twice_is_an_error():
    table = read(xlsx([["学校标识码", "学校名称", "身高", "身高(cm)"], ["3699000101", "甲", 140, 141]]))
    assert [(e.row, e.column) for e in table.errors] == [(1, "身高(cm)")]
    assert "C" in table.errors[0].message and "D" in table.errors[0].message


def test_a_file_without_any_measurement_column_is_refused():
    with pytest.raises(SpreadsheetError, match="height|身高"):
        read(xlsx([["学校标识码", "学校名称"], ["3699000101", "甲"]]), one_of=("height", "weight"))


def test_title_rows_are_skipped_and_noted_blank_rows_skipped_totals_left_out():
    rows = [
        ["青山县2026年学校名册"],
        ["填表人：张三", None, "日期：5月"],
        ["学校标识码", "学校名称", "身高"],
        ["3699000101", "甲", 140],
        [None, None, None],
        ["3699000102", "乙", 150],
        ["合 计", None, 290],
        ["平均：", None, 145],
    ]
    table = read(xlsx(rows))
    assert table.errors == []
    assert [n for n, _v in table.rows] == [4, 6]
    notes = " ".join(table.notes)
    assert "青山县2026年学校名册" in notes and "7" in notes and "8" in notes


def test_a_hidden_first_sheet_is_skipped_and_the_sheet_read_is_named():
    def build(workbook, sheet):
        sheet.title = "旧版"
        sheet.sheet_state = "hidden"
        visible = workbook.create_sheet("名册")
        visible.append(["学校标识码", "学校名称"])
        visible.append(["3699000101", "甲"])

    table = read(xlsx([["学校标识码", "学校名称"], ["1", "旧"]], build=build))
    assert table.errors == [] and [v["name"] for _n, v in table.rows] == ["甲"]
    assert any("名册" in n for n in table.notes) and any("旧版" in n for n in table.notes)


def test_a_refusal_names_the_sheet_it_read():
    def build(workbook, sheet):
        sheet.sheet_state = "hidden"
        workbook.create_sheet("第二张").append(["名称"])

    table = read(xlsx([["学校标识码", "学校名称"]], build=build))
    assert "第二张" in table.errors[0].message


def test_merged_cells_read_as_their_value():
    def build(workbook, sheet):
        sheet.merge_cells("B2:B3")

    table = read(xlsx([["学校标识码", "学校名称"], ["3699000101", "甲"], ["3699000102", None]], build=build))
    assert table.errors == []
    assert [v["name"] for _n, v in table.rows] == ["甲", "甲"]


def test_a_formula_never_calculated_is_an_error_not_a_blank():
    # openpyxl writes formulas without a calculated value (Excel or WPS would save one)
    table = read(xlsx([["学校标识码", "学校名称", "身高"], ["3699000101", "甲", "=100+40"]]))
    assert [(e.row, e.column) for e in table.errors] == [(2, "身高(cm)")]


def test_a_formula_with_its_saved_value_reads_as_the_value():
    data = xlsx([["学校标识码", "学校名称", "身高"], ["3699000101", "甲", "=100+40"]])
    data = _with_cached_value(data, "140")
    table = read(data)
    assert table.errors == [] and table.rows[0][1]["height"] == 140


def _with_cached_value(data: bytes, value: str) -> bytes:
    """The workbook as Excel saves it: the formula cell carries its last calculated value."""
    import zipfile

    source, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                assert b"<f>100+40</f><v />" in content
                content = content.replace(b"<f>100+40</f><v />", b"<f>100+40</f><v>" + value.encode() + b"</v>")
            target.writestr(item, content)
    return out.getvalue()
