"""Every view of the sampling app × every role × own and foreign object, and who sees names."""

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from rounds.models import AuditEvent, ImportBatch
from sampling import urls as sampling_urls
from sampling.models import PeExemption, RosterUpload, SampledSchool, SampledStudent
from tests.access import EVERYONE, READERS, ROLES, STAFF, Row, check_anonymous, check_foreign, check_role, undone

from .conftest import build_frame, draw_and_confirm_schools, roster_rows

SCHOOL_VIEWERS = frozenset({"staff", "leader", "inspector", "coord_a", "monitor"})
NAME_VIEWERS = frozenset({"staff", "coord_a"})  # of school A; coord_b is not in its scope
NOT_DEPT = EVERYONE - {"dept"}


def _sampled_a(w):
    return SampledSchool.objects.get(round=w.round, school=w.school_a)


def _student_a(w):
    return SampledStudent.objects.filter(sampled_school=_sampled_a(w)).first()


def _foreign_sampled(w):
    """A sampled school and student of the other county, made directly."""
    existing = SampledSchool.objects.filter(round=w.foreign_round).first()
    if existing:
        return existing
    sampled = SampledSchool.objects.create(
        round=w.foreign_round, grade=4, school=w.foreign_school, serial=1, enrolment=10, probability=1, weight=1, certainty=True
    )
    student = SampledStudent.objects.create(
        sampled_school=sampled,
        monitoring_id="369902-27401-01",
        name="外县学生",
        sex="M",
        birth_date="2017-01-01",
        within_probability=1,
        final_weight=1,
    )
    PeExemption.objects.create(
        student=student,
        certificate=ContentFile(b"%PDF-1.4", name="c.pdf"),
        certificate_type="application/pdf",
        reason="x",
        recorded_by=w.foreign_staff,
    )
    return sampled


def _frame_batch(w, county):
    return ImportBatch.objects.create(
        kind="sampling_frame", county=county, file=ContentFile(b"x", name="a.xlsx"), original_name="a.xlsx", uploaded_by=w.staff
    ).pk


def _roster_batch(w, sampled):
    batch = ImportBatch.objects.create(
        kind="sampling_roster",
        county=sampled.round.county,
        file=ContentFile(b"x", name="r.xlsx"),
        original_name="r.xlsx",
        uploaded_by=w.staff,
    )
    RosterUpload.objects.create(sampled_school=sampled, batch=batch)
    return batch.pk


def _exempt_a(w):
    student = _student_a(w)
    PeExemption.objects.get_or_create(
        student=student,
        defaults={
            "certificate": ContentFile(b"%PDF-1.4 test", name="c.pdf"),
            "certificate_type": "application/pdf",
            "reason": "心脏病",
            "recorded_by": w.staff,
        },
    )
    return {"pk": student.pk}


def _foreign_student(w):
    return {"pk": _foreign_sampled(w).students.first().pk}


R = lambda w: {"pk": w.round.pk}  # noqa: E731
FR = lambda w: {"pk": w.foreign_round.pk}  # noqa: E731
S = lambda w: {"pk": _sampled_a(w).pk}  # noqa: E731
FS = lambda w: {"pk": _foreign_sampled(w).pk}  # noqa: E731
ST = lambda w: {"pk": _student_a(w).pk}  # noqa: E731

MATRIX = {
    row.name: row
    for row in [
        Row("sampling_round", "get", READERS, R, FR),
        Row("frame_detail", "get", READERS, R, FR),
        Row("frame_build", "post", STAFF, R, FR),
        Row("frame_template", "get", STAFF, R, FR),
        Row("frame_import", "get", STAFF, R, FR),
        Row(
            "frame_import_detail",
            "get",
            STAFF,
            lambda w: {"pk": w.round.pk, "batch": _frame_batch(w, w.county)},
            lambda w: {"pk": w.round.pk, "batch": _frame_batch(w, w.other_county)},
        ),
        *(
            Row(
                name,
                "post",
                STAFF,
                lambda w: {"pk": w.round.pk, "batch": _frame_batch(w, w.county)},
                lambda w: {"pk": w.round.pk, "batch": _frame_batch(w, w.other_county)},
            )
            for name in ("frame_import_confirm", "frame_import_cancel")
        ),
        Row("school_draw", "get", STAFF, lambda w: {"pk": w.round.pk, "grade": 4}, lambda w: {"pk": w.foreign_round.pk, "grade": 4}),
        Row("draw_review", "get", READERS, lambda w: {"pk": w.round.pk, "grade": 4}, lambda w: {"pk": w.foreign_round.pk, "grade": 4}),
        Row("draw_confirm", "post", STAFF, lambda w: {"pk": w.round.pk, "grade": 8}, lambda w: {"pk": w.foreign_round.pk, "grade": 8}),
        Row("notice_settings", "post", STAFF, R, FR),
        Row("student_draw", "get", STAFF, R, FR),
        Row("student_confirm", "post", STAFF, R, FR),
        Row("my_sample", "get", NOT_DEPT),
        Row("sampled_school_detail", "get", SCHOOL_VIEWERS, S, FS),
        Row("school_replace", "get", STAFF, S, FS),
        Row("roster_upload", "get", NAME_VIEWERS, S, FS),
        Row("roster_template", "get", NAME_VIEWERS, S, FS),
        Row(
            "roster_import_detail",
            "get",
            NAME_VIEWERS,
            lambda w: {"pk": _sampled_a(w).pk, "batch": _roster_batch(w, _sampled_a(w))},
            lambda w: {"pk": _foreign_sampled(w).pk, "batch": _roster_batch(w, _foreign_sampled(w))},
        ),
        *(
            Row(
                name,
                "post",
                NAME_VIEWERS,
                lambda w: {"pk": _sampled_a(w).pk, "batch": _roster_batch(w, _sampled_a(w))},
                lambda w: {"pk": _foreign_sampled(w).pk, "batch": _roster_batch(w, _foreign_sampled(w))},
            )
            for name in ("roster_import_confirm", "roster_import_cancel")
        ),
        Row("roster_type", "get", NAME_VIEWERS, S, FS),
        Row("student_list_xlsx", "get", NAME_VIEWERS, S, FS),
        Row("seat_labels", "get", NAME_VIEWERS, S, FS),
        Row("notice_sheet", "get", NAME_VIEWERS, S, FS),
        Row(
            "school_document_request",
            "post",
            NAME_VIEWERS,
            lambda w: {"pk": _sampled_a(w).pk, "kind": "notice_board"},
            lambda w: {"pk": _foreign_sampled(w).pk, "kind": "notice_board"},
        ),
        Row("student_exclude", "get", NAME_VIEWERS, ST, _foreign_student),
        Row("pe_exemption", "get", NAME_VIEWERS, ST, _foreign_student),
        Row("pe_certificate", "get", NAME_VIEWERS, _exempt_a, _foreign_student),
    ]
}
# Views of one school: coord_b holds the permission but not the school, so it is not found.
SCHOOL_SCOPED = {
    name
    for name, row in MATRIX.items()
    if "coord_a" in row.allowed
    and (row.own in (S, ST, _exempt_a) or name.startswith("roster_import_") or name == "school_document_request")
}


