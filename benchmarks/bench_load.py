"""Benchmark (not a test): the main pages of every role and questionnaire saving under load, over loopback.

A database of its own next to the one DATABASE_URL names (``<name>_load``, PostgreSQL only)
holding the demo county of ``manage.py load_demo`` — 246 schools, a round with 20 sampled
schools and 582 students, checklists, attendance and custody, 764 questionnaire codes,
imported scores and findings, documents and a rectification plan: one county's whole round.
gunicorn (gthread workers) serves it on 127.0.0.1; locust, used as a library, then loads one
group of pages at a time with a few simulated users and no pause between requests:

* the floor: ``/healthz``, a bare Django page through the same middleware, anonymous, signed
  in (session read and written, user and role looked up — what every page pays) and with a
  respondent's session (what every questionnaire request pays: the session holding the code);
* an empty page in the site's layout (``/bench/layout``, served only here: the project's URLs
  plus that one, ``benchmarks/layout_urls.py``), signed in — what every page pays for its frame;
* each role's main pages, signed in as the demo account of that role (county staff, leader,
  inspector, school coordinator, monitor, department user);
* questionnaire saving: respondents who opened their questionnaire with an access code save
  answers one after another, as the autosave does;
* test day: half the users county staff opening their pages, half respondents saving, at once
  (shown without a goal: how the kept pages fare while answers keep changing).

Per group: requests per second, p50/p95/p99 and errors; the p95 of each group against the
floor's (signed-in pages against the signed-in floor, saves against the respondent's floor,
measured before and after the pages and averaged). Goals: p95 at most twice the floor's, no
errors.

    DATABASE_URL=postgres://… .venv/bin/python benchmarks/bench_load.py [--size ci] [--users 6] [--seconds 30]
"""

from __future__ import annotations

# locust patches the standard library for gevent when imported: before anything else.
import locust  # noqa: F401, I001  # isort: skip
import gevent  # isort: skip

import argparse
import itertools
import os
import re
import sys
import time
from pathlib import Path

import requests
from locust import HttpUser, constant, task
from locust.env import Environment

sys.path.insert(0, str(Path(__file__).resolve().parent))
from figures import HOST, ROOT, Figure, add_arguments, emit, free_port, fresh_database, postgres_url, start_gunicorn, stop_gunicorn  # noqa: E402

sys.path.insert(0, str(ROOT))

PASSWORD = "Jiance@2027"  # noqa: S105 - the demo accounts' published password
ROLES = {  # group → (demo account, the pages to try; those the role may not open are left out)
    "county staff": ("jiance", ["home", "round", "sample", "readiness", "school logistics", "questionnaire tracking",
                                "results", "findings", "rectification", "plan"]),
    "leader": ("lingdao", ["home", "round", "sample", "readiness", "questionnaire tracking", "results", "findings",
                           "rectification", "plan"]),
    "inspector": ("ducha1", ["home", "round", "readiness", "school logistics", "checklist", "results", "rectification"]),
    "school coordinator": ("xuexiao1", ["home", "my sample", "sampled school", "school logistics", "checklist",
                                        "school tracking"]),
    "monitor": ("jianceyuan1", ["home", "school logistics", "custody", "checklist"]),
    "department": ("jiaoyan", ["home", "rectification", "plan", "plan item"]),
}
MIXED = "county staff while respondents save"
SIZES = {  # users at once, seconds of warm-up and of measurement per group
    "full": {"users": 6, "warmup": 5.0, "seconds": 30.0},
    "ci": {"users": 2, "warmup": 0.5, "seconds": 1.5},
}


def page_paths() -> dict[str, str]:
    """The candidate pages of the demo round, by short name."""
    from django.urls import reverse

    from questionnaires.models import AccessCode
    from rectification.models import PlanItem
    from rounds.models import Person, Round
    from sampling.models import SampledSchool

    rnd = Round.objects.get()
    coordinator = Person.objects.get(user__username="xuexiao1")
    sampled = (SampledSchool.objects.filter(round=rnd, school__in=coordinator.schools.all()).first()
               or SampledSchool.objects.filter(round=rnd).order_by("pk").first())
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


