"""Every rectification URL × every role × own and foreign object; departments see their own."""

import pytest
from django.urls import reverse

from rectification import services
from rectification import urls as rectification_urls
from tests.access import READERS, ROLES, STAFF, Row, check_anonymous, check_foreign, check_role, undone
from tests.factories import PersonFactory

from .helpers import pdf

VIEWERS = READERS | {"dept"}
DEPT = frozenset({"dept"})


def _round(w):
    return {"round_pk": w.round.pk}


def _foreign_round(w):
    return {"round_pk": w.foreign_round.pk}


MATRIX = {
    row.name: row
    for row in [
        Row("rectification_home", "get", VIEWERS),
        Row("rectification_overview", "get", VIEWERS, _round, _foreign_round),
        Row("rectification_export", "get", VIEWERS, _round, _foreign_round),
        Row("rectification_report", "get", VIEWERS, _round, _foreign_round),
        Row("rectification_effect", "get", READERS, _round, _foreign_round),
        Row("problem_list", "get", READERS, _round, _foreign_round),
        Row("problem_create", "get", STAFF, _round, _foreign_round),
        Row(
            "problem_from_finding",
            "post",
            STAFF,
            lambda w: {"finding_pk": w.rect.finding.pk},
            lambda w: {"finding_pk": w.foreign_rect.finding.pk},
        ),
        Row(
            "problem_withdraw",
            "post",
            STAFF,
            lambda w: {"pk": w.rect.problem.pk},
            lambda w: {"pk": w.foreign_rect.problem.pk},
        ),
        Row("plan_detail", "get", VIEWERS, _round, _foreign_round),
        Row("plan_edit", "get", STAFF, _round, _foreign_round),
        Row("plan_approve", "post", STAFF, _round, _foreign_round),
        Row("plan_revise", "post", STAFF, _round, _foreign_round),
        Row("plan_print", "get", READERS, _round, _foreign_round),
        Row("plan_versions", "get", READERS, _round, _foreign_round),
        Row("item_create", "get", STAFF, _round, _foreign_round),
        Row(
            "item_detail",
            "get",
            VIEWERS,
            lambda w: {"pk": w.rect.item.pk},
            lambda w: {"pk": w.foreign_rect.item.pk},
        ),
        Row(
            "item_edit",
            "get",
            STAFF,
            lambda w: {"pk": w.rect.item.pk},
            lambda w: {"pk": w.foreign_rect.item.pk},
        ),
        Row(
            "item_withdraw",
            "post",
            STAFF,
            lambda w: {"pk": w.rect.item.pk},
            lambda w: {"pk": w.foreign_rect.item.pk},
        ),
        Row(
            "progress_create",
            "get",
            DEPT,
            lambda w: {"pk": w.rect.item.pk},
            lambda w: {"pk": w.foreign_rect.item.pk},
            foreign_as="dept",
        ),
        Row(
            "progress_verify",
            "post",
            STAFF,
            lambda w: {"pk": w.rect.progress.pk},
            lambda w: {"pk": w.foreign_rect.progress.pk},
        ),
        Row(
            "evidence_download",
            "get",
            VIEWERS,
            lambda w: {"pk": w.rect.evidence.pk},
            lambda w: {"pk": w.foreign_rect.evidence.pk},
        ),
        Row(
            "rect_evidence_preview",
            "get",
            VIEWERS,
            lambda w: {"pk": w.rect.evidence.pk},
            lambda w: {"pk": w.foreign_rect.evidence.pk},
        ),
        Row(
            "evidence_inline",
            "get",
            VIEWERS,
            lambda w: {"pk": w.rect.evidence.pk},
            lambda w: {"pk": w.foreign_rect.evidence.pk},
        ),
        Row("notification_list", "get", VIEWERS),
        Row("notification_read", "post", VIEWERS),
    ]
}


def test_the_matrix_covers_every_url_pattern():
    assert {p.name for p in rectification_urls.urlpatterns} == set(MATRIX)


def test_every_view_requires_a_permission():
    for pattern in rectification_urls.urlpatterns:
        assert getattr(pattern.callback, "required_perm", "").startswith("rectification."), pattern.name


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_anonymous_is_sent_to_login(client, rect, name):
    check_anonymous(client, rect, MATRIX[name])


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_each_role_gets_the_expected_answer(client, rect, name, subtests):
    MATRIX[name].own(rect)  # what the row builds lazily, built before (not inside) the first role's rollback
    for role in ROLES:
        with subtests.test(role=role), undone():
            check_role(client, rect, MATRIX[name], role)


@pytest.mark.parametrize("name", sorted(n for n, row in MATRIX.items() if row.foreign))
def test_another_countys_object_is_not_found(client, rect, name):
    check_foreign(client, rect, MATRIX[name])


@pytest.mark.parametrize("name", ["item_detail", "progress_create"])
def test_another_departments_item_is_not_found(client, rect, name):
    client.force_login(rect.dept_user)
    assert client.get(reverse(name, kwargs={"pk": rect.rect.other_item.pk})).status_code == 404


def test_a_cooperating_department_sees_the_item_but_cannot_report_on_it(client, rect):
    rect.rect.other_item.cooperating_departments.add(rect.department)
    client.force_login(rect.dept_user)
    page = client.get(reverse("item_detail", kwargs={"pk": rect.rect.other_item.pk}))
    assert page.status_code == 200
    assert reverse("progress_create", kwargs={"pk": rect.rect.other_item.pk}) not in page.content.decode()
    response = client.post(
        reverse("progress_create", kwargs={"pk": rect.rect.other_item.pk}),
        {"text": "x", "percent": 10},
    )
    assert response.status_code == 404


def test_a_department_user_sees_only_their_departments_items_in_the_overview(client, rect):
    client.force_login(rect.dept_user)
    body = client.get(reverse("rectification_overview", kwargs={"round_pk": rect.round.pk})).content.decode()
    assert reverse("item_detail", kwargs={"pk": rect.rect.item.pk}) in body
    assert reverse("item_detail", kwargs={"pk": rect.rect.other_item.pk}) not in body


def test_another_departments_evidence_is_not_found(client, rect):
    other = rect.rect.other_item
    other.refresh_from_db()
    other_user = PersonFactory(county=rect.county, role="department", department=rect.other_department).user
    progress = services.progress_post(item=other, text="x", percent=5, marks_done=False, files=[pdf()], user=other_user)
    client.force_login(rect.dept_user)
    url = reverse("evidence_download", kwargs={"pk": progress.files.get().pk})
    assert client.get(url).status_code == 404


def test_a_leader_changes_nothing(client, rect):
    client.force_login(rect.leader)
    for name, kwargs in [
        ("plan_revise", {"round_pk": rect.round.pk}),
        ("progress_verify", {"pk": rect.rect.progress.pk}),
        ("item_withdraw", {"pk": rect.rect.item.pk}),
    ]:
        assert client.post(reverse(name, kwargs=kwargs), {"reason": "x", "decision": "accept"}).status_code == 403
    response = client.post(
        reverse("rectification_effect", kwargs={"round_pk": rect.round.pk}),
        {"indicator": "近视率", "value": "50"},
    )
    assert response.status_code == 302
    assert not rect.round.indicator_readings.exists()
