"""Benchmark (not a test): every role's main pages with a county office's users signed in at once, over loopback.

A database of its own next to the one DATABASE_URL names (``<name>_load``, PostgreSQL only)
holding the demo county of ``manage.py load_demo`` — 246 schools, a round with 20 sampled
schools and 582 students, checklists, attendance and custody, 764 questionnaire codes,
imported scores and findings, documents and a rectification plan: one county's whole round.
gunicorn (3 gthread workers × 4 threads, as docker-compose runs it) serves it on 127.0.0.1;
locust, used as a library, then signs in 50 users spread over the six roles (county staff,
leader, inspector, school coordinator, monitor, department user), each with its own session,
each asking for one of its role's main pages every 2 s, the pages in turn.

Per role: p50/p95/p99 (goal: p95 < 200 ms) and errors (goal: none); requests per second in all.
Questionnaire saving under load is ``bench_questionnaires.py`` (700 respondents).

    DATABASE_URL=postgres://… .venv/bin/python benchmarks/bench_load.py [--size ci] [--users 50] [--seconds 60]
"""

from __future__ import annotations

# locust patches the standard library for gevent when imported: before anything else.
import locust  # noqa: F401, I001  # isort: skip
import gevent  # isort: skip

import argparse
import itertools
import os
import sys
import time
from pathlib import Path

import requests
from locust import HttpUser, constant_pacing, task
from locust.env import Environment

sys.path.insert(0, str(Path(__file__).resolve().parent))
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


class PageUser(HttpUser):
    """One signed-in person of a role, asking for one of the role's pages every ``pacing`` seconds."""

    abstract = True
    sessions: list[tuple[str, dict[str, str], list[tuple[str, str]]]] = []  # (role, cookies, pages) per user
    _n = itertools.count()

    def on_start(self):
        self.role, cookies, pages = self.sessions[next(self._n) % len(self.sessions)]
        self.client.cookies.update(cookies)
        self.cycle = itertools.cycle(pages)

    @task
    def visit(self):
        name, path = next(self.cycle)
        with self.client.get(path, name=f"{self.role}: {name}", allow_redirects=False, catch_response=True) as answer:
            if answer.status_code != 200:
                answer.failure(f"HTTP {answer.status_code} {answer.error or ''}".strip())


def run_load(base: str, sessions: list, size: dict) -> dict:
    from locust.stats import StatsEntry

    user = type("OfficeUser", (PageUser,), {"abstract": False, "sessions": sessions, "wait_time": constant_pacing(size["pacing"])})
    env = Environment(user_classes=[user], host=base)
    failures: list[str] = []
    env.events.request.add_listener(lambda exception=None, **_kw: exception is not None and failures.append(str(exception)))
    runner = env.create_local_runner()
    runner.start(size["users"], spawn_rate=size["users"] / max(size["pacing"], 0.1))
    gevent.sleep(size["warmup"])
    runner.stats.reset_all()
    started = time.perf_counter()
    gevent.sleep(size["seconds"])
    elapsed = time.perf_counter() - started
    roles: dict[str, dict] = {}
    for role in ROLES:
        entry = StatsEntry(env.stats, role, "")
        for e in env.stats.entries.values():
            if e.name.startswith(f"{role}: "):
                entry.extend(e)
        roles[role] = {
            "requests": entry.num_requests,
            "errors": entry.num_failures,
            **{f"p{q}": entry.get_response_time_percentile(q / 100) for q in (50, 95, 99)},
            "pages": {
                e.name.split(": ", 1)[1]: (e.num_requests, e.get_response_time_percentile(0.5), e.get_response_time_percentile(0.95))
                for e in env.stats.entries.values()
                if e.name.startswith(f"{role}: ")
            },
        }
    total = env.stats.total
    runner.quit()
    return {
        "rps": total.num_requests / elapsed,
        "requests": total.num_requests,
        "roles": roles,
        "errors": len(failures),
        "failures": failures[:5],
    }


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
        result = run_load(base, sessions, size)
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