def answer_plans(limit: int) -> list[tuple[str, list[tuple[str, str]]]]:
    """Up to ``limit`` unsubmitted student and teacher codes, each with answers to save: the
    single-choice and scale items shown before anything is answered, a valid value each."""
    from questionnaires.answers import visible_codes
    from questionnaires.models import AccessCode
    from questionnaires.services import current_instrument

    codes = list(AccessCode.objects.filter(kind__in=["student", "teacher"])
                 .exclude(response__submitted_at__isnull=False).select_related("round").order_by("pk")[:limit])
    saves: dict[str, list[tuple[str, str]]] = {}
    plans = []
    for code in codes:
        if code.kind not in saves:
            items = list(current_instrument(rnd=code.round, kind=code.kind).items.all())
            shown = visible_codes(items, {})
            saves[code.kind] = [(i.code, str(i.choices[-1][0])) for i in items
                                if i.code in shown and i.type in ("single", "scale") and i.choices]
        plans.append((code.code, saves[code.kind]))
    return plans


# --- sessions, made before the load so that no log-in (slow on purpose) is measured -----------


def signed_in(base: str, username: str) -> dict[str, str]:
    session = requests.Session()
    session.get(f"{base}/accounts/login/", timeout=30)
    answer = session.post(f"{base}/accounts/login/", timeout=30, allow_redirects=False,
                          data={"username": username, "password": PASSWORD,
                                "csrfmiddlewaretoken": session.cookies["csrftoken"]})
    if answer.status_code != 302:
        raise SystemExit(f"log-in as {username} failed: HTTP {answer.status_code}")
    return session.cookies.get_dict()


def respondent(base: str, code: str) -> dict[str, str]:
    session = requests.Session()
    session.get(f"{base}/questionnaires/q/", timeout=30)
    answer = session.post(f"{base}/questionnaires/q/", timeout=30, allow_redirects=False,
                          data={"code": code, "csrfmiddlewaretoken": session.cookies["csrftoken"]})
    if answer.status_code != 302 or not answer.headers.get("Location", "").endswith("/q/answer/"):
        raise SystemExit(f"code {code} did not open its questionnaire: HTTP {answer.status_code}")
    if session.get(f"{base}/questionnaires/q/answer/", timeout=30).status_code != 200:  # creates the response
        raise SystemExit(f"code {code}: the questionnaire did not open")
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
    """Opens its pages one after another, with the cookies it was given."""

    abstract = True
    wait_time = constant(0)
    pages: list[tuple[str, str]] = []
    cookie_jars: list[dict[str, str]] = []
    _n = itertools.count()

    def on_start(self):
        if self.cookie_jars:
            self.client.cookies.update(self.cookie_jars[next(self._n) % len(self.cookie_jars)])
        self.cycle = itertools.cycle(self.pages)

    @task
    def visit(self):
        name, path = next(self.cycle)
        with self.client.get(path, name=name, allow_redirects=False, catch_response=True) as answer:
            if answer.status_code != 200:
                answer.failure(f"HTTP {answer.status_code}")


class SaveUser(HttpUser):
    """A respondent saving answers one after another, as the autosave does."""

    abstract = True
    wait_time = constant(0)
    respondents: list[tuple[dict[str, str], list[tuple[str, str]]]] = []
    _n = itertools.count()

    def on_start(self):
        cookies, saves = self.respondents[next(self._n) % len(self.respondents)]
        self.client.cookies.update(cookies)
        self.token = cookies["csrftoken"]
        self.cycle = itertools.cycle(saves)

    @task
    def save(self):
        item, value = next(self.cycle)
        with self.client.post("/questionnaires/q/answer/save/", data={"item": item, "value": value}, name="save",
                              headers={"X-CSRFToken": self.token, "HX-Request": "true"}, catch_response=True) as answer:
            if answer.status_code != 200 or 'data-state="saved"' not in answer.text:
                answer.failure(f"HTTP {answer.status_code} {re.sub(r'<[^>]+>', '', answer.text)[:80]}")


