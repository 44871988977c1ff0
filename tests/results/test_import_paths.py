"""The fast ways of the result import: the column-at-once check against the row-by-row one, the
bulk write (COPY on PostgreSQL, multi-row INSERT on SQLite) against what was meant, and the
all-or-nothing transaction when the write fails part way."""

import io
import json
import zipfile

import pytest
from django.core.files.base import ContentFile
from django.db import IntegrityError
from django.utils import translation

from results import imports
from results.imports import (
    MAX_RESULT_ROWS,
    _check_rows,
    _item_columns,
    _rows_at_once,
    _rows_one_by_one,
    _students_of,
    copy_text,
    insert_rows,
    pe_columns,
    result_import_run,
    score_columns,
)
from results.models import Attendance, ResultImport, StudentScore
from results.readers import parse_rows
from rounds.models import ImportBatch

from .factories import PE_HEADER, SCORE_HEADER, make_sample, xlsx_bytes

ITEMS = ["题1", "题2"]


def _import(world, *, kind="scores", domain="math", data=b"-", name="x.csv") -> ResultImport:
    batch = ImportBatch.objects.create(
        kind=f"results_{kind}", county=world.round.county, file=ContentFile(data, name=name), original_name=name, uploaded_by=world.staff
    )
    return ResultImport.objects.create(round=world.round, kind=kind, domain=domain, batch=batch)


def _both_ways(ri, rows, *, header):
    """The rows to write found column by column at once and row by row, and the faults."""
    pe = ri.kind == ResultImport.Kind.PE
    table = parse_rows(
        [header, *rows], columns=pe_columns() if pe else score_columns(), max_rows=MAX_RESULT_ROWS, extra=None if pe else _item_columns
    )
    assert table.errors == []
    students = _students_of(ri)
    value_columns = [c for c in table.columns if c.field not in ("monitoring_id", "domain", "attendance")]
    ranges = {4: (0, 1000), 8: (0, 1000)}
    faults = []
    one_by_one = _rows_one_by_one(ri, table, students, value_columns, ranges, faults)
    at_once = _rows_at_once(ri, table, students, value_columns, ranges)
    return at_once, sorted(one_by_one, key=lambda r: r[1]), faults


def _score_rows(world):
    rows = [[s.monitoring_id, "数学", "", 400.0 + i, i % 3, None if i % 2 else 0.5] for i, s in enumerate(world.students)]
    rows[0][2:] = ["缺考", None, None, None]
    rows[1][2:] = ["免测", None, None, None]
    return rows


def test_both_checks_give_the_same_rows_for_a_file_without_faults(results_world):
    world = results_world
    world.students[3].exclusion = "moved"
    world.students[3].save()
    rows = _score_rows(world)
    rows[3][2:] = ["缺考", None, None, None]  # an excluded student marked absent is no fault
    at_once, one_by_one, faults = _both_ways(_import(world), rows, header=[*SCORE_HEADER, *ITEMS])
    assert faults == []
    assert sorted(at_once, key=lambda r: r[1]) == one_by_one
    by_student = {r[1]: r[2:] for r in one_by_one}
    assert by_student[world.students[0].pk] == (Attendance.ABSENT, None, "{}")
    assert by_student[world.students[4].pk] == (Attendance.PRESENT, 404.0, '{"题1": 1.0, "题2": 0.5}')
    assert by_student[world.students[5].pk] == (Attendance.PRESENT, 405.0, '{"题1": 2.0}')

    pe_rows = [[s.monitoring_id, "", 140, 35, 5.0, 4.8, 1800, 9.5, 8, 120] for s in world.students]
    pe_rows[3] = [world.students[3].monitoring_id, "免测", *[None] * 8]
    at_once, one_by_one, faults = _both_ways(_import(world, kind="pe", domain=""), pe_rows, header=PE_HEADER)
    assert faults == [] and sorted(at_once, key=lambda r: r[1]) == one_by_one
    assert {r[1]: r[2] for r in at_once}[world.students[3].pk] == Attendance.EXEMPT


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
    "fault",
    [
        _duplicate,
        _unknown,
        _out_of_range,
        _absent_with_score,
        _absent_with_item,
        _tested_without_score,
        _other_domain,
        _excluded_yet_tested,
    ],
)
def test_the_check_at_once_never_passes_a_fault(results_world, fault):
    rows = _score_rows(results_world)
    fault(rows, results_world)
    at_once, _rows, faults = _both_ways(_import(results_world), rows, header=[*SCORE_HEADER, *ITEMS])
    assert at_once is None and len(faults) == 1


