"""Every view of the rounds app × every role × own and foreign object: the expected answer.

Anonymous → the login page; a role without the permission → 403; another county's
object → 404; the right role → 200 (or a redirect after a POST).
"""

import pytest
from django.urls import reverse

from rounds import urls as rounds_urls
from rounds.models import ImportBatch

ROLES = ["staff", "leader", "inspector", "coord_a", "coord_b", "monitor", "dept"]
EVERYONE = set(ROLES)
READERS = {"staff", "leader"}
STAFF = {"staff"}


def _batch(world, county):
    from django.core.files.base import ContentFile

    return ImportBatch.objects.create(kind="schools", county=county, file=ContentFile(b"x", name="a.xlsx"), original_name="a.xlsx", uploaded_by=world.staff)


# name → (method, allowed roles, own-object kwargs, foreign-object kwargs or None)
MATRIX = {
    "home": ("get", EVERYONE, lambda w: {}, None),
    "school_list": ("get", READERS, lambda w: {}, None),
    "school_create": ("get", STAFF, lambda w: {}, None),
    "school_import": ("get", STAFF, lambda w: {}, None),
    "school_template": ("get", STAFF, lambda w: {}, None),
    "school_detail": ("get", READERS, lambda w: {"pk": w.school_a.pk}, lambda w: {"pk": w.foreign_school.pk}),
    "school_edit": ("get", STAFF, lambda w: {"pk": w.school_a.pk}, lambda w: {"pk": w.foreign_school.pk}),
    "import_detail": ("get", STAFF, lambda w: {"pk": _batch(w, w.county).pk}, lambda w: {"pk": _batch(w, w.other_county).pk}),
    "department_list": ("get", READERS, lambda w: {}, None),
    "department_create": ("post", STAFF, lambda w: {}, None),
    "department_edit": ("get", STAFF, lambda w: {"pk": w.department.pk}, lambda w: {"pk": w.other_county.departments.create(name="外县股").pk}),
    "round_list": ("get", EVERYONE, lambda w: {}, None),
    "round_create": ("get", STAFF, lambda w: {}, None),
    "round_detail": ("get", EVERYONE, lambda w: {"pk": w.round.pk}, lambda w: {"pk": w.foreign_round.pk}),
    "round_edit": ("get", STAFF, lambda w: {"pk": w.round.pk}, lambda w: {"pk": w.foreign_round.pk}),
    "timetable_edit": ("get", STAFF, lambda w: {"pk": w.round.pk}, lambda w: {"pk": w.foreign_round.pk}),
    "milestones_edit": ("get", STAFF, lambda w: {"pk": w.round.pk}, lambda w: {"pk": w.foreign_round.pk}),
    "round_advance": ("post", STAFF, lambda w: {"pk": w.round.pk}, lambda w: {"pk": w.foreign_round.pk}),
    "person_list": ("get", READERS, lambda w: {}, None),
    "person_create": ("get", STAFF, lambda w: {}, None),
    "person_edit": ("get", STAFF, lambda w: {"pk": w.coord_a.person.pk}, lambda w: {"pk": w.foreign_staff.person.pk}),
    "person_reset_password": ("post", STAFF, lambda w: {"pk": w.coord_a.person.pk}, lambda w: {"pk": w.foreign_staff.person.pk}),
    "audit_list": ("get", READERS, lambda w: {}, None),
}


def test_the_matrix_covers_every_url_pattern():
    names = {p.name for p in rounds_urls.urlpatterns}
    assert names == set(MATRIX)


def _request(client, method, url):
    return client.post(url) if method == "post" else client.get(url)


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_anonymous_is_sent_to_login(client, world, name):
    method, _allowed, own, _foreign = MATRIX[name]
    response = _request(client, method, reverse(name, kwargs=own(world)))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(MATRIX))
def test_each_role_gets_the_expected_answer(client, world, name, role):
    method, allowed, own, _foreign = MATRIX[name]
    client.force_login(world.users()[role])
    response = _request(client, method, reverse(name, kwargs=own(world)))
    if role in allowed:
        assert response.status_code in (200, 302), response.status_code
        if response.status_code == 302:
            assert not response["Location"].startswith(reverse("login"))
    else:
        assert response.status_code == 403


@pytest.mark.parametrize("name", sorted(n for n, row in MATRIX.items() if row[3] is not None))
def test_another_countys_object_is_not_found(client, world, name):
    method, _allowed, _own, foreign = MATRIX[name]
    client.force_login(world.staff)
    assert _request(client, method, reverse(name, kwargs=foreign(world))).status_code == 404


def test_the_it_admin_without_a_role_is_sent_to_the_admin(client, django_user_model, world):
    admin = django_user_model.objects.create_superuser("it", password="x-Long-pass-1")
    client.force_login(admin)
    assert client.get(reverse("home"))["Location"] == reverse("admin:index")
    assert client.get(reverse("school_list")).status_code == 403
