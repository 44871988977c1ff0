"""Every view of the regions app × every role, and a county of another city.

The county's city and province offices read its round side by side with their other counties
and publish reference values; every county role gets a 403; the office of another city
finds none of this county's pages (404)."""

import pytest
from django.urls import reverse

from regions import urls as regions_urls
from results.models import ReferenceValue
from tests.access import REGION, ROLES, Row, check_anonymous, check_foreign, check_role


def _batch(world, region, user) -> int:
    """A finished batch of the region's county rounds (their documents built)."""
    from django.test import TestCase

    from regions.services import report_batch_start

    with TestCase.captureOnCommitCallbacks(execute=True):
        batch = report_batch_start(region=region, year=2027, user=user)
    return batch.pk


def _batch_document(world, region, user) -> dict:
    pk = _batch(world, region, user)
    from regions.models import ReportBatch

    return {"pk": pk, "document": ReportBatch.objects.get(pk=pk).documents.get().pk}


def _county_document(world, county) -> dict:
    """A finished county report of the county's round, as the county's own job leaves it."""
    from django.core.files.base import ContentFile

    from rounds.models import Document

    rnd = world.round if county == world.county else world.foreign_round
    doc = Document.objects.create(
        round=rnd,
        kind="county_report",
        title="诊断报告",
        status=Document.Status.DONE,
        pdf=ContentFile(b"%PDF-1.4", name="r.pdf"),
        created_by=world.staff,
    )
    return {"pk": county.pk, "document": doc.pk}


def _published(region) -> int:
    return ReferenceValue.objects.create(
        region=region, source="city", year=2027, domain="math", grade=4, indicator="mean", value=500, se=2, note="x"
    ).pk


def _norm(region) -> dict:
    from regions.models import RegionNorm

    return {"kind": "norm", "pk": RegionNorm.objects.create(region=region, key="sleep_primary", value=9.5).pk}


MATRIX = {
    row.name: row
    for row in [
        Row("region_rollup", "get", REGION),
        Row("region_rollup_export", "get", REGION),
        Row("region_references", "get", REGION),
        Row("region_references", "post", REGION),
        Row(
            "region_county",
            "get",
            REGION,
            lambda w: {"pk": w.county.pk},
            lambda w: {"pk": w.other_county.pk},
            foreign_as="city",
        ),
        Row(
            "region_county_document",
            "get",
            REGION,
            lambda w: _county_document(w, w.county),
            lambda w: _county_document(w, w.other_county),
            foreign_as="city",
        ),
        Row("region_reports_start", "post", REGION),
        Row("region_norms", "get", REGION),
        Row("region_norms", "post", REGION),
        Row(
            "region_norm_withdraw",
            "post",
            frozenset({"city"}),  # like a reference value: the province withdraws its own norms only
            lambda w: _norm(w.city),
            lambda w: _norm(w.foreign_city),
            foreign_as="city",
        ),
        Row(
            "region_reports",
            "get",
            REGION,
            lambda w: {"pk": _batch(w, w.city, w.city_office)},
            lambda w: {"pk": _batch(w, w.foreign_city, w.foreign_city_office)},
            foreign_as="city",
        ),
        Row(
            "region_report_pdf",
            "get",
            REGION,
            lambda w: _batch_document(w, w.city, w.city_office),
            lambda w: _batch_document(w, w.foreign_city, w.foreign_city_office),
            foreign_as="city",
        ),
        Row(
            "region_reference_withdraw",
            "post",
            frozenset({"city"}),  # the province's office withdraws its own values, not the city's
            lambda w: {"pk": _published(w.city)},
            lambda w: {"pk": _published(w.foreign_city)},
            foreign_as="city",
        ),
    ]
}


def test_the_matrix_covers_every_url_pattern():
    assert {p.name for p in regions_urls.urlpatterns} == set(MATRIX)


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_anonymous_is_sent_to_login(client, world, name):
    check_anonymous(client, world, MATRIX[name])


# The province meets the city's own value as not found (tested below), not as forbidden.
OTHERS_VALUES = {("region_reference_withdraw", "province"), ("region_norm_withdraw", "province")}
CASES = [(name, role) for name in sorted(MATRIX) for role in ROLES if (name, role) not in OTHERS_VALUES]


@pytest.mark.parametrize(("name", "role"), CASES)
def test_each_role_gets_the_expected_answer(client, world, name, role):
    check_role(client, world, MATRIX[name], role)


def test_the_province_cannot_withdraw_its_citys_value(client, world):
    """Not the province's own value: outside its scope, so not found (the city withdraws it)."""
    pk = _published(world.city)
    client.force_login(world.province_office)
    assert client.post(reverse("region_reference_withdraw", kwargs={"pk": pk})).status_code == 404
    assert ReferenceValue.objects.filter(pk=pk).exists()


def test_the_province_cannot_withdraw_its_citys_norm(client, world):
    from regions.models import RegionNorm

    kwargs = _norm(world.city)
    client.force_login(world.province_office)
    assert client.post(reverse("region_norm_withdraw", kwargs=kwargs)).status_code == 404
    assert client.post(reverse("region_norm_withdraw", kwargs={**kwargs, "kind": "nothing"})).status_code == 404
    assert RegionNorm.objects.filter(pk=kwargs["pk"]).exists()


@pytest.mark.parametrize("name", sorted(n for n, row in MATRIX.items() if row.foreign))
def test_another_citys_county_is_not_found(client, world, name):
    check_foreign(client, world, MATRIX[name])


def test_the_foreign_citys_office_sees_only_its_own_county(client, world):
    client.force_login(world.foreign_city_office)
    page = client.get(reverse("region_rollup"), {"year": 2027}).content.decode()
    assert "外县" in page and "青山县" not in page
    assert client.get(reverse("region_county", kwargs={"pk": world.county.pk})).status_code == 404


def test_the_province_reads_every_city_of_its_own(client, world):
    client.force_login(world.province_office)
    page = client.get(reverse("region_rollup"), {"year": 2027}).content.decode()
    assert "青山县" in page and "外县" not in page
    assert client.get(reverse("region_county", kwargs={"pk": world.county.pk})).status_code == 200
    assert client.get(reverse("region_county", kwargs={"pk": world.other_county.pk})).status_code == 404


def test_a_region_office_lands_on_its_counties(client, world):
    client.force_login(world.city_office)
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response["Location"] == reverse("region_rollup")
