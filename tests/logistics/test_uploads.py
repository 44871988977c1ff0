"""Uploads are checked by their content, limited in size and stored with thumbnails."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from logistics.models import EvidenceFile
from logistics.uploads import UploadRefused, check_upload
from rounds.models import Stage

from .factories import image_bytes, photo


def test_a_jpeg_png_and_webp_pass():
    for fmt, ctype in (("JPEG", "image/jpeg"), ("PNG", "image/png"), ("WEBP", "image/webp")):
        assert check_upload(photo(f"a.{fmt.lower()}", fmt)).content_type == ctype


def test_a_text_file_renamed_to_jpg_is_refused():
    with pytest.raises(UploadRefused):
        check_upload(SimpleUploadedFile("room.jpg", b"this is not an image" * 10, content_type="image/jpeg"))


def test_a_fake_image_with_a_jpeg_header_but_no_picture_is_refused():
    data = image_bytes("JPEG")[:40]  # a real JPEG header, then nothing
    with pytest.raises(UploadRefused):
        check_upload(SimpleUploadedFile("fake.jpg", data, content_type="image/jpeg"))


def test_a_gif_is_not_an_accepted_photo():
    with pytest.raises(UploadRefused):
        check_upload(photo("a.gif", "GIF", "image/gif"))


def test_a_file_over_the_limit_is_refused(settings):
    settings.LOGISTICS_UPLOAD_MAX_BYTES = 1024
    with pytest.raises(UploadRefused) as refused:
        check_upload(SimpleUploadedFile("big.jpg", image_bytes("PNG", (400, 400)) + b"\0" * 2048))
    assert "MB" in refused.value.message


def test_a_pdf_only_where_certificates_are_allowed():
    pdf = SimpleUploadedFile("proof.pdf", b"%PDF-1.4\n%...\n", content_type="application/pdf")
    with pytest.raises(UploadRefused):
        check_upload(pdf)
    pdf.seek(0)
    assert check_upload(pdf, allow_pdf=True).content_type == "application/pdf"


def test_an_uploaded_photo_gets_a_thumbnail_and_a_random_name(client, lworld):
    lworld.round.stage = Stage.PREPARATION
    lworld.round.save()
    client.force_login(lworld.coord_a)
    url = reverse("photo_upload", kwargs={"round_pk": lworld.round.pk, "school_pk": lworld.school_a.pk, "item_pk": lworld.item.pk})
    response = client.post(url, {"file": photo("我的照片.png", "PNG", "image/png")}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    evidence = EvidenceFile.objects.filter(original_name="我的照片.png").get()
    assert evidence.thumbnail.name.endswith("-thumb.jpg") and "我的" not in evidence.file.name
    thumb = client.get(reverse("evidence_file", kwargs={"pk": evidence.pk, "variant": "thumb"}))
    assert thumb["Content-Type"] == "image/jpeg"


def test_a_bad_upload_gets_a_clear_message_and_the_answer_is_kept(client, lworld):
    lworld.round.stage = Stage.PREPARATION
    lworld.round.save()
    client.force_login(lworld.coord_a)
    url = reverse("photo_upload", kwargs={"round_pk": lworld.round.pk, "school_pk": lworld.school_a.pk, "item_pk": lworld.item.pk})
    before = EvidenceFile.objects.count()
    response = client.post(url, {"file": SimpleUploadedFile("x.jpg", b"<script>")}, HTTP_HX_REQUEST="true")
    assert response.status_code == 422
    assert "x.jpg" in response.content.decode()
    assert EvidenceFile.objects.count() == before
    assert lworld.checklist_a.answers.filter(item=lworld.item).exists()


def test_an_incident_with_a_bad_attachment_is_not_saved_and_the_form_keeps_its_text(client, lworld):
    lworld.round.stage = Stage.TESTING
    lworld.round.save()
    client.force_login(lworld.coord_a)
    url = reverse("incident_add", kwargs={"round_pk": lworld.round.pk, "school_pk": lworld.school_a.pk})
    before = lworld.incident.__class__.objects.count()
    response = client.post(
        url,
        {
            "at": "2027-05-26T14:05",
            "kind": "equipment",
            "description": "投影仪故障，改用备用机",
            "attachment": SimpleUploadedFile("fault.png", b"GIF89a-not-really"),
        },
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "投影仪故障，改用备用机" in body and "fault.png" in body
    assert lworld.incident.__class__.objects.count() == before
    response = client.post(
        url, {"at": "2027-05-26T14:05", "kind": "equipment", "description": "投影仪故障", "attachment": photo("fault.jpg")}
    )
    assert response.status_code == 302
    assert lworld.incident.__class__.objects.latest("pk").attachments.get().thumbnail
