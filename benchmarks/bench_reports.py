"""Benchmark of the reports (not a test): run ``.venv/bin/python benchmarks/bench_reports.py``.

For the demo county (``manage.py load_demo``: 20 sampled schools, scores, PE-health, findings):
1. the county diagnostic report built in this process — time and PDF size and pages
   (goals: under 10 s, under 2 MB);
2. every school letter, queued as one group on Redis and built by a real worker with two
   child processes — total time from the request until the last letter is done;
3. the peak memory (VmHWM) of each worker child, read from /proc before the worker stops.

The demo lives in a temporary SQLite database shared by this script and the worker
(``APP_VAR_DIR``); ``--var-dir DIR`` reuses (or keeps) one so the slow demo load runs once.
Redis: ``--redis redis://127.0.0.1:6379/12`` (default), the database is purged.
With DATABASE_URL naming PostgreSQL, the demo lives in ``<name>_reports`` there instead.
``--size ci``: the county report only (no worker, Redis untouched).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
from figures import Figure, add_arguments, emit, fresh_database, postgres_url  # noqa: E402

FIGURES: list[Figure] = []


def _setup(var_dir: Path, redis: str) -> None:
    os.environ["APP_VAR_DIR"] = str(var_dir)
    if postgres_url():
        os.environ["DATABASE_URL"] = fresh_database("reports", demo=True)
    else:
        os.environ.pop("DATABASE_URL", None)
    os.environ.pop("DJANGO_MEDIA_ROOT", None)
    os.environ["CELERY_BROKER_URL"] = redis
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "0"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "monitoring_site.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from rounds.models import Round

    call_command("migrate", verbosity=0)
    if not Round.objects.exists():
        started = time.perf_counter()
        call_command("load_demo", no_documents=True, verbosity=0)
        print(f"demo county loaded in {time.perf_counter() - started:.0f} s")


def _county_report(rnd, user) -> None:
    import resource

    from rounds.documents import document_build_run, document_kinds
    from rounds.models import Document

    title = document_kinds()["county_report"].title(rnd, "")
    document = Document.objects.create(round=rnd, kind="county_report", title=title, created_by=user)
    started = time.perf_counter()
    document = document_build_run(document_id=document.pk)
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"county report: {seconds:.1f} s (goal < 10 s), {document.size / 1e6:.2f} MB (goal < 2 MB), "
        f"{document.pages} pages; this process peaked at {peak:.0f} MB"
    )
    FIGURES.extend(
        [
            Figure("reports: the demo county's diagnostic report", "build time", round(seconds, 1), "s", "< 10 s", seconds < 10),
            Figure(
                "reports: the demo county's diagnostic report",
                "PDF size",
                round(document.size / 1e6, 2),
                "MB",
                "< 2 MB",
                document.size < 2e6,
            ),
        ]
    )


def _start_worker(log_path: Path, concurrency: int, name: str = "bench", *, purge: bool = True) -> subprocess.Popen:
    """A worker; it empties the queue first unless ``purge`` is false (one joining a batch)."""
    log = log_path.open("w+")  # noqa: SIM115 - the worker writes it until it stops
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and fixed arguments
        [sys.executable, "-m", "celery", "-A", "monitoring_site", "worker", f"--concurrency={concurrency}",
         "--loglevel=INFO", "--without-gossip", "--without-mingle", "--without-heartbeat", *(["--purge"] if purge else []),
         "-n", f"{name}-{os.getpid()}@%h"],
        cwd=ROOT, env=dict(os.environ), stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if "ready." in log_path.read_text():
            return process
        if process.poll() is not None:
            sys.exit("worker exited: " + log_path.read_text()[-2000:])
        time.sleep(0.3)
    process.terminate()
    sys.exit("worker not ready after 120 s")


def _children(pid: int) -> dict[int, dict[str, str]]:
    """The worker's child processes: pid → the fields of /proc/<pid>/status."""
    children = {}
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":", 1) for line in status.read_text().splitlines() if ":" in line)
        except OSError:
            continue
        if fields.get("PPid", "").strip() == str(pid):
            children[int(status.parent.name)] = fields
    return children


def _children_peaks(pid: int) -> list[float]:
    """VmHWM (peak resident memory, MB) of the worker's child processes."""
    return [int(fields["VmHWM"].split()[0]) / 1024 for fields in _children(pid).values() if "VmHWM" in fields]


def _letters(rnd, user, log_path: Path, concurrency: int) -> None:
    from rounds.letters import school_letters_request
    from rounds.models import Document

    worker = _start_worker(log_path, concurrency)
    try:
        started = time.perf_counter()
        documents = school_letters_request(rnd=rnd, user=user)
        pks = [d.pk for d in documents]
        while Document.objects.filter(pk__in=pks, status__in=["queued", "running"]).exists():
            if time.perf_counter() - started > 900:
                sys.exit("letters not done after 15 minutes; see " + str(log_path))
            time.sleep(0.5)
        seconds = time.perf_counter() - started
        peaks = _children_peaks(worker.pid)
    finally:
        worker.terminate()
        worker.wait(timeout=60)
    done = Document.objects.filter(pk__in=pks, status="done")
    sizes = [d.size for d in done]
    print(
        f"school letters: {done.count()} of {len(pks)} done with {concurrency} workers in {seconds:.1f} s "
        f"({seconds / max(1, len(pks)):.1f} s a letter), {sum(sizes) / max(1, len(sizes)) / 1e3:.0f} kB each"
    )
    print("peak memory of each worker child: " + ", ".join(f"{p:.0f} MB" for p in sorted(peaks)))
    workload = f"reports: {len(pks)} school letters, a worker with {concurrency} children"
    FIGURES.extend(
        [
            Figure(workload, "all done", round(seconds, 1), "s", f"all {len(pks)} done", done.count() == len(pks)),
            Figure(workload, "peak memory of a child", round(max(peaks, default=0)), "MB"),
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--var-dir", type=Path, help="keep the demo database and media here (reused if present)")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/12")
    parser.add_argument("--workers", type=int, default=2)
    add_arguments(parser)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-reports-") as tmp:
        var_dir = args.var_dir or Path(tmp)
        var_dir.mkdir(parents=True, exist_ok=True)
        _setup(var_dir, args.redis)
        from rounds.models import Person, Round

        rnd = Round.objects.select_related("county").get()
        user = Person.objects.filter(county=rnd.county, role="county_staff").select_related("user").first().user
        _county_report(rnd, user)
        if args.size == "full":
            _letters(rnd, user, Path(tmp) / "worker.log", args.workers)
    emit(FIGURES, args.figures)


if __name__ == "__main__":
    main()
