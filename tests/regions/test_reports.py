"""Every county's diagnostic report at once: one document_build per county as a Celery chord,
the batch marked finished by its callback, each report the very one the county builds."""

import pytest
from django.test import TestCase
from django.urls import reverse

from regions.models import ReportBatch
from rounds.models import Document
from rounds.services import round_create
from tests.factories import CountyFactory, late_may


def _start(client, user, year=2027):
    client.force_login(user)
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(reverse("region_reports_start"), {"year": year})
    return response


@pytest.fixture
def two_counties(world):
    second = CountyFactory(city=world.city, code="369931", name="白云县")
    start, end = late_may()
    round_create(county=second, year=2027, cycle_year=1, test_start=start, test_end=end, user=world.staff)
    return world


def test_one_report_per_county_and_the_batch_finished_by_the_chord(client, two_counties):
    world = two_counties
    response = _start(client, world.city_office)
    batch = ReportBatch.objects.get()
    assert response["Location"] == reverse("region_reports", args=[batch.pk])
    documents = list(batch.documents.order_by("round__county__code"))
    assert [d.round.county.name for d in documents] == ["青山县", "白云县"]  # not the other city's county
    assert all(d.kind == "county_report" and d.status == Document.Status.DONE for d in documents), [d.error for d in documents]
    assert batch.finished_at is not None
    page = client.get(reverse("region_reports", args=[batch.pk])).content.decode()
    assert "已完成 2 / 2 份报告" in page and "本批完成" in page
    assert client.get(reverse("region_report_pdf", args=[batch.pk, documents[0].pk]))["Content-Type"] == "application/pdf"


def test_each_report_is_the_countys_own_build(client, world):
    _start(client, world.city_office)
    from_batch = ReportBatch.objects.get().documents.get()
    client.force_login(world.staff)
    with TestCase.captureOnCommitCallbacks(execute=True):
        client.post(reverse("document_request", args=[world.round.pk]), {"kind": "county_report"})
    own = Document.objects.exclude(pk=from_batch.pk).get(kind="county_report")
    assert own.status == Document.Status.DONE and from_batch.status == Document.Status.DONE
    assert own.data_version == from_batch.data_version and own.data_version
    with own.html.open("rb") as a, from_batch.html.open("rb") as b:
        assert a.read() == b.read()


def test_a_year_without_rounds_is_refused_and_nothing_queued(client, world):
    response = _start(client, world.city_office, year=2031)
    assert response["Location"] == reverse("region_rollup")
    assert not ReportBatch.objects.exists() and not Document.objects.exists()


def test_another_offices_batch_is_not_found(client, world):
    _start(client, world.city_office)
    batch = ReportBatch.objects.get()
    client.force_login(world.foreign_city_office)
    assert client.get(reverse("region_reports", args=[batch.pk])).status_code == 404
    document = batch.documents.get()
    assert client.get(reverse("region_report_pdf", args=[batch.pk, document.pk])).status_code == 404
