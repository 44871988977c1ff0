"""The result import's check on whole files (every row's fault named once, with its row and
column), the bulk write (COPY on PostgreSQL, multi-row INSERT on SQLite) against what was
meant, and the all-or-nothing transaction when the write fails part way."""

import io
import json
import zipfile

import pytest
from django.core.files.base import ContentFile
from django.db import IntegrityError
from django.utils import translation

from results import imports
from results.imports import insert_rows, result_import_run
from results.models import Attendance, PeMeasurement, ResultImport, StudentScore
from rounds.models import ImportBatch

from .factories import PE_HEADER, SCORE_HEADER, make_sample, xlsx_bytes

ITEMS = ["题1", "题2"]


def _import(world, *, kind="scores", domain="math", data=b"-", name="x.csv") -> ResultImport:
    batch = ImportBatch.objects.create(
        kind=f"results_{kind}", county=world.round.county, file=ContentFile(data, name=name), original_name=name, uploaded_by=world.staff
    )
    return ResultImport.objects.create(round=world.round, kind=kind, domain=domain, batch=batch)


def _run(world, rows, *, header, kind="scores", domain="math") -> ResultImport:
    ri = _import(world, kind=kind, domain=domain, data=xlsx_bytes(rows, header=header), name="s.xlsx")
    with translation.override("en"):
        result_import_run(result_import_id=ri.pk)
    ri.refresh_from_db()
    return ri


def _score_rows(world):
    rows = [[s.monitoring_id, "数学", "", 400.0 + i, i % 3, None if i % 2 else 0.5] for i, s in enumerate(world.students)]
    rows[0][2:] = ["缺考", None, None, None]
    rows[1][2:] = ["免测", None, None, None]
    return rows


def test_a_file_without_faults_is_stored_as_written(results_world):
    world = results_world
    world.students[3].exclusion = "moved"
    world.students[3].save()
    rows = _score_rows(world)
    rows[3][2:] = ["缺考", None, None, None]  # an excluded student marked absent is no fault
    ri = _run(world, rows, header=[*SCORE_HEADER, *ITEMS])
    assert ri.state == ResultImport.State.ACTIVE, ri.batch.errors
    stored = {s.student_id: (s.attendance, s.score, s.items) for s in StudentScore.objects.filter(result_import=ri)}
    assert len(stored) == 8
    assert stored[world.students[0].pk] == (Attendance.ABSENT, None, {})
    assert stored[world.students[1].pk] == (Attendance.EXEMPT, None, {})
    assert stored[world.students[4].pk] == (Attendance.PRESENT, 404.0, {"题1": 1.0, "题2": 0.5})
    assert stored[world.students[5].pk] == (Attendance.PRESENT, 405.0, {"题1": 2.0})

    pe_rows = [[s.monitoring_id, "", 140, 35, 5.0, 4.8, 1800, 9.5, 8, 120] for s in world.students]
    pe_rows[3] = [world.students[3].monitoring_id, "免测", *[None] * 8]
    ri = _run(world, pe_rows, header=PE_HEADER, kind="pe", domain="")
    assert ri.state == ResultImport.State.ACTIVE, ri.batch.errors
    measured = {m.student_id: m for m in PeMeasurement.objects.filter(result_import=ri)}
    assert measured[world.students[3].pk].attendance == Attendance.EXEMPT and measured[world.students[3].pk].height_cm is None
    assert measured[world.students[0].pk].vision_left == 5.0 and measured[world.students[0].pk].rope_skipping == 120


def _duplicate(rows, world):
    rows[5][0] = rows[4][0]


def _unknown(rows, world):
    rows[5][0] = "369999G4S09-01"


def _out_of_range(rows, world):
    rows[5][3] = 1001.0


def _absent_with_score(rows, world):
    rows[0][3] = 10.0


def _absent_with_item(rows, world):
    rows[0][5] = 1.0


def _tested_without_score(rows, world):
    rows[5][3] = None


def _other_domain(rows, world):
    rows[5][1] = "语文"


def _excluded_yet_tested(rows, world):
    world.students[5].exclusion = "moved"
    world.students[5].save()


@pytest.mark.parametrize(
    ("fault", "where"),
    [
        (_duplicate, (7, "监测编号")),
        (_unknown, (7, "监测编号")),
        (_out_of_range, (7, "成绩")),
        (_absent_with_score, (2, "成绩")),
        (_absent_with_item, (2, "题2")),
        (_tested_without_score, (7, "成绩")),
        (_other_domain, (7, "学科领域")),
        (_excluded_yet_tested, (7, "监测编号")),
    ],
)
def test_each_fault_is_named_once_by_row_and_column_and_nothing_is_stored(results_world, fault, where):
    rows = _score_rows(results_world)
    fault(rows, results_world)
    ri = _run(results_world, rows, header=[*SCORE_HEADER, *ITEMS])
    assert ri.state == ResultImport.State.REFUSED
    assert [(e["row"], e["column"]) for e in ri.batch.errors] == [where]
    assert not StudentScore.objects.exists()


