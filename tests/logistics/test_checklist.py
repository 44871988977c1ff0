"""Filling, autosave, stale saves, submit, the review round trip and the template lock."""

import pytest
from django.urls import reverse

from logistics.models import ChecklistEvent, ChecklistItem, ChecklistStatus, ItemKind
from logistics.selectors import checklist_problems
from logistics.services import LogisticsError, answer_save, checklist_submit, template_item_save
from monitoring_site.concurrency import StaleEdit
from rounds.models import Stage

from .factories import photo


def _preparation(w):
    w.round.stage = Stage.PREPARATION
    w.round.save()


def _complete(w, checklist):
    """Answer every item so that it is done, with a photo where one is required."""
    from logistics.services import evidence_add

    items = ChecklistItem.objects.filter(room__template__round=w.round)
    for item in items:
        values = {
            ItemKind.YES_NO: {"value_yes": True},
            ItemKind.COUNT: {"value_count": 30},
            ItemKind.TEXT: {"value_text": "张老师"},
            ItemKind.LOCATION: {"building": "综合楼", "floor": "2", "room_name": "201"},
        }[item.kind]
        existing = checklist.answers.filter(item=item).first()
        answer = answer_save(
            checklist=checklist, item=item, values=values, expected_version=existing.version if existing else None, user=w.coord_a
        )
        if item.photo_required and not answer.photos.filter(removed=False).exists():
            evidence_add(answer=answer, upload=photo(), user=w.coord_a)


def _save_url(w, item):
    return reverse("answer_save", kwargs={"round_pk": w.round.pk, "school_pk": w.school_a.pk, "item_pk": item.pk})


