"""What every benchmark hands back: figures with their goal, and the databases they run in.

Each ``bench_*.py`` keeps its own command line and printout, and also takes
``--size full|ci`` (``ci``: the reduced size the test suite runs) and ``--figures FILE``
(write its figures there as JSON) so that ``benchmarks/run_all.py`` can run them all and
print one table. Nothing here imports Django: benchmarks set up Django their own way.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import subprocess
import sys
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SIZES = ("full", "ci")


@dataclasses.dataclass
class Figure:
    workload: str  # what was run, e.g. "readiness dashboard, 340 counties"
    figure: str  # what was measured, e.g. "median page time"
    value: float | str | None  # a string for a figure made of several numbers, e.g. "12 / 30 / 41"
    unit: str  # "ms", "s", "req/s", "×", "" …
    goal: str = ""  # e.g. "< 300 ms"; empty when the figure is only reported
    met: bool | None = None  # None when there is no goal

    def shown(self) -> str:
        if self.value is None:
            return "—"
        if isinstance(self.value, str):
            return f"{self.value} {self.unit}".strip()
        value = self.value
        if isinstance(value, float) and not value.is_integer():
            text = f"{value:,.2f}" if abs(value) < 10 else f"{value:,.1f}" if abs(value) < 100 else f"{value:,.0f}"
        else:
            text = f"{int(value):,}"
        return f"{text} {self.unit}".strip()


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--size", choices=SIZES, default="full", help="ci: the reduced size the test suite runs")
    parser.add_argument("--figures", type=Path, help="write the figures to this file as JSON (for run_all.py)")


def emit(figures: list[Figure], path: Path | None) -> None:
    """Write the figures for run_all.py (if asked to)."""
    if path is not None:
        path.write_text(json.dumps([dataclasses.asdict(f) for f in figures], ensure_ascii=False, indent=1))


def load(path: Path) -> list[Figure]:
    return [Figure(**row) for row in json.loads(path.read_text())]


# --- databases --------------------------------------------------------------------------------
# Benchmarks on PostgreSQL each get a database of their own next to the one DATABASE_URL names
# (``<name>_<suffix>``). run_all.py migrates one template first (BENCH_TEMPLATE_DB) and, for the
# benchmarks that need the demo county, a second one with it loaded (BENCH_DEMO_TEMPLATE_DB):
# copying a template takes a second, migrating takes half a minute.


def postgres_url() -> str | None:
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith(("postgres://", "postgresql://")) else None


def sibling_url(url: str, suffix: str) -> str:
    parts = urllib.parse.urlsplit(url)
    name = parts.path.lstrip("/") or "monitoring"
    return urllib.parse.urlunsplit(parts._replace(path=f"/{name}_{suffix}"))


def db_name(url: str) -> str:
    return urllib.parse.urlsplit(url).path.lstrip("/")


def _admin_connection(url: str):
    import psycopg

    parts = urllib.parse.urlsplit(url)
    return psycopg.connect(urllib.parse.urlunsplit(parts._replace(path="/postgres", scheme="postgresql")), autocommit=True)


def recreate(url: str, *, template: str | None = None) -> bool:
    """Drop and create the database ``url`` names, as a copy of ``template`` if given and possible.
    Returns whether it is a copy (else it is empty and needs migrating)."""
    from psycopg import errors, sql

    name = db_name(url)
    with _admin_connection(url) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        if template:
            try:
                conn.execute(sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(sql.Identifier(name), sql.Identifier(template)))
                return True
            except (errors.ObjectInUse, errors.InvalidCatalogName):
                pass  # someone is connected to the template, or it is gone: start empty
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return False


def drop(url: str) -> None:
    from psycopg import sql

    with _admin_connection(url) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(db_name(url))))


def manage(url: str, *args: str) -> None:
    """``manage.py`` in a child process on the database ``url`` (tasks run inline)."""
    env = {k: v for k, v in os.environ.items() if k not in ("CELERY_BROKER_URL", "REDIS_URL")}
    env["DATABASE_URL"] = url
    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        cwd=ROOT,
        env=env,
        check=True,  # noqa: S603
        stdout=subprocess.DEVNULL,
    )


def fresh_database(suffix: str, *, demo: bool = False) -> str:
    """A database of this benchmark's own, migrated (and holding the demo county if ``demo``);
    DATABASE_URL must name a PostgreSQL server. Returns its URL."""
    base = postgres_url()
    if base is None:
        raise SystemExit("DATABASE_URL must name a PostgreSQL database")
    url = sibling_url(base, suffix)
    template = os.environ.get("BENCH_DEMO_TEMPLATE_DB" if demo else "BENCH_TEMPLATE_DB")
    if not recreate(url, template=template):
        manage(url, "migrate", "--noinput", "-v0")
        if demo:
            manage(url, "load_demo", "--no-documents")
    return url


# --- gunicorn on loopback ------------------------------------------------------------------------
HOST = "127.0.0.1"


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def start_gunicorn(*, port: int, workers: int, threads: int, settings: str | None = None) -> subprocess.Popen:
    """gunicorn (gthread) serving the app on 127.0.0.1:``port`` from DATABASE_URL, as in production
    (DEBUG off, persistent connections); returns once ``/healthz`` answers. ``settings``: a
    settings module of benchmarks/ to serve the app with instead of the project's."""
    import time
    import urllib.request

    env = {**os.environ, "DJANGO_DEBUG": "0", "DJANGO_LOG_LEVEL": "ERROR", "DB_CONN_MAX_AGE": "600"}
    if settings:
        env |= {"DJANGO_SETTINGS_MODULE": settings, "PYTHONPATH": os.pathsep.join([str(ROOT / "benchmarks"), str(ROOT)])}
    # Nothing under load queues a task; the cache is in Redis as in production, when there is one.
    redis_url = env.pop("REDIS_URL", "") or env.get("CACHE_URL", "")
    env.pop("CELERY_BROKER_URL", None)
    if redis_url:
        env["CACHE_URL"] = redis_url
    server = subprocess.Popen(  # noqa: S603 - our own gunicorn, fixed arguments
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "monitoring_site.wsgi",
            "-b",
            f"{HOST}:{port}",
            "-k",
            "gthread",
            "-w",
            str(workers),
            "--threads",
            str(threads),
            "--backlog",
            "2048",
            "--timeout",
            "60",
            "--graceful-timeout",
            "5",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    deadline = time.time() + 90
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(f"http://{HOST}:{port}/healthz", timeout=5) as answer:  # noqa: S310 - loopback
                if answer.status == 200:
                    return server
        except OSError:
            pass
        if server.poll() is not None:
            raise SystemExit("gunicorn exited")
        time.sleep(0.3)
    server.terminate()
    raise SystemExit("gunicorn did not start")


def stop_gunicorn(server: subprocess.Popen) -> None:
    import signal

    server.send_signal(signal.SIGTERM)
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()