def test_a_pe_file_measuring_an_exempt_student_names_the_status_cell(results_world):
    world = results_world
    world.students[2].pe_exempt = True
    world.students[2].save()
    rows = [[s.monitoring_id, "", 140, 35, 5.0, 4.8, 1800, 9.5, 8, 120] for s in world.students]
    ri = _run(world, rows, header=PE_HEADER, kind="pe", domain="")
    assert ri.state == ResultImport.State.REFUSED
    assert [(e["row"], e["column"]) for e in ri.batch.errors] == [(4, "状态")]
    assert not PeMeasurement.objects.exists()


def test_each_grade_is_checked_against_its_own_scale(results_world):
    """Each grade's own scale: a score the grade-8 scale allows is out of the grade-4 one."""
    world = results_world
    eighth = make_sample(world.round, schools=[world.school_a], grade=8, per_school=2)
    cut = imports.cut_scores_of(rnd=world.round, domain="math", grade=4)
    cut.max_score, cut.level4 = 700, 650
    cut.save()
    rows = [[s.monitoring_id, "数学", "", 750.0 if s in eighth else 600.0] for s in [*world.students, *eighth]]
    rows[0][3] = 750.0
    ri = _run(world, rows, header=SCORE_HEADER)
    assert [(e["row"], e["column"]) for e in ri.batch.errors] == [(2, "成绩")] and "700" in ri.batch.errors[0]["message"]
    rows[0][3] = 600.0
    ri = _run(world, rows, header=SCORE_HEADER)
    assert ri.state == ResultImport.State.ACTIVE and StudentScore.objects.filter(result_import=ri).count() == 10


ODD_TEXT = 'tab\there, new\nline, back\\slash \\N, "quoted", 中文, \r return'


def test_every_value_is_written_back_exactly(results_world):
    """The same rows come back on either database: COPY on PostgreSQL, INSERT on SQLite."""
    ri = _import(results_world)
    odd_items = json.dumps({"题1": ODD_TEXT}, ensure_ascii=False)
    students = results_world.students
    rows = [
        (ri.pk, students[0].pk, Attendance.PRESENT, 512.25, "{}"),
        (ri.pk, students[1].pk, Attendance.ABSENT, None, "{}"),
        (ri.pk, students[2].pk, Attendance.PRESENT, 1e-05, odd_items),
        (ri.pk, students[3].pk, Attendance.PRESENT, 0.1 + 0.2, '{"题2": 0.5}'),
    ]
    insert_rows(StudentScore, ["result_import_id", "student_id", "attendance", "score", "items"], rows)
    back = StudentScore.objects.filter(result_import=ri).order_by("student_id")
    assert [(s.student_id, s.attendance, s.score) for s in back] == [r[1:4] for r in rows]
    assert [s.items for s in back] == [{}, {}, {"题1": ODD_TEXT}, {"题2": 0.5}]


def test_a_fault_part_way_through_the_write_leaves_nothing(results_world, monkeypatch, django_capture_on_commit_callbacks):
    """The second chunk breaks the unique constraint: the first is undone with it, and the
    import in use stays in use."""
    world = results_world
    first, second = (
        _import(world, data=xlsx_bytes([[s.monitoring_id, "数学", "", score] for s in world.students], header=SCORE_HEADER), name="s.xlsx")
        for score in (500, 600)
    )
    assert result_import_run(result_import_id=first.pk).state == ResultImport.State.ACTIVE
    real_check = imports._check_rows

    def check_then_break(*args):
        rows = real_check(*args)
        return [*rows, rows[0]]  # the same student twice, at the end of the write

    monkeypatch.setattr(imports, "_check_rows", check_then_break)
    monkeypatch.setattr(imports, "CHUNK_ROWS", 3)
    with pytest.raises(IntegrityError):
        result_import_run(result_import_id=second.pk, confirm=True)
    first.refresh_from_db()
    assert first.state == ResultImport.State.ACTIVE
    assert not StudentScore.objects.filter(result_import=second).exists()
    assert StudentScore.objects.filter(result_import=first).count() == 8


def test_blank_cells_are_named_and_blank_rows_skipped(results_world):
    ids = [s.monitoring_id for s in results_world.students]
    rows = [
        [ids[0], "数学", "", 500],
        ["  ", "数学", "", 500],  # row 3: no ID
        [None, None, None, None],  # row 4: blank, skipped
        [ids[1], "数学", "", 500],
        [None, "", " ", None],  # blank rows at the end: skipped too
        [None, None, None, None],
    ]
    ri = _import(results_world, data=xlsx_bytes(rows, header=SCORE_HEADER), name="s.xlsx")
    result_import_run(result_import_id=ri.pk)
    ri.refresh_from_db()
    assert ri.state == ResultImport.State.REFUSED
    assert [(e["row"], e["column"]) for e in ri.batch.errors] == [(3, "监测编号")]
    assert ri.batch.rows_total == 3


def test_a_zip_that_holds_no_workbook_is_refused_in_the_users_language(results_world, settings):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("notes.txt", "not a workbook")
    ri = _import(results_world, data=out.getvalue(), name="s.xlsx")
    with translation.override("en"):
        result_import_run(result_import_id=ri.pk)
    ri.refresh_from_db()
    assert ri.state == ResultImport.State.REFUSED
    assert ri.batch.errors[0]["message"].startswith("The workbook could not be opened")