def run_group(base: str, user_class: type[HttpUser] | list[type[HttpUser]], users: int, warmup: float, seconds: float) -> dict:
    """One group's figures; with several user classes (each with its ``fixed_count``), also the
    p95 of the pages and of the saves apart."""
    classes = user_class if isinstance(user_class, list) else [user_class]
    env = Environment(user_classes=classes, host=base)
    failures: list[str] = []
    counted = {"requests": 0}

    def on_request(exception=None, **_kw):
        counted["requests"] += 1
        if exception is not None:
            failures.append(str(exception))

    env.events.request.add_listener(on_request)
    runner = env.create_local_runner()
    runner.start(users, spawn_rate=users * 10)
    gevent.sleep(warmup)
    runner.stats.reset_all()
    started = time.perf_counter()
    gevent.sleep(seconds)
    total = env.stats.total
    measured = {
        "requests": total.num_requests,
        "rps": total.num_requests / (time.perf_counter() - started),
        "p50": total.get_response_time_percentile(0.50),
        "p95": total.get_response_time_percentile(0.95),
        "p99": total.get_response_time_percentile(0.99),
        "pages": {e.name: (e.num_requests, e.get_response_time_percentile(0.50), e.get_response_time_percentile(0.95))
                  for e in env.stats.entries.values()},
    }
    if len(classes) > 1:
        from locust.stats import StatsEntry

        for part, is_save in (("pages_p95", False), ("saves_p95", True)):
            entry = StatsEntry(env.stats, part, "")
            for e in env.stats.entries.values():
                if (e.name == "save") == is_save:
                    entry.extend(e)
            measured[part] = entry.get_response_time_percentile(0.95)
    runner.quit()
    measured["errors"] = len(failures)  # warm-up included
    measured["failures"] = failures[:5]
    return measured


