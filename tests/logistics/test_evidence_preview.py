"""Photos and attachments open in a page of their own, with a download link."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from logistics.services import evidence_add


def test_a_checklist_photo_opens_in_the_page_and_downloads_from_there(client, lworld):
    w = lworld
    client.force_login(w.coord_a)
    page = client.get(reverse("evidence_preview", args=[w.photo.pk]))
    body = page.content.decode()
    full, download = reverse("evidence_file", args=[w.photo.pk, "full"]), reverse("evidence_file", args=[w.photo.pk, "download"])
    assert page.status_code == 200 and f'id="file-image" src="{full}"' in body and f'href="{download}"' in body
    back = reverse("checklist_fill", args=[w.round.pk, w.school_a.pk]) + f"?room={w.item.room_id}"
    assert f'href="{back}"' in body
    shown = client.get(full)
    assert shown["Content-Disposition"] == "inline" and shown["Content-Type"] == w.photo.content_type
    saved = client.get(download)
    assert saved["Content-Disposition"].startswith("attachment") and w.photo.original_name in saved["Content-Disposition"]


def test_the_checklist_links_its_photos_to_the_preview_page(client, lworld):
    w = lworld
    client.force_login(w.coord_a)
    body = client.get(reverse("checklist_fill", args=[w.round.pk, w.school_a.pk]) + f"?room={w.item.room_id}").content.decode()
    assert f'href="{reverse("evidence_preview", args=[w.photo.pk])}"' in body
    assert 'target="_blank"' not in body


def test_a_coordinator_of_another_school_gets_404(client, lworld):
    client.force_login(lworld.coord_b)
    assert client.get(reverse("evidence_preview", args=[lworld.photo.pk])).status_code == 404
    assert client.get(reverse("evidence_file", args=[lworld.photo.pk, "download"])).status_code == 404


def test_an_incident_pdf_is_offered_to_open_not_drawn_as_an_image(client, lworld):
    w = lworld
    pdf = SimpleUploadedFile("记录.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    attachment = evidence_add(incident=w.incident, upload=pdf, user=w.coord_a)
    client.force_login(w.staff)
    body = client.get(reverse("evidence_preview", args=[attachment.pk])).content.decode()
    assert 'id="file-image"' not in body
    assert f'href="{reverse("evidence_file", args=[attachment.pk, "full"])}" id="file-open"' in body
    assert 'href="' + reverse("incident_detail", args=[w.round.pk, w.school_a.pk, w.incident.pk]) + '"' in body
