"""Benchmark of the results slice (not a test): run ``.venv/bin/python benchmarks/bench_results.py``.

1. Import of a national-scale score file for one domain — 340 counties × 600 students =
   204,000 rows — end to end (file → checks → one transaction), in rows per second, beside
   the time the same reader (python-calamine) needs only to read the file. Goal: under
   30 s (the ratio to the reading time is printed, not a goal). Then the parts one by one, and the time the
   database takes only to write the same rows: the floor under the end to end.
2. Estimates with standard errors (weighted mean, level shares, sex and location gaps,
   variance components and 差异系数, the classic school table) for one county (goal < 1 s)
   and for all 340 (goal < 60 s), from the imported rows.

Self-contained: a temporary SQLite database unless DATABASE_URL is set (then that database
is migrated and filled: give it an empty one). ``--counties 20`` runs a smaller size;
``--repeat 3`` runs the import three times (the machine may be shared: report best and spread).
"""

from __future__ import annotations

import argparse
import io
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _setup(tmp: Path) -> None:
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{tmp / 'bench.sqlite3'}")
    os.environ["DJANGO_MEDIA_ROOT"] = str(tmp / "media")
    os.environ["UPLOAD_MAX_MB"] = "100"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "monitoring_site.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _build(counties: int) -> tuple:
    """One round holding every county's sample: 12 grade-4 and 8 grade-8 schools per county,
    30 students each (600 a county), weights varying by school."""
    from django.contrib.auth import get_user_model

    from rounds.models import County, Round, School
    from rounds.services import region_city_ensure
    from sampling.models import SampledSchool, SampledStudent

    rng = random.Random(2021)
    user = get_user_model().objects.create_user("bench", password=None)
    home = County.objects.create(code="990000", name="基准县", city=region_city_ensure(province="基准省", city="基准市"))
    rnd = Round.objects.create(
        county=home,
        year=2027,
        cycle_year=1,
        domains=["math"],
        grades=[4, 8],
        test_start="2027-05-26",
        test_end="2027-05-27",
        created_by=user,
    )
    schools, sampled, students = [], [], []
    serial = {4: 0, 8: 0}
    for c in range(counties):
        county = County.objects.create(
            code=f"{900000 + c + 1:06d}", name=f"县{c}", city=region_city_ensure(province="基准省", city="基准市")
        )
        for s in range(20):
            grade = 4 if s < 12 else 8
            schools.append(
                School(
                    county=county,
                    code=f"{9000000000 + c * 100 + s}",
                    name=f"县{c}校{s}",
                    school_type="primary" if grade == 4 else "junior",
                    location=("urban", "town", "rural")[s % 3],
                )
            )
    School.objects.bulk_create(schools, batch_size=2000)
    schools = list(School.objects.filter(code__startswith="9").order_by("code"))
    for school in schools:
        grade = 4 if school.school_type == "primary" else 8
        serial[grade] += 1
        sampled.append(
            SampledSchool(
                round=rnd, grade=grade, school=school, serial=serial[grade], enrolment=rng.randint(60, 400), probability=0.5, weight=2.0
            )
        )
    SampledSchool.objects.bulk_create(sampled, batch_size=2000)
    ids = []
    for ss in SampledSchool.objects.filter(round=rnd).select_related("school"):
        weight = ss.enrolment / 30 * 2
        for n in range(30):
            mid = f"{ss.school.code}-{n:02d}"
            ids.append((mid, ss.grade, ss.school.county_id, ss.school.location))
            students.append(
                SampledStudent(
                    sampled_school=ss,
                    monitoring_id=mid,
                    name="",
                    sex="MF"[n % 2],
                    birth_date="2017-01-01",
                    within_probability=0.3,
                    final_weight=weight,
                )
            )
    SampledStudent.objects.bulk_create(students, batch_size=5000)
    return rnd, user, ids


def _score_file(ids, path: Path) -> bytes:
    from openpyxl import Workbook

    rng = random.Random(7)
    school_effect: dict[str, float] = {}
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("数学成绩")
    sheet.append(["监测编号", "学科领域", "状态", "成绩"])
    for mid, _grade, _county, _location in ids:
        effect = school_effect.setdefault(mid.split("-")[0], rng.gauss(0, 40))
        if rng.random() < 0.02:
            sheet.append([mid, "数学", "缺考", None])
        else:
            sheet.append([mid, "数学", None, round(min(1000, max(0, 500 + effect + rng.gauss(0, 85))), 1)])
    workbook.save(path)
    return path.read_bytes()


