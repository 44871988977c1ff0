"""Every URL of the logistics app × every role × own, other-school and foreign objects."""

import pytest
from django.urls import reverse

from logistics import urls as logistics_urls
from tests.access import ROLES, Row, check_anonymous, check_foreign, check_role, undone

SCHOOL_SIDE = frozenset({"staff", "leader", "inspector", "coord_a", "coord_b", "monitor"})
READ = frozenset({"staff", "leader", "inspector", "coord_a", "coord_b"})
STAFF = frozenset({"staff"})
COUNTY_VIEW = frozenset({"staff", "leader", "inspector"})
COORDS = frozenset({"coord_a", "coord_b"})
TEST_DAY = COORDS | {"monitor"}


def r(w):
    return {"round_pk": w.round.pk}


def fr(w):
    return {"round_pk": w.foreign_round.pk}


def s(w, **extra):
    return {"round_pk": w.round.pk, "school_pk": w.school_a.pk, **extra}


def fs(w, **extra):
    return {"round_pk": w.foreign_round.pk, "school_pk": w.foreign_school.pk, **extra}


# (row, school-scoped): for a school-scoped row coord_b, whose school is B, finds school A's page not found.
MATRIX = {
    row.name: (row, scoped)
    for row, scoped in [
        (Row("logistics_home", "get", SCHOOL_SIDE), False),
        (Row("readiness_dashboard", "get", READ, r, fr), False),
        (Row("readiness_export", "get", COUNTY_VIEW, r, fr), False),
        (Row("template_detail", "get", READ, r, fr), False),
        (Row("template_room_add", "get", STAFF, r, fr), False),
        (
            Row(
                "template_item_add",
                "get",
                STAFF,
                lambda w: {**r(w), "room_pk": w.room.pk},
                lambda w: {**fr(w), "room_pk": w.foreign_room.pk},
            ),
            False,
        ),
        (
            Row(
                "template_item_edit",
                "get",
                STAFF,
                lambda w: {**r(w), "item_pk": w.item.pk},
                lambda w: {**fr(w), "item_pk": w.foreign_item.pk},
            ),
            False,
        ),
        (
            Row(
                "template_item_delete",
                "post",
                STAFF,
                lambda w: {**r(w), "item_pk": w.item.pk},
                lambda w: {**fr(w), "item_pk": w.foreign_item.pk},
            ),
            False,
        ),
        (Row("incident_feed", "get", COUNTY_VIEW, r, fr), False),
        (Row("sync_overview", "get", COUNTY_VIEW, r, fr), False),
        (Row("offline_sync", "post", TEST_DAY | {"inspector"}, s, fs, "inspector"), True),
        (Row("school_logistics", "get", SCHOOL_SIDE, s, fs), True),
        (Row("checklist_fill", "get", READ, s, fs), True),
        (
            Row(
                "answer_save",
                "post",
                frozenset({"coord_a", "coord_b"}),
                lambda w: s(w, item_pk=w.item.pk),
                lambda w: fs(w, item_pk=w.foreign_item.pk),
                "coord_a",
            ),
            True,
        ),
        (
            Row("photo_upload", "post", COORDS, lambda w: s(w, item_pk=w.item.pk), lambda w: fs(w, item_pk=w.foreign_item.pk), "coord_a"),
            True,
        ),
        (
            Row(
                "photo_remove", "post", COORDS, lambda w: s(w, photo_pk=w.photo.pk), lambda w: fs(w, photo_pk=w.foreign_photo.pk), "coord_a"
            ),
            True,
        ),
        (Row("checklist_submit", "post", COORDS, s, fs, "coord_a"), True),
        (Row("checklist_review", "get", frozenset({"staff", "inspector"}), s, fs), True),
        (Row("staff_edit", "get", COORDS | {"staff"}, s, fs), True),
        (Row("drill_add", "get", COORDS | {"inspector"}, s, fs, "inspector"), True),
        (
            Row(
                "session_attendance",
                "get",
                TEST_DAY,
                lambda w: s(w, session_pk=w.session.pk),
                lambda w: fs(w, session_pk=w.foreign_session.pk),
                "coord_a",
            ),
            True,
        ),
        (
            Row(
                "attendance_mark_all",
                "post",
                TEST_DAY,
                lambda w: s(w, session_pk=w.session.pk),
                lambda w: fs(w, session_pk=w.foreign_session.pk),
                "coord_a",
            ),
            True,
        ),
        (
            Row(
                "attendance_mark",
                "post",
                TEST_DAY,
                lambda w: s(w, session_pk=w.session.pk, student_pk=w.student.pk),
                lambda w: fs(w, session_pk=w.foreign_session.pk, student_pk=w.foreign_student.pk),
                "coord_a",
            ),
            True,
        ),
        (Row("custody", "get", SCHOOL_SIDE, s, fs), True),
        (Row("package_add", "post", TEST_DAY, s, fs, "coord_a"), True),
        (
            Row(
                "handover_add",
                "get",
                TEST_DAY,
                lambda w: s(w, package_pk=w.package.pk),
                lambda w: fs(w, package_pk=w.foreign_package.pk),
                "coord_a",
            ),
            True,
        ),
        (Row("incident_list", "get", SCHOOL_SIDE, s, fs), True),
        (Row("incident_add", "get", TEST_DAY | {"inspector"}, s, fs, "inspector"), True),
        (Row("incident_detail", "get", SCHOOL_SIDE, lambda w: s(w, pk=w.incident.pk), lambda w: fs(w, pk=w.foreign_incident.pk)), True),
        (
            Row(
                "incident_countersign",
                "post",
                frozenset({"inspector"}),
                lambda w: s(w, pk=w.incident.pk),
                lambda w: fs(w, pk=w.foreign_incident.pk),
                "inspector",
            ),
            True,
        ),
        (
            Row(
                "incident_attach",
                "post",
                TEST_DAY | {"inspector"},
                lambda w: s(w, pk=w.incident.pk),
                lambda w: fs(w, pk=w.foreign_incident.pk),
                "inspector",
            ),
            True,
        ),
        (
            Row(
                "evidence_preview",
                "get",
                SCHOOL_SIDE,
                lambda w: {"pk": w.photo.pk},
                lambda w: {"pk": w.foreign_photo.pk},
            ),
            True,
        ),
        (
            Row(
                "evidence_file",
                "get",
                SCHOOL_SIDE,
                lambda w: {"pk": w.photo.pk, "variant": "thumb"},
                lambda w: {"pk": w.foreign_photo.pk, "variant": "thumb"},
            ),
            True,
        ),
    ]
}


