"""A school's coordinator reads its own quality-analysis letter, and no other school's (issue 15 §8)."""

from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from rounds.models import Document
from sampling.models import SchoolDraw
from tests.logistics.factories import sampled_school as _unconfirmed


def sampled_school(rnd, school, *, grade):
    """A school of a confirmed draw: a school learns it is sampled when the draw is confirmed."""
    draw = SchoolDraw.objects.create(
        round=rnd, grade=grade, n=1, seed=1, frame_version=1, drawn_by=rnd.created_by, confirmed_at=timezone.now()
    )
    return _unconfirmed(rnd, school, grade=grade, draw=draw)


def _letter(world, sampled):
    document = Document.objects.create(
        round=world.round,
        kind="school_letter",
        subject=str(sampled.pk),
        title=f"{sampled.school.name}质量分析报告",
        created_by=world.staff,
        status="done",
    )
    document.pdf.save("letter.pdf", ContentFile(b"%PDF-1.4"), save=False)
    document.html.save("letter.html", ContentFile("<p>反馈</p>".encode()), save=True)
    return document


def test_the_coordinator_reads_the_letter_of_their_school_and_not_another(client, world):
    own = _letter(world, sampled_school(world.round, world.school_a, grade=4))
    other = _letter(world, sampled_school(world.round, world.school_b, grade=8))
    client.force_login(world.coord_a)
    listing = client.get(reverse("document_list", kwargs={"pk": world.round.pk})).content.decode()
    assert own.title in listing and other.title not in listing
    assert client.get(reverse("document_pdf", kwargs={"pk": own.pk})).status_code == 200
    assert client.get(reverse("document_pdf", kwargs={"pk": other.pk})).status_code == 404


def test_the_inspector_and_the_department_read_no_letter(client, world):
    own = _letter(world, sampled_school(world.round, world.school_a, grade=4))
    for user in (world.inspector, world.dept_user):
        client.force_login(user)
        assert client.get(reverse("document_pdf", kwargs={"pk": own.pk})).status_code == 403
