"""Reference values a city or province office publishes: its counties' comparisons use them
(in place of a value the county typed for the same indicator); other regions' counties do not."""

from django.urls import reverse

from results.models import ReferenceValue
from results.previous import origin, round_references

FORM = {"source": "city", "year": 2027, "domain": "math", "grade": 4, "indicator": "mean", "value": 505, "se": 2.5, "note": "市监测报告"}


def test_a_published_value_reaches_the_countys_comparisons_only(client, world):
    typed = ReferenceValue.objects.create(
        county=world.county, round=world.round, source="city", year=2027, domain="math", grade=4, indicator="mean", value=480, se=3
    )
    kept = ReferenceValue.objects.create(
        county=world.county, round=world.round, source="nation", year=2027, domain="math", grade=4, indicator="mean", value=500, se=1
    )
    client.force_login(world.city_office)
    assert client.post(reverse("region_references"), FORM).status_code == 302
    published = ReferenceValue.objects.get(region=world.city)
    assert (published.county, published.round, published.value) == (None, None, 505)
    assert published.history.first().history_user == world.city_office
    refs = round_references(world.round)
    assert published in refs and kept in refs and typed not in refs
    assert origin(published) == "东陵市发布：市监测报告"
    assert published not in round_references(world.foreign_round)


def test_the_province_publishes_for_every_city_of_its_own(client, world):
    client.force_login(world.province_office)
    response = client.post(reverse("region_references"), {**FORM, "source": "province"})
    assert response.status_code == 302
    assert [r.source for r in round_references(world.round) if r.region_id] == ["province"]


def test_a_city_cannot_publish_the_provinces_values(client, world):
    client.force_login(world.city_office)
    page = client.post(reverse("region_references"), {**FORM, "source": "province"}).content.decode()
    assert "province" in page and not ReferenceValue.objects.exists()


def test_the_same_value_twice_is_refused_in_chinese(client, world):
    client.force_login(world.city_office)
    client.post(reverse("region_references"), FORM)
    page = client.post(reverse("region_references"), {**FORM, "value": 510}).content.decode()
    assert "该年度已发布此参照值" in page
    assert list(ReferenceValue.objects.values_list("value", flat=True)) == [505]


def test_withdrawing_takes_it_out_of_the_comparisons(client, world):
    client.force_login(world.city_office)
    client.post(reverse("region_references"), FORM)
    pk = ReferenceValue.objects.get().pk
    assert client.post(reverse("region_reference_withdraw", kwargs={"pk": pk})).status_code == 302
    assert not [r for r in round_references(world.round) if r.region_id]


def test_a_value_a_colleague_published_meanwhile_is_refused_in_chinese_not_an_error_page(client, world, monkeypatch):
    # The second office worker's form was checked before the first's value was committed: the
    # publication itself checks again (under the region's lock) and the form says why.
    client.force_login(world.city_office)
    assert client.post(reverse("region_references"), FORM).status_code == 302
    monkeypatch.setattr("regions.forms.reference_clashes", lambda *args: False)
    response = client.post(reverse("region_references"), {**FORM, "value": 510})
    assert response.status_code == 200
    assert "该年度已发布此参照值" in response.content.decode()
    assert list(ReferenceValue.objects.values_list("value", flat=True)) == [505]