def test_an_answer_is_saved_per_item_with_htmx_and_kept_in_history(client, lworld):
    _preparation(lworld)
    item = ChecklistItem.objects.filter(room__template__round=lworld.round, kind=ItemKind.COUNT, minimum=30).get()
    client.force_login(lworld.coord_a)
    response = client.post(_save_url(lworld, item), {"value_count": "28", "version": "0"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "Below the minimum" in response.content.decode() or "低于最低数量" in response.content.decode()
    answer = lworld.checklist_a.answers.get(item=item)
    response = client.post(_save_url(lworld, item), {"value_count": "30", "version": str(answer.version)}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    answer.refresh_from_db()
    assert answer.value_count == 30 and answer.version == 2
    assert [h.value_count for h in answer.history.order_by("history_date")] == [28, 30]
    assert answer.history.first().history_user == lworld.coord_a


def test_the_later_of_two_saves_is_refused_with_who_changed_it(client, lworld, django_user_model):
    _preparation(lworld)
    item = ChecklistItem.objects.filter(room__template__round=lworld.round, kind=ItemKind.TEXT).first()
    client.force_login(lworld.coord_a)
    client.post(_save_url(lworld, item), {"value_text": "张老师", "version": "0"}, HTTP_HX_REQUEST="true")
    answer = lworld.checklist_a.answers.get(item=item)
    # A colleague with the same page open saves over version 1 first …
    answer_save(
        checklist=lworld.checklist_a, item=item, values={"value_text": "李老师"}, expected_version=answer.version, user=lworld.coord_a
    )
    # … so this save, made from the page that still shows version 1, is refused.
    response = client.post(_save_url(lworld, item), {"value_text": "王老师", "version": str(answer.version)}, HTTP_HX_REQUEST="true")
    assert response.status_code == 409
    body = response.content.decode()
    assert item.text in body and lworld.coord_a.first_name in body
    answer.refresh_from_db()
    assert answer.value_text == "李老师"


def test_the_service_refuses_a_stale_save(lworld):
    item = lworld.item
    answer = lworld.checklist_a.answers.get(item=item)
    answer_save(checklist=lworld.checklist_a, item=item, values={}, expected_version=answer.version, user=lworld.coord_a)
    with pytest.raises(StaleEdit) as refused:
        answer_save(checklist=lworld.checklist_a, item=item, values={}, expected_version=answer.version, user=lworld.coord_a)
    assert item.text in refused.value.message


def test_an_incomplete_checklist_cannot_be_submitted(lworld):
    with pytest.raises(LogisticsError):
        checklist_submit(checklist=lworld.checklist_a, expected_version=lworld.checklist_a.version, user=lworld.coord_a)
    assert checklist_problems(checklist=lworld.checklist_a)


def test_a_computer_count_must_reach_the_number_of_teachers(lworld):
    items = {i.text: i for i in ChecklistItem.objects.filter(room__template__round=lworld.round, kind=ItemKind.COUNT)}
    computers = next(i for i in items.values() if i.minimum_item_id)
    teachers = computers.minimum_item
    answer_save(checklist=lworld.checklist_a, item=teachers, values={"value_count": 14}, expected_version=None, user=lworld.coord_a)
    answer_save(checklist=lworld.checklist_a, item=computers, values={"value_count": 12}, expected_version=None, user=lworld.coord_a)
    assert checklist_problems(checklist=lworld.checklist_a)[computers.pk] == "below_minimum"


def test_return_fix_and_approve_keeps_every_round_trip(client, lworld):
    _preparation(lworld)
    w = lworld
    _complete(w, w.checklist_a)
    client.force_login(w.coord_a)
    fill = reverse("checklist_fill", kwargs={"round_pk": w.round.pk, "school_pk": w.school_a.pk})
    submit = reverse("checklist_submit", kwargs={"round_pk": w.round.pk, "school_pk": w.school_a.pk})
    review = reverse("checklist_review", kwargs={"round_pk": w.round.pk, "school_pk": w.school_a.pk})
    client.post(submit, {"version": w.checklist_a.version})
    w.checklist_a.refresh_from_db()
    assert w.checklist_a.status == ChecklistStatus.SUBMITTED
    # Submitted: the coordinator can no longer change an answer.
    answer = w.checklist_a.answers.get(item=w.item)
    assert client.post(_save_url(w, w.item), {"value_yes": "false", "version": answer.version}, HTTP_HX_REQUEST="true").status_code == 409

    client.force_login(w.inspector)
    assert client.get(review).status_code == 200
    client.post(review, {"version": w.checklist_a.version, "action": "return", f"comment-{w.item.pk}": "请补拍保密柜照片"})
    w.checklist_a.refresh_from_db()
    assert w.checklist_a.status == ChecklistStatus.RETURNED

    client.force_login(w.coord_a)
    body = client.get(fill + f"?room={w.item.room_id}").content.decode()
    assert "请补拍保密柜照片" in body
    client.post(submit, {"version": w.checklist_a.version})
    client.force_login(w.inspector)
    w.checklist_a.refresh_from_db()
    client.post(review, {"version": w.checklist_a.version, "action": "approve", "note": "符合要求"})
    w.checklist_a.refresh_from_db()
    assert w.checklist_a.status == ChecklistStatus.APPROVED
    kinds = list(ChecklistEvent.objects.filter(checklist=w.checklist_a).values_list("kind", flat=True))
    assert kinds == ["submitted", "returned", "submitted", "approved"]
    assert ChecklistEvent.objects.get(kind="returned", checklist=w.checklist_a).comments.get().item == w.item


def test_returning_without_a_comment_is_refused(client, lworld):
    _preparation(lworld)
    _complete(lworld, lworld.checklist_a)
    checklist_submit(checklist=lworld.checklist_a, expected_version=lworld.checklist_a.version, user=lworld.coord_a)
    client.force_login(lworld.staff)
    review = reverse("checklist_review", kwargs={"round_pk": lworld.round.pk, "school_pk": lworld.school_a.pk})
    client.post(review, {"version": lworld.checklist_a.version, "action": "return"})
    lworld.checklist_a.refresh_from_db()
    assert lworld.checklist_a.status == ChecklistStatus.SUBMITTED


def test_the_template_changes_are_versioned_and_locked_once_preparation_opens(client, lworld):
    template = lworld.round.checklist_template
    client.force_login(lworld.staff)
    url = reverse("template_item_add", kwargs={"round_pk": lworld.round.pk, "room_pk": lworld.room.pk})
    client.post(url, {"text": "保密室安装监控", "kind": "yes_no", "photo_required": "on"})
    template.refresh_from_db()
    assert template.version == 2
    assert lworld.room.items.filter(text="保密室安装监控", photo_required=True).exists()
    _preparation(lworld)
    client.post(url, {"text": "再加一项", "kind": "yes_no"})
    assert not lworld.room.items.filter(text="再加一项").exists()
    with pytest.raises(LogisticsError):
        template_item_save(item=ChecklistItem(room=lworld.room, text="x", kind="yes_no"), user=lworld.staff)


def test_a_count_minimum_only_on_counts(client, lworld):
    client.force_login(lworld.staff)
    url = reverse("template_item_add", kwargs={"round_pk": lworld.round.pk, "room_pk": lworld.room.pk})
    response = client.post(url, {"text": "是否", "kind": "yes_no", "minimum": "3"})
    assert response.status_code == 200
    assert not lworld.room.items.filter(text="是否").exists()


def test_the_fill_page_shows_rooms_and_items_read_only_to_a_leader(client, lworld):
    client.force_login(lworld.leader)
    body = client.get(reverse("checklist_fill", kwargs={"round_pk": lworld.round.pk, "school_pk": lworld.school_a.pk})).content.decode()
    assert lworld.room.title in body and "answer-form" not in body
