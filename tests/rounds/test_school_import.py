"""The school workbook: template, all-or-nothing import, every error with its row and column."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from rounds.models import ImportBatch, School

HEADERS = ["学校标识码", "学校名称", "办学类型", "城乡类型", "地址", "校长", "联系人", "联系电话", "在校生数"]
GOOD_ROWS = [
    ["3699000101", "青山县实验二小", "小学", "城区", "城关镇", "王校长", "李老师", "13800000001", 1500],
    ["3699000102", "龙泉镇中学", "初级中学", "镇区", "龙泉镇", "", "", "", 900],
    ["3699000103", "大坪乡九年一贯制学校", "九年一贯制学校", "乡村", "", "", "", "", None],
]


def workbook_bytes(rows, headers=HEADERS) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(headers)
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def upload(client, data: bytes, name: str = "schools.xlsx"):
    from django.test import TestCase

    # The import is queued once the request's transaction commits; run it inline here.
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(reverse("school_import"), {"file": SimpleUploadedFile(name, data)})
    assert response.status_code == 302
    return ImportBatch.objects.latest("created_at")


@pytest.fixture
def staff_client(client, world):
    client.force_login(world.staff)
    return client


def errors_of(batch):
    return [(e["row"], e["column"], e["message"]) for e in batch.errors]


def test_a_valid_workbook_lands_whole(staff_client, world):
    before = School.objects.count()
    batch = upload(staff_client, workbook_bytes(GOOD_ROWS))
    assert batch.status == ImportBatch.Status.DONE
    assert (batch.rows_total, batch.created, batch.updated) == (3, 3, 0)
    assert School.objects.count() == before + 3
    school = School.objects.get(code="3699000102")
    assert (school.county, school.school_type, school.location, school.student_count) == (world.county, "junior", "town", 900)
    assert school.history.first().history_user == world.staff


def test_a_known_code_updates_the_school_and_records_who(staff_client, world):
    upload(staff_client, workbook_bytes(GOOD_ROWS))
    rows = [list(r) for r in GOOD_ROWS]
    rows[0][1] = "青山县实验第二小学"
    batch = upload(staff_client, workbook_bytes(rows))
    assert batch.status == ImportBatch.Status.AWAITING  # a change to the registry waits for confirmation
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        staff_client.post(reverse("import_confirm", args=[batch.pk]))
    batch.refresh_from_db()
    assert (batch.status, batch.created, batch.updated, batch.decided_by) == (ImportBatch.Status.DONE, 0, 1, world.staff)
    school = School.objects.get(code="3699000101")
    assert school.name == "青山县实验第二小学"
    assert school.version == 2
    assert school.history.count() == 2


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        ([GOOD_ROWS[0], ["36990001", "坏码小学", "小学", "城区"]], (3, "学校标识码", "10")),
        ([GOOD_ROWS[0], ["3699000101", "重复小学", "小学", "城区"]], (3, "学校标识码", "第 2 行")),
        ([GOOD_ROWS[0], ["3699000109", "某校", "大学", "城区"]], (3, "办学类型", "大学")),
        ([GOOD_ROWS[0], ["3699000109", "某校", "小学", "郊区"]], (3, "城乡类型", "郊区")),
        ([GOOD_ROWS[0], ["3699000109", None, "小学", "城区"]], (3, "学校名称", "必填")),
        ([["3699000109", "某校", "小学", "城区", "", "", "", "", "很多"]], (2, "在校生数", "很多")),
    ],
    ids=["short-code", "duplicate-code", "unknown-type", "unknown-location", "missing-name", "bad-count"],
)
def test_a_bad_row_is_named_and_nothing_is_saved(staff_client, world, rows, expected):
    before = School.objects.count()
    batch = upload(staff_client, workbook_bytes(rows))
    assert batch.status == ImportBatch.Status.FAILED
    assert School.objects.count() == before
    row, column, fragment = expected
    assert any(r == row and c == column and fragment in m for r, c, m in errors_of(batch)), errors_of(batch)


def test_a_blank_row_between_schools_is_skipped(staff_client):
    batch = upload(staff_client, workbook_bytes([GOOD_ROWS[0], [None] * 9, GOOD_ROWS[1]]))
    assert batch.status == ImportBatch.Status.DONE, batch.errors
    assert (batch.rows_total, batch.created) == (2, 2)


def test_every_error_of_the_file_is_listed_at_once(staff_client):
    rows = [["1", "甲", "大学", "城区"], ["2", "乙", "小学", "太空"]]
    batch = upload(staff_client, workbook_bytes(rows))
    columns = {(r, c) for r, c, _ in errors_of(batch)}
    assert {(2, "学校标识码"), (2, "办学类型"), (3, "学校标识码"), (3, "城乡类型")} <= columns


def test_a_code_of_another_county_is_refused(staff_client, world):
    rows = [[world.foreign_school.code, "冒名小学", "小学", "城区"]]
    batch = upload(staff_client, workbook_bytes(rows))
    assert batch.status == ImportBatch.Status.FAILED
    assert "外县" in batch.errors[0]["message"]
    assert School.objects.get(pk=world.foreign_school.pk).name == "外县小学"


@pytest.mark.parametrize(
    ("data", "name", "fragment"),
    [
        (b"code,name\n1,a\n", "schools.csv", ".xlsx"),
        (b"this is not a zip", "schools.xlsx", "不是有效"),
        (None, "schools.xlsx", "缺少"),  # missing columns
    ],
    ids=["wrong-type", "malformed", "missing-columns"],
)
def test_a_file_that_cannot_be_read_says_why(staff_client, data, name, fragment):
    if data is None:
        data = workbook_bytes([["3699000101", "甲"]], headers=["学校标识码", "学校名称"])
    batch = upload(staff_client, data, name)
    assert batch.status == ImportBatch.Status.FAILED
    assert fragment in batch.errors[0]["message"], batch.errors


def test_a_zip_bomb_is_refused_before_it_is_unpacked(staff_client):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * (50 * 1024 * 1024))
    batch = upload(staff_client, buffer.getvalue())
    assert batch.status == ImportBatch.Status.FAILED
    assert "压缩" in batch.errors[0]["message"]


def test_an_oversized_file_is_refused(staff_client, settings):
    settings.UPLOAD_MAX_BYTES = 1000
    batch = upload(staff_client, workbook_bytes(GOOD_ROWS * 5))
    assert batch.status == ImportBatch.Status.FAILED
    assert "MB" in batch.errors[0]["message"]


def test_the_result_page_lists_the_errors_in_chinese(staff_client):
    batch = upload(staff_client, workbook_bytes([["1", "甲", "小学", "城区"]]))
    body = staff_client.get(reverse("import_detail", args=[batch.pk])).content.decode()
    assert "未导入" in body
    assert "学校标识码" in body


def test_the_template_has_chinese_headers_and_drop_down_lists(staff_client):
    response = staff_client.get(reverse("school_template"))
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [c.value for c in sheet[1]] == HEADERS
    lists = {str(dv.sqref)[0]: dv.formula1 for dv in sheet.data_validations.dataValidation}
    assert "初级中学" in lists["C"] and "九年一贯制学校" in lists["C"]
    assert lists["D"] == '"城区,镇区,乡村"'


def test_exported_text_that_looks_like_a_formula_is_neutralised():
    from monitoring_site.spreadsheets import neutralise

    assert [neutralise(v) for v in ["=1+1", "+86", "-5", "@SUM(A1)", "普通", 5]] == ["'=1+1", "'+86", "'-5", "'@SUM(A1)", "普通", 5]


def test_a_full_width_code_updates_the_school_instead_of_adding_a_look_alike(staff_client):
    upload(staff_client, workbook_bytes(GOOD_ROWS))
    before = School.objects.count()
    width = str.maketrans("0123456789", "０１２３４５６７８９")
    row = [GOOD_ROWS[0][0].translate(width), "青山县实验二小（新校区）", "小学", "城区"]
    batch = upload(staff_client, workbook_bytes([row], headers=HEADERS[:4]))
    assert batch.status == ImportBatch.Status.AWAITING, batch.errors
    assert batch.difference["changed_columns"] == {"学校名称": 1}  # the same school, renamed: not a new one
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        staff_client.post(reverse("import_confirm", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.DONE
    assert School.objects.count() == before
    school = School.objects.get(code=GOOD_ROWS[0][0])
    assert school.name == "青山县实验二小（新校区）"  # free text kept as written
    assert school.address == "城关镇"  # a column the file does not have is left alone


def test_an_unknown_column_is_refused_by_name_and_nothing_is_saved(staff_client):
    before = School.objects.count()
    batch = upload(staff_client, workbook_bytes([[*GOOD_ROWS[0], "x"]], headers=[*HEADERS, "备注"]))
    assert batch.status == ImportBatch.Status.FAILED
    assert [(e["row"], e["column"]) for e in batch.errors] == [(1, "备注")]
    assert "学校标识码" in batch.errors[0]["message"]
    assert School.objects.count() == before


def test_a_hidden_first_sheet_is_skipped_and_the_page_names_the_sheet_read(staff_client):
    wb = Workbook()
    old = wb.active
    old.title = "旧名册"
    old.append(HEADERS)
    old.append(["3699000199", "旧学校", "小学", "城区"])
    old.sheet_state = "hidden"
    sheet = wb.create_sheet("2026名册")
    sheet.append(HEADERS)
    sheet.append(GOOD_ROWS[1])
    buffer = io.BytesIO()
    wb.save(buffer)
    batch = upload(staff_client, buffer.getvalue())
    assert batch.status == ImportBatch.Status.DONE, batch.errors
    assert not School.objects.filter(code="3699000199").exists()
    page = staff_client.get(reverse("import_detail", args=[batch.pk])).content.decode()
    assert "2026名册" in page and "旧名册" in page
