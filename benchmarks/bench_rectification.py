"""Benchmark (not a test): the rectification overview of a province-size deployment.

5,000 plan items across 340 counties, each with a progress history; the overview of one
county's round is timed for a small, a middling and the largest county, as county staff and
as a department user, with the number of SQL queries per page — which must not grow with
the number of items (goal: under 300 ms a page).

    .venv/bin/python benchmarks/bench_rectification.py [--size ci]

``--size ci``: 500 plan items across 20 counties.

Uses DATABASE_URL when set (everything written is rolled back at the end), otherwise a
temporary SQLite database that is thrown away.
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
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "monitoring_site.settings")
_TMP = None
if not os.environ.get("DATABASE_URL"):
    _TMP = tempfile.TemporaryDirectory(prefix="bench-rect-")
    os.environ["DATABASE_URL"] = f"sqlite:///{_TMP.name}/bench.sqlite3"
    os.environ.setdefault("APP_VAR_DIR", _TMP.name)

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402
from figures import Figure, add_arguments, emit  # noqa: E402

from monitoring_site.roles import Role  # noqa: E402
from rectification.models import Plan, PlanItem, Problem, Progress  # noqa: E402
from rounds.models import County, Department, Person, Round, Stage  # noqa: E402
from rounds.services import region_city_ensure  # noqa: E402

COUNTIES, ITEMS, RUNS = 340, 5000, 7
SIZES = {"full": (340, 5000, 400), "ci": (20, 500, 100)}  # counties, items, items of the largest county
LARGEST = 400
DEPARTMENTS = ["基础教育股", "体卫艺股", "教研室", "计划财务股", "人事股", "卫生健康局", "财政局", "督导室"]


class Rollback(Exception):
    pass


def item_counts(rng: random.Random) -> list[int]:
    """Uneven: one large county (400 items), the rest share what is left."""
    counts = [LARGEST] + [1] * (COUNTIES - 1)
    for _ in range(ITEMS - sum(counts)):
        counts[rng.randrange(1, COUNTIES)] += 1
    return counts


def build(rng: random.Random) -> dict:
    today = timezone.localdate()
    User = get_user_model()
    admin = User.objects.create_user("bench-admin")
    counties = County.objects.bulk_create(
        County(code=f"{500000 + n:06d}", name=f"基准{n}县", city=region_city_ensure(province="华阳省", city="东陵市"))
        for n in range(COUNTIES)
    )
    rounds = Round.objects.bulk_create(
        Round(
            county=c,
            year=2027,
            cycle_year=1,
            domains=["math"],
            grades=[4, 8],
            stage=Stage.RECTIFICATION,
            test_start=dt.date(2027, 5, 26),
            test_end=dt.date(2027, 5, 27),
            created_by=admin,
        )
        for c in counties
    )
    departments = Department.objects.bulk_create(Department(county=c, name=name) for c in counties for name in DEPARTMENTS)
    by_county = {}
    for d in departments:
        by_county.setdefault(d.county_id, []).append(d)
    plans = Plan.objects.bulk_create(Plan(round=r, title="整改方案", status=Plan.Status.APPROVED) for r in rounds)
    problems = Problem.objects.bulk_create(
        Problem(round=r, number=n + 1, title=f"问题{n + 1}", source="feedback_letter", created_by=admin) for r in rounds for n in range(6)
    )
    problems_by_round = {}
    for p in problems:
        problems_by_round.setdefault(p.round_id, []).append(p)
    items = []
    for plan, rnd, count in zip(plans, rounds, item_counts(rng), strict=True):
        depts = by_county[rnd.county_id]
        for n in range(count):
            deadline = today + dt.timedelta(days=rng.randint(-40, 120))
            status = rng.choices(["open", "submitted", "closed"], [6, 1, 3])[0]
            items.append(
                PlanItem(
                    plan=plan,
                    problem=problems_by_round[rnd.pk][n % 6],
                    goal=f"整改目标 {n}",
                    measures="措施",
                    lead_department=depts[n % len(depts)],
                    deadline=deadline,
                    approved_deadline=deadline,
                    status=status,
                    percent=100 if status == "closed" else rng.randint(0, 90),
                    closed_at=today if status == "closed" else None,
                )
            )
    items = PlanItem.objects.bulk_create(items, batch_size=1000)
    through = PlanItem.cooperating_departments.through
    through.objects.bulk_create(
        (
            through(planitem_id=i.pk, department_id=by_county[i.lead_department.county_id][0].pk)
            for i in items
            if i.lead_department != by_county[i.lead_department.county_id][0]
        ),
        batch_size=2000,
    )
    Progress.objects.bulk_create(
        (
            Progress(item=i, text="进展", percent=min(100, 20 * k), posted_by=admin, status="accepted" if k < 3 else "pending")
            for i in items
            for k in range(1, rng.randint(2, 4))
        ),
        batch_size=2000,
    )
    sizes = {}
    for i in items:
        sizes[i.plan_id] = sizes.get(i.plan_id, 0) + 1
    ordered = sorted(rounds, key=lambda r: sizes[plans[rounds.index(r)].pk])
    return {
        "rounds": [ordered[0], ordered[len(ordered) // 2], ordered[-1]],
        "sizes": sizes,
        "plans": {r.pk: p for r, p in zip(rounds, plans, strict=True)},
        "by_county": by_county,
    }


def measure(client: Client, url: str) -> tuple[float, int]:
    client.get(url)  # warm caches and the session
    times, queries = [], 0
    for _ in range(RUNS):
        with CaptureQueriesContext(connection) as ctx:
            start = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, response.status_code
        queries = len(ctx.captured_queries)
    return statistics.median(times), queries


def run(size: str = "full") -> list[Figure]:
    global COUNTIES, ITEMS, LARGEST
    COUNTIES, ITEMS, LARGEST = SIZES[size]
    figures: list[Figure] = []
    print(f"database: {connection.vendor}; preparing schema …", flush=True)
    call_command("migrate", verbosity=0, skip_checks=True)
    rng = random.Random(2027)
    try:
        with transaction.atomic():
            start = time.perf_counter()
            data = build(rng)
            total = PlanItem.objects.count()
            print(
                f"built {COUNTIES} counties, {total} plan items, {Progress.objects.count()} progress reports "
                f"in {time.perf_counter() - start:.1f} s\n"
            )
            User = get_user_model()
            rows = []
            for rnd in data["rounds"]:
                staff = User.objects.create_user(f"staff-{rnd.pk}")
                Person.objects.create(user=staff, county_id=rnd.county_id, role=Role.COUNTY_STAFF, must_change_password=False)
                dept = User.objects.create_user(f"dept-{rnd.pk}")
                Person.objects.create(
                    user=dept,
                    county_id=rnd.county_id,
                    role=Role.DEPARTMENT,
                    department=data["by_county"][rnd.county_id][0],
                    must_change_password=False,
                )
                n_items = data["sizes"][data["plans"][rnd.pk].pk]
                url = reverse("rectification_overview", kwargs={"round_pk": rnd.pk})
                for label, user in (("county staff", staff), ("department", dept)):
                    client = Client()
                    client.force_login(user)
                    for page_url in (url, url + "?status=overdue"):
                        ms, queries = measure(client, page_url)
                        rows.append((n_items, label, page_url.split("?")[1] if "?" in page_url else "all", ms, queries))
            print(f"{'items in county':>15}  {'as':<13} {'filter':<15} {'median ms':>9}  {'queries':>7}")
            for n_items, label, flt, ms, queries in rows:
                flag = "" if ms < 300 else "  (over the 300 ms goal)"
                print(f"{n_items:>15}  {label:<13} {flt:<15} {ms:>9.1f}  {queries:>7}{flag}")
            by_role = {}
            for _n, label, flt, _ms, queries in rows:
                by_role.setdefault((label, flt), set()).add(queries)
            same = all(len(v) == 1 for v in by_role.values())
            print("\nqueries independent of the number of items:", "yes" if same else f"NO {by_role}")
            workload = f"rectification: overview, {ITEMS:,} plan items in {COUNTIES} counties"
            slowest = max(ms for *_r, ms, _q in rows)
            figures += [
                Figure(workload, "median page time, slowest county and role", round(slowest, 1), "ms", "< 300 ms", slowest < 300),
                Figure(workload, "queries as the number of items grows", "the same" if same else "growing", "", "the same", same),
            ]
            raise Rollback
    except Rollback:
        pass
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_arguments(parser)
    args = parser.parse_args()
    emit(run(args.size), args.figures)


if __name__ == "__main__":
    main()
