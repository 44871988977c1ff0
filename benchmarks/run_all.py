"""Every benchmark of the project, one after another, and one table of what they measured.

    .venv/bin/python benchmarks/run_all.py            # full size (what the README reports)
    .venv/bin/python benchmarks/run_all.py --small    # the reduced size the test suite runs
    .venv/bin/python benchmarks/run_all.py --only load,sampling

Each benchmark runs in a child process of its own (they set Django up each their own way) and
hands back its figures as JSON (``--figures``); this prints them as one table: workload,
figure, value, goal, met or not. With DATABASE_URL naming PostgreSQL every benchmark gets a
fresh database of its own next to that one (``<name>_<benchmark>``), copied from a template
migrated once (and one with the demo county loaded, for the load test and the reports);
without it the benchmarks that can run on a temporary SQLite database do, the others say
they were skipped. Exit status 1 if a benchmark failed or reported errors; a goal that is
not met is shown, not fatal.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from figures import ROOT, SIZES, Figure, load, manage, postgres_url, recreate, sibling_url  # noqa: E402

BENCHMARKS = {  # name → (script, needs PostgreSQL, needs the demo county)
    "sampling": ("bench_sampling.py", False, False),
    "logistics": ("bench_logistics.py", False, False),
    "questionnaires": ("bench_questionnaires.py", True, False),
    "results": ("results_figures.py", False, False),
    "reports": ("bench_reports.py", False, True),
    "rectification": ("bench_rectification.py", False, False),
    "load": ("bench_load.py", True, True),
    "province": ("bench_province.py", False, False),
}


def prepare_templates(base: str, names: list[str], given: str | None) -> dict[str, str]:
    """Migrate one template database (or take ``given``, already migrated), and load the demo
    county into a copy of it when a benchmark needs it."""
    env: dict[str, str] = {}
    template = given
    if template is None:
        url = sibling_url(base, "bench_tpl")
        started = time.perf_counter()
        recreate(url)
        manage(url, "migrate", "--noinput", "-v0")
        template = url.rsplit("/", 1)[-1]
        print(f"template database {template} migrated in {time.perf_counter() - started:.0f} s", flush=True)
    env["BENCH_TEMPLATE_DB"] = template
    if any(BENCHMARKS[n][2] for n in names):
        url = sibling_url(base, "bench_demo")
        started = time.perf_counter()
        if not recreate(url, template=template):
            manage(url, "migrate", "--noinput", "-v0")
        manage(url, "load_demo", "--no-documents")  # the reports benchmark builds its own
        env["BENCH_DEMO_TEMPLATE_DB"] = url.rsplit("/", 1)[-1]
        print(f"demo county loaded into {env['BENCH_DEMO_TEMPLATE_DB']} in {time.perf_counter() - started:.0f} s", flush=True)
    return env


def run_one(name: str, size: str, env: dict[str, str], base: str | None, tmp: Path, extra: list[str]) -> tuple[list[Figure], str]:
    script, needs_postgres, demo = BENCHMARKS[name]
    if needs_postgres and base is None:
        return [Figure(name, "skipped: needs DATABASE_URL naming PostgreSQL", None, "")], "skipped"
    child = {**os.environ, **env}
    if base is not None and not (needs_postgres or demo):  # the others make their own next to DATABASE_URL's
        child["DATABASE_URL"] = sibling_url(base, name)
        recreate(child["DATABASE_URL"], template=env.get("BENCH_TEMPLATE_DB"))
    out = tmp / f"{name}.json"
    started = time.perf_counter()
    print(f"\n== {name} ({script}, size {size})", flush=True)
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / script), "--size", size, "--figures", str(out), *extra],  # noqa: S603
        cwd=tmp,
        env=child,
    )
    seconds = time.perf_counter() - started
    print(f"== {name}: {seconds:.0f} s, exit status {done.returncode}", flush=True)
    figures = load(out) if out.exists() else []
    if done.returncode != 0 and not figures:
        return [Figure(name, f"FAILED (exit status {done.returncode})", None, "", "runs", False)], "failed"
    return figures, "ok" if done.returncode == 0 else "failed"


def table(figures: list[Figure], *, markdown: bool = False) -> str:
    rows = [("workload", "figure", "value", "goal", "met")]
    for f in figures:
        rows.append((f.workload, f.figure, f.shown(), f.goal or "—", {True: "yes", False: "NO", None: "—"}[f.met]))
    if markdown:  # for the README's Performance section
        return "\n".join(
            ["| " + " | ".join(rows[0]) + " |", "|---|---|--:|---|---|"]
            + ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows[1:]]
        )
    widths = [max(len(r[i]) for r in rows) for i in range(5)]
    lines = [" | ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() for row in rows]
    lines.insert(1, "-+-".join("-" * w for w in widths))
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=SIZES, default="full")
    parser.add_argument("--small", dest="size", action="store_const", const="ci", help="the same as --size ci")
    parser.add_argument("--only", help="comma-separated benchmarks: " + ", ".join(BENCHMARKS))
    parser.add_argument("--template-db", help="an already migrated (empty) database to copy instead of migrating one")
    parser.add_argument("--keep", action="store_true", help="keep the benchmarks' databases afterwards")
    parser.add_argument("--markdown", action="store_true", help="print the table as Markdown (for the README)")
    args = parser.parse_args()
    names = [n.strip() for n in args.only.split(",")] if args.only else list(BENCHMARKS)
    unknown = set(names) - set(BENCHMARKS)
    if unknown:
        parser.error(f"unknown benchmarks: {', '.join(sorted(unknown))}")

    base = postgres_url()
    started = time.perf_counter()
    env = prepare_templates(base, names, args.template_db) if base else {}
    if not base:
        print("DATABASE_URL does not name PostgreSQL: temporary SQLite databases, the PostgreSQL benchmarks skipped")
    figures: list[Figure] = []
    outcome: dict[str, str] = {}
    with tempfile.TemporaryDirectory(prefix="bench-all-") as tmp:
        for name in names:
            extra = ["--redis", os.environ["REDIS_URL"]] if name == "reports" and os.environ.get("REDIS_URL") else []
            found, outcome[name] = run_one(name, args.size, env, base, Path(tmp), extra)
            figures += found
    if base and not args.keep:
        from figures import drop

        for name in names:
            if not (BENCHMARKS[name][1] or BENCHMARKS[name][2]):
                drop(sibling_url(base, name))
        for suffix in ("load", "qbench", "reports", "bench_demo") + (() if args.template_db else ("bench_tpl",)):
            drop(sibling_url(base, suffix))

    print(
        f"\nall benchmarks, size {args.size}, {time.perf_counter() - started:.0f} s ({', '.join(f'{n} {o}' for n, o in outcome.items())})\n"
    )
    print(table(figures, markdown=args.markdown))
    errors = [f for f in figures if f.met is False and ("error" in f.figure or "lost" in f.figure or "FAILED" in f.figure)]
    return 1 if errors or "failed" in outcome.values() else 0


if __name__ == "__main__":
    sys.exit(main())
