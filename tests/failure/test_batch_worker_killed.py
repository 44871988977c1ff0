"""A worker killed in the middle of a region's batch: every county's report is still built,
none twice, and the chord ends the batch once (issue 19).

Two real Celery workers (solo pool) on a queue of the test's own share a city's four county
reports. Once both are building, one is killed with SIGKILL: its report stays RUNNING and its
message unacknowledged in Redis. A replacement starts. With the broker's visibility timeout
of 3 seconds (CELERY_VISIBILITY_TIMEOUT), Redis hands out again not only the dead worker's
message but also those of live workers whose build takes longer than that, so the same
report can be taken by a second worker while the first is still building it — the case a
build must not run twice for. What is counted: the PDF and HTML files each report wrote under
MEDIA_ROOT (a second completed build writes a second pair: the storage never overwrites),
the builds each report started (``attempts``), and the chord callback's runs in the logs.
"""

import re
import signal
import threading
import time

import psycopg
import pytest
from django.db import connection
from django.urls import reverse

from regions.models import ReportBatch
from rounds.documents import BUILD_LOCK, document_build_run
from rounds.models import Document
from rounds.services import round_create
from tests.factories import CountyFactory, late_may
from tests.failure.test_worker_killed import _start_worker, broker  # noqa: F401
from tests.integration.test_celery_worker import _database_url

COUNTIES = 4
pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def _wait(condition, seconds: float, step: float = 0.1) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(step)
    return condition()


def test_a_worker_killed_mid_batch_leaves_every_report_built_once_and_the_batch_ended_once(world, broker, client, settings, tmp_path):  # noqa: F811
    start, end = late_may()
    for n in range(COUNTIES - 1):
        county = CountyFactory(city=world.city, code=f"36996{n}", name=f"第{n}县")
        round_create(county=county, year=2027, cycle_year=1, test_start=start, test_end=end, user=world.staff)
    doomed, doomed_log = _start_worker(settings, tmp_path / "doomed.log", "doomed")
    steady, steady_log = _start_worker(settings, tmp_path / "steady.log", "steady")
    logs = [doomed_log, steady_log]
    workers = [steady]
    try:
        client.force_login(world.city_office)
        client.post(reverse("region_reports_start"), {"year": 2027})
        batch = ReportBatch.objects.get()
        documents = batch.documents.all()
        assert documents.count() == COUNTIES

        # Both workers building (one job at a time each: prefetch 1, solo pool): one of the
        # reports RUNNING is the doomed worker's.
        def running() -> set[int]:
            return set(documents.filter(status=Document.Status.RUNNING).values_list("pk", flat=True))

        assert _wait(lambda: len(running()) == 2, 90, 0.02), list(documents.values_list("status", flat=True))
        interrupted = running()
        doomed.send_signal(signal.SIGKILL)
        doomed.wait(timeout=30)
        heir, heir_log = _start_worker(settings, tmp_path / "heir.log", "heir")
        workers.append(heir)
        logs.append(heir_log)
        assert _wait(lambda: batch.refresh_from_db() or batch.finished_at is not None, 180, 0.5), [(d.status, d.error) for d in documents]
        # Builds still running when the chord ended (a duplicate run of a header job) finish first.
        time.sleep(1)
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.wait(timeout=30)
        output = ""
        for log in logs:
            log.seek(0)
            output += log.read()
            log.close()

    documents = list(documents.order_by("pk"))
    assert all(d.status == Document.Status.DONE for d in documents), [(d.status, d.error) for d in documents]
    media = settings.MEDIA_ROOT / "documents"
    for d in documents:
        with d.pdf.open("rb") as pdf:
            assert pdf.read(5) == b"%PDF-"
        stem = f"{d.kind}-{d.pk}"
        written = sorted(p.name for p in media.rglob(f"{stem}*") if re.fullmatch(rf"{stem}(_\w+)?\.(pdf|html)", p.name))
        assert written == [f"{stem}.html", f"{stem}.pdf"], f"built twice: {written}"
    # The report the kill interrupted was started again, once, by another worker; no other
    # report was started twice.
    twice = [d for d in documents if d.attempts == 2]
    assert len(twice) == 1 and twice[0].pk in interrupted, [(d.pk, d.attempts) for d in documents]
    assert all(d.attempts == 1 for d in documents if d not in twice)
    assert not twice[0].built_by.endswith(f":{doomed.pid}")
    # The callback ran once, after the last report was done.
    finishes = [line for line in output.splitlines() if "regions.tasks.report_batch_finish[" in line and "succeeded" in line]
    assert len(finishes) == 1, finishes
    assert batch.finished_at >= max(d.finished_at for d in documents)
    page = client.get(reverse("region_reports", args=[batch.pk])).content.decode()
    assert f"已完成 {COUNTIES} / {COUNTIES} 份报告" in page and "本批完成" in page


def test_a_second_delivery_waits_for_the_live_build_and_builds_nothing(world, require_services):
    """The rule the batch relies on, without the timing of real workers: the first delivery's
    worker (a session of its own) holds the document's lock while it builds; the second
    delivery waits for it, then finds the document done and writes nothing."""
    require_services("DATABASE_URL")
    document = Document.objects.create(round=world.round, kind="round_plan", title="日程", created_by=world.staff)
    Document.objects.filter(pk=document.pk).update(status=Document.Status.RUNNING, attempts=1)

    def second_delivery():
        try:
            document_build_run(document_id=document.pk)
        finally:
            connection.close()  # this thread's own connection

    waiting = "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND classid = %s AND objid = %s"
    with psycopg.connect(_database_url(), autocommit=True) as first:
        first.execute("SELECT pg_advisory_lock(%s, %s)", [BUILD_LOCK, document.pk])
        second = threading.Thread(target=second_delivery)
        second.start()
        assert _wait(lambda: first.execute(waiting, [BUILD_LOCK, document.pk]).fetchone() == (1,), 30)
        first.execute("UPDATE rounds_document SET status = 'done', finished_at = now() WHERE id = %s", [document.pk])
        first.execute("SELECT pg_advisory_unlock(%s, %s)", [BUILD_LOCK, document.pk])
    second.join(timeout=30)
    assert not second.is_alive()
    document.refresh_from_db()
    assert document.status == Document.Status.DONE and document.attempts == 1 and not document.pdf
