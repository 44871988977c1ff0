"""A county and its first staff account from one command (its province and city found or
created in the region tree); its record kept by its staff, who do not move it to another city."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from monitoring_site.roles import Role
from rounds.models import County, Person


def _create(**extra):
    out = io.StringIO()
    args = {"code": "369905", "name": "白云县", "province": "华阳省", "city": "东陵市", "hotline": "0790-7654321",
            "username": "baiyun", "full_name": "白云县监测办", **extra}  # fmt: skip
    call_command("county_create", *[f"--{k.replace('_', '-')}={v}" for k, v in args.items()], stdout=out)
    return out.getvalue()


def test_the_command_creates_the_county_and_its_first_staff_account(db):
    printed = _create()
    county = County.objects.get(code="369905")
    assert (county.name, county.province.name, county.city.name, county.hotline) == ("白云县", "华阳省", "东陵市", "0790-7654321")
    assert county.city.parent == county.province and county.province.kind == "province"
    person = Person.objects.get(user__username="baiyun")
    assert person.county == county and person.role == Role.COUNTY_STAFF and person.must_change_password
    password = printed.split(" / ")[1].split()[0]
    assert person.user.check_password(password)


def test_a_bad_code_or_a_taken_username_creates_nothing(world):
    with pytest.raises(CommandError):
        _create(code="12")
    with pytest.raises(CommandError):
        _create(username="staff")
    assert not County.objects.filter(code__in=["12", "369905"]).exists()


def test_staff_edit_the_name_and_hotline_of_their_county_not_its_city(client, world):
    client.force_login(world.staff)
    url = reverse("county_edit")
    page = client.get(url).content.decode()
    assert "青山县" in page and "华阳省" in page and "东陵市" in page
    response = client.post(url, {"name": "青山区", "province": "远山省", "city": "北岭市", "hotline": "0790-1111111"})
    assert response.status_code == 302
    world.county.refresh_from_db()
    assert (world.county.name, world.county.city, world.county.hotline) == ("青山区", world.city, "0790-1111111")
    assert world.county.history.first().history_user == world.staff
    world.other_county.refresh_from_db()
    assert world.other_county.name == "外县"


def test_only_county_staff_edit_the_county(client, world):
    for user in (world.leader, world.coord_a):
        client.force_login(user)
        assert client.post(reverse("county_edit"), {"name": "x", "province": "x", "city": "x", "hotline": ""}).status_code == 403
    world.county.refresh_from_db()
    assert world.county.name == "青山县"