@pytest.fixture
def sample_world(world):
    """World with a confirmed school sample, school A's roster in and its students drawn (not confirmed)."""
    from sampling import students

    build_frame(world)
    a, _b = draw_and_confirm_schools(world)
    students.roster_replace(sampled=a, rows=roster_rows(35, grade=4), user=world.coord_a)
    students.student_draw_run(rnd=world.round, seed=3, user=world.staff)
    return world


def test_the_matrix_covers_every_url_pattern():
    assert {p.name for p in sampling_urls.urlpatterns} == set(MATRIX)


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_anonymous_is_sent_to_login(client, sample_world, name):
    check_anonymous(client, sample_world, MATRIX[name])


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_each_role_gets_the_expected_answer(client, sample_world, name, subtests):
    """All roles in one test per URL: the sample takes a while to build."""
    row = MATRIX[name]
    MATRIX[name].own(sample_world)  # what the row builds lazily, built before (not inside) the first role's rollback
    for role in ROLES:
        with subtests.test(role=role), undone():
            if name in SCHOOL_SCOPED and role == "coord_b":
                client.force_login(sample_world.coord_b)
                url = reverse(name, kwargs=row.own(sample_world))
                response = client.post(url) if row.method == "post" else client.get(url)
                assert response.status_code == 404, f"{name} as coord_b: {response.status_code}"
                continue
            check_role(client, sample_world, row, role)


@pytest.mark.parametrize("name", sorted(n for n, row in MATRIX.items() if row.foreign))
def test_another_countys_object_is_not_found(client, sample_world, name):
    check_foreign(client, sample_world, MATRIX[name])


# --- names only for county staff and the school's own coordinator ---------------------

NAME_PAGES = ["sampled_school_detail", "seat_labels", "notice_sheet", "roster_type"]


def _a_name(world):
    return _student_a(world).name


@pytest.mark.parametrize("role", ["staff", "coord_a"])
def test_staff_and_the_own_coordinator_see_names_and_the_view_is_logged(client, sample_world, role):
    client.force_login(sample_world.users()[role])
    before = AuditEvent.objects.count()
    body = client.get(reverse("sampled_school_detail", kwargs=S(sample_world))).content.decode()
    assert _a_name(sample_world) in body
    assert AuditEvent.objects.count() == before + 1


@pytest.mark.parametrize("role", ["inspector", "monitor"])
def test_inspectors_and_monitors_see_monitoring_ids_but_no_names(client, sample_world, role):
    client.force_login(sample_world.users()[role])
    body = client.get(reverse("sampled_school_detail", kwargs=S(sample_world))).content.decode()
    student = _student_a(sample_world)
    assert student.monitoring_id in body
    assert student.name not in body
    assert student.student_number not in body


def test_leaders_see_counts_but_no_student_list(client, sample_world):
    client.force_login(sample_world.leader)
    body = client.get(reverse("sampled_school_detail", kwargs=S(sample_world))).content.decode()
    student = _student_a(sample_world)
    assert student.name not in body and student.monitoring_id not in body
    assert "30" in body
    overview = client.get(reverse("sampling_round", kwargs=R(sample_world))).content.decode()
    assert student.name not in overview and student.monitoring_id not in overview


@pytest.mark.parametrize("role", ["leader", "inspector", "monitor", "dept", "coord_b"])
@pytest.mark.parametrize("name", ["sampling_round", "frame_detail", "draw_review", "my_sample"])
def test_no_other_page_shows_a_name_to_the_wrong_role(client, sample_world, role, name):
    client.force_login(sample_world.users()[role])
    kwargs = {} if name == "my_sample" else ({"pk": sample_world.round.pk, "grade": 4} if name == "draw_review" else R(sample_world))
    body = client.get(reverse(name, kwargs=kwargs), follow=True).content.decode()
    for student in SampledStudent.objects.all():
        assert student.name not in body