def group_class(name: str, base: type[HttpUser], **attributes) -> type[HttpUser]:
    return type(re.sub(r"\W", "", name.title()) or "Floor", (base,), {"abstract": False, "_n": itertools.count(), **attributes})


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_arguments(parser)
    parser.add_argument("--users", type=int, help="simulated users at once in each group")
    parser.add_argument("--seconds", type=float, help="seconds measured per group")
    parser.add_argument("--only", help="comma-separated words: load only the groups whose name holds one (the floors always)")
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
    plans = answer_plans(limit=max(size["users"], 4))
    from django.db import connections

    connections.close_all()
    print(f"database {url.rsplit('/', 1)[-1]} with the demo county ready in {time.perf_counter() - started:.0f} s; "
          f"{size['users']} users at once, {size['warmup']:.0f} s warm-up and {size['seconds']:.0f} s measured per group, "
          f"gunicorn {args.workers} workers × {args.threads} threads", flush=True)

    port = free_port()
    base = f"http://{HOST}:{port}"
    # The project's settings plus one empty page in the site's layout (benchmarks/layout_urls.py).
    server = start_gunicorn(port=port, workers=args.workers, threads=args.threads, settings="layout_settings")
    results: dict[str, dict] = {}
    try:
        staff_jars = [signed_in(base, "jiance") for _n in range(size["users"])]
        respondents = [(respondent(base, code), saves) for code, saves in plans[: size["users"]]]
        floor = [("healthz", "/healthz")]
        floors: list[tuple[str, type[HttpUser]]] = [
            ("floor, anonymous", group_class("floor anonymous", PageUser, pages=floor, cookie_jars=[])),
            ("floor, signed in", group_class("floor signed in", PageUser, pages=floor, cookie_jars=staff_jars)),
            ("floor, respondent", group_class("floor respondent", PageUser, pages=floor,
                                              cookie_jars=[cookies for cookies, _s in respondents])),
        ]
        groups = [*floors, ("empty page in the layout", group_class("empty page in the layout", PageUser,
                                                                    pages=[("layout", "/bench/layout")], cookie_jars=staff_jars))]
        role_pages: dict[str, list[tuple[str, str]]] = {}
        for group, (username, names) in ROLES.items():
            jars = staff_jars if username == "jiance" else [signed_in(base, username) for _n in range(size["users"])]
            pages, left = reachable(base, jars[0], paths, names)
            print(f"  {group} ({username}): {', '.join(n for n, _p in pages)}" + (f"; not theirs: {', '.join(left)}" if left else ""))
            groups.append((group, group_class(group, PageUser, pages=pages, cookie_jars=jars)))
            role_pages[group] = pages
        print(f"  questionnaire save: {len(respondents)} respondents, {sum(len(s) for _c, s in respondents)} items between them")
        groups.append(("questionnaire save", group_class("questionnaire save", SaveUser, respondents=respondents)))
        # Test day: the county's pages kept while respondents save (a save changes the answers,
        # not the round: the pages that do not show answers stay kept).
        half = max(size["users"] // 2, 1)
        groups.append((MIXED, [
            group_class("staff meanwhile", PageUser, pages=role_pages["county staff"],
                        cookie_jars=staff_jars, fixed_count=half),
            group_class("saves meanwhile", SaveUser, respondents=respondents, fixed_count=max(size["users"] - half, 1)),
        ]))
        groups += [(name + " (after)", cls) for name, cls in floors]
        if args.only:
            groups = [(n, c) for n, c in groups if n.startswith("floor") or any(w in n for w in args.only.split(","))]
        for name, cls in groups:
            results[name] = run_group(base, cls, size["users"], size["warmup"], size["seconds"])
            r = results[name]
            print(f"  … {name}: {r['requests']} requests, p95 {r['p95']:.0f} ms, {r['errors']} errors", flush=True)
    finally:
        stop_gunicorn(server)
    figures = report(results, size)
    emit(figures, args.figures)
    return 0 if all(f.met is not False for f in figures if f.figure == "errors") else 1  # a goal missed is shown, not fatal


def report(results: dict[str, dict], size: dict) -> list[Figure]:
    floor = {kind: (results[f"floor, {kind}"]["p95"] + results[f"floor, {kind} (after)"]["p95"]) / 2
             for kind in ("anonymous", "signed in", "respondent")}
    print(f"\n{'group':<22} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'errors':>6} {'p95 / floor':>11}")
    figures = []
    for name, r in results.items():
        compared = (None if name.startswith("floor") or name == MIXED
                    else floor["respondent" if name == "questionnaire save" else "signed in"])
        ratio = r["p95"] / compared if compared else None
        print(f"{name:<22} {r['rps']:>7.0f} {r['p50']:>7.0f} {r['p95']:>7.0f} {r['p99']:>7.0f} {r['errors']:>6}"
              f" {'' if ratio is None else f'{ratio:.1f} ×':>11}")
        for failure in r["failures"]:
            print(f"{'':<22} {failure}")
        workload = f"load: {name}, {size['users']} users"
        figures += [
            Figure(workload, "requests per second", round(r["rps"], 1), "req/s"),
            Figure(workload, "p50 / p95 / p99", f"{r['p50']:.0f} / {r['p95']:.0f} / {r['p99']:.0f}", "ms"),
            Figure(workload, "errors", r["errors"], "", "0", r["errors"] == 0),
        ]
        if name == MIXED:  # shown, no goal: the goals are for each group alone against its floor
            print(f"{'':<22} its pages p95 {r['pages_p95']:.0f} ms ({r['pages_p95'] / floor['signed in']:.1f} × the signed-in floor), "
                  f"its saves p95 {r['saves_p95']:.0f} ms ({r['saves_p95'] / floor['respondent']:.1f} × the respondent floor)")
            figures += [
                Figure(workload, "county staff pages: p95 ÷ signed-in floor's", round(r["pages_p95"] / floor["signed in"], 2), "×"),
                Figure(workload, "saves: p95 ÷ respondent floor's", round(r["saves_p95"] / floor["respondent"], 2), "×"),
            ]
        elif ratio is not None and name == "empty page in the layout":  # the benchmark's own page: shown, no goal
            figures.append(Figure(workload, "p95 ÷ floor's p95", round(ratio, 2), "×"))
        elif ratio is not None:
            figures.append(Figure(workload, "p95 ÷ floor's p95", round(ratio, 2), "×", "≤ 2 ×", ratio <= 2))
    print("\npages (requests, p50 ms, p95 ms):")
    for name, r in results.items():
        if not name.startswith("floor"):
            print(f"  {name}: " + "; ".join(f"{page} {n} {p50:.0f}/{p95:.0f}" for page, (n, p50, p95) in r["pages"].items()))
    print(f"\nfloor p95 (mean of before and after): anonymous {floor['anonymous']:.0f} ms, signed in {floor['signed in']:.0f} ms, "
          f"respondent {floor['respondent']:.0f} ms")
    return figures


if __name__ == "__main__":
    sys.exit(main())