def test_the_matrix_covers_every_url_pattern():
    assert {p.name for p in logistics_urls.urlpatterns} == set(MATRIX)


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_anonymous_is_sent_to_login(client, lworld, name):
    check_anonymous(client, lworld, MATRIX[name][0])


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_each_role_gets_the_expected_answer(client, lworld, name, subtests):
    MATRIX[name][0].own(lworld)  # what the row builds lazily, built before (not inside) the first role's rollback
    for role in ROLES:
        with subtests.test(role=role), undone():
            row, scoped = MATRIX[name]
            if scoped and role == "coord_b" and role in row.allowed:
                client.force_login(lworld.coord_b)
                url = reverse(row.name, kwargs=row.own(lworld))
                response = client.post(url) if row.method == "post" else client.get(url)
                assert response.status_code == 404, f"{name}: coord_b reached school A ({response.status_code})"
            else:
                check_role(client, lworld, row, role)


@pytest.mark.parametrize("name", sorted(n for n, (row, _s) in MATRIX.items() if row.foreign))
def test_another_countys_object_is_not_found(client, lworld, name):
    check_foreign(client, lworld, MATRIX[name][0])


def test_an_inspector_sees_only_their_assigned_schools(client, lworld):
    client.force_login(lworld.inspector)
    assert client.get(reverse("school_logistics", kwargs=s(lworld, school_pk=lworld.school_b.pk))).status_code == 404
    body = client.get(reverse("readiness_dashboard", kwargs=r(lworld))).content.decode()
    assert lworld.school_a.name in body and lworld.school_b.name not in body


def test_a_coordinator_sees_only_their_own_school_on_the_dashboard(client, lworld):
    client.force_login(lworld.coord_b)
    body = client.get(reverse("readiness_dashboard", kwargs=r(lworld))).content.decode()
    assert lworld.school_b.name in body and lworld.school_a.name not in body