def test_a_pe_file_measuring_an_exempt_student_is_left_to_the_row_check(results_world):
    world = results_world
    world.students[2].pe_exempt = True
    world.students[2].save()
    rows = [[s.monitoring_id, "", 140, 35, 5.0, 4.8, 1800, 9.5, 8, 120] for s in world.students]
    at_once, _rows, faults = _both_ways(_import(world, kind="pe", domain=""), rows, header=PE_HEADER)
    assert at_once is None and [(f.row, f.column) for f in faults] == [(4, "状态")]


def test_a_grade_with_a_narrower_scale_is_checked_at_once(results_world):
    """Each grade's own scale: a score the grade-8 scale allows is out of the grade-4 one."""
    world = results_world
    eighth = make_sample(world.round, schools=[world.school_a], grade=8, per_school=2)
    ri = _import(world)
    cut = imports.cut_scores_of(rnd=world.round, domain="math", grade=4)
    cut.max_score, cut.level4 = 700, 650
    cut.save()
    rows = [[s.monitoring_id, "数学", "", 750.0 if s in eighth else 600.0] for s in [*world.students, *eighth]]
    table = parse_rows([SCORE_HEADER, *rows], columns=score_columns(), max_rows=MAX_RESULT_ROWS)
    faults = []
    assert len(_check_rows(ri, table, _students_of(ri), faults)) == 10 and faults == []
    rows[0][3] = 750.0
    table = parse_rows([SCORE_HEADER, *rows], columns=score_columns(), max_rows=MAX_RESULT_ROWS)
    _check_rows(ri, table, _students_of(ri), faults)
    assert [(f.row, f.column) for f in faults] == [(2, "成绩")] and "700" in faults[0].message


ODD_TEXT = 'tab\there, new\nline, back\\slash \\N, "quoted", 中文, \r return'


def test_copy_text_escapes_only_when_a_text_needs_it():
    plain = [(1, 2, "present", 512.5, "{}"), (1, 3, "absent", None, "{}")]
    assert copy_text(plain) == "1\t2\tpresent\t512.5\t{}\n1\t3\tabsent\t\\N\t{}\n"
    odd = [(1, 2, "present", 0.1, ODD_TEXT)]
    assert copy_text(odd) == '1\t2\tpresent\t0.1\ttab\\there, new\\nline, back\\\\slash \\\\N, "quoted", 中文, \\r return\n'


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
        return [*rows, rows[0]]  # the same student twice, in the last chunk

    monkeypatch.setattr(imports, "_check_rows", check_then_break)
    monkeypatch.setattr(imports, "CHUNK_ROWS", 3)
    with pytest.raises(IntegrityError):
        result_import_run(result_import_id=second.pk, confirm=True)
    first.refresh_from_db()
    assert first.state == ResultImport.State.ACTIVE
    assert not StudentScore.objects.filter(result_import=second).exists()
    assert StudentScore.objects.filter(result_import=first).count() == 8


def test_blank_cells_and_rows_are_named_and_trailing_blank_rows_ignored(results_world):
    ids = [s.monitoring_id for s in results_world.students]
    rows = [
        [ids[0], "数学", "", 500],
        ["  ", "数学", "", 500],  # row 3: no ID
        [None, None, None, None],  # row 4: blank, before data
        [ids[1], "数学", "", 500],
        [None, "", " ", None],  # trailing blank rows: ignored
        [None, None, None, None],
    ]
    ri = _import(results_world, data=xlsx_bytes(rows, header=SCORE_HEADER), name="s.xlsx")
    result_import_run(result_import_id=ri.pk)
    ri.refresh_from_db()
    assert ri.state == ResultImport.State.REFUSED
    assert [(e["row"], e["column"]) for e in ri.batch.errors] == [(3, "监测编号"), (4, "")]
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
