"""Benchmark (not a test): every role's main pages with a county office's users signed in at once, over loopback.

A database of its own next to the one DATABASE_URL names (``<name>_load``, PostgreSQL only)
holding the demo county of ``manage.py load_demo`` — 246 schools, a round with 20 sampled
schools and 582 students, checklists, attendance and custody, 764 questionnaire codes,
imported scores and findings, documents and a rectification plan: one county's whole round.
gunicorn (3 gthread workers × 4 threads, as docker-compose runs it) serves it on 127.0.0.1;
an asyncio client then signs in 50 users spread over the six roles (county staff,
leader, inspector, school coordinator, monitor, department user), each with its own session,
each asking for one of its role's main pages every 2 s, the pages in turn.

Per role: p50/p95/p99 (goal: p95 < 200 ms) and errors (goal: none); requests per second in all.
Questionnaire saving under load is ``bench_questionnaires.py`` (700 respondents).

    DATABASE_URL=postgres://… .venv/bin/python benchmarks/bench_load.py [--size ci] [--users 50] [--seconds 60]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_questionnaires import Client  # noqa: E402
from figures import HOST, ROOT, Figure, add_arguments, emit, free_port, fresh_database, postgres_url, start_gunicorn, stop_gunicorn  # noqa: E402

sys.path.insert(0, str(ROOT))

PASSWORD = "Jiance@2027"  # noqa: S105 - the demo accounts' published password
ROLES = {  # group → (demo account, the pages to try; those the role may not open are left out)
    "county staff": (
        "jiance",
        [
            "home",
            "round",
            "sample",
            "readiness",
            "school logistics",
            "questionnaire tracking",
            "results",
            "findings",
            "rectification",
            "plan",
        ],
    ),
    "leader": (
        "lingdao",
        ["home", "round", "sample", "readiness", "questionnaire tracking", "results", "findings", "rectification", "plan"],
    ),
    "inspector": ("ducha1", ["home", "round", "readiness", "school logistics", "checklist", "results", "rectification"]),
    "school coordinator": ("xuexiao1", ["home", "my sample", "sampled school", "school logistics", "checklist", "school tracking"]),
    "monitor": ("jianceyuan1", ["home", "school logistics", "custody", "checklist"]),
    "department": ("jiaoyan", ["home", "rectification", "plan", "plan item"]),
}
SIZES = {  # users at once, seconds between one user's requests, of warm-up and of measurement
    "full": {"users": 50, "pacing": 2.0, "warmup": 10.0, "seconds": 60.0},
    "ci": {"users": 6, "pacing": 0.5, "warmup": 0.5, "seconds": 2.0},
}
GOAL_MS = 200


def page_paths() -> dict[str, str]:
    """The candidate pages of the demo round, by short name."""
    from django.urls import reverse

    from questionnaires.models import AccessCode
    from rectification.models import PlanItem
    from rounds.models import Person, Round
    from sampling.models import SampledSchool

    rnd = Round.objects.get()
    coordinator = Person.objects.get(user__username="xuexiao1")
    sampled = (
        SampledSchool.objects.filter(round=rnd, school__in=coordinator.schools.all()).first()
        or SampledSchool.objects.filter(round=rnd).order_by("pk").first()
    )
    school = sampled.school  # the coordinator's school if it is in the sample
    department = Person.objects.get(user__username="jiaoyan").department
    item = PlanItem.objects.filter(plan__round=rnd, lead_department=department).first() or PlanItem.objects.first()
    assert AccessCode.objects.exists()
    at = {"round_pk": rnd.pk, "school_pk": school.pk}
    return {
        "home": reverse("home"),
        "round": reverse("round_detail", args=[rnd.pk]),
        "sample": reverse("sampling_round", args=[rnd.pk]),
        "readiness": reverse("readiness_dashboard", kwargs={"round_pk": rnd.pk}),
        "school logistics": reverse("school_logistics", kwargs=at),
        "checklist": reverse("checklist_fill", kwargs=at),
        "custody": reverse("custody", kwargs=at),
        "questionnaire tracking": reverse("questionnaire_tracking", args=[rnd.pk]),
        "results": reverse("results_overview", args=[rnd.pk]),
        "findings": reverse("results_findings", args=[rnd.pk]),
        "rectification": reverse("rectification_overview", kwargs={"round_pk": rnd.pk}),
        "plan": reverse("plan_detail", kwargs={"round_pk": rnd.pk}),
        "plan item": reverse("item_detail", args=[item.pk]),
        "my sample": reverse("my_sample"),
        "sampled school": reverse("sampled_school_detail", args=[sampled.pk]),
        "school tracking": reverse("school_tracking", args=[sampled.pk]),
    }


# --- sessions, made before the load so that no log-in (slow on purpose) is measured -----------


def signed_in(base: str, username: str) -> dict[str, str]:
    session = requests.Session()
    session.get(f"{base}/accounts/login/", timeout=30)
    answer = session.post(
        f"{base}/accounts/login/",
        timeout=30,
        allow_redirects=False,
        data={"username": username, "password": PASSWORD, "csrfmiddlewaretoken": session.cookies["csrftoken"]},
    )
    if answer.status_code != 302:
        raise SystemExit(f"log-in as {username} failed: HTTP {answer.status_code}")
    return session.cookies.get_dict()


def reachable(base: str, cookies: dict[str, str], paths: dict[str, str], names: list[str]) -> tuple[list, list]:
    """The pages this account gets a 200 for, and those it does not (left out of its group)."""
    kept, left = [], []
    for name in names:
        status = requests.get(base + paths[name], cookies=cookies, timeout=60, allow_redirects=False).status_code
        (kept if status == 200 else left).append((name, paths[name]) if status == 200 else f"{name} ({status})")
    return kept, left


# --- the load ----------------------------------------------------------------------------------
# A small asyncio client, not a load-testing framework: with locust (gevent) the client's own
# scheduling added 150–250 ms to every request at 50 users while the server sat at a quarter
# of its CPU; these coroutines only open a socket, send and read.


async def office_user(
    port: int,
    role: str,
    cookies: dict[str, str],
    pages: list,
    size: dict,
    start: float,
    timings: dict[str, list[tuple[str, float]]],
    failures: list[str],
    offset: float,
) -> None:
    """One person of ``role`` asking for the next of its pages every ``pacing`` seconds."""
    client = Client(port)
    client.cookies.update(cookies)
    measured_from, until = start + size["warmup"], start + size["warmup"] + size["seconds"]
    n = 0
    while True:
        due = start + offset + n * size["pacing"]
        if due >= until:
            return
        await asyncio.sleep(max(0.0, due - time.perf_counter()))
        name, path = pages[n % len(pages)]
        n += 1
        began = time.perf_counter()
        try:
            status, _headers, _body = await client.request("GET", path)
        except OSError as exc:
            status = f"{type(exc).__name__}"
        elapsed = (time.perf_counter() - began) * 1000
        if began >= measured_from:
            timings[role].append((name, elapsed))
            if status != 200:
                failures.append(f"{role}: {name}: HTTP {status}")


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def run_load(port: int, sessions: list, size: dict) -> dict:
    timings: dict[str, list[tuple[str, float]]] = {role: [] for role in ROLES}
    failures: list[str] = []

    async def everyone() -> None:
        start = time.perf_counter()
        await asyncio.gather(
            *[
                office_user(port, role, cookies, pages, size, start, timings, failures, offset=n * size["pacing"] / len(sessions))
                for n, (role, cookies, pages) in enumerate(sessions)
            ]
        )

    asyncio.run(everyone())
    roles = {}
    for role, rows in timings.items():
        times = [t for _n, t in rows]
        pages = {}
        for name in dict.fromkeys(n for n, _t in rows):
            mine = [t for n, t in rows if n == name]
            pages[name] = (len(mine), _percentile(mine, 0.5), _percentile(mine, 0.95))
        roles[role] = {
            "requests": len(times),
            "errors": sum(f.startswith(f"{role}: ") for f in failures),
            **{f"p{q}": _percentile(times, q / 100) for q in (50, 95, 99)},
            "pages": pages,
        }
    total = sum(len(rows) for rows in timings.values())
    return {"rps": total / size["seconds"], "requests": total, "roles": roles, "errors": len(failures), "failures": failures[:5]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_arguments(parser)
    parser.add_argument("--users", type=int, help="signed-in users at once, spread over the roles")
    parser.add_argument("--seconds", type=float, help="seconds measured")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per worker")
    args = parser.parse_args()
    size = {**SIZES[args.size]}
    size["users"] = args.users or size["users"]
    size["seconds"] = args.seconds or size["seconds"]

    if postgres_url() is None:
        print("load benchmark skipped: set DATABASE_URL to a PostgreSQL database (postgres://…)")
        emit([Figure("load test", "skipped: no PostgreSQL in DATABASE_URL", None, "")], args.figures)
        return 0
    started = time.perf_counter()
    url = fresh_database("load", demo=True)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "monitoring_site.settings")
    import django

    django.setup()
    paths = page_paths()
    from django.db import connections

    connections.close_all()
    print(
        f"database {url.rsplit('/', 1)[-1]} with the demo county ready in {time.perf_counter() - started:.0f} s; "
        f"{size['users']} users, a page every {size['pacing']:g} s each, {size['warmup']:.0f} s warm-up and "
        f"{size['seconds']:.0f} s measured; gunicorn {args.workers} workers × {args.threads} threads",
        flush=True,
    )
    port = free_port()
    base = f"http://{HOST}:{port}"
    server = start_gunicorn(port=port, workers=args.workers, threads=args.threads)
    try:
        pages_of = {}
        for role, (username, names) in ROLES.items():
            pages, left = reachable(base, signed_in(base, username), paths, names)
            print(f"  {role} ({username}): {', '.join(n for n, _p in pages)}" + (f"; not theirs: {', '.join(left)}" if left else ""))
            pages_of[role] = pages
        roles = list(ROLES)
        sessions = []
        for n in range(size["users"]):
            role = roles[n % len(roles)]
            sessions.append(
                (
                    role,
                    signed_in(base, ROLES[role][0]),
                    pages_of[role][n // len(roles) % len(pages_of[role]) :] + pages_of[role][: n // len(roles) % len(pages_of[role])],
                )
            )
        result = run_load(port, sessions, size)
    finally:
        stop_gunicorn(server)
    figures = report(result, size)
    emit(figures, args.figures)
    return 0 if result["errors"] == 0 else 1  # a goal missed is shown, not fatal


def report(result: dict, size: dict) -> list[Figure]:
    workload = f"load: {size['users']} signed-in users, a page every {size['pacing']:g} s each"
    print(f"\n{'role':<20} {'requests':>8} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'errors':>6}")
    figures = [
        Figure(workload, "requests per second, all roles", round(result["rps"], 1), "req/s"),
        Figure(workload, "errors", result["errors"], "", "0", result["errors"] == 0),
    ]
    for role, r in result["roles"].items():
        print(f"{role:<20} {r['requests']:>8} {r['p50']:>7.0f} {r['p95']:>7.0f} {r['p99']:>7.0f} {r['errors']:>6}")
        print("    " + "; ".join(f"{page} {n} {p50:.0f}/{p95:.0f}" for page, (n, p50, p95) in r["pages"].items()))
        figures.append(
            Figure(
                f"{workload}: {role}",
                "p50 / p95 / p99",
                f"{r['p50']:.0f} / {r['p95']:.0f} / {r['p99']:.0f}",
                "ms",
                f"p95 < {GOAL_MS} ms",
                r["requests"] > 0 and r["p95"] < GOAL_MS,
            )
        )
    for failure in result["failures"]:
        print(f"  {failure}")
    return figures


if __name__ == "__main__":
    sys.exit(main())
