"""The database drops every connection while the app runs: the app recovers by itself (issue 9 §5).

What the app sees of a PostgreSQL restart is that every connection it holds is cut. The shared
PostgreSQL server of the suite cannot be restarted under the other tests, and a private
cluster would need the migrations run again (a minute of CI), so the test does what a restart
does to the app: gunicorn, as in production (one sync worker keeping its connection between
requests, CONN_MAX_AGE), has served pages; every backend connection to its database is ended with
pg_terminate_backend; the next requests must be answered normally, not with a 500, because
CONN_HEALTH_CHECKS finds the dead connection at the start of the request and opens a new one.
"""

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.db import connection
from django.test import Client

from tests.integration.test_celery_worker import _database_url

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def gunicorn(require_services, settings, tmp_path):
    require_services("DATABASE_URL")
    if connection.vendor != "postgresql":
        pytest.fail("this test needs DATABASE_URL to point at PostgreSQL")
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": _database_url(), "DJANGO_MEDIA_ROOT": str(settings.MEDIA_ROOT), "CELERY_TASK_ALWAYS_EAGER": "1"}
    log = open(tmp_path / "gunicorn.log", "w+")  # noqa: SIM115 - closed below
    command = [sys.executable, "-m", "gunicorn", "monitoring_site.wsgi", "-b", f"127.0.0.1:{port}", "-w", "1", "--timeout", "120"]
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url + "/accounts/login/", timeout=5)  # noqa: S310 - our own server
            break
        except OSError:
            if process.poll() is not None:
                break
            time.sleep(0.3)
    else:
        process.kill()
        pytest.fail("gunicorn did not start")
    yield url, log
    process.terminate()
    process.wait(timeout=30)
    log.close()


def _get(opener, url: str) -> int:
    try:
        with opener.open(url, timeout=60) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def _terminate_every_connection_but(own_pid: int) -> int:
    s = connection.settings_dict
    address = {"host": s["HOST"] or "127.0.0.1", "port": s["PORT"] or 5432, "user": s["USER"]}
    with psycopg.connect(**address, dbname="postgres", autocommit=True) as admin:
        rows = admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> %s",
            [s["NAME"], own_pid],
        ).fetchall()
    return sum(1 for (ok,) in rows if ok)


def test_the_app_answers_normally_after_every_database_connection_was_cut(world, gunicorn):
    server, log = gunicorn
    assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] and settings.DATABASES["default"]["CONN_MAX_AGE"] > 0
    client = Client()
    client.force_login(world.staff)
    opener = urllib.request.build_opener()
    opener.addheaders = [("Cookie", f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}")]
    pages = [f"{server}/", f"{server}/schools/", f"{server}/rounds/{world.round.pk}/"]
    assert [_get(opener, url) for url in pages] == [200, 200, 200]

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        own_pid = cursor.fetchone()[0]
    assert _terminate_every_connection_but(own_pid) >= 1  # the server's kept connection was among them

    assert [_get(opener, url) for url in pages] == [200, 200, 200]
    assert _get(opener, f"{server}/schools/{world.school_a.pk}/") == 200
    log.seek(0)
    assert "Traceback" not in log.read()
