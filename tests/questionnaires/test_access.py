"""Every staff URL of the questionnaires app × every role × own and foreign object."""

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from monitoring_site.roles import Role
from questionnaires import urls as q_urls
from questionnaires.imports import PAPER_KIND
from questionnaires.models import Instrument
from rounds.models import ImportBatch
from tests.access import READERS, ROLES, STAFF, Row, check_anonymous, check_foreign, check_role, undone
from tests.factories import PersonFactory

from .double_entry import entered_sample

TRACKERS = frozenset({"staff", "leader", "inspector", "coord_a", "coord_b"})
OWN_SCHOOL_TRACKERS = frozenset({"staff", "leader", "inspector", "coord_a"})
SLIP_PRINTERS = frozenset({"staff", "coord_a"})


def _instrument(w):
    return Instrument.objects.filter(round=w.round).first().pk


def _foreign_instrument(w):
    from questionnaires.services import instrument_install_defaults

    instrument_install_defaults(rnd=w.foreign_round, user=w.foreign_staff)
    return Instrument.objects.filter(round=w.foreign_round).first().pk


def _batch(w, county):
    return ImportBatch.objects.create(
        kind=f"{PAPER_KIND}:1",
        county=county,
        file=ContentFile(b"x", name="a.xlsx"),
        original_name="a.xlsx",
        uploaded_by=w.staff,
    ).pk


def _paper(w):
    """A sample of a batch uploaded by another staff member: ``staff`` is a third person."""
    if not hasattr(w, "paper"):
        uploader = PersonFactory(county=w.county, role=Role.COUNTY_STAFF, user__username="uploader").user
        w.paper = entered_sample(rnd=w.round, uploader=uploader)
    return w.paper


def _foreign_paper(w):
    if not hasattr(w, "foreign_paper"):
        _foreign_instrument(w)
        w.foreign_paper = entered_sample(rnd=w.foreign_round, uploader=w.foreign_staff, prefix="f_")
    return w.foreign_paper


def _ss(w):
    return w.sampled_school_a.pk


def _rnd(w):
    return {"pk": w.round.pk}


def _frnd(w):
    return {"pk": w.foreign_round.pk}


MATRIX = {
    row.name: row
    for row in [
        Row("questionnaire_index", "get", TRACKERS),
        Row("instrument_list", "get", STAFF, _rnd, _frnd),
        Row("instrument_install", "post", STAFF, _rnd, _frnd),
        Row("instrument_upload", "get", STAFF, _rnd, _frnd),
        Row("instrument_template", "get", STAFF, _rnd, _frnd),
        Row(
            "instrument_detail",
            "get",
            STAFF,
            lambda w: {"pk": _instrument(w)},
            lambda w: {"pk": _foreign_instrument(w)},
        ),
        Row(
            "instrument_definition",
            "get",
            STAFF,
            lambda w: {"pk": _instrument(w)},
            lambda w: {"pk": _foreign_instrument(w)},
        ),
        Row(
            "instrument_export",
            "get",
            STAFF,
            lambda w: {"pk": _instrument(w)},
            lambda w: {"pk": _foreign_instrument(w)},
        ),
        Row(
            "paper_import",
            "get",
            STAFF,
            lambda w: {"pk": _instrument(w)},
            lambda w: {"pk": _foreign_instrument(w)},
        ),
        Row(
            "paper_template",
            "get",
            STAFF,
            lambda w: {"pk": _instrument(w)},
            lambda w: {"pk": _foreign_instrument(w)},
        ),
        Row(
            "paper_import_detail",
            "get",
            STAFF,
            lambda w: {"pk": _batch(w, w.county)},
            lambda w: {"pk": _batch(w, w.other_county)},
        ),
        Row("verification_draw", "post", STAFF, lambda w: {"pk": _paper(w).batch.pk}, lambda w: {"pk": _foreign_paper(w).batch.pk}),
        Row("verification_extend", "post", STAFF, lambda w: {"pk": _paper(w).batch.pk}, lambda w: {"pk": _foreign_paper(w).batch.pk}),
        Row("verification_forms", "get", STAFF, lambda w: {"pk": _paper(w).batch.pk}, lambda w: {"pk": _foreign_paper(w).batch.pk}),
        Row("verification_workbook", "get", STAFF, lambda w: {"pk": _paper(w).batch.pk}, lambda w: {"pk": _foreign_paper(w).batch.pk}),
        Row(
            "verification_workbook_upload",
            "post",
            STAFF,
            lambda w: {"pk": _paper(w).batch.pk},
            lambda w: {"pk": _foreign_paper(w).batch.pk},
        ),
        Row("verification_compare", "get", STAFF, lambda w: {"pk": _paper(w).batch.pk}, lambda w: {"pk": _foreign_paper(w).batch.pk}),
        Row("second_entry", "get", STAFF, lambda w: {"pk": _paper(w).waiting.pk}, lambda w: {"pk": _foreign_paper(w).entered.pk}),
        Row(
            "disagreement_decide",
            "post",
            STAFF,
            lambda w: {"pk": _paper(w).entered.disagreements.get().pk},
            lambda w: {"pk": _foreign_paper(w).entered.disagreements.get().pk},
        ),
        Row("access_codes", "get", STAFF, _rnd, _frnd),
        Row("county_slips", "get", STAFF, _rnd, _frnd),
        Row("questionnaire_tracking", "get", TRACKERS, _rnd, _frnd),
        Row("indicator_overview", "get", READERS, _rnd, _frnd),
        # School A: coordinator B and the monitor are outside; coordinator B gets a 404 below.
        Row(
            "school_tracking",
            "get",
            OWN_SCHOOL_TRACKERS | {"coord_b"},
            lambda w: {"pk": _ss(w)},
            lambda w: {"pk": w.foreign_sampled_school.pk},
        ),
        Row(
            "code_slips",
            "get",
            SLIP_PRINTERS | {"coord_b"},
            lambda w: {"pk": _ss(w)},
            lambda w: {"pk": w.foreign_sampled_school.pk},
        ),
        Row(
            "reminder_list",
            "get",
            SLIP_PRINTERS | {"coord_b"},
            lambda w: {"pk": _ss(w)},
            lambda w: {"pk": w.foreign_sampled_school.pk},
        ),
    ]
}
PUBLIC = {p.name for p in q_urls.public_urlpatterns}
OTHER_SCHOOL_IS_404 = {"school_tracking", "code_slips", "reminder_list"}


