"""Norms a city or province office publishes: every county of the region uses them in place of
its own (the nearest office wins: the city's over the province's), sees them read-only on its
norms page, and gets its own value back when one is withdrawn."""

from decimal import Decimal

import pytest
from django.urls import reverse

from regions.models import RegionBmiRow, RegionLessonNorm, RegionNorm
from results.factors import FactorValue
from results.models import Norm
from results.reference import bmi_table_of, county_defaults_ensure, norms_of
from results.services import diagnose
from rounds.models import Stage
from tests.test_chinese_pages import offences, shown

# The county's grade-4 pupils sleep 9.2 h on the weighted mean (甲小学 9.0 h, 乙中学 9.4 h)
# and their schools give 5 (甲) and 6 (乙) mathematics lessons a week; no standard error, so
# a rule's finding rests on the point estimate alone.
FACTORS = {
    "sleep_hours": FactorValue("sleep_hours", 4, 9.2, float("nan"), 40, {"甲小学": 9.0, "乙中学": 9.4}),
    "school_math_lessons_week": FactorValue("school_math_lessons_week", 4, 5.5, float("nan"), 2, {"甲小学": 5.0, "乙中学": 6.0}),
}


@pytest.fixture
def county(world, monkeypatch):
    from results.diagnosis import health

    monkeypatch.setattr(health, "factor_summary", lambda *, rnd, indicator, grade=None: FACTORS.get(indicator) if grade == 4 else None)
    world.round.stage = Stage.RESULTS
    world.round.save()
    county_defaults_ensure(county=world.county)
    return world


def _findings(world) -> dict[str, tuple]:
    return {f.rule: (f.evidence["reference"], f.evidence["schools"]) for f in diagnose(rnd=world.round, user=world.staff)}


def _publish(client, user, kind: str, **fields):
    client.force_login(user)
    data = {"publish": kind, **{f"{kind}-{name}": value for name, value in fields.items()}}
    response = client.post(reverse("region_norms"), data)
    assert response.status_code == 302, response.content.decode()
    client.logout()


def _withdraw(client, user, norm) -> int:
    client.force_login(user)
    kind = {RegionNorm: "norm", RegionLessonNorm: "lesson", RegionBmiRow: "bmi"}[type(norm)]
    return client.post(reverse("region_norm_withdraw", kwargs={"kind": kind, "pk": norm.pk})).status_code


def test_the_nearest_offices_sleep_norm_decides_the_countys_finding(client, county):
    # The county's own 10 h: 10 − 9.2 = 0.8 h short, both schools below it.
    assert _findings(county)["sleep_below_norm"] == (10.0, ["甲小学", "乙中学"])

    # The province's 9.3 h: 0.1 h short, only 甲小学 (9.0) below it.
    _publish(client, county.province_office, "norm", key="sleep_primary", value="9.3")
    assert _findings(county)["sleep_below_norm"] == (9.3, ["甲小学"])

    # The city's 9.0 h beats the province's: 9.2 ≥ 9.0, no finding.
    _publish(client, county.city_office, "norm", key="sleep_primary", value="9")
    assert "sleep_below_norm" not in _findings(county)
    assert norms_of(county=county.county)["sleep_primary"] == 9.0

    # Withdrawn, the city's gives way to the province's again, then to the county's own.
    assert _withdraw(client, county.city_office, RegionNorm.objects.get(region=county.city)) == 302
    assert _findings(county)["sleep_below_norm"] == (9.3, ["甲小学"])
    assert _withdraw(client, county.province_office, RegionNorm.objects.get(region=county.city.parent)) == 302
    assert _findings(county)["sleep_below_norm"] == (10.0, ["甲小学", "乙中学"])
    assert Norm.objects.get(county=county.county, key="sleep_primary").value == 10.0  # never touched


def test_a_published_lesson_norm_decides_the_share_of_schools_over_it(client, county):
    # The county's own 4 lessons: both schools over, share 2/2 = 1.0 > 0.30.
    assert _findings(county)["weekly_lessons_exceed"] == (4, ["甲小学", "乙中学"])
    # The city's 5.5: only 乙中学 (6) over, share 1/2 = 0.5 > 0.30.
    _publish(client, county.city_office, "lesson", subject="math", grade=4, lessons="5.5")
    assert _findings(county)["weekly_lessons_exceed"] == (5.5, ["乙中学"])
    # Published again at 6: no school over it; the one row changed, both versions in its history.
    _publish(client, county.city_office, "lesson", subject="math", grade=4, lessons="6")
    assert "weekly_lessons_exceed" not in _findings(county)
    norm = RegionLessonNorm.objects.get()
    assert [h.lessons for h in norm.history.order_by("history_date")] == [5.5, 6.0]
    assert {h.history_user for h in norm.history.all()} == {county.city_office}


