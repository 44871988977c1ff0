"""Benchmark of a province in one deployment (not a test): ``.venv/bin/python benchmarks/bench_province.py``.

A province of 100 counties in one city × 20 sampled schools × 30 pupils with mathematics
scores (60,000 pupils), made with bulk inserts:
1. the roll-up page of the city's office (``/regions/``) — median time of 5 loads (goal < 1 s)
   and its number of queries, the same at 10 counties and at 100 (goal: constant);
2. every county's diagnostic report as one batch (a Celery chord on Redis) built by a real
   worker with 2 processes, then the same batch with 1 — total time and reports per minute
   each, and their ratio (it should approach 2); every report built once (attempts = 1);
3. the same batch on two workers of one process each, one killed with SIGKILL while both
   build and a third started in its place: every report done and built once (one PDF
   written each), however often Redis handed its job out ("killed worker: N/N reports,
   each built once").

With DATABASE_URL naming PostgreSQL the province lives in ``<name>_province`` there (what the
issue asks for); without it in a temporary SQLite database shared with the worker (on SQLite
the two processes take turns at the database lock, so part 2 says little).
Redis: ``--redis redis://127.0.0.1:6379/12`` (default; the database is purged).
``--reports N`` builds N of the counties' reports (default: all of them).
``--size ci``: 10 counties × 4 schools × 5 pupils, the roll-up only (no worker, Redis
untouched) unless ``--reports N`` is given.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
from bench_reports import _children, _start_worker  # noqa: E402
from figures import Figure, add_arguments, emit, fresh_database, postgres_url  # noqa: E402

FIGURES: list[Figure] = []


def _setup(var_dir: Path, redis: str) -> None:
    os.environ["APP_VAR_DIR"] = str(var_dir)
    if postgres_url():
        os.environ["DATABASE_URL"] = fresh_database("province")
    else:
        os.environ.pop("DATABASE_URL", None)
    os.environ.pop("DJANGO_MEDIA_ROOT", None)
    os.environ["CELERY_BROKER_URL"] = redis
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "0"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "monitoring_site.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _province(counties: int, schools: int, pupils: int):
    """The counties, their rounds, samples and scores, in a few bulk inserts."""
    from django.contrib.auth import get_user_model

    from monitoring_site.roles import Role
    from results.models import ResultImport, StudentScore
    from rounds.models import County, ImportBatch, Person, Round, School, SchoolType, Stage
    from rounds.services import region_city_ensure
    from sampling.models import SampledSchool, SampledStudent

    rng = random.Random(2027)
    city = region_city_ensure(province="基准省", city="基准市")
    User = get_user_model()
    office = User.objects.create_user("city_office", first_name="市督导")
    Person.objects.create(user=office, region=city, role=Role.CITY_OFFICE, must_change_password=False)
    made = County.objects.bulk_create(County(code=f"{700000 + n:06d}", name=f"基准{n}县", city=city) for n in range(counties))
    School.objects.bulk_create(
        School(county=c, code=f"{7000000000 + c.pk * 100 + s}", name=f"{c.name}第{s}小学", school_type=SchoolType.PRIMARY, location="rural")
        for c in made
        for s in range(schools)
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
            stage=Stage.RESULTS,
        )  # fmt: skip
        for c in made
    )
    by_county = {r.county_id: r for r in rounds}
    sampled = SampledSchool.objects.bulk_create(
        SampledSchool(round=by_county[s.county_id], grade=4, school=s, serial=i + 1, enrolment=pupils * 5, probability=0.2, weight=5.0)
        for i, s in enumerate(School.objects.filter(county__in=made).order_by("county_id", "code"))
    )
    students = SampledStudent.objects.bulk_create(
        (
            SampledStudent(
                sampled_school=ss,
                monitoring_id=f"{ss.round.county.code}G4S{ss.pk:05d}-{n + 1:02d}",
                name="",
                sex="FM"[n % 2],
                birth_date=dt.date(2017, 3, 1),
                within_probability=0.2,
                final_weight=25.0,
            )  # fmt: skip
            for ss in sampled
            for n in range(pupils)
        ),
        batch_size=5000,
    )
    imports = {}
    for rnd in rounds:
        batch = ImportBatch.objects.create(
            kind="results_scores", county_id=rnd.county_id, file="imports/bench.xlsx", original_name="b.xlsx", uploaded_by=office
        )
        imports[rnd.pk] = ResultImport.objects.create(round=rnd, kind="scores", domain="math", batch=batch, state=ResultImport.State.ACTIVE)
    school_effect = {ss.pk: rng.gauss(0, 40) for ss in sampled}
    round_of = {ss.pk: ss.round_id for ss in sampled}
    StudentScore.objects.bulk_create(
        (
            StudentScore(
                result_import=imports[round_of[s.sampled_school_id]],
                student=s,
                score=rng.gauss(500 + school_effect[s.sampled_school_id], 90),
            )
            for s in students
        ),
        batch_size=5000,
    )
    print(f"built {counties} counties, {len(sampled)} sampled schools, {len(students)} pupils with scores")
    return city, office


def _rollup(office, counties: int) -> tuple[float, int]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    client = Client()
    client.force_login(office)
    url = reverse("region_rollup") + "?year=2027"
    assert client.get(url).status_code == 200  # warm-up
    times = []
    for _n in range(5):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get(url)
            times.append(time.perf_counter() - started)
        assert response.status_code == 200
    median = statistics.median(times)
    print(f"roll-up of {counties} counties: median {median * 1000:.0f} ms, {len(queries.captured_queries)} queries")
    return median, len(queries.captured_queries)


def _batch(city, office, reports: int, concurrency: int, log_path: Path) -> float:
    from django.db import transaction

    from regions.models import ReportBatch
    from regions.services import report_batch_start
    from rounds.models import Document, Round

    Round.objects.filter(county__in=list(city.counties().order_by("code")[reports:])).update(year=2026)  # outside the batch
    worker = _start_worker(log_path, concurrency)
    try:
        started = time.perf_counter()
        with transaction.atomic():
            batch = report_batch_start(region=city, year=2027, user=office)
        while not ReportBatch.objects.filter(pk=batch.pk, finished_at__isnull=False).exists():
            if time.perf_counter() - started > 3600:
                sys.exit("batch not done after an hour; see " + str(log_path))
            time.sleep(0.5)
        seconds = time.perf_counter() - started
    finally:
        worker.terminate()
        worker.wait(timeout=60)
    documents = Document.objects.filter(pk__in=batch.documents.values("pk"))
    done, twice = documents.filter(status="done").count(), documents.filter(attempts__gt=1).count()
    per_minute = done / seconds * 60
    print(f"{done}/{reports} reports on {concurrency} process(es): {seconds:.0f} s, {per_minute:.1f} reports/minute, {twice} built twice")
    return per_minute


def _killed_batch(city, office, reports: int, var_dir: Path) -> tuple[int, int]:
    """The batch once more on two workers of one process each, one of them killed outright
    (SIGKILL, its process building a report too) while both build; a third starts in its
    place. Its job is handed out again after CELERY_VISIBILITY_TIMEOUT, here 30 s (not 20 minutes). Returns the
    reports done and those built once (one PDF written: the storage never overwrites one)."""
    import re
    import signal

    from django.conf import settings
    from django.db import transaction

    from regions.models import ReportBatch
    from regions.services import report_batch_start
    from rounds.models import Document

    os.environ["CELERY_VISIBILITY_TIMEOUT"] = "30"
    doomed = _start_worker(var_dir / "doomed.log", 1, "doomed")
    workers = [_start_worker(var_dir / "steady.log", 1, "steady")]
    try:
        with transaction.atomic():
            batch = report_batch_start(region=city, year=2027, user=office)
        documents = Document.objects.filter(pk__in=batch.documents.values("pk"))
        started = time.perf_counter()
        while documents.filter(status="running").count() < 2 and time.perf_counter() - started < 600:
            time.sleep(0.1)
        for pid in [doomed.pid, *_children(doomed.pid)]:
            os.kill(pid, signal.SIGKILL)
        doomed.wait(timeout=60)
        workers.append(_start_worker(var_dir / "heir.log", 1, "heir", purge=False))  # the batch's jobs are queued
        while not ReportBatch.objects.filter(pk=batch.pk, finished_at__isnull=False).exists():
            if time.perf_counter() - started > 3600:
                sys.exit("batch not done after an hour; see " + str(var_dir / "heir.log"))
            time.sleep(0.5)
    finally:
        for worker in workers:
            worker.terminate()
            worker.wait(timeout=60)
        del os.environ["CELERY_VISIBILITY_TIMEOUT"]
    names = [p.name for p in (Path(settings.MEDIA_ROOT) / "documents").rglob("*.pdf")]
    done = documents.filter(status="done")
    once = sum(len([n for n in names if re.fullmatch(rf"{d.kind}-{d.pk}(_\w+)?\.pdf", n)]) == 1 for d in done)
    again = documents.filter(attempts__gt=1).count()
    said = "each built once" if once == done.count() else f"{done.count() - once} built twice"
    print(f"killed worker: {done.count()}/{reports} reports, {said} ({again} started again after the kill)")
    return done.count(), once


def run(size: str, redis: str, reports: int | None, var_dir: Path) -> list[Figure]:
    counties, schools, pupils = (100, 20, 30) if size == "full" else (10, 4, 5)
    _setup(var_dir, redis)
    city, office = _province(counties, schools, pupils)
    median, queries = _rollup(office, counties)
    # The same page at a tenth of the counties (another city of the province): its query count.
    from rounds.models import County, Region

    small = Region.objects.create(kind="city", name="小市", parent=city.parent)
    County.objects.filter(pk__in=list(city.counties().order_by("code").values_list("pk", flat=True)[: max(counties // 10, 2)])).update(
        city=small
    )
    from django.contrib.auth import get_user_model

    from monitoring_site.roles import Role
    from rounds.models import Person

    small_office = get_user_model().objects.create_user("small_office")
    Person.objects.create(user=small_office, region=small, role=Role.CITY_OFFICE, must_change_password=False)
    _small_median, small_queries = _rollup(small_office, max(counties // 10, 2))
    County.objects.filter(city=small).update(city=city)
    workload = f"province: roll-up of {counties} counties × {schools} schools × {pupils} pupils"
    FIGURES.extend(
        [
            Figure(workload, "median page time", round(median * 1000), "ms", "< 1000 ms", median < 1),
            Figure(workload, "queries (a tenth of the counties)", f"{queries} ({small_queries})", "", "constant", queries == small_queries),
        ]
    )
    if size == "ci" and reports is None:  # the suite's run: no worker, Redis untouched
        return FIGURES
    n = reports or counties
    two = _batch(city, office, n, 2, var_dir / "worker2.log")
    from rounds.models import Document

    Document.objects.all().delete()
    one = _batch(city, office, n, 1, var_dir / "worker1.log")
    Document.objects.all().delete()
    done, once = _killed_batch(city, office, n, var_dir)
    batch_workload = f"province: {n} county reports, one chord"
    FIGURES.extend(
        [
            Figure(batch_workload, "reports per minute, 2 processes", round(two, 1), "/min"),
            Figure(batch_workload, "reports per minute, 1 process", round(one, 1), "/min"),
            Figure(batch_workload, "speed-up with 2 processes", round(two / one, 2), "×", "≈ 2 ×", two / one > 1.5),
            Figure(batch_workload, "a worker killed: reports built once", f"{once}/{n}", "", f"{n}/{n}", done == once == n),
        ]
    )
    return FIGURES


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    add_arguments(parser)
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/12")
    parser.add_argument("--reports", type=int, default=None)
    parser.add_argument("--var-dir", type=Path, default=None)
    args = parser.parse_args()
    var_dir = args.var_dir or Path(tempfile.mkdtemp(prefix="bench-province-"))
    var_dir.mkdir(parents=True, exist_ok=True)
    emit(run(args.size, args.redis, args.reports, var_dir), args.figures)


if __name__ == "__main__":
    main()
