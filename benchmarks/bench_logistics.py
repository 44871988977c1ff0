"""Benchmark (not a test): the readiness dashboard at province scale.

340 counties × 20 sample schools × 40 checklist items (~272,000 answers). Prints the server
time per dashboard page and its number of queries for counties whose samples have 5, 10, 20
and 40 schools: the query count must stay the same, the time under 300 ms.

    .venv/bin/python benchmarks/bench_logistics.py            # a temporary SQLite database
    DATABASE_URL=postgres://… .venv/bin/python benchmarks/bench_logistics.py [--size ci]

``--size ci``: 10 counties instead of 340.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
TMP = tempfile.TemporaryDirectory(prefix="bench-logistics-")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{TMP.name}/bench.sqlite3")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "monitoring_site.settings")

import django  # noqa: E402

django.setup()

import argparse  # noqa: E402
import datetime as dt  # noqa: E402
import random  # noqa: E402

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from figures import Figure, add_arguments, emit  # noqa: E402

from logistics.models import Checklist, ChecklistAnswer, ChecklistItem, ChecklistRoom, ChecklistTemplate, ItemKind  # noqa: E402
from monitoring_site.roles import Role  # noqa: E402
from rounds.models import County, Milestone, MilestoneKind, Person, Round, School  # noqa: E402
from rounds.services import region_city_ensure  # noqa: E402
from sampling.models import SampledSchool  # noqa: E402

COUNTIES, SCHOOLS, ROOMS, ITEMS_PER_ROOM = 340, 20, 8, 5
SIZES = {"full": 340, "ci": 10}  # counties
PROBES = (5, 10, 20, 40)  # extra counties with these sample sizes, to show the query count is flat
KINDS = [ItemKind.YES_NO, ItemKind.YES_NO, ItemKind.COUNT, ItemKind.TEXT, ItemKind.LOCATION]
BATCH = 5000


def build() -> dict[int, County]:
    rng = random.Random(340)
    counties = County.objects.bulk_create(
        County(code=f"{400000 + n:06d}", name=f"县{n}", city=region_city_ensure(province="省", city="市"))
        for n in range(COUNTIES + len(PROBES))
    )
    sizes = [SCHOOLS] * COUNTIES + list(PROBES)
    schools = School.objects.bulk_create(
        (
            School(county=c, code=f"{c.code}{k:04d}", name=f"{c.name}第{k}小学", school_type="primary", location="rural")
            for c, size in zip(counties, sizes, strict=True)
            for k in range(size)
        ),
        batch_size=BATCH,
    )
    rounds = Round.objects.bulk_create(
        Round(
            county=c,
            year=2027,
            cycle_year=1,
            domains=["math"],
            grades=[4],
            test_start=dt.date(2027, 5, 26),
            test_end=dt.date(2027, 5, 27),
            stage="preparation",
        )
        for c in counties
    )
    Milestone.objects.bulk_create(Milestone(round=r, kind=MilestoneKind.CHECKLISTS_DUE, due_date=dt.date(2027, 5, 19)) for r in rounds)
    templates = ChecklistTemplate.objects.bulk_create(ChecklistTemplate(round=r) for r in rounds)
    rooms = ChecklistRoom.objects.bulk_create(
        (ChecklistRoom(template=t, code=f"r{k}", title=f"第{k}室", order=k) for t in templates for k in range(ROOMS)), batch_size=BATCH
    )
    items = ChecklistItem.objects.bulk_create(
        (
            ChecklistItem(
                room=room,
                order=k,
                text=f"项目{k}",
                kind=KINDS[k],
                minimum=30 if KINDS[k] == ItemKind.COUNT else None,
                photo_required=k == 0,
            )
            for room in rooms
            for k in range(ITEMS_PER_ROOM)
        ),
        batch_size=BATCH,
    )
    items_by_round: dict[int, list[ChecklistItem]] = {}
    template_round = {t.pk: t.round_id for t in templates}
    room_template = {room.pk: room.template_id for room in rooms}
    for item in items:
        items_by_round.setdefault(template_round[room_template[item.room_id]], []).append(item)
    round_of = {r.county_id: r for r in rounds}
    SampledSchool.objects.bulk_create(
        (
            SampledSchool(round=round_of[s.county_id], grade=4, school=s, serial=n, enrolment=100, probability=0.5, weight=2.0)
            for n, s in enumerate(schools)
        ),
        batch_size=BATCH,
    )
    statuses = ["draft", "submitted", "returned", "approved"]
    checklists = Checklist.objects.bulk_create(
        (Checklist(round=round_of[s.county_id], school=s, status=rng.choice(statuses)) for s in schools), batch_size=BATCH
    )
    answers = (
        ChecklistAnswer(
            checklist=c,
            item=item,
            value_yes=True,
            value_count=rng.randint(25, 35),
            value_text="张老师",
            building="综合楼",
            floor="2",
            room_name="201",
        )
        for c in checklists
        for item in items_by_round[c.round_id]
        if rng.random() < 0.98
    )
    total = 0
    chunk: list[ChecklistAnswer] = []
    for answer in answers:
        chunk.append(answer)
        if len(chunk) == BATCH:
            ChecklistAnswer.objects.bulk_create(chunk)
            total += len(chunk)
            chunk = []
    ChecklistAnswer.objects.bulk_create(chunk)
    total += len(chunk)
    print(f"built {len(counties)} counties, {len(schools)} sample schools, {len(items)} items, {total} answers")
    return {size: county for county, size in zip(counties[COUNTIES:], PROBES, strict=True)} | {SCHOOLS: counties[COUNTIES // 2]}


def measure(county: County, repeats: int = 7) -> tuple[float, float, int]:
    user = get_user_model().objects.create_user(f"staff{county.code}")
    Person.objects.create(user=user, county=county, role=Role.COUNTY_STAFF, must_change_password=False)
    client = Client()
    client.force_login(user)
    url = reverse("readiness_dashboard", kwargs={"round_pk": Round.objects.get(county=county).pk})
    assert client.get(url).status_code == 200  # warm-up
    times = []
    for _n in range(repeats):
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200
    return statistics.median(times), max(times), len(queries.captured_queries)


def run(size: str = "full") -> list[Figure]:
    global COUNTIES
    COUNTIES = SIZES[size]
    print(f"database: {connection.vendor} ({os.environ['DATABASE_URL'].split('@')[-1]})")
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    probes = build()
    with connection.cursor() as cursor:
        # Table statistics, as autovacuum (on by default; off on some test servers) gathers them
        # within a minute of a bulk load: without them PostgreSQL plans the freshly filled answers
        # table with a sequential scan of all ~270,000 rows for one county's 40 checklists.
        cursor.execute("ANALYZE")
    print(f"setup took {time.perf_counter() - started:.0f} s\n")
    print(f"{'schools in county':>18} {'median ms':>10} {'max ms':>8} {'queries':>8}")
    results = []
    for size in sorted(probes):
        median, worst, queries = measure(probes[size])
        results.append((size, median, worst, queries))
        print(f"{size:>18} {median:>10.1f} {worst:>8.1f} {queries:>8}")
    flat = len({q for *_rest, q in results}) == 1
    fast = all(median < 300 for _s, median, _w, _q in results)
    print(f"\nquery count independent of the number of schools: {'yes' if flat else 'NO'}")
    print(f"median under 300 ms for every county: {'yes' if fast else 'NO'}")
    workload = f"logistics: readiness dashboard, {COUNTIES} counties × {SCHOOLS} schools"
    return [
        Figure(workload, "median page time, slowest county", round(max(m for _s, m, _w, _q in results), 1), "ms", "< 300 ms", fast),
        Figure(
            workload, f"queries for {min(probes)} and {max(probes)} schools", f"{results[0][3]} and {results[-1][3]}", "", "the same", flat
        ),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_arguments(parser)
    args = parser.parse_args()
    emit(run(args.size), args.figures)


if __name__ == "__main__":
    main()
