"""Score and measurement imports with real .xlsx and .csv files, for every kind of error."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from results.models import Attendance, PeMeasurement, ResultImport, StudentScore
from results.services import result_import_confirm, result_import_start
from rounds.models import ImportBatch

from .factories import PE_HEADER, SCORE_HEADER, csv_bytes, xlsx_bytes


@pytest.fixture
def run(results_world, django_capture_on_commit_callbacks):
    def run(data: bytes, *, name="scores.xlsx", kind="scores", domain="math") -> ResultImport:
        with django_capture_on_commit_callbacks(execute=True):
            ri = result_import_start(
                rnd=results_world.round,
                kind=kind,
                domain=domain,
                upload=SimpleUploadedFile(name, data),
                user=results_world.staff,
                language="en",
            )
        ri.refresh_from_db()
        return ri

    return run


def _rows(world, score=520.0):
    return [(s.monitoring_id, "数学", "", score + i) for i, s in enumerate(world.students)]


def _errors(ri):
    return [(e["row"], e["column"], e["message"]) for e in ri.batch.errors]


def test_a_correct_workbook_is_imported_with_levels(run, results_world):
    ri = run(xlsx_bytes(_rows(results_world), header=SCORE_HEADER))
    assert ri.state == ResultImport.State.ACTIVE and ri.batch.status == ImportBatch.Status.DONE
    assert StudentScore.objects.filter(result_import=ri).count() == 8


def test_a_csv_file_is_read_like_a_workbook(run, results_world):
    ri = run(csv_bytes(_rows(results_world), header=SCORE_HEADER), name="scores.csv")
    assert ri.state == ResultImport.State.ACTIVE
    assert sorted(StudentScore.objects.values_list("score", flat=True))[0] == 520.0


def test_a_gb18030_csv_from_excel_is_read(run, results_world):
    ri = run(csv_bytes(_rows(results_world), header=SCORE_HEADER, encoding="gb18030"), name="scores.csv")
    assert ri.state == ResultImport.State.ACTIVE


def test_item_scores_are_kept(run, results_world):
    rows = [(*row, 1, 0.5) for row in _rows(results_world)]
    ri = run(xlsx_bytes(rows, header=[*SCORE_HEADER, "题1", "题2"]))
    assert StudentScore.objects.filter(result_import=ri).first().items == {"题1": 1, "题2": 0.5}


def test_absent_and_exempt_codes_are_understood(run, results_world):
    rows = _rows(results_world)
    rows[0] = (rows[0][0], "数学", "缺考", None)
    rows[1] = (rows[1][0], "数学", "免测", None)
    ri = run(xlsx_bytes(rows, header=SCORE_HEADER))
    assert ri.state == ResultImport.State.ACTIVE
    assert StudentScore.objects.filter(attendance=Attendance.ABSENT).count() == 1
    assert StudentScore.objects.filter(attendance=Attendance.EXEMPT).count() == 1


def test_every_bad_row_is_named_and_nothing_is_saved(run, results_world):
    ids = [s.monitoring_id for s in results_world.students]
    rows = [
        (ids[0], "数学", "", 500),
        (ids[0], "数学", "", 510),  # row 3: duplicate
        ("369901G4S99-01", "数学", "", 500),  # row 4: unknown
        (ids[1], "数学", "", 1200),  # row 5: out of range
        (ids[2], "数学", "缺考", 480),  # row 6: absent yet scored
        (ids[3], "数学", "", "abc"),  # row 7: not a number
        (ids[4], "数学", "迟到", None),  # row 8: unknown code
        (ids[5], "数学", "", None),  # row 9: tested without a score
    ]
    ri = run(xlsx_bytes(rows, header=SCORE_HEADER))
    assert ri.state == ResultImport.State.REFUSED and ri.batch.status == ImportBatch.Status.FAILED
    rows_with_errors = {row for row, _col, _msg in _errors(ri)}
    assert rows_with_errors == {3, 4, 5, 6, 7, 8, 9}
    assert "成绩" in {col for row, col, _m in _errors(ri) if row == 5}
    assert StudentScore.objects.count() == 0


def test_another_domains_file_is_refused(run, results_world):
    rows = [(s.monitoring_id, "语文", "", 500) for s in results_world.students]
    ri = run(xlsx_bytes(rows, header=SCORE_HEADER))
    assert ri.state == ResultImport.State.REFUSED
    [(row, column, message)] = _errors(ri)
    assert row == 2 and column == "学科领域" and "8" in message


def test_a_formula_is_read_as_its_calculated_value(run, results_world):
    data = xlsx_bytes(_rows(results_world), header=SCORE_HEADER)
    # Put a formula with a cached value (as Excel saves it) into D2: =500+20 → 520.
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            content = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                text = content.decode()
                start = text.index('<c r="D2"')
                end = text.index("</c>", start) + 4
                text = text[:start] + '<c r="D2"><f>500+20</f><v>520</v></c>' + text[end:]
                content = text.encode()
            dst.writestr(item, content)
    ri = run(out.getvalue())
    assert ri.state == ResultImport.State.ACTIVE
    first = StudentScore.objects.get(student=results_world.students[0])
    assert first.score == 520.0


@pytest.mark.parametrize(
    "data,name",
    [
        (b"PK\x03\x04 not really a zip", "scores.xlsx"),
        (b"\x00\x01\x02binary", "scores.csv"),
        (b"hello", "scores.pdf"),
    ],
)
def test_malformed_files_are_refused_safely(run, data, name):
    ri = run(data, name=name)
    assert ri.state == ResultImport.State.REFUSED
    [(row, _col, _message)] = _errors(ri)
    assert row == 0


def test_an_oversized_file_is_refused(run, results_world, settings):
    settings.UPLOAD_MAX_BYTES = 100
    ri = run(csv_bytes(_rows(results_world), header=SCORE_HEADER), name="scores.csv")
    assert ri.state == ResultImport.State.REFUSED and "MB" in ri.batch.errors[0]["message"]


def test_a_zip_bomb_is_refused(run):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/worksheets/sheet1.xml", b"0" * 5_000_000)
    ri = run(out.getvalue())
    assert ri.state == ResultImport.State.REFUSED


def test_a_file_without_the_template_headers_is_refused(run, results_world):
    ri = run(xlsx_bytes(_rows(results_world), header=["编号", "学科", "状态", "分数"]))
    assert ri.state == ResultImport.State.REFUSED and "监测编号" in ri.batch.errors[0]["message"]


def test_a_reimport_waits_for_confirmation_and_both_are_kept(run, results_world, django_capture_on_commit_callbacks):
    first = run(xlsx_bytes(_rows(results_world, 500), header=SCORE_HEADER))
    second = run(xlsx_bytes(_rows(results_world, 600), header=SCORE_HEADER))
    assert second.state == ResultImport.State.AWAITING and second.replaces == first
    assert set(StudentScore.objects.filter(result_import__state="active").values_list("result_import", flat=True)) == {first.pk}
    with django_capture_on_commit_callbacks(execute=True):
        result_import_confirm(result_import=second, user=results_world.staff, language="en")
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.state, second.state) == (ResultImport.State.REPLACED, ResultImport.State.ACTIVE)
    assert second.confirmed_by == results_world.staff
    assert StudentScore.objects.filter(result_import=first).count() == 8  # the earlier data stay
    assert min(StudentScore.objects.filter(result_import=second).values_list("score", flat=True)) == 600


def test_a_waiting_reimport_cancelled_from_its_page_leaves_the_data_in_use(client, run, results_world):
    first = run(xlsx_bytes(_rows(results_world, 500), header=SCORE_HEADER))
    second = run(xlsx_bytes(_rows(results_world, 600), header=SCORE_HEADER))
    client.force_login(results_world.staff)
    page = client.get(f"/results/imports/{second.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert f'formaction="/results/imports/{second.pk}/cancel/"' in page and "取消导入" in page
    response = client.post(f"/results/imports/{second.pk}/cancel/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.state, second.state) == (ResultImport.State.ACTIVE, ResultImport.State.CANCELLED)
    assert second.batch.status == ImportBatch.Status.CANCELLED and second.batch.decided_by == results_world.staff
    assert set(StudentScore.objects.filter(result_import__state="active").values_list("result_import", flat=True)) == {first.pk}
    page = client.get(f"/results/imports/{second.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "导入已取消" in page and "取消导入" not in page
    client.post(f"/results/imports/{second.pk}/confirm/")  # too late to confirm: nothing happens
    second.refresh_from_db()
    assert second.state == ResultImport.State.CANCELLED


def test_running_the_same_job_twice_gives_the_same_result(run, results_world):
    from results.imports import result_import_run

    ri = run(xlsx_bytes(_rows(results_world), header=SCORE_HEADER))
    result_import_run(result_import_id=ri.pk)
    assert StudentScore.objects.count() == 8


def test_pe_measurements_are_imported_and_exempt_students_must_not_be_measured(run, results_world):
    students = results_world.students
    students[1].pe_exempt = True
    students[1].save()
    rows = [(s.monitoring_id, "", 140, 35, 5.0, 4.8, 1800, 9.5, 8, 120) for s in students]
    ri = run(xlsx_bytes(rows, header=PE_HEADER), kind="pe", domain="")
    assert ri.state == ResultImport.State.REFUSED
    assert {e["row"] for e in ri.batch.errors} == {3}
    rows[1] = (students[1].monitoring_id, "免测", *([None] * 8))
    ri = run(xlsx_bytes(rows, header=PE_HEADER), kind="pe", domain="")
    assert ri.state == ResultImport.State.ACTIVE
    assert PeMeasurement.objects.filter(result_import=ri, attendance="present").count() == 7


def test_pe_values_out_of_range_are_named(run, results_world):
    rows = [(s.monitoring_id, "", 140, 35, 1.0, 4.8, 1800, 9.5, 8, 120) for s in results_world.students]
    ri = run(xlsx_bytes(rows, header=PE_HEADER), kind="pe", domain="")
    assert ri.state == ResultImport.State.REFUSED
    assert {e["column"] for e in ri.batch.errors} == {"左眼视力"}


def test_imports_are_refused_outside_their_stage(results_world):
    from results.services import StageRefused

    results_world.round.stage = "setup"
    with pytest.raises(StageRefused):
        result_import_start(
            rnd=results_world.round,
            kind="scores",
            domain="math",
            upload=SimpleUploadedFile("a.xlsx", b"x"),
            user=results_world.staff,
            language="en",
        )
