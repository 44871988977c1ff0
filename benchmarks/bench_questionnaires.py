"""Benchmark (not a test): 600 students and 100 teachers answering at once, over loopback.

Builds a fresh PostgreSQL database (``<name>_qbench`` next to the one DATABASE_URL names, else
mon_qbench on 127.0.0.1), a county with 20 sampled schools (30 students
and 5 teacher codes each) and the default instruments; starts gunicorn on 127.0.0.1; then 700
simulated respondents open their questionnaire with their code, save item by item (skip logic
followed, some answers changed again, a pause between answers) and submit — twice at once, as
a double click would. Afterwards every response is compared with what its respondent was told
was saved: nothing may be lost, duplicated or left unsubmitted, and no request may fail.
Prints p50/p95/max of a save (goal: p95 < 150 ms).

    .venv/bin/python benchmarks/bench_questionnaires.py [--think 4 6] [--workers 3] [--size ci]

``--size ci``: 1 school of 6 students and 2 teachers, answering 0.02–0.1 s apart.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import statistics
import sys
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
from figures import Figure, add_arguments, emit, free_port, fresh_database, postgres_url, start_gunicorn, stop_gunicorn  # noqa: E402

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "monitoring_site.settings")
HOST = "127.0.0.1"  # loopback only
SCHOOLS, STUDENTS_PER_SCHOOL, TEACHERS_PER_SCHOOL = 20, 30, 5
SIZES = {"full": (20, 30, 5), "ci": (1, 6, 2)}  # schools, students and teachers per school


def build():
    """The county, its sample, the instruments and the codes; returns the respondents' plans."""
    import datetime as dt

    from django.utils import timezone

    from questionnaires.models import AccessCode, Kind
    from questionnaires.services import access_codes_generate, current_instrument, instrument_install_defaults
    from rounds.models import County, Round, School, Stage
    from rounds.services import region_city_ensure
    from sampling.models import SampledSchool, SampledStudent

    county = County.objects.create(code="369999", name="压测县", city=region_city_ensure(province="省", city="市"))
    schools = School.objects.bulk_create(
        School(county=county, code=f"36999900{n:02d}", name=f"压测第{n}小学", school_type="primary", location="rural")
        for n in range(SCHOOLS)
    )
    rnd = Round.objects.create(
        county=county,
        year=2027,
        cycle_year=1,
        domains=["math"],
        grades=[4],
        test_start=dt.date(2027, 5, 26),
        test_end=dt.date(2027, 5, 27),
        stage=Stage.TESTING,
        closes_at=timezone.now() + timezone.timedelta(hours=6),
    )
    sampled = SampledSchool.objects.bulk_create(
        SampledSchool(round=rnd, grade=4, school=s, serial=n + 1, enrolment=60, probability=0.5, weight=2) for n, s in enumerate(schools)
    )
    SampledStudent.objects.bulk_create(
        SampledStudent(
            sampled_school=ss,
            monitoring_id=f"3699994{ss.serial:03d}{k:03d}",
            name=f"学生{k}",
            sex="M",
            birth_date=dt.date(2017, 1, 1),
            within_probability=0.5,
            final_weight=4,
        )
        for ss in sampled
        for k in range(STUDENTS_PER_SCHOOL)
    )
    instrument_install_defaults(rnd=rnd, user=None)
    access_codes_generate(rnd=rnd, teachers_per_school=TEACHERS_PER_SCHOOL, county_codes=0, user=None)
    items = {kind: list(current_instrument(rnd=rnd, kind=kind).items.all()) for kind in (Kind.STUDENT, Kind.TEACHER)}
    codes = list(AccessCode.objects.filter(round=rnd, kind__in=[Kind.STUDENT, Kind.TEACHER]).values_list("code", "kind"))
    return codes, items


def plan_answers(items, rng: random.Random) -> list[tuple[str, list[str]]]:
    """The saves one respondent makes, in order, following the skip logic; some are changed later."""
    from questionnaires.answers import visible_codes

    given: dict[str, object] = {}
    saves: list[tuple[str, list[str]]] = []
    for item in items:
        if item.code not in visible_codes(items, given):
            continue
        if item.type in ("single", "scale"):
            values = [rng.choice([v for v, _label in item.choices])]
        elif item.type == "multiple":
            options = [v for v, _label in item.choices]
            values = rng.sample(options, rng.randint(1, min(3, len(options))))
        elif item.type == "number":
            values = [str(rng.randint(int(item.min_value or 0), int(item.max_value or 100)))]
        else:
            values = [rng.choice(["多开展体育活动", "=1+1", "希望作业少一点", "+86 电话"])]
        given[item.code] = values if item.type == "multiple" else values[0]
        saves.append((item.code, values))
        if rng.random() < 0.1:  # changes their mind: the last value given must be the one kept
            saves.append((item.code, values))
    return saves


