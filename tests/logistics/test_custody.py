"""The custody chain and incidents are append-only; a broken seal or a wrong count opens an incident."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from logistics.models import AppendOnlyError, Countersignature, Handover, Incident, Package
from logistics.services import LogisticsError, handover_record, incident_countersign, package_add
from rounds.models import Stage

AT = timezone.make_aware(dt.datetime(2027, 5, 26, 13, 50))


def test_a_handover_cannot_be_edited_or_deleted(lworld):
    handover = lworld.handover
    handover.giver = "别人"
    with pytest.raises(AppendOnlyError):
        handover.save()
    with pytest.raises(AppendOnlyError):
        Handover.objects.get(pk=handover.pk).delete()
    with pytest.raises(AppendOnlyError):
        lworld.incident.delete()
    with pytest.raises(AppendOnlyError):
        lworld.package.save()


def test_a_correction_is_a_new_entry_pointing_at_the_old_one(lworld):
    correction, _ = handover_record(
        package=lworld.package,
        kind="received",
        at=AT,
        giver="县监测办 王监测",
        taker="校长",
        seal_intact=True,
        count_matched=True,
        corrects=lworld.handover,
        user=lworld.coord_a,
    )
    assert correction.corrects == lworld.handover
    assert Handover.objects.filter(package=lworld.package).count() == 2
    other = package_add(
        rnd=lworld.round, school=lworld.school_a, code="P-2", seal_number="S-2", contents="问卷", count=5, user=lworld.coord_a
    )
    with pytest.raises(LogisticsError):
        handover_record(
            package=other,
            kind="stored",
            at=AT,
            giver="a",
            taker="b",
            seal_intact=True,
            count_matched=True,
            corrects=lworld.handover,
            user=lworld.coord_a,
        )


def test_a_broken_seal_opens_an_incident(lworld):
    handover, incident = handover_record(
        package=lworld.package,
        kind="taken_out",
        at=AT,
        giver="保密员",
        taker="主监测员",
        seal_intact=False,
        count_matched=True,
        user=lworld.coord_a,
    )
    assert incident.kind == "seal" and incident.handover == handover
    assert lworld.package.code in incident.description


def test_a_count_mismatch_opens_an_incident(lworld):
    _h, incident = handover_record(
        package=lworld.package,
        kind="counted",
        at=AT,
        giver="主监测员",
        taker="保密员",
        seal_intact=True,
        count_matched=False,
        counted=31,
        user=lworld.coord_a,
    )
    assert incident is not None and "31" in incident.description


def test_a_handover_needs_two_different_people(lworld):
    with pytest.raises(LogisticsError):
        handover_record(
            package=lworld.package,
            kind="stored",
            at=AT,
            giver="校长",
            taker="校长",
            seal_intact=True,
            count_matched=True,
            user=lworld.coord_a,
        )


def test_the_handover_form_records_both_signatures_and_redirects_to_the_incident(client, lworld):
    w = lworld
    w.round.stage = Stage.TESTING
    w.round.save()
    client.force_login(w.coord_a)
    url = reverse("handover_add", kwargs={"round_pk": w.round.pk, "school_pk": w.school_a.pk, "package_pk": w.package.pk})
    data = {
        "kind": "taken_out",
        "at": "2027-05-26T13:50",
        "giver": "保密员",
        "taker": "主监测员",
        "count_matched": "on",
        "note": "内舌裁断",
        "after": w.handover.pk,  # the chain as the page showed it
    }
    assert client.post(url, data).status_code == 200  # both people must confirm
    response = client.post(url, {**data, "confirm": "on"})
    incident = Incident.objects.get(handover__isnull=False)
    assert response["Location"].endswith(f"/incidents/{incident.pk}/")


def test_the_inspector_countersigns_once(client, lworld):
    w = lworld
    w.round.stage = Stage.TESTING
    w.round.save()
    client.force_login(w.inspector)
    url = reverse("incident_countersign", kwargs={"round_pk": w.round.pk, "school_pk": w.school_a.pk, "pk": w.incident.pk})
    client.post(url, {"note": "已核实"})
    assert Countersignature.objects.get(incident=w.incident).by == w.inspector
    with pytest.raises(LogisticsError):
        incident_countersign(incident=w.incident, note="", user=w.inspector)


def test_the_county_sees_a_new_incident_at_once(client, lworld):
    w = lworld
    w.round.stage = Stage.TESTING
    w.round.save()
    client.force_login(w.coord_a)
    client.post(
        reverse("incident_add", kwargs={"round_pk": w.round.pk, "school_pk": w.school_a.pk}),
        {"at": "2027-05-26T14:05", "kind": "unwell", "description": "一名学生头晕，校医陪同休息", "action_taken": "休息后继续"},
    )
    client.force_login(w.staff)
    body = client.get(reverse("incident_feed", kwargs={"round_pk": w.round.pk}), HTTP_HX_REQUEST="true").content.decode()
    assert "一名学生头晕" in body


def test_custody_has_no_edit_or_delete_urls():
    from logistics import urls

    names = {p.name for p in urls.urlpatterns}
    assert not any(("package" in n or "handover" in n or "incident" in n) and ("edit" in n or "delete" in n) for n in names)
    assert Package._meta.get_field("corrects") and Incident._meta.get_field("corrects")


def test_two_people_recording_the_same_packages_handover_never_append_blind(client, lworld):
    """Two people open the hand-over form of one package; the first records; the second's
    press is refused, naming the step recorded meanwhile and keeping what was typed; once read,
    a second press records it after that step."""
    w = lworld
    w.round.stage = Stage.TESTING
    w.round.save()
    url = reverse("handover_add", kwargs={"round_pk": w.round.pk, "school_pk": w.school_a.pk, "package_pk": w.package.pk})
    client.force_login(w.coord_a)
    page = client.get(url).content.decode()
    assert f'name="after" value="{w.handover.pk}"' in page
    seen = w.handover.pk
    typed = {"kind": "stored", "at": "2027-05-26T08:00", "giver": "校长", "taker": "保密员", "seal_intact": "on"}
    typed |= {"count_matched": "on", "confirm": "on", "after": seen}
    first = client.post(url, {**typed, "giver": "副校长"})
    assert first.status_code == 302
    step = Handover.objects.get(giver="副校长")

    refused = client.post(url, {**typed, "note": "第二人所填"})
    body = refused.content.decode()
    assert refused.status_code == 409
    assert Handover.objects.filter(package=w.package).count() == 2
    assert "副校长 → 保密员" in body and "第二人所填" in body
    assert f'name="after" value="{step.pk}"' in body  # the form now knows the chain as it is

    again = client.post(url, {**typed, "note": "第二人所填", "after": step.pk})
    assert again.status_code == 302
    assert Handover.objects.filter(package=w.package, note="第二人所填").count() == 1