def test_a_published_bmi_row_replaces_the_countys_and_the_citys_beats_the_provinces(client, county):
    own, girls = (bmi_table_of(county=county.county).norm(grade=4, sex=sex) for sex in "MF")
    row = {"grade": 4, "sex": "M", "low_max": "13.0", "overweight_min": "19.0", "obese_min": "21.0"}
    _publish(client, county.province_office, "bmi", **row)
    _publish(client, county.city_office, "bmi", **{**row, "overweight_min": "19.5"})
    norm = bmi_table_of(county=county.county).norm(grade=4, sex="M")
    assert (norm.low_max, norm.overweight_min, norm.obese_min) == (Decimal("13.0"), Decimal("19.5"), Decimal("21.0"))
    assert bmi_table_of(county=county.county).norm(grade=4, sex="F") == girls  # nobody published the girls' row
    assert bmi_table_of(county=county.other_county).norm(grade=4, sex="M") == own  # another province's county


def test_the_countys_page_shows_the_published_norm_read_only_in_chinese(client, county):
    _publish(client, county.city_office, "norm", key="homework_primary", value="45")
    client.force_login(county.staff)
    url = reverse("results_settings", kwargs={"pk": county.round.pk})
    page = client.get(url).content.decode()
    text = " ".join(shown(page).parts)
    assert "由东陵市督导办发布" in text and "45.0" in text
    assert not offences(text)
    own = Norm.objects.get(county=county.county, key="homework_primary")
    response = client.get(url)
    assert own not in [f.instance for f in response.context["norms"].forms]  # not the county's to change
    # The county still edits the norms nobody published.
    sleep = next(f for f in response.context["norms"].forms if f.instance.key == "sleep_primary")
    assert client.post(url, _sent_back(response, {sleep.add_prefix("value"): "9.5"})).status_code == 302
    assert norms_of(county=county.county)["sleep_primary"] == 9.5
    assert norms_of(county=county.county)["homework_primary"] == 45.0 and own.value == 60.0


def test_a_county_row_for_a_published_bmi_row_is_refused_in_chinese(client, county):
    _publish(client, county.city_office, "bmi", grade=4, sex="M", low_max="13.0", overweight_min="19.5", obese_min="21.0")
    client.force_login(county.staff)
    url = reverse("results_settings", kwargs={"pk": county.round.pk})
    response = client.get(url)
    added = response.context["bmi"].forms[-1]  # the empty row that adds one
    row = {"grade": "4", "sex": "M", "low_max": "14.0", "overweight_min": "20.0", "obese_min": "22.0"}
    page = client.post(url, _sent_back(response, {added.add_prefix(k): v for k, v in row.items()}))
    assert page.status_code == 200
    text = " ".join(shown(page.content.decode()).parts)
    assert "已经存在" in text and not offences(text)
    assert bmi_table_of(county=county.county).norm(grade=4, sex="M").overweight_min == Decimal("19.5")


def _sent_back(response, changes: dict) -> dict:
    """The settings page's forms as shown, with ``changes``."""
    data = {}
    for name in ("norms", "lessons", "bmi", "rules"):
        formset = response.context[name]
        for field in [*formset.management_form, *(field for form in formset.forms for field in form)]:
            value = field.value()
            if value is not None and value is not False:
                data[field.html_name] = "on" if value is True else value
    return data | changes


def test_county_staff_cannot_publish(client, world):
    client.force_login(world.staff)
    response = client.post(reverse("region_norms"), {"publish": "norm", "norm-key": "sleep_primary", "norm-value": "8"})
    assert response.status_code == 403 and not RegionNorm.objects.exists()


def test_another_citys_norm_is_neither_shown_nor_withdrawn_nor_used(client, world):
    _publish(client, world.city_office, "norm", key="pe_activity", value="2")
    norm = RegionNorm.objects.get()
    assert norm.history.get().history_user == world.city_office
    client.force_login(world.foreign_city_office)
    assert "2.0" not in client.get(reverse("region_norms")).content.decode().split("<h1", 1)[1]
    assert _withdraw(client, world.foreign_city_office, norm) == 404
    assert RegionNorm.objects.filter(pk=norm.pk).exists()
    assert norms_of(county=world.other_county)["pe_activity"] == 1.0
    assert norms_of(county=world.county)["pe_activity"] == 2.0