@pytest.fixture
def w(qworld):
    world = qworld.world
    world.sampled_school_a = qworld.ss_a
    world.foreign_sampled_school = qworld.foreign_ss
    return world


def test_the_matrix_covers_every_staff_url_pattern():
    assert {p.name for p in q_urls.urlpatterns} == set(MATRIX) | PUBLIC
    assert all(p.name.startswith("respond_") for p in q_urls.public_urlpatterns)


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_anonymous_is_sent_to_login(client, w, name):
    check_anonymous(client, w, MATRIX[name])


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_each_role_gets_the_expected_answer(client, w, name, subtests):
    MATRIX[name].own(w)  # what the row builds lazily, built before (not inside) the first role's rollback
    for role in ROLES:
        with subtests.test(role=role), undone():
            if role == "coord_b" and name in OTHER_SCHOOL_IS_404:
                client.force_login(w.coord_b)
                response = client.get(reverse(name, kwargs=MATRIX[name].own(w)))
                assert response.status_code == 404
                continue
            check_role(client, w, MATRIX[name], role)


@pytest.mark.parametrize("name", sorted(n for n, row in MATRIX.items() if row.foreign))
def test_another_countys_object_is_not_found(client, w, name):
    check_foreign(client, w, MATRIX[name])


def test_coordinators_see_only_their_school_in_the_round_tracking(client, w, qworld):
    client.force_login(w.coord_a)
    body = client.get(reverse("questionnaire_tracking", args=[w.round.pk])).content.decode()
    assert w.school_a.name in body
    assert w.school_b.name not in body


def test_the_menu_entry_shows_for_trackers_only(client, w):
    client.force_login(w.coord_a)
    assert reverse("questionnaire_index") in client.get(reverse("home")).content.decode()
    client.force_login(w.dept_user)
    assert reverse("questionnaire_index") not in client.get(reverse("home")).content.decode()


# The double entry: the first enterer (the batch's uploader) is refused the second entry and
# the comparison; the second enterer is refused the comparison, which shows the first's values.
REFUSED = {
    "first": ["verification_forms", "verification_workbook", "verification_workbook_upload", "second_entry", "verification_compare"],
    "second": ["verification_compare"],
}


@pytest.mark.parametrize(("who", "name"), [(who, name) for who, names in REFUSED.items() for name in names])
def test_the_enterers_are_refused_what_they_may_not_see(client, w, who, name):
    paper = _paper(w)
    client.force_login(paper.first if who == "first" else paper.second)
    kwargs = {"pk": paper.waiting.pk} if name == "second_entry" else {"pk": paper.batch.pk}
    response = (client.post if name == "verification_workbook_upload" else client.get)(reverse(name, kwargs=kwargs))
    assert response.status_code == 403
    body = response.content.decode()
    assert "entry-refused" in body and "disagreements" not in body and 'name="years_teaching"' not in body


def test_an_enterer_may_not_decide(client, w):
    paper = _paper(w)
    disagreement = paper.entered.disagreements.get()
    for user in (paper.first, paper.second):
        client.force_login(user)
        client.post(reverse("disagreement_decide", args=[disagreement.pk]), {"choice": "second"})
    disagreement.refresh_from_db()
    assert disagreement.decided_at is None
