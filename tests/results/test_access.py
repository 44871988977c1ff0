"""Every view of the results app × every role × own and another county's object.

Results are for county staff (everything) and leaders (reading); coordinators, inspectors,
monitors and department users get nothing here (403)."""

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from monitoring_site.roles import Role
from results import urls as results_urls
from results.models import Finding, ReferenceValue, ResultImport, ResultVerification, RowDisagreement, StudentScore, VerificationRow
from rounds.models import ImportBatch
from tests.access import READERS, ROLES, STAFF, Row, check_anonymous, check_foreign, check_role, undone

from ..factories import PersonFactory
from .factories import make_sample


def _import(world, rnd):
    batch = ImportBatch.objects.create(
        kind="results_scores",
        county=rnd.county,
        file=ContentFile(b"x", name="a.xlsx"),
        original_name="a.xlsx",
        uploaded_by=world.staff,
    )
    return ResultImport.objects.create(round=rnd, kind="scores", domain="math", batch=batch).pk


def _verified(w, rnd, school, prefix=""):
    """An import typed by its own uploader, with its sample: one row entered a second time (one
    disagreement), one not yet; the world's staff is the third person."""
    key = f"verified_{rnd.pk}"
    if not hasattr(w, key):
        one, two = make_sample(rnd, schools=[school], per_school=2)
        uploader = PersonFactory(county=rnd.county, role=Role.COUNTY_STAFF, user__username=f"{prefix}uploader").user
        second = PersonFactory(county=rnd.county, role=Role.COUNTY_STAFF, user__username=f"{prefix}second").user
        batch = ImportBatch.objects.create(
            kind="results_scores", county=rnd.county, file=ContentFile(b"x", name="v.xlsx"), original_name="v.xlsx", uploaded_by=uploader
        )
        ri = ResultImport.objects.create(round=rnd, kind="scores", domain="math", batch=batch, state="active")
        StudentScore.objects.bulk_create([StudentScore(result_import=ri, student=s, score=500) for s in (one, two)])
        verification = ResultVerification.objects.create(result_import=ri, seed=1, drawn_by=uploader)
        entered = VerificationRow.objects.create(
            verification=verification, student=one, entered_by=second, entered_at=timezone.now(), fields_compared=2
        )
        waiting = VerificationRow.objects.create(verification=verification, student=two)
        disagreement = RowDisagreement.objects.create(row=entered, field="score", first_value=500, second_value=501)
        setattr(w, key, {"import": ri.pk, "waiting": waiting.pk, "disagreement": disagreement.pk})
    return getattr(w, key)


def _own_verified(w, what="import"):
    return {"pk": _verified(w, w.round, w.school_a)[what]}


def _foreign_verified(w, what="import"):
    return {"pk": _verified(w, w.foreign_round, w.foreign_school, "f_")[what]}


def _finding(rnd):
    return Finding.objects.create(round=rnd, title="t").pk


def _ref(rnd):
    """The round's one province reference (the same one each time the row asks for it)."""
    ref, _created = ReferenceValue.objects.get_or_create(
        county=rnd.county,
        round=rnd,
        source="province",
        year=2024,
        domain="math",
        grade=4,
        indicator="mean",
        defaults={"value": 500},
    )
    return ref.pk


def _rnd(w):
    return {"pk": w.round.pk}


def _foreign(w):
    return {"pk": w.foreign_round.pk}


def _dg(rnd):
    return {"pk": rnd.pk, "domain": "math", "grade": 4}


MATRIX = {
    row.name: row
    for row in [
        Row("results_home", "get", READERS),
        Row("results_overview", "get", READERS, _rnd, _foreign),
        Row("results_domain", "get", READERS, lambda w: _dg(w.round), lambda w: _dg(w.foreign_round)),
        Row(
            "results_students",
            "get",
            READERS,
            lambda w: _dg(w.round),
            lambda w: _dg(w.foreign_round),
        ),
        Row("results_pe", "get", READERS, _rnd, _foreign),
        Row("results_factors", "get", READERS, _rnd, _foreign),
        Row("results_import", "get", STAFF, _rnd, _foreign),
        Row(
            "results_template",
            "get",
            STAFF,
            lambda w: {"pk": w.round.pk, "kind": "math"},
            lambda w: {"pk": w.foreign_round.pk, "kind": "math"},
        ),
        Row(
            "results_import_detail",
            "get",
            STAFF,
            lambda w: {"pk": _import(w, w.round)},
            lambda w: {"pk": _import(w, w.foreign_round)},
        ),
        *(
            Row(name, "post", STAFF, lambda w: {"pk": _import(w, w.round)}, lambda w: {"pk": _import(w, w.foreign_round)})
            for name in ["results_import_confirm", "results_import_cancel"]
        ),
        *(
            Row(name, method, STAFF, _own_verified, _foreign_verified)
            for name, method in [
                ("results_verification_draw", "post"),
                ("results_verification_extend", "post"),
                ("results_verification_rows", "get"),
                ("results_verification_workbook", "get"),
                ("results_verification_compare", "get"),
            ]
        ),
        Row("results_second_entry", "get", STAFF, lambda w: _own_verified(w, "waiting"), lambda w: _foreign_verified(w, "waiting")),
        Row(
            "results_disagreement_decide",
            "post",
            STAFF,
            lambda w: _own_verified(w, "disagreement"),
            lambda w: _foreign_verified(w, "disagreement"),
        ),
        Row("results_cut_scores", "get", STAFF, _rnd, _foreign),
        Row("results_references", "get", STAFF, _rnd, _foreign),
        Row(
            "results_reference_delete",
            "post",
            STAFF,
            lambda w: {"pk": w.round.pk, "ref": _ref(w.round)},
            lambda w: {"pk": w.round.pk, "ref": _ref(w.foreign_round)},
        ),
        Row("results_settings", "get", STAFF, _rnd, _foreign),
        Row("results_findings", "get", READERS, _rnd, _foreign),
        Row("results_diagnose", "post", STAFF, _rnd, _foreign),
        Row("results_finding_add", "get", STAFF, _rnd, _foreign),
        Row(
            "results_finding_dismiss",
            "post",
            STAFF,
            lambda w: {"pk": _finding(w.round)},
            lambda w: {"pk": _finding(w.foreign_round)},
        ),
    ]
}


def test_the_matrix_covers_every_url_pattern():
    assert {p.name for p in results_urls.urlpatterns} == set(MATRIX)


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


def test_a_domain_outside_the_round_is_not_found(client, world):
    client.force_login(world.staff)
    assert client.get(reverse("results_domain", kwargs={"pk": world.round.pk, "domain": "chinese", "grade": 4})).status_code == 404
    assert client.get(reverse("results_domain", kwargs={"pk": world.round.pk, "domain": "math", "grade": 5})).status_code == 404
