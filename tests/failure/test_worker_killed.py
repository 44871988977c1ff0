"""A worker killed in the middle of the county report: the report is still built, once (issue 9 §5).

A real Celery worker (solo pool: the process that runs the task is the worker itself) takes
the county report from Redis and is killed with SIGKILL while the document is RUNNING — no
shutdown handler runs, so the message stays unacknowledged in Redis (acks_late). A new worker
hands it out again once the broker's visibility timeout has passed (in production twice the
task time limit, 20 minutes; here CELERY_VISIBILITY_TIMEOUT=3 seconds so the test waits
seconds, not minutes) and builds the same Document row: one row, DONE, with its PDF.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.urls import reverse

from monitoring_site.celery import app as celery_app
from rounds.models import Document
from tests.integration.test_celery_worker import _database_url
from tests.reports.conftest import report_world  # noqa: F401
from tests.reports.helpers import pdf_text
from tests.results.conftest import results_world  # noqa: F401

ROOT = Path(__file__).resolve().parents[2]
VISIBILITY = 3
# A queue of this test's own, so that workers of other tests running beside it (same Redis)
# neither take this report nor hand theirs to these workers.
QUEUE = f"failure-{os.getpid()}"
pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def _start_worker(settings, log_path: Path, name: str):
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "CELERY_BROKER_URL": os.environ["REDIS_URL"],
        "DJANGO_MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY),
        # Every job of the workers on the test's queue, a chord's callback (which they send) too.
        "CELERY_TASK_DEFAULT_QUEUE": QUEUE,
    }
    log = open(log_path, "w+")  # noqa: SIM115 - closed by the caller
    command = [sys.executable, "-m", "celery", "-A", "monitoring_site", "worker", "--pool=solo", "--loglevel=INFO"]
    command += ["--without-gossip", "--without-mingle", "--without-heartbeat", "-Q", QUEUE, "-n", f"{name}-{os.getpid()}@%h"]
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        log.seek(0)
        if "ready." in log.read():
            return process, log
        if process.poll() is not None:
            break
        time.sleep(0.2)
    log.seek(0)
    process.kill()
    pytest.fail(f"worker {name} did not start: " + log.read()[-2000:])


@pytest.fixture
def broker(require_services):
    require_services("REDIS_URL", "DATABASE_URL")
    celery_app.conf.task_always_eager = False
    celery_app.conf.broker_url = os.environ["REDIS_URL"]
    default_queue = celery_app.conf.task_default_queue
    celery_app.conf.task_default_queue = QUEUE
    yield
    celery_app.conf.task_default_queue = default_queue
    celery_app.conf.task_always_eager = True


def test_a_worker_killed_while_building_the_report_leaves_one_report_built_by_the_next(
    report_world,  # noqa: F811
    broker,
    client,
    settings,
    tmp_path,
):
    first, first_log = _start_worker(settings, tmp_path / "first.log", "doomed")
    client.force_login(report_world.staff)
    client.post(reverse("document_request", args=[report_world.round.pk]), {"kind": "county_report"})
    report = Document.objects.get(kind="county_report")

    deadline = time.monotonic() + 120
    while report.status != Document.Status.RUNNING and time.monotonic() < deadline:
        time.sleep(0.02)
        report.refresh_from_db()
    assert report.status == Document.Status.RUNNING, f"never seen running: {report.status}"
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=30)
    first_log.close()
    report.refresh_from_db()
    assert report.status == Document.Status.RUNNING and not report.pdf, "the build finished before the kill; nothing was tested"

    time.sleep(VISIBILITY + 1)  # the unacknowledged message becomes visible again
    second, second_log = _start_worker(settings, tmp_path / "second.log", "heir")
    try:
        deadline = time.monotonic() + 240
        while not report.is_finished and time.monotonic() < deadline:
            time.sleep(0.5)
            report.refresh_from_db()
    finally:
        second.terminate()
        second.wait(timeout=30)
        second_log.seek(0)
        output = second_log.read()
        second_log.close()
    assert report.status == Document.Status.DONE, report.error or output[-3000:]
    assert Document.objects.filter(round=report_world.round, kind="county_report").count() == 1
    assert "一、主要发现" in pdf_text(report)
    assert output.count("rounds.tasks.document_build") >= 1 and "succeeded" in output