def _timed(label: str, fn):
    started = time.perf_counter()
    value = fn()
    elapsed = time.perf_counter() - started
    print(f"  {label:<58} {elapsed:8.2f} s")
    return value, elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--counties", type=int, default=340)
    parser.add_argument("--repeat", type=int, default=1, help="run the import this many times (best and spread)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        _setup(tmp)
        rows = args.counties * 600
        print(f"results benchmark: {args.counties} counties × 600 students = {rows:,} rows")
        (rnd, user, ids), _ = _timed("setup: schools and sampled students (not measured)", lambda: _build(args.counties))
        data, _ = _timed("setup: write the .xlsx (not measured)", lambda: _score_file(ids, tmp / "scores.xlsx"))
        print(f"  file size {len(data) / 1e6:.1f} MB")
        _import_part(rnd, user, data, rows, args.repeat)
        _estimate_part(rnd, ids, args.counties)


def _import_part(rnd, user, data: bytes, rows: int, repeat: int) -> None:
    from django.core.files.base import ContentFile
    from django.db import connection, transaction
    from python_calamine import CalamineWorkbook

    from monitoring_site.spreadsheets import read_table
    from results import imports
    from results.models import ResultImport, StudentScore
    from rounds.models import ImportBatch

    def new_import(state=ResultImport.State.CHECKING):
        batch = ImportBatch.objects.create(
            kind="results_scores", county=rnd.county, file=ContentFile(data, name="s.xlsx"), original_name="s.xlsx", uploaded_by=user
        )
        return ResultImport.objects.create(round=rnd, kind="scores", domain="math", batch=batch, state=state)

    print(f"import ({connection.vendor}; {repeat} run(s), each after the last one's rows are deleted)")
    for run in range(1, repeat + 1):
        if run > 1:
            StudentScore.objects.all().delete()
            ResultImport.objects.all().delete()
        _, read = _timed(
            "read only (calamine, every cell)",
            lambda: CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python(skip_empty_area=False),
        )
        ri = new_import()
        ri, total = _timed("end to end (result_import_run)", lambda ri=ri: imports.result_import_run(result_import_id=ri.pk))
        assert ri.state == ResultImport.State.ACTIVE, ri.batch.errors[:3]
        assert StudentScore.objects.filter(result_import=ri).count() == rows
        print(
            f"  run {run}: {rows / total:,.0f} rows/s; end to end = {total / read:.2f} × the reading time "
            f"(goal: < 30 s: {'met' if total < 30 else 'NOT met'})"
        )

    print("  the parts, each alone (where the time goes):")
    table, _ = _timed(
        "  read and every cell parsed (read_table)",
        lambda: read_table(
            data, name="s.xlsx", columns=imports.score_columns(), max_rows=imports.MAX_RESULT_ROWS, extra=imports._item_columns
        ),
    )
    students, _ = _timed("  the sample (_students_of)", lambda: imports._students_of(ri))
    errors: list = []
    checked, _ = _timed("  rows checked against the sample (_check_rows)", lambda: imports._check_rows(ri, table, students, errors))
    assert not errors
    floor = new_import(state=ResultImport.State.REFUSED)
    again = [(floor.pk, *row[1:]) for row in checked]

    def write():
        with transaction.atomic():
            imports.insert_rows(StudentScore, ["result_import_id", "student_id", "attendance", "score", "items"], again)

    _, written = _timed("  the same rows, written alone (insert_rows)", write)
    print(
        f"  writing alone = {written / read:.2f} × the last reading time: reading plus writing alone make "
        f"{1 + written / read:.2f} ×, with this schema's indexes and foreign keys, before any check"
    )
    StudentScore.objects.filter(result_import=floor).delete()


def _estimate_part(rnd, ids, counties: int) -> None:
    import numpy as np

    from results.estimation import group_gap, jackknife, level_shares, school_table, variance_components
    from results.models import Attendance, StudentScore

    print("estimates (per county and grade: mean, levels, sex and location gaps, ICC, CV, school tables)")

    def load():
        rows = StudentScore.objects.filter(result_import__round=rnd, attendance=Attendance.PRESENT).values_list(
            "score",
            "student__final_weight",
            "student__sampled_school_id",
            "student__sex",
            "student__sampled_school__school__location",
            "student__sampled_school__school__county_id",
            "student__sampled_school__grade",
        )
        return [np.asarray(col) for col in zip(*rows, strict=True)]

    cols, _ = _timed("read every county's scores from the database (one query)", load)
    score, weight, school, sex, location, county, grade = cols
    order = np.argsort(county, kind="stable")
    bounds = np.flatnonzero(np.diff(county[order])) + 1

    def one(idx):
        for g in (4, 8):
            sel = idx[grade[idx] == g]
            common = {"weights": weight[sel].astype(float), "clusters": school[sel]}
            y = score[sel].astype(float)
            jackknife(values=y, **common)
            level_shares(scores=y, cuts=[400, 500, 600], **common)
            group_gap(values=y, groups=sex[sel], first="F", second="M", **common)
            group_gap(values=y, groups=location[sel], first="urban", second="rural", **common)
            variance_components(values=y, **common)
            for s in np.unique(school[sel]):
                school_table(scores=y[school[sel] == s], pass_mark=400, excellent_mark=600, low_mark=300, bands=[0, 300, 400, 500, 600])

    groups = np.split(order, bounds)
    _, single = _timed("one county", lambda: one(groups[0]))
    _, every = _timed(f"all {counties} counties", lambda: [one(g) for g in groups])
    print(f"  goals: one county < 1 s: {'met' if single < 1 else 'NOT met'}; all < 60 s: {'met' if every < 60 else 'NOT met'}")


if __name__ == "__main__":
    main()
