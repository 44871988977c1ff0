"""The pieces of the offline test day that the server serves: the service worker from the root,
the manifest, the pages a device keeps, and signing out clearing the device's copy."""

import json
from pathlib import Path

from django.conf import settings
from django.urls import reverse

from logistics.selectors import offline_pages


def test_the_service_worker_is_served_from_the_root_and_never_kept_stale(client, db):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Service-Worker-Allowed"] == "/"
    assert response["Cache-Control"] == "no-cache"
    assert b'addEventListener("fetch"' in response.content


def test_the_manifest_names_the_app_in_chinese():
    manifest = json.loads((Path(settings.BASE_DIR) / "static" / "manifest.webmanifest").read_text(encoding="utf-8"))
    assert manifest["lang"] == "zh-CN" and manifest["start_url"] == "/" and manifest["icons"]


def test_signing_out_tells_the_browser_to_clear_the_devices_copy(client, world):
    client.force_login(world.monitor)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert response["Clear-Site-Data"] == '"cache", "storage"'


def test_a_device_keeps_only_the_test_day_pages_its_user_may_open(client, world):

    from logistics.services import package_add
    from tests.logistics.factories import sampled_school

    w = world
    sampled_school(w.round, w.school_a, grade=4, students=2)
    package = package_add(rnd=w.round, school=w.school_a, code="P-1", seal_number="S-1", contents="卷", count=2, user=w.coord_a)
    monitor = offline_pages(user=w.monitor, rnd=w.round, school=w.school_a)
    inspector = offline_pages(user=w.inspector, rnd=w.round, school=w.school_a)
    handover = reverse("handover_add", args=[w.round.pk, w.school_a.pk, package.pk])
    assert handover in monitor and handover not in inspector  # the inspector does not record custody
    assert any("/sessions/" in url for url in monitor) and not any("/sessions/" in url for url in inspector)
    assert not any("students" in url for url in monitor)  # no page with students' names
    for url in monitor:  # every page kept is one the monitor may open
        client.force_login(w.monitor)
        assert client.get(url).status_code == 200, url
    client.force_login(w.coord_b)  # a coordinator of another school gets nothing of school A
    assert client.get(reverse("school_logistics", args=[w.round.pk, w.school_a.pk])).status_code == 404
