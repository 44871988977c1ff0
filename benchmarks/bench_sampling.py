"""Benchmark (not a test): the national school draw and a county-sized roster upload.

1. A national frame of 340 counties × 600 schools (~204,000 schools): in every county, draw
   12 grade-4 and 8 grade-8 schools by PPS systematic sampling (goal: under 2 s in all).
2. A 5,000-row grade roster uploaded end to end through the import service — the workbook
   read and checked row by row, the cross-row checks and the write (goal: under 3 s).

    .venv/bin/python benchmarks/bench_sampling.py            # a temporary SQLite database
    DATABASE_URL=postgres://… .venv/bin/python benchmarks/bench_sampling.py [--size ci]

``--size ci``: 20 counties and a 500-row roster.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
TMP = tempfile.TemporaryDirectory(prefix="bench-sampling-")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{TMP.name}/bench.sqlite3")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "monitoring_site.settings")
os.environ.setdefault("DJANGO_MEDIA_ROOT", f"{TMP.name}/media")

import django  # noqa: E402

django.setup()

import argparse  # noqa: E402
import datetime as dt  # noqa: E402
import io  # noqa: E402
import random  # noqa: E402

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.files.base import ContentFile  # noqa: E402
from django.core.management import call_command  # noqa: E402
from figures import Figure, add_arguments, emit  # noqa: E402
from openpyxl import Workbook  # noqa: E402

from rounds.models import County, ImportBatch, School, SchoolType, Stage  # noqa: E402
from rounds.services import region_city_ensure, round_create  # noqa: E402
from sampling import services  # noqa: E402
from sampling.design import FrameUnit, pps_systematic  # noqa: E402
from sampling.imports import roster_import_run  # noqa: E402
from sampling.models import RosterEntry, RosterUpload, SampledSchool  # noqa: E402

COUNTIES, SCHOOLS_PER_COUNTY, ROSTER_ROWS = 340, 600, 5000
SIZES = {"full": (340, 5000), "ci": (20, 500)}  # counties, roster rows
LOCATIONS = ("urban", "town", "rural")


def national_frame(rng: random.Random) -> list[tuple[list[FrameUnit], list[FrameUnit]]]:
    """Per county, the grade-4 and grade-8 populations: primaries, juniors and nine-year schools."""
    counties = []
    for c in range(COUNTIES):
        g4, g8 = [], []
        for s in range(SCHOOLS_PER_COUNTY):
            kind = rng.random()
            location = rng.choice(LOCATIONS)
            size = max(0, int(rng.lognormvariate(4.2, 0.9)))
            uid = c * SCHOOLS_PER_COUNTY + s
            if kind < 0.65:
                g4.append(FrameUnit(uid, size, location, "primary"))
            elif kind < 0.9:
                g8.append(FrameUnit(uid, size * 2, location, "junior"))
            else:
                g4.append(FrameUnit(uid, size, location, "nine_year"))
                g8.append(FrameUnit(uid, size, location, "nine_year"))
        counties.append((g4, g8))
    return counties


def bench_national_draw() -> list[Figure]:
    rng = random.Random(2027)
    started = time.perf_counter()
    frame = national_frame(rng)
    built = time.perf_counter() - started
    schools = sum(len(g4) + len(g8) for g4, g8 in frame)
    started = time.perf_counter()
    drawn = 0
    for county, (g4, g8) in enumerate(frame):
        drawn += len(pps_systematic(units=g4, n=12, seed=county).selected)
        drawn += len(pps_systematic(units=g8, n=8, seed=10_000 + county).selected)
    elapsed = time.perf_counter() - started
    assert drawn == COUNTIES * 20, drawn
    print(
        f"national frame: {COUNTIES} counties × {SCHOOLS_PER_COUNTY} schools "
        f"({schools:,} school entries in the two grade populations), built in {built:.2f} s"
    )
    print(
        f"  PPS draws of 12 + 8 schools in every county: {drawn:,} schools in {elapsed:.3f} s "
        f"({elapsed / COUNTIES * 1000:.2f} ms a county) — goal < 2 s: {'OK' if elapsed < 2 else 'MISSED'}"
    )
    return [
        Figure(
            f"sampling: PPS school draws in {COUNTIES} counties × {SCHOOLS_PER_COUNTY} schools",
            "time",
            round(elapsed, 3),
            "s",
            "< 2 s",
            elapsed < 2,
        )
    ]


def roster_workbook(n: int, *, born: int) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("名册")
    sheet.append(["姓名", "性别", "出生日期", "年级", "班级", "学籍号"])
    surnames = "王李张刘陈杨黄赵吴周"
    for i in range(n):
        sheet.append(
            [
                f"{surnames[i % 10]}生{i:05d}",
                "男" if i % 2 else "女",
                dt.date(born, 1 + i % 12, 1 + i % 28),
                4,
                f"{1 + i % 12}班",
                f"G369901{born}{i:08d}",
            ]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def bench_roster_upload() -> list[Figure]:
    call_command("migrate", verbosity=0)
    user = get_user_model().objects.create_user("bench")
    county = County.objects.create(code="369901", name="基准县", city=region_city_ensure(province="华阳省", city="东陵市"))
    school = School.objects.create(county=county, code="3699010001", name="基准小学", school_type=SchoolType.PRIMARY, location="urban")
    rnd = round_create(county=county, year=2027, cycle_year=1, test_start=dt.date(2027, 5, 26), test_end=dt.date(2027, 5, 27), user=user)
    rnd.stage = Stage.SAMPLING
    rnd.save()
    services.frame_build(rnd=rnd, user=user)
    services.frame_update(rnd=rnd, enrolments={school.pk: (ROSTER_ROWS, 0)}, user=user)
    draw = services.school_draw_run(rnd=rnd, grade=4, n=12, seed=1, sort_order="location,school_type,size", user=user)
    services.school_draw_confirm(draw=draw, user=user)
    sampled = SampledSchool.objects.get(round=rnd)
    data = roster_workbook(ROSTER_ROWS, born=2017)

    started = time.perf_counter()
    batch = ImportBatch.objects.create(
        kind="sampling_roster", county=county, file=ContentFile(data, name="roster.xlsx"), original_name="roster.xlsx", uploaded_by=user
    )
    RosterUpload.objects.create(sampled_school=sampled, batch=batch)
    batch = roster_import_run(batch_id=batch.pk)
    elapsed = time.perf_counter() - started
    assert batch.status == ImportBatch.Status.DONE, batch.errors[:3]
    assert RosterEntry.objects.filter(roster__sampled_school=sampled).count() == ROSTER_ROWS
    print(
        f"roster upload: {ROSTER_ROWS:,} rows ({len(data) / 1024:.0f} KB workbook) stored, read, checked and written "
        f"in {elapsed:.3f} s — goal < 3 s: {'OK' if elapsed < 3 else 'MISSED'}"
    )

    figures = [Figure(f"sampling: roster upload of {ROSTER_ROWS:,} rows", "time, end to end", round(elapsed, 3), "s", "< 3 s", elapsed < 3)]
    from sampling.students import student_draw_confirm, student_draw_run

    started = time.perf_counter()
    student_draw_run(rnd=rnd, seed=7, user=user)
    student_draw_confirm(rnd=rnd, user=user)
    drawn = time.perf_counter() - started
    print(f"  student draw of 30 from {ROSTER_ROWS:,} and confirmation (deleting {ROSTER_ROWS - 30:,} pupils' details): {drawn:.3f} s")
    return figures + [Figure(f"sampling: student draw of 30 from {ROSTER_ROWS:,}, confirmed", "time", round(drawn, 3), "s")]


def run(size: str = "full") -> list[Figure]:
    global COUNTIES, ROSTER_ROWS
    COUNTIES, ROSTER_ROWS = SIZES[size]
    print(f"database: {django.db.connection.vendor}")
    return bench_national_draw() + bench_roster_upload()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_arguments(parser)
    args = parser.parse_args()
    emit(run(args.size), args.figures)
