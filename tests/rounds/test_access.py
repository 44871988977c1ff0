"""Every view of the rounds app × every role × own and foreign object."""

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from rounds import urls as rounds_urls
from rounds.models import Document, ImportBatch
from tests.access import EVERYONE, READERS, REGION, ROLES, STAFF, Row, check_anonymous, check_foreign, check_role, undone


def _batch(world, county):
    return ImportBatch.objects.create(
        kind="schools", county=county, file=ContentFile(b"x", name="a.xlsx"), original_name="a.xlsx", uploaded_by=world.staff
    )


def _document(world, rnd):
    document = Document.objects.create(round=rnd, kind="round_plan", title="实施安排", created_by=world.staff, status="done")
    document.pdf.save("a.pdf", ContentFile(b"%PDF-1.4"), save=False)
    document.html.save("a.html", ContentFile("<p>文件</p>".encode()), save=True)
    return document


def _doc_kwargs(world, rnd):
    return {"pk": _document(world, rnd).pk}


MATRIX = {
    row.name: row
    for row in [
        Row("home", "get", EVERYONE | REGION),  # a region's office is sent on to its counties
        Row("school_list", "get", READERS),
        Row("school_create", "get", STAFF),
        Row("school_import", "get", STAFF),
        Row("school_template", "get", STAFF),
        Row("school_detail", "get", READERS, lambda w: {"pk": w.school_a.pk}, lambda w: {"pk": w.foreign_school.pk}),
        Row("school_edit", "get", STAFF, lambda w: {"pk": w.school_a.pk}, lambda w: {"pk": w.foreign_school.pk}),
        Row("import_detail", "get", STAFF, lambda w: {"pk": _batch(w, w.county).pk}, lambda w: {"pk": _batch(w, w.other_county).pk}),
        Row("import_confirm", "post", STAFF, lambda w: {"pk": _batch(w, w.county).pk}, lambda w: {"pk": _batch(w, w.other_county).pk}),
        Row("import_cancel", "post", STAFF, lambda w: {"pk": _batch(w, w.county).pk}, lambda w: {"pk": _batch(w, w.other_county).pk}),
        Row("county_edit", "get", STAFF),
        Row("department_list", "get", READERS),
        Row("department_create", "post", STAFF),
        Row(
            "department_edit",
            "get",
            STAFF,
            lambda w: {"pk": w.department.pk},
            lambda w: {"pk": w.other_county.departments.create(name="外县股").pk},
        ),
        Row("round_list", "get", EVERYONE),
        Row("round_choose", "post", EVERYONE, lambda w: {"pk": w.round.pk}, lambda w: {"pk": w.foreign_round.pk}),
        Row("round_create", "get", STAFF),
        Row("round_detail", "get", EVERYONE, lambda w: {"pk": w.round.pk}, lambda w: {"pk": w.foreign_round.pk}),
        Row("round_edit", "get", STAFF, lambda w: {"pk": w.round.pk}, lambda w: {"pk": w.foreign_round.pk}),
        Row("timetable_edit", "get", STAFF, lambda w: {"pk": w.round.pk}, lambda w: {"pk": w.foreign_round.pk}),
        Row("milestones_edit", "get", STAFF, lambda w: {"pk": w.round.pk}, lambda w: {"pk": w.foreign_round.pk}),
        Row("round_advance", "post", STAFF, lambda w: {"pk": w.round.pk}, lambda w: {"pk": w.foreign_round.pk}),
        Row("documents_home", "get", EVERYONE),
        Row("document_list", "get", EVERYONE, lambda w: {"pk": w.round.pk}, lambda w: {"pk": w.foreign_round.pk}),
        Row("document_request", "post", STAFF, lambda w: {"pk": w.round.pk}, lambda w: {"pk": w.foreign_round.pk}),
        Row("school_letters_request", "post", STAFF, lambda w: {"pk": w.round.pk}, lambda w: {"pk": w.foreign_round.pk}),
        Row("document_status", "get", READERS, lambda w: _doc_kwargs(w, w.round), lambda w: _doc_kwargs(w, w.foreign_round)),
        Row("document_retry", "post", STAFF, lambda w: _doc_kwargs(w, w.round), lambda w: _doc_kwargs(w, w.foreign_round)),
        Row("document_pdf", "get", READERS, lambda w: _doc_kwargs(w, w.round), lambda w: _doc_kwargs(w, w.foreign_round)),
        Row("document_html", "get", READERS, lambda w: _doc_kwargs(w, w.round), lambda w: _doc_kwargs(w, w.foreign_round)),
        Row("person_list", "get", READERS),
        Row("person_create", "get", STAFF),
        Row("person_edit", "get", STAFF, lambda w: {"pk": w.coord_a.person.pk}, lambda w: {"pk": w.foreign_staff.person.pk}),
        Row("person_reset_password", "post", STAFF, lambda w: {"pk": w.coord_a.person.pk}, lambda w: {"pk": w.foreign_staff.person.pk}),
        Row("audit_list", "get", READERS),
    ]
}


def test_the_matrix_covers_every_url_pattern():
    assert {p.name for p in rounds_urls.urlpatterns} == set(MATRIX)


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_anonymous_is_sent_to_login(client, world, name):
    check_anonymous(client, world, MATRIX[name])


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_each_role_gets_the_expected_answer(client, world, name, subtests):
    MATRIX[name].own(world)  # what the row builds lazily, built before (not inside) the first role's rollback
    for role in ROLES:
        with subtests.test(role=role), undone():
            check_role(client, world, MATRIX[name], role)


@pytest.mark.parametrize("name", sorted(n for n, row in MATRIX.items() if row.foreign))
def test_another_countys_object_is_not_found(client, world, name):
    check_foreign(client, world, MATRIX[name])


def test_the_it_admin_without_a_role_is_sent_to_the_admin(client, django_user_model, world):
    admin = django_user_model.objects.create_superuser("it", password="x-Long-pass-1")
    client.force_login(admin)
    assert client.get(reverse("home"))["Location"] == reverse("admin:index")
    assert client.get(reverse("school_list")).status_code == 403


def test_a_coordinator_sees_only_their_own_school_on_the_home_page(client, world):
    client.force_login(world.coord_a)
    body = client.get(reverse("home")).content.decode()
    assert world.school_a.name in body
    assert world.school_b.name not in body