class Client:
    """A minimal HTTP/1.1 client on asyncio streams (one connection per request, cookies kept)."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}

    async def request(
        self, method: str, path: str, fields: list[tuple[str, str]] | None = None, headers: dict[str, str] | None = None
    ) -> tuple[int, dict[str, str], str]:
        body = urllib.parse.urlencode(fields or []).encode()
        lines = [f"{method} {path} HTTP/1.1", f"Host: {HOST}:{self.port}", "Connection: close", f"Content-Length: {len(body)}"]
        if fields is not None:
            lines.append("Content-Type: application/x-www-form-urlencoded")
        if self.cookies:
            lines.append("Cookie: " + "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
        reader, writer = await asyncio.open_connection(HOST, self.port)
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        await writer.drain()
        raw = await reader.read()
        writer.close()
        head, _sep, content = raw.partition(b"\r\n\r\n")
        head_lines = head.decode("latin-1").split("\r\n")
        status = int(head_lines[0].split()[1])
        found: dict[str, str] = {}
        for line in head_lines[1:]:
            name, _c, value = line.partition(": ")
            if name.lower() == "set-cookie":
                key, _e, rest = value.partition("=")
                self.cookies[key] = rest.split(";", 1)[0]
            found[name.lower()] = value
        return status, found, content.decode("utf-8", "replace")


async def respondent(
    port: int, code: str, saves, rng: random.Random, think: tuple[float, float], ramp: float, timings: list[float], errors: list[str]
) -> dict[str, list[str]]:
    client = Client(port)
    await asyncio.sleep(rng.uniform(0, ramp))
    status, _h, _b = await client.request("GET", "/questionnaires/q/")
    token = client.cookies.get("csrftoken", "")
    status, headers, _b = await client.request("POST", "/questionnaires/q/", [("csrfmiddlewaretoken", token), ("code", code)])
    if status != 302 or not headers.get("location", "").endswith("/q/answer/"):
        errors.append(f"{code}: open {status}")
        return {}
    status, _h, _b = await client.request("GET", "/questionnaires/q/answer/")
    if status != 200:
        errors.append(f"{code}: form {status}")
    kept: dict[str, list[str]] = {}
    for item_code, values in saves:
        await asyncio.sleep(rng.uniform(*think))
        started = time.perf_counter()
        status, _h, body = await client.request(
            "POST",
            "/questionnaires/q/answer/save/",
            [("item", item_code)] + [("value", v) for v in values],
            {"X-CSRFToken": token, "HX-Request": "true"},
        )
        timings.append(time.perf_counter() - started)
        if status != 200 or 'data-state="saved"' not in body:
            errors.append(f"{code}: save {item_code} {status} {re.sub(r'<[^>]+>', '', body)[:80]}")
            continue
        kept[item_code] = values
    await asyncio.sleep(rng.uniform(*think))
    submits = await asyncio.gather(
        *[client.request("POST", "/questionnaires/q/answer/submit/", [("csrfmiddlewaretoken", token)]) for _n in range(2)]
    )
    for status, headers, _b in submits:
        if status != 302 or not headers.get("location", "").endswith("/q/done/"):
            errors.append(f"{code}: submit {status}")
    return kept


def verify(expected: dict[str, dict[str, list[str]]]) -> list[str]:
    from django.db import connection

    from questionnaires.models import Answer, Response

    problems = []
    with connection.cursor() as cursor:
        cursor.execute("SELECT response_id, item_id FROM questionnaires_answer GROUP BY 1, 2 HAVING COUNT(*) > 1")
        problems += [f"duplicate answer {row}" for row in cursor.fetchall()]
    stored: dict[str, dict[str, object]] = {}
    for code, item, value in Answer.objects.values_list("response__access_code__code", "item__code", "value"):
        stored.setdefault(code, {})[item] = value
    submitted = set(Response.objects.filter(submitted_at__isnull=False).values_list("access_code__code", flat=True))
    for code, kept in expected.items():
        if code not in submitted:
            problems.append(f"{code}: not submitted")
        have = stored.get(code, {})
        for item, values in kept.items():
            value = have.get(item)
            normal = sorted(map(str, value)) if isinstance(value, list) else [str(value)]
            if normal != sorted(str(v) for v in values) and [str(_num(v)) for v in values] != normal:
                problems.append(f"{code}: {item} stored {value!r}, given {values!r}")
        if set(have) != set(kept):
            problems.append(f"{code}: stored items differ by {sorted(set(have) ^ set(kept))}")
    return problems


def _num(text: str):
    try:
        number = float(text)
    except ValueError:
        return text
    return int(number) if number.is_integer() else number


async def load(port, codes, items, args, timings, errors):
    rng = random.Random(2027)
    plans = {code: plan_answers(items[kind], rng) for code, kind in codes}
    tasks = {
        code: asyncio.create_task(respondent(port, code, plans[code], random.Random(code), tuple(args.think), args.ramp, timings, errors))
        for code, _kind in codes
    }

    async def progress():
        while True:
            await asyncio.sleep(30)
            recent = sorted(timings[-2000:])
            p95 = 1000 * recent[int(0.95 * (len(recent) - 1))] if recent else 0
            print(
                f"  … {sum(t.done() for t in tasks.values())} done, {len(timings)} saves, recent p95 {p95:.0f} ms, {len(errors)} errors",
                flush=True,
            )

    reporter = asyncio.create_task(progress())
    done, pending = await asyncio.wait(tasks.values(), timeout=args.limit)
    reporter.cancel()
    for task in pending:
        task.cancel()
    if pending:
        errors.append(f"{len(pending)} respondents did not finish within {args.limit} s")
    return {code: task.result() for code, task in tasks.items() if task in done and not task.exception()}, plans


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--think", nargs=2, type=float, default=[4.0, 6.0], help="seconds between answers (a save every 5 s on average)")
    parser.add_argument("--ramp", type=float, default=60.0, help="respondents arrive over this many seconds")
    parser.add_argument("--limit", type=float, default=600.0, help="the whole run must end within this")
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=8)
    add_arguments(parser)
    args = parser.parse_args()
    global SCHOOLS, STUDENTS_PER_SCHOOL, TEACHERS_PER_SCHOOL
    SCHOOLS, STUDENTS_PER_SCHOOL, TEACHERS_PER_SCHOOL = SIZES[args.size]
    if args.size == "ci":
        args.think, args.ramp, args.limit = [0.02, 0.1], 1.0, 120.0

    if postgres_url() is None:
        os.environ["DATABASE_URL"] = f"postgres://postgres@{HOST}:5432/mon"
    os.environ["DATABASE_URL"] = fresh_database("qbench")
    import django

    django.setup()
    codes, items = build()
    print(f"{len(codes)} respondents: {sum(k == 'student' for _c, k in codes)} students, {sum(k == 'teacher' for _c, k in codes)} teachers")
    port = free_port()
    server = start_gunicorn(port=port, workers=args.workers, threads=args.threads)
    timings: list[float] = []
    errors: list[str] = []
    try:
        started = time.perf_counter()
        kept, plans = asyncio.run(load(port, codes, items, args, timings, errors))
        elapsed = time.perf_counter() - started
    finally:
        stop_gunicorn(server)
    timings.sort()
    saves = len(timings)
    p95 = 1000 * timings[int(0.95 * (saves - 1))] if timings else None
    print(
        f"{saves} saves in {elapsed:.0f} s ({saves / elapsed:.0f}/s) by {len(kept)} respondents, "
        f"{sum(len(p) for p in plans.values())} planned"
    )
    if timings:
        print(
            f"save time: p50 {1000 * statistics.median(timings):.0f} ms, "
            f"p95 {1000 * timings[int(0.95 * (saves - 1))]:.0f} ms, max {1000 * timings[-1]:.0f} ms "
            f"(goal p95 < 150 ms)"
        )
    problems = verify(kept)
    print(f"request errors: {len(errors)}; lost, duplicated or unsubmitted: {len(problems)}")
    for line in (errors + problems)[:20]:
        print("  ", line)
    workload = f"questionnaires: {len(codes)} respondents answering at once, gunicorn on PostgreSQL"
    emit(
        [
            Figure(workload, "save time p95", None if p95 is None else round(p95), "ms", "< 150 ms", p95 is not None and p95 < 150),
            Figure(workload, "saves per second", round(saves / elapsed, 1), "req/s"),
            Figure(workload, "request errors", len(errors), "", "0", not errors),
            Figure(
                workload,
                "answers lost, duplicated or unsubmitted",
                len(problems) + len(codes) - len(kept),
                "",
                "0",
                not problems and len(kept) == len(codes),
            ),
        ],
        args.figures,
    )
    return 1 if errors or problems or len(kept) != len(codes) else 0


if __name__ == "__main__":
    sys.exit(main())
