"""A real Celery worker process consumes the school import from Redis and writes to the
same PostgreSQL database the test reads."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse

from monitoring_site.celery import app as celery_app
from rounds.models import ImportBatch, School
from tests.rounds.test_school_import import GOOD_ROWS, workbook_bytes

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def _database_url() -> str:
    s = connection.settings_dict
    return f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.fixture
def worker(require_services, settings, tmp_path):
    """One worker process that runs the tasks itself (solo pool)."""
    yield from _run_worker(require_services, settings, tmp_path, "--pool=solo")


@pytest.fixture
def prefork_worker(require_services, settings, tmp_path):
    """One worker with two child processes (prefork pool), as a server runs it."""
    yield from _run_worker(require_services, settings, tmp_path, "--pool=prefork", "--concurrency=2")


def _run_worker(require_services, settings, tmp_path, *pool):
    require_services("REDIS_URL", "DATABASE_URL")
    if connection.vendor != "postgresql":
        pytest.fail("the worker test needs DATABASE_URL to point at PostgreSQL")
    celery_app.conf.task_always_eager = False
    celery_app.conf.broker_url = os.environ["REDIS_URL"]
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "CELERY_BROKER_URL": os.environ["REDIS_URL"],
        "DJANGO_MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "CELERY_TASK_ALWAYS_EAGER": "0",
    }
    log = open(tmp_path / "worker.log", "w+")  # noqa: SIM115 - read after the worker stops
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "monitoring_site",
            "worker",
            *pool,
            "--loglevel=INFO",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "--purge",
            "-n",
            f"test-{os.getpid()}@%h",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        log.seek(0)
        if "ready." in log.read():
            break
        if process.poll() is not None:
            log.seek(0)
            pytest.fail("worker exited: " + log.read()[-2000:])
        time.sleep(0.3)
    yield process, log
    process.terminate()
    process.wait(timeout=30)
    celery_app.conf.task_always_eager = True


def test_a_real_worker_runs_the_import_queued_after_commit(client, worker, django_user_model):
    from tests.factories import CountyFactory, PersonFactory

    process, log = worker
    county = CountyFactory(name="青山县", code="369901")
    staff = PersonFactory(county=county, user__username="staff").user
    client.force_login(staff)
    response = client.post(reverse("school_import"), {"file": SimpleUploadedFile("s.xlsx", workbook_bytes(GOOD_ROWS))})
    batch = ImportBatch.objects.get()
    assert response["Location"] == reverse("import_detail", args=[batch.pk])
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        batch.refresh_from_db()
        if batch.is_finished:
            break
        time.sleep(0.5)
    log.seek(0)
    output = log.read()
    assert batch.status == ImportBatch.Status.DONE, output[-3000:]
    assert School.objects.filter(county=county).count() == 3
    assert "rounds.tasks.school_import" in output and "succeeded" in output


def test_a_real_worker_builds_a_document_with_progress(client, worker):
    import datetime as dt

    from rounds.models import Document
    from rounds.services import round_create
    from tests.factories import CountyFactory, PersonFactory
    from tests.rounds.test_documents import pdf_text

    process, log = worker
    county = CountyFactory(name="青山县", code="369901")
    staff = PersonFactory(county=county, user__username="staff").user
    rnd = round_create(county=county, year=2027, cycle_year=1, test_start=dt.date(2027, 5, 26), test_end=dt.date(2027, 5, 27), user=staff)
    client.force_login(staff)
    client.post(reverse("document_request", args=[rnd.pk]), {"kind": "round_plan"})
    document = Document.objects.get()
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        document.refresh_from_db()
        if document.is_finished:
            break
        time.sleep(0.5)
    log.seek(0)
    assert document.status == Document.Status.DONE, log.read()[-3000:]
    assert "测试日程" in pdf_text(document).replace(" ", "")
