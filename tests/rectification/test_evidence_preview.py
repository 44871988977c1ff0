"""Progress evidence opens in a page of its own (images drawn, PDFs linked), downloadable there."""

from django.core.files.base import ContentFile
from django.urls import reverse

from rectification.models import EvidenceFile

from .helpers import PDF, build

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16


def test_a_pdf_opens_from_its_page_and_downloads_from_there(client, world):
    build(world)
    county = world.rect
    evidence = county.evidence
    client.force_login(world.staff)
    body = client.get(reverse("rect_evidence_preview", args=[evidence.pk])).content.decode()
    assert f'href="{reverse("evidence_inline", args=[evidence.pk])}" id="file-open"' in body
    assert f'href="{reverse("evidence_download", args=[evidence.pk])}"' in body
    assert f'href="{reverse("item_detail", args=[county.item.pk])}"' in body
    shown = client.get(reverse("evidence_inline", args=[evidence.pk]))
    assert shown["Content-Type"] == "application/pdf" and shown["Content-Disposition"] == "inline"
    assert b"".join(shown.streaming_content) == PDF
    item = client.get(reverse("item_detail", args=[county.item.pk])).content.decode()
    assert reverse("rect_evidence_preview", args=[evidence.pk]) in item


def test_a_photo_is_drawn_in_the_page_and_a_word_file_only_downloads(client, world):
    build(world)
    county = world.rect
    photo = ContentFile(PNG, name="现场.png")
    word = ContentFile(b"PK\x03\x04" + b"0" * 32, name="纪要.docx")
    # Files as progress_post keeps them (their bytes checked against the extension).
    shot, doc = (
        EvidenceFile.objects.create(progress=county.progress, file=f, original_name=f.name, size=f.size, content_type="text/html")
        for f in (photo, word)
    )
    client.force_login(world.staff)
    body = client.get(reverse("rect_evidence_preview", args=[shot.pk])).content.decode()
    assert f'id="file-image" src="{reverse("evidence_inline", args=[shot.pk])}"' in body
    assert client.get(reverse("evidence_inline", args=[shot.pk]))["Content-Type"] == "image/png"
    body = client.get(reverse("rect_evidence_preview", args=[doc.pk])).content.decode()
    assert 'id="file-image"' not in body and 'id="file-open"' not in body
    assert f'href="{reverse("evidence_download", args=[doc.pk])}"' in body
    assert client.get(reverse("evidence_inline", args=[doc.pk])).status_code == 404  # never shown as the browser said


def test_another_countys_evidence_is_404(client, world):
    build(world)
    client.force_login(world.foreign_staff)
    assert client.get(reverse("rect_evidence_preview", args=[world.rect.evidence.pk])).status_code == 404
