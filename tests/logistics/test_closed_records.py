"""A mock drill is recorded once held, never for a day to come; a countersigned incident takes
no more attachments."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from logistics.models import EvidenceFile, MockDrill
from logistics.services import LogisticsError, drill_record, evidence_add, incident_countersign
from logistics.uploads import UploadRefused
from rounds.models import Stage

from .factories import photo


def _drill(lworld, date):
    return drill_record(
        rnd=lworld.round, school=lworld.school_a, date=date, inspector_name="督学", findings="", fixed="", passed=True, user=lworld.coord_a
    )


def test_a_drill_dated_tomorrow_is_refused_and_today_is_recorded(lworld):
    with pytest.raises(LogisticsError):
        _drill(lworld, timezone.localdate() + dt.timedelta(days=1))
    assert _drill(lworld, timezone.localdate()).pk


def test_the_drill_form_says_why_a_future_date_is_refused(client, lworld):
    lworld.round.stage = Stage.PREPARATION
    lworld.round.save()
    client.force_login(lworld.coord_a)
    url = reverse("drill_add", kwargs={"round_pk": lworld.round.pk, "school_pk": lworld.school_a.pk})
    data = {"inspector_name": "督学", "findings": "", "fixed": "", "passed": "on"}
    response = client.post(url, {**data, "date": (timezone.localdate() + dt.timedelta(days=3)).isoformat()})
    assert response.status_code == 200 and "所填日期尚未到来" in response.content.decode()
    assert not MockDrill.objects.exists()
    assert client.post(url, {**data, "date": timezone.localdate().isoformat()}).status_code == 302


def test_a_countersigned_incident_takes_no_more_attachments(client, lworld):
    w = lworld
    evidence_add(incident=w.incident, upload=photo("before.jpg"), user=w.coord_a)
    incident_countersign(incident=w.incident, note="已核实", user=w.inspector)
    with pytest.raises(UploadRefused):
        evidence_add(incident=w.incident, upload=photo("after.jpg"), user=w.coord_a)
    w.round.stage = Stage.TESTING
    w.round.save()
    client.force_login(w.coord_a)
    kwargs = {"round_pk": w.round.pk, "school_pk": w.school_a.pk, "pk": w.incident.pk}
    client.post(reverse("incident_attach", kwargs=kwargs), {"file": photo("late.jpg")})
    assert list(EvidenceFile.objects.filter(incident=w.incident).values_list("original_name", flat=True)) == ["before.jpg"]
    html = client.get(reverse("incident_detail", kwargs=kwargs)).content.decode()
    assert reverse("incident_attach", kwargs=kwargs) not in html


@pytest.mark.parametrize(("stage", "offered"), [(Stage.PREPARATION, True), (Stage.RECTIFICATION, False)])
def test_the_school_page_offers_staff_and_drill_edits_only_in_the_stages_that_take_them(client, lworld, stage, offered):
    lworld.round.stage = stage
    lworld.round.save()
    client.force_login(lworld.coord_a)
    kwargs = {"round_pk": lworld.round.pk, "school_pk": lworld.school_a.pk}
    body = client.get(reverse("school_logistics", kwargs=kwargs)).content.decode()
    assert (reverse("staff_edit", kwargs=kwargs) in body) is offered
    assert (reverse("drill_add", kwargs=kwargs) in body) is offered
    assert ("只读" in body) is not offered
