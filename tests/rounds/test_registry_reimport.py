"""A registry re-import that would change or clear what is stored shows its difference and
waits: nothing changes until it is confirmed, confirming applies exactly that difference,
cancelling leaves the registry as it was.

The rule for blank cells: a blank cell in a column the file has means "no value" and clears
the stored value, but only once the difference page has shown it (column by column) and the
user has confirmed; until then, and after a cancel, the stored value stays. A column the file
does not have is never touched."""

import pytest
from django.test import TestCase
from django.urls import reverse

from rounds.models import ImportBatch, School
from tests.rounds.test_school_import import GOOD_ROWS, HEADERS, upload, workbook_bytes

# The second file: school 1 renamed with its principal left blank, school 2 as it was,
# school 3 not in the file, school 4 new.
NEW_ROWS = [
    ["3699000101", "青山县实验第二小学", "小学", "城区", "城关镇", None, "李老师", "13800000001", 1500],
    GOOD_ROWS[1],
    ["3699000104", "新建小学", "小学", "乡村", "", "", "", "", 120],
]


@pytest.fixture
def staff_client(client, world):
    client.force_login(world.staff)
    return client


@pytest.fixture
def reimport(staff_client):
    """The registry after a first import, and the second file waiting on its difference."""
    first = upload(staff_client, workbook_bytes(GOOD_ROWS))
    assert first.status == ImportBatch.Status.DONE
    return upload(staff_client, workbook_bytes(NEW_ROWS), name="学校名册（更新）.xlsx")


def _decide(client, batch, decision):
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(reverse(f"import_{decision}", args=[batch.pk]))
    assert response.status_code == 302
    batch.refresh_from_db()
    return batch


def _registry():
    return {s.code: (s.name, s.principal, s.version) for s in School.objects.filter(code__startswith="36990001")}


BEFORE = {
    "3699000101": ("青山县实验二小", "王校长", 1),
    "3699000102": ("龙泉镇中学", "", 1),
    "3699000103": ("大坪乡九年一贯制学校", "", 1),
}


def test_a_reimport_that_changes_the_registry_shows_its_difference_and_changes_nothing(staff_client, reimport):
    assert reimport.status == ImportBatch.Status.AWAITING
    assert reimport.difference == {
        "added": 1,
        "changed": 1,
        "removed": 0,  # the import never takes a school out of the registry
        "unchanged": 1,
        "emptied": ["校长"],
        "changed_columns": {"学校名称": 1, "校长": 1},
        "cleared": {"校长": 1},
        "overwritten": 2,
    }
    assert _registry() == BEFORE  # not even the new school is added before the confirmation
    page = staff_client.get(reverse("import_detail", args=[reimport.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "hx-trigger" not in page  # waiting, not "running"
    for text in ("新增行", "修改行", "学校名称", "校长", "确认这些修改", "取消导入", "清除"):
        assert text in page, text


def test_confirming_applies_exactly_the_difference_and_records_who(staff_client, world, reimport):
    batch = _decide(staff_client, reimport, "confirm")
    assert (batch.status, batch.created, batch.updated, batch.decided_by) == (ImportBatch.Status.DONE, 1, 1, world.staff)
    assert _registry() == {
        "3699000101": ("青山县实验第二小学", "", 2),  # the blank principal cleared, as the page said
        "3699000102": ("龙泉镇中学", "", 1),
        "3699000103": ("大坪乡九年一贯制学校", "", 1),  # not in the file: left alone
        "3699000104": ("新建小学", "", 1),
    }
    school = School.objects.get(code="3699000101")
    assert (school.contact_person, school.contact_phone, school.student_count) == ("李老师", "13800000001", 1500)
    latest = school.history.first()
    assert (latest.history_user, latest.principal, latest.prev_record.principal) == (world.staff, "", "王校长")
    assert batch.difference["cleared"] == {"校长": 1}  # the batch keeps what it changed
    assert _decide(staff_client, batch, "confirm").status == ImportBatch.Status.DONE  # a second click changes nothing


def test_cancelling_leaves_the_registry_as_it_was(staff_client, world, reimport):
    batch = _decide(staff_client, reimport, "cancel")
    assert (batch.status, batch.decided_by) == (ImportBatch.Status.CANCELLED, world.staff)
    assert _registry() == BEFORE
    assert _decide(staff_client, batch, "confirm").status == ImportBatch.Status.CANCELLED  # cannot be confirmed later
    assert _registry() == BEFORE
    page = staff_client.get(reverse("import_detail", args=[batch.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "已取消" in page and "hx-trigger" not in page


def test_a_change_made_after_the_difference_was_shown_is_shown_again_before_anything_is_written(staff_client, reimport):
    School.objects.filter(code="3699000101").update(principal="")  # someone cleared it by hand meanwhile
    batch = _decide(staff_client, reimport, "confirm")
    assert batch.status == ImportBatch.Status.AWAITING and batch.decided_by is None
    assert batch.difference["cleared"] == {} and batch.difference["changed_columns"] == {"学校名称": 1}
    assert any("发生了变化" in note for note in batch.notes)
    assert School.objects.get(code="3699000101").name == "青山县实验二小"
    assert _decide(staff_client, batch, "confirm").status == ImportBatch.Status.DONE
    assert School.objects.get(code="3699000101").name == "青山县实验第二小学"


def test_new_schools_and_filled_blanks_need_no_confirmation(staff_client):
    upload(staff_client, workbook_bytes(GOOD_ROWS))
    rows = [list(r) for r in GOOD_ROWS]
    rows[1][5] = "赵校长"  # a blank filled in
    rows.append(["3699000105", "白沙小学", "小学", "乡村"])
    batch = upload(staff_client, workbook_bytes(rows))
    assert (batch.status, batch.created, batch.updated) == (ImportBatch.Status.DONE, 1, 1)
    assert School.objects.get(code="3699000102").principal == "赵校长"


def test_a_column_left_out_of_the_file_keeps_its_stored_values_without_asking(staff_client):
    upload(staff_client, workbook_bytes(GOOD_ROWS))
    batch = upload(staff_client, workbook_bytes([r[:4] for r in GOOD_ROWS], headers=HEADERS[:4]))
    assert (batch.status, batch.updated) == (ImportBatch.Status.DONE, 0)
    assert School.objects.get(code="3699000101").principal == "王校长"


def test_a_waiting_registry_reimport_is_on_its_uploaders_list_until_decided(staff_client, world, reimport):
    from django.utils import translation

    from rounds.forms import today
    from rounds.selectors import todo_for

    def waiting(user):
        with translation.override("zh-hans"):
            return [(t.title, t.url) for t in todo_for(user, today=today()) if "学校名册（更新）.xlsx" in t.title]

    line = ("确认或取消导入 学校名册（更新）.xlsx：其更改等待您确认", reverse("import_detail", args=[reimport.pk]))
    assert waiting(world.staff) == [line]
    assert waiting(world.coord_a) == []
    _decide(staff_client, reimport, "confirm")
    assert waiting(world.staff) == []
