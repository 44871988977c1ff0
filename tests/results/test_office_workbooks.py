"""Score and PE files as county offices keep them (issue: imports that never silently lose or
double data): headers written the national export's way, full-width text, title and totals
rows, a hidden first sheet, an unknown column; and a re-import shows what it would change."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook

from results.models import PeMeasurement, ResultImport, StudentScore
from results.services import result_import_confirm, result_import_start
from rounds.models import ImportBatch

from .factories import PE_HEADER, SCORE_HEADER, xlsx_bytes


@pytest.fixture
def run(results_world, django_capture_on_commit_callbacks):
    def run(data: bytes, *, kind="scores", domain="math") -> ResultImport:
        with django_capture_on_commit_callbacks(execute=True):
            ri = result_import_start(
                rnd=results_world.round,
                kind=kind,
                domain=domain,
                upload=SimpleUploadedFile("f.xlsx", data),
                user=results_world.staff,
                language="zh-hans",
            )
        ri.refresh_from_db()
        return ri

    return run


def _office_workbook(header, rows, *, title=True, totals=None, hidden_first=False) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    if hidden_first:
        sheet.title = "说明"
        sheet.append(["请勿修改"])
        sheet.sheet_state = "hidden"
        sheet = workbook.create_sheet("数据")
    if title:
        sheet.append(["青山县2026年体质健康测试数据"])
        sheet.append([])
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    if totals:
        sheet.append(totals)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


NATIONAL_PE_HEADER = [
    *("监测编号", "状态", "身高（cm）", "体重", "左眼裸眼视力", "右眼裸眼视力"),
    *("肺活量（毫升）", "50米跑", "坐位体前屈(厘米)", "1分钟跳绳"),
]


def test_a_pe_file_with_headers_written_differently_stores_every_measurement(run, results_world):
    rows = [(s.monitoring_id, "", "１４０", 35, 5.0, 4.8, 1800, 9.5, 8, 120) for s in results_world.students]
    data = _office_workbook(NATIONAL_PE_HEADER, rows, totals=["平均", None, 140, 35], hidden_first=True)
    ri = run(data, kind="pe", domain="")
    assert ri.state == ResultImport.State.ACTIVE, ri.batch.errors
    measured = PeMeasurement.objects.filter(result_import=ri)
    assert measured.count() == 8
    assert set(measured.values_list("height_cm", "weight_kg", "vision_left", "rope_skipping")) == {(140.0, 35.0, 5.0, 120.0)}
    notes = " ".join(ri.batch.notes)
    assert "数据" in notes and "说明" in notes  # the sheet read, the hidden sheet skipped
    assert "第 3 行" in notes and "平均" in notes  # the header row found, the totals row left out


def test_a_pe_file_without_any_measurement_column_is_refused(run, results_world):
    rows = [(s.monitoring_id, "") for s in results_world.students]
    ri = run(xlsx_bytes(rows, header=["监测编号", "状态"]), kind="pe", domain="")
    assert ri.state == ResultImport.State.REFUSED
    assert "身高(cm)" in ri.batch.errors[0]["message"]
    assert not PeMeasurement.objects.exists()


def test_an_unknown_column_is_refused_by_name_and_nothing_is_saved(run, results_world):
    rows = [(s.monitoring_id, "", 140, 35, 5.0, 4.8, 1800, 9.5, 8, 120, "x") for s in results_world.students]
    ri = run(xlsx_bytes(rows, header=[*PE_HEADER, "身高(m)"]), kind="pe", domain="")
    assert ri.state == ResultImport.State.REFUSED
    assert [(e["row"], e["column"]) for e in ri.batch.errors] == [(1, "身高(m)")]
    assert "身高(cm)" in ri.batch.errors[0]["message"]
    assert not PeMeasurement.objects.exists()


def test_full_width_monitoring_ids_and_scores_as_text_are_read(run, results_world):
    width = str.maketrans("0123456789", "０１２３４５６７８９")
    rows = [(s.monitoring_id.translate(width), "数学", "", f"５{i}０") for i, s in enumerate(results_world.students)]
    ri = run(_office_workbook(SCORE_HEADER, rows, totals=["合计", None, None, 4000]))
    assert ri.state == ResultImport.State.ACTIVE, ri.batch.errors
    assert sorted(StudentScore.objects.values_list("score", flat=True)) == [500 + 10 * i for i in range(8)]


def test_a_reimport_shows_its_difference_and_waits_not_running(run, results_world, django_capture_on_commit_callbacks):
    students = results_world.students
    rows = [(s.monitoring_id, "", 140, 35, 5.0, 4.8, 1800, 9.5, 8, 120) for s in students]
    first = run(xlsx_bytes(rows, header=PE_HEADER), kind="pe", domain="")
    assert first.state == ResultImport.State.ACTIVE
    # the new file: one pupil fewer, one height changed, and the 50 m run column empty
    rows = [(s.monitoring_id, "", 140, 35, 5.0, 4.8, 1800, None, 8, 120) for s in students[:-1]]
    rows[0] = (students[0].monitoring_id, "", 141, 35, 5.0, 4.8, 1800, None, 8, 120)
    second = run(xlsx_bytes(rows, header=PE_HEADER), kind="pe", domain="")
    assert second.state == ResultImport.State.AWAITING
    assert second.batch.status == ImportBatch.Status.AWAITING  # not "running"
    assert second.difference == {
        "added": 0,
        "changed": 7,
        "removed": 1,
        "unchanged": 0,
        "emptied": ["50米跑(秒)"],
        "changed_columns": {"身高(cm)": 1, "50米跑(秒)": 7},
        "cleared": {"50米跑(秒)": 7},
        "overwritten": 8,
    }
    client = Client()
    client.force_login(results_world.staff)
    page = client.get(reverse("results_import_detail", args=[second.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "50米跑(秒)" in page and "删除行" in page and "hx-trigger" not in page
    assert PeMeasurement.objects.filter(result_import=first).count() == 8  # nothing replaced yet
    with django_capture_on_commit_callbacks(execute=True):
        result_import_confirm(result_import=second, user=results_world.staff, language="zh-hans")
    second.refresh_from_db()
    assert second.state == ResultImport.State.ACTIVE and second.batch.status == ImportBatch.Status.DONE


def test_an_unchanged_reimport_says_so():
    from monitoring_site.difference import Difference, difference

    rows = {1: {"状态": "present", "成绩": 500.0}, 2: {"状态": "absent", "成绩": None}}
    assert difference(current=rows, new=rows) == Difference(unchanged=2)
    new = {1: {"状态": "present", "成绩": 500.0}, 3: {"状态": "present", "成绩": 480.0}}
    assert difference(current=rows, new=new) == Difference(added=1, removed=1, unchanged=1)
