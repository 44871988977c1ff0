"""A resubmitted checklist: the reviewer sees the earlier comments and what changed since, item
by item (from the answers' history); the school sees which commented items it has changed."""

import re

from django.urls import reverse

from logistics.models import ChecklistItem, ItemKind
from logistics.selectors import changes_since_return, last_return
from logistics.services import answer_save, checklist_return, checklist_submit, evidence_add

from .factories import photo
from .test_checklist import _complete, _preparation


def _block(body: str, item) -> str:
    match = re.search(rf'<div class="item-change small mt-1" id="change-{item.pk}">(.*?)</div>\s*</td>', body, re.S)
    return match.group(1) if match else ""


def test_the_reviewer_sees_each_earlier_comment_and_what_changed_since(client, lworld):
    w = lworld
    _preparation(w)
    _complete(w, w.checklist_a)
    items = ChecklistItem.objects.filter(room__template__round=w.round)
    fixed = items.filter(kind=ItemKind.COUNT).first()  # answered 30
    ignored = items.filter(kind=ItemKind.TEXT).first()  # answered 张老师
    photographed = items.exclude(pk__in=[fixed.pk, ignored.pk]).filter(kind=ItemKind.YES_NO).first()
    checklist_submit(checklist=w.checklist_a, expected_version=w.checklist_a.version, user=w.coord_a)
    w.checklist_a.refresh_from_db()
    comments = {fixed.pk: "人数不对，请核实", ignored.pk: "请写全名"}
    checklist_return(checklist=w.checklist_a, comments=comments, note="两处要改", expected_version=w.checklist_a.version, user=w.inspector)

    # The school changes one commented item and adds a photo to an uncommented one.
    answer = w.checklist_a.answers.get(item=fixed)
    answer_save(checklist=w.checklist_a, item=fixed, values={"value_count": 32}, expected_version=answer.version, user=w.coord_a)
    evidence_add(answer=w.checklist_a.answers.get(item=photographed), upload=photo(), user=w.coord_a)
    w.checklist_a.refresh_from_db()

    client.force_login(w.coord_a)
    body = client.get(reverse("checklist_fill", kwargs={"round_pk": w.round.pk, "school_pk": w.school_a.pk}) + f"?room={fixed.room_id}")
    page = body.content.decode()
    fixed_card = page[page.index(f'id="item-{fixed.pk}"') :][:3000]
    assert "人数不对，请核实" in fixed_card and "comment-fixed" in fixed_card and "comment-open" not in fixed_card
    if ignored.room_id == fixed.room_id:
        ignored_card = page[page.index(f'id="item-{ignored.pk}"') :][:3000]
        assert "comment-open" in ignored_card and "comment-fixed" not in ignored_card

    checklist_submit(checklist=w.checklist_a, expected_version=w.checklist_a.version, user=w.coord_a)
    changes = changes_since_return(w.checklist_a, last_return(w.checklist_a))
    assert set(changes) == {fixed.pk, ignored.pk, photographed.pk}
    assert (changes[fixed.pk].before.value_count, changes[fixed.pk].after.value_count) == (30, 32)
    assert changes[fixed.pk].changed and not changes[ignored.pk].changed
    assert changes[photographed.pk].photos_added == 1 and not changes[photographed.pk].answer_changed

    client.force_login(w.inspector)
    page = client.get(reverse("checklist_review", kwargs={"round_pk": w.round.pk, "school_pk": w.school_a.pk})).content.decode()
    assert 'id="since-return"' in page and "两处要改" in page
    assert "人数不对，请核实" in _block(page, fixed) and re.search(r"<del>\s*30\s*</del> → <ins>\s*32\s*</ins>", _block(page, fixed))
    assert "请写全名" in _block(page, ignored) and "自退回后未修改" in _block(page, ignored)
    assert "新增 1 张照片" in _block(page, photographed)


def test_a_checklist_never_returned_shows_no_changes(client, lworld):
    _preparation(lworld)
    _complete(lworld, lworld.checklist_a)
    checklist_submit(checklist=lworld.checklist_a, expected_version=lworld.checklist_a.version, user=lworld.coord_a)
    assert changes_since_return(lworld.checklist_a, last_return(lworld.checklist_a)) == {}
    client.force_login(lworld.inspector)
    page = client.get(reverse("checklist_review", kwargs={"round_pk": lworld.round.pk, "school_pk": lworld.school_a.pk})).content.decode()
    assert 'id="since-return"' not in page and "item-change" not in page
