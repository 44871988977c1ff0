"""Two catalogs translate "Start" differently; contexts keep each page's word (issue 15 §7)."""

from django.test import override_settings
from django.urls import reverse


@override_settings(LANGUAGE_CODE="zh-hans")
def test_the_questionnaire_start_button_says_begin_answering_not_start_time(client, db):
    body = client.get(reverse("respond_start"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "开始填答" in body and "开始时间" not in body


@override_settings(LANGUAGE_CODE="zh-hans")
def test_the_timetable_column_says_start_time(client, world):
    client.force_login(world.staff)
    response = client.get(reverse("timetable_edit", kwargs={"pk": world.round.pk}), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200 and "开始时间" in response.content.decode()
