"""Records made on a device without a network, sent later: each id applied once, stale hand-overs
refused with their reason, access as online."""

import json
import uuid

import pytest
from django.urls import reverse

from logistics.models import Attendance, DeviceSync, Handover, Incident, SyncedRecord
from logistics.selectors import sync_overview
from rounds.models import Stage

from .factories import photo


@pytest.fixture
def testing(lworld):
    lworld.round.stage = Stage.TESTING
    lworld.round.save()
    return lworld


def _post(client, w, records, *, device=None, queued=None, school=None):
    url = reverse("offline_sync", args=[w.round.pk, (school or w.school_a).pk])
    body = {"device": str(device or uuid.uuid4()), "queued": len(records) if queued is None else queued, "records": records}
    return client.post(url, json.dumps(body), content_type="application/json")


def _handover(w, *, after, giver="校长", taker="保密员", id=None):
    return {
        "id": id or str(uuid.uuid4()),
        "kind": "handover",
        "data": {
            "package": w.package.pk,
            "after": after,
            "kind": "stored",
            "at": "2027-05-26T07:45",
            "giver": giver,
            "taker": taker,
            "seal_intact": "on",
            "count_matched": "on",
            "confirm": "on",
        },
    }


def _batch(w):
    return [
        {"id": str(uuid.uuid4()), "kind": "attendance", "data": {"session": w.session.pk, "student": w.student.pk, "status": "present"}},
        _handover(w, after=w.handover.pk),
        {
            "id": str(uuid.uuid4()),
            "kind": "incident",
            "data": {"at": "2027-05-26T08:10", "kind": "unwell", "description": "一名学生头晕，校医陪同", "action_taken": "休息后返回考场"},
        },
    ]


def test_the_same_batch_sent_twice_is_stored_once(client, testing):
    w = testing
    client.force_login(w.monitor)
    batch = _batch(w)
    incidents_before, handovers_before = Incident.objects.count(), Handover.objects.count()

    first = _post(client, w, batch)
    assert first.status_code == 200
    assert [r["outcome"] for r in first.json()["results"]] == ["applied", "applied", "applied"]

    second = _post(client, w, batch)
    assert [r["outcome"] for r in second.json()["results"]] == ["duplicate", "duplicate", "duplicate"]

    assert Attendance.objects.filter(student=w.student, status="present").count() == 1
    assert Handover.objects.count() == handovers_before + 1
    assert Incident.objects.count() == incidents_before + 1
    assert SyncedRecord.objects.filter(outcome="applied").count() == 3


def test_a_stale_hand_over_is_refused_with_its_reason_and_nothing_stored(client, testing):
    w = testing
    client.force_login(w.monitor)
    # Two devices saw the same chain (its last step: the hand-over of the fixture); the first wins.
    first = _post(client, w, [_handover(w, after=w.handover.pk, giver="校长", taker="保密员")])
    assert first.json()["results"][0]["outcome"] == "applied"
    client.force_login(w.coord_a)
    second = _post(client, w, [_handover(w, after=w.handover.pk, giver="副校长", taker="监测员")])
    answer = second.json()["results"][0]
    assert answer["outcome"] == "refused"
    assert "P-1" in answer["reason"] and "校长 → 保密员" in answer["reason"]
    assert not Handover.objects.filter(giver="副校长").exists()
    # The same refused record sent again gets the same refusal.
    assert _post(client, w, [{**_handover(w, after=w.handover.pk), "id": answer["id"]}]).json()["results"][0] == answer


def test_two_hand_overs_made_in_a_row_offline_are_both_applied(client, testing):
    """The second points at the first by the first's device id: it is not yet on the server."""
    w = testing
    client.force_login(w.monitor)
    first = _handover(w, after=w.handover.pk)
    second = _handover(w, after="client:" + first["id"], giver="保密员", taker="监测员")
    second["data"]["kind"] = "taken_out"
    answers = _post(client, w, [first, second]).json()["results"]
    assert [a["outcome"] for a in answers] == ["applied", "applied"]
    assert list(w.package.handovers.order_by("pk").values_list("kind", flat=True)) == ["received", "stored", "taken_out"]