def test_withdrawal_is_kept_in_the_history(client, world):
    _publish(client, world.city_office, "norm", key="pe_activity", value="2")
    norm = RegionNorm.objects.get()
    client.force_login(world.city_office)
    text = " ".join(shown(client.get(reverse("region_norms")).content.decode()).parts)
    assert "体育活动" in text and "2.0" in text and not offences(text)
    assert _withdraw(client, world.city_office, norm) == 302
    assert [(h.history_type, h.history_user) for h in norm.history.order_by("history_date")] == [
        ("+", world.city_office),
        ("-", world.city_office),
    ]


def test_a_bad_value_is_refused_in_chinese_and_kept(client, world):
    client.force_login(world.city_office)
    data = {
        "publish": "bmi",
        "bmi-grade": "4",
        "bmi-sex": "M",
        "bmi-low_max": "19.0",
        "bmi-overweight_min": "13.0",
        "bmi-obese_min": "21.0",
    }
    page = client.post(reverse("region_norms"), data).content.decode()
    assert not RegionBmiRow.objects.exists()
    assert 'value="19.0"' in page and not offences(" ".join(shown(page).parts))


@pytest.mark.django_db(transaction=True)
def test_two_offices_staff_publishing_one_key_at_once_end_with_the_second_value(world):
    """Two publications of the same key in two transactions at once (PostgreSQL: SQLite writes
    one at a time anyway): the second waits for the first, finds it and changes its value,
    where without the region's lock both would insert and the second meet the unique
    constraint as an error page."""
    import threading

    from django.db import connection, connections, transaction

    from regions.services import region_norm_publish

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL's row locks and concurrent transactions")
    first_written, errors = threading.Event(), []

    def first():
        try:
            with transaction.atomic():
                region_norm_publish(norm=RegionNorm(region=world.city, key="pe_activity", value=2), user=world.city_office)
                first_written.set()
                threading.Event().wait(0.5)  # the second starts while this one is not committed
        except Exception as exc:  # noqa: BLE001 - handed to the test's thread
            errors.append(exc)
        finally:
            first_written.set()
            connections.close_all()

    def second():
        try:
            first_written.wait(10)
            region_norm_publish(norm=RegionNorm(region=world.city, key="pe_activity", value=3), user=world.city_office)
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    assert list(RegionNorm.objects.values_list("key", "value")) == [("pe_activity", 3.0)]
    assert RegionNorm.objects.get().history.count() == 2


def test_the_citys_page_lists_the_provinces_norms_its_counties_use_and_leaves_them_to_the_province(client, world):
    _publish(client, world.province_office, "norm", key="pe_activity", value="1.5")
    _publish(client, world.province_office, "norm", key="sleep_primary", value="9.5")
    _publish(client, world.city_office, "norm", key="pe_activity", value="2")
    province_sleep = RegionNorm.objects.get(region=world.city.parent, key="sleep_primary")
    province_pe = RegionNorm.objects.get(region=world.city.parent, key="pe_activity")
    city_pe = RegionNorm.objects.get(region=world.city)

    client.force_login(world.city_office)
    page = client.get(reverse("region_norms")).content.decode()
    text = " ".join(shown(page).parts)
    assert f"{world.city.parent.name}发布" in text and "9.5" in text and not offences(text)
    assert reverse("region_norm_withdraw", kwargs={"kind": "norm", "pk": city_pe.pk}) in page
    assert reverse("region_norm_withdraw", kwargs={"kind": "norm", "pk": province_sleep.pk}) not in page
    assert "1.5" not in text  # the province's PE norm: the city's own replaces it for its counties
    assert _withdraw(client, world.city_office, province_sleep) == 404  # the province's to withdraw
    assert RegionNorm.objects.filter(pk__in=[province_sleep.pk, province_pe.pk]).count() == 2

    client.force_login(world.province_office)  # its own two, both its to withdraw
    page = client.get(reverse("region_norms")).content.decode()
    assert "1.5" in page and "9.5" in page and "inherited-norm" not in page
    for norm in (province_sleep, province_pe):
        assert reverse("region_norm_withdraw", kwargs={"kind": "norm", "pk": norm.pk}) in page
    client.force_login(world.foreign_city_office)
    text = " ".join(shown(client.get(reverse("region_norms")).content.decode()).parts)
    assert "9.5" not in text and "1.5" not in text
