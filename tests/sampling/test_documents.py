"""The sampling documents through the document engine: the check-in list, seat labels and the
notice board of one sampled school, who may request and read them, and the audit trail."""

import pytest
import segno
from django.test import TestCase
from django.urls import reverse

from rounds.models import AuditEvent, Document
from sampling import services
from sampling.exports import mask_name
from tests.reports.helpers import pdf_rows, pdf_text


def _request(client, user, sampled, kind):
    client.force_login(user)
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(reverse("school_document_request", args=[sampled.pk, kind]))
    return response


@pytest.fixture
def lists(world, sampled):
    """School A with one student excluded; the county's hotline set."""
    a, b = sampled
    world.county.hotline = "0790-12345678"
    world.county.save()
    excluded = a.students.order_by("monitoring_id").last()
    excluded.exclusion, excluded.exclusion_reason = "left", "转学"
    excluded.save()
    return a, b, excluded


def test_the_check_in_list_names_every_taking_part_student_with_a_seat_and_the_build_is_logged(client, world, lists):
    a, b, excluded = lists
    response = _request(client, world.coord_a, a, "student_list")
    assert response.status_code == 302 and response["Location"].endswith("#documents")
    document = Document.objects.get(kind="student_list")
    assert document.status == Document.Status.DONE, document.error
    assert document.subject == str(a.pk) and document.built_by
    text = pdf_text(document)
    taking_part = list(a.students.filter(exclusion="").order_by("monitoring_id"))
    assert len(taking_part) == 29
    assert "甲小学（四年级）样本学生名单" in text and "内部资料" in text and "签到" in text
    for seat, student in enumerate(taking_part, start=1):
        assert f"{seat}{student.monitoring_id}{student.name}" in text, student.monitoring_id
    assert "不参加测试的排除学生" in text and excluded.name in text and "转学" in text
    assert not any(s.monitoring_id in text for s in b.students.all())  # (the test rosters share names)
    built = AuditEvent.objects.get(action="export", object_type="document", object_id=str(document.pk))
    assert built.user == world.coord_a and "样本学生名单" in built.summary
    client.get(reverse("document_pdf", args=[document.pk]))
    client.get(reverse("document_html", args=[document.pk]))
    assert AuditEvent.objects.filter(object_type="document", object_id=str(document.pk)).count() == 3


def test_seat_labels_are_a_grid_of_the_taking_part_students_with_masked_names(client, world, lists):
    a, _b, excluded = lists
    services.notice_settings_save(rnd=world.round, notice_names="masked", user=world.staff)
    _request(client, world.staff, a, "seat_labels")
    document = Document.objects.get(kind="seat_labels")
    assert document.status == Document.Status.DONE, document.error
    text, rows = pdf_text(document), pdf_rows(document)
    taking_part = list(a.students.filter(exclusion="").order_by("monitoring_id"))
    assert document.pages == 2  # 29 labels, 24 to a sheet
    # Three labels to a row: seat numbers, monitoring IDs and masked names line up.
    for start in range(0, len(taking_part), 3):
        three = taking_part[start : start + 3]
        assert "".join(str(start + n) for n in range(1, len(three) + 1)) in rows
        assert "".join(s.monitoring_id for s in three) in rows
        assert "".join(mask_name(s.name) for s in three) in rows
    assert not any(s.name in text for s in taking_part)
    assert excluded.monitoring_id not in text and "内部资料" not in text
    with document.html.open("rb") as handle:
        assert handle.read().decode().count('<td><div class="label-head">') == 29
    assert AuditEvent.objects.filter(action="export", object_id=str(document.pk)).exists()


@pytest.mark.parametrize("mode", ["full", "masked", "none"])
def test_the_notice_board_shows_names_as_the_round_says(client, world, lists, mode):
    a, _b, excluded = lists
    services.notice_settings_save(rnd=world.round, notice_names=mode, user=world.staff)
    _request(client, world.staff, a, "notice_board")
    document = Document.objects.get(kind="notice_board")
    assert document.status == Document.Status.DONE, document.error
    text = pdf_text(document)
    assert "监测公示" in text and "0790-12345678" in text and "内部资料" not in text
    taking_part = list(a.students.filter(exclusion="").order_by("monitoring_id"))
    assert all(s.monitoring_id in text for s in taking_part) and excluded.monitoring_id not in text
    assert all((s.name in text) == (mode == "full") for s in taking_part)
    if mode == "masked":
        assert all(mask_name(s.name) in text for s in taking_part)


def test_only_the_schools_coordinator_and_county_staff_request_and_read_its_lists(client, world, lists):
    a, b, _excluded = lists
    assert _request(client, world.coord_b, a, "student_list").status_code == 404
    for role in ("leader", "inspector", "monitor", "dept"):
        assert _request(client, world.users()[role], a, "student_list").status_code == 403, role
    assert _request(client, world.foreign_staff, a, "student_list").status_code == 404
    assert _request(client, world.staff, a, "no_such_kind").status_code == 404
    assert not Document.objects.exists()
    _request(client, world.coord_a, a, "student_list")
    _request(client, world.coord_b, b, "student_list")
    mine, theirs = Document.objects.get(subject=str(a.pk)), Document.objects.get(subject=str(b.pk))
    for name in ("document_pdf", "document_html", "document_status"):
        client.force_login(world.coord_a)
        assert client.get(reverse(name, args=[mine.pk])).status_code == 200, name
        assert client.get(reverse(name, args=[theirs.pk])).status_code == 404, name
        client.force_login(world.foreign_staff)
        assert client.get(reverse(name, args=[mine.pk])).status_code == 404, name
        for role in ("leader", "inspector", "monitor", "dept"):
            client.force_login(world.users()[role])
            assert client.get(reverse(name, args=[mine.pk])).status_code == 403, (name, role)
        client.force_login(world.staff)
        assert client.get(reverse(name, args=[theirs.pk])).status_code == 200, name
    client.force_login(world.coord_a)
    listed = client.get(reverse("document_list", args=[world.round.pk])).content.decode()
    assert mine.title in listed and theirs.title not in listed
    page = client.get(reverse("sampled_school_detail", args=[a.pk])).content.decode()
    assert f'id="document-{mine.pk}"' in page and "school_document_request" not in page
    assert reverse("school_document_request", args=[a.pk, "seat_labels"]) in page
    # The county's own documents stay the county readers'.
    client.force_login(world.coord_a)
    assert client.post(reverse("document_request", args=[world.round.pk]), {"kind": "student_list", "subject": a.pk}).status_code == 403


@pytest.mark.django_db
def test_the_notice_board_carries_the_answering_address_and_its_qr_code(client, world, lists, settings):
    a, _b, _excluded = lists
    settings.PUBLIC_URL = "https://jiance.example.cn"
    _request(client, world.staff, a, "notice_board")
    document = Document.objects.get(kind="notice_board")
    assert document.status == Document.Status.DONE, document.error
    url = "https://jiance.example.cn/questionnaires/q/"
    assert url in pdf_text(document).replace("\n", "")
    with document.html.open("rb") as handle:
        html = handle.read().decode()
    expected = segno.make(url, error="m").svg_inline(scale=1, border=2, omitsize=True, svgclass="qr-code")
    assert f'<span class="qr" data-url="{url}">{expected}</span>' in html
    # The web page of the same sheet points at the address the page was opened on.
    page = client.get(reverse("notice_sheet", args=[a.pk])).content.decode()
    assert 'data-url="http://testserver/questionnaires/q/"' in page