def test_a_closed_stage_refuses_with_its_reason(client, lworld):
    w = lworld  # the round is still in set-up: no attendance yet
    client.force_login(w.monitor)
    answers = _post(client, w, _batch(w)[:1]).json()["results"]
    assert answers[0]["outcome"] == "refused" and "“" in answers[0]["reason"]
    assert not Attendance.objects.exists()


def test_a_record_the_role_may_not_make_is_refused(client, testing):
    w = testing
    client.force_login(w.inspector)  # may record incidents, not attendance
    answers = _post(client, w, _batch(w)).json()["results"]
    assert [a["outcome"] for a in answers] == ["refused", "refused", "applied"]
    assert answers[0]["reason"] == "您无权登记出勤。"
    assert not Attendance.objects.exists()


def test_bad_input_is_refused_with_the_forms_message(client, testing):
    w = testing
    client.force_login(w.monitor)
    record = _handover(w, after=w.handover.pk, giver="校长", taker="校长")
    answer = _post(client, w, [record]).json()["results"][0]
    assert answer["outcome"] == "refused" and "两个不同的人" in answer["reason"]
    no_id = _post(client, w, [{"kind": "attendance", "data": {}}]).json()["results"][0]
    assert no_id["outcome"] == "refused"
    assert client.post(reverse("offline_sync", args=[w.round.pk, w.school_a.pk]), "{", content_type="application/json").status_code == 400


def test_an_incident_keeps_its_photo(client, testing):
    import base64

    w = testing
    client.force_login(w.monitor)
    data_url = "data:image/png;base64," + base64.b64encode(photo().read()).decode()
    record = _batch(w)[2]
    record["data"].update(photo=data_url, photo_name="现场.png")
    assert _post(client, w, [record]).json()["results"][0]["outcome"] == "applied"
    incident = Incident.objects.get(description__startswith="一名学生头晕")
    assert incident.attachments.count() == 1


def test_a_coordinator_of_another_school_is_refused(client, testing):
    w = testing
    client.force_login(w.coord_b)
    assert _post(client, w, _batch(w)).status_code == 404
    assert not SyncedRecord.objects.exists()


def test_an_expired_session_is_sent_to_sign_in_and_nothing_applied(client, testing):
    w = testing
    response = _post(client, w, _batch(w))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert not SyncedRecord.objects.exists()


def test_the_csrf_token_is_required(testing):
    from django.test import Client

    w = testing
    client = Client(enforce_csrf_checks=True)
    client.force_login(w.monitor)
    assert _post(client, w, _batch(w)).status_code == 403


def test_county_staff_see_each_schools_last_sync_and_what_devices_still_hold(client, testing):
    w = testing
    client.force_login(w.monitor)
    phone, tablet = uuid.uuid4(), uuid.uuid4()
    _post(client, w, _batch(w), device=phone, queued=5)  # 3 sent, 2 left on the phone
    _post(client, w, [], device=tablet, queued=4)  # 4 on the tablet, none sent
    _post(client, w, [], device=phone, queued=2)  # the phone again: still 2
    rows = {row.school: row for row in sync_overview(user=w.staff, rnd=w.round)}
    assert rows[w.school_a].queued == 6 and rows[w.school_a].devices == 2 and rows[w.school_a].last_sync is not None
    assert rows[w.school_b].last_sync is None and rows[w.school_b].queued == 0
    assert DeviceSync.objects.get(device=phone).queued == 2
    client.force_login(w.staff)
    page = client.get(reverse("sync_overview", args=[w.round.pk])).content.decode()
    assert w.school_a.name in page and w.school_b.name in page
