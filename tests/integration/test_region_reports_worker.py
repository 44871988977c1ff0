"""A real Celery worker on Redis builds a region's batch of county reports: the chord's jobs
are shared by the worker's two processes and its callback marks the batch finished."""

import time

import pytest
from django.urls import reverse

from regions.models import ReportBatch
from rounds.models import Document
from rounds.services import round_create
from tests.factories import CountyFactory, late_may
from tests.integration.test_celery_worker import prefork_worker  # noqa: F401

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def test_a_real_worker_builds_every_countys_report_and_the_chord_ends_the_batch(world, prefork_worker, client):  # noqa: F811
    _process, log = prefork_worker
    start, end = late_may()
    for n in range(3):
        county = CountyFactory(city=world.city, code=f"36994{n}", name=f"第{n}县")
        round_create(county=county, year=2027, cycle_year=1, test_start=start, test_end=end, user=world.staff)
    client.force_login(world.city_office)
    client.post(reverse("region_reports_start"), {"year": 2027})
    batch = ReportBatch.objects.get()
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and batch.finished_at is None:
        time.sleep(0.5)
        batch.refresh_from_db()
    log.seek(0)
    output = log.read()
    assert batch.finished_at is not None, output[-3000:]
    documents = list(batch.documents.all())
    assert len(documents) == 4  # the world's county and the three new ones; not the other city's
    assert all(d.status == Document.Status.DONE for d in documents), [d.error for d in documents]
    assert all(d.attempts == 1 for d in documents)  # each built once
    assert len({d.built_by for d in documents}) == 2  # shared between the two processes
    assert "regions.tasks.report_batch_finish" in output and "succeeded" in output
    assert batch.finished_at >= max(d.finished_at for d in documents)
