"""Rosters: uploaded from the template or typed in, checked by row, all or nothing."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.utils import translation

from rounds.models import ImportBatch
from sampling import students
from sampling.models import Roster, RosterEntry, SampledStudent

from .conftest import roster_rows, roster_workbook


def _upload(client, user, sampled, data: bytes) -> ImportBatch:
    client.force_login(user)
    with translation.override("zh-hans"), TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(f"/sampling/schools/{sampled.pk}/roster/upload/", {"file": SimpleUploadedFile("r.xlsx", data)})
    assert response.status_code == 302, response.status_code
    return ImportBatch.objects.filter(kind="sampling_roster").latest("created_at")


def test_the_coordinator_uploads_the_whole_grade_roster(client, world, drawn_schools):
    a, _b = drawn_schools
    batch = _upload(client, world.coord_a, a, roster_workbook(roster_rows(40, grade=4)))
    assert batch.status == ImportBatch.Status.DONE, batch.errors
    roster = Roster.objects.get(sampled_school=a)
    assert roster.size == 40 and roster.submitted_by == world.coord_a
    assert RosterEntry.objects.filter(roster=roster).count() == 40
    status = client.get(f"/sampling/schools/{a.pk}/roster/imports/{batch.pk}/").content.decode()
    assert "40" in status


def test_duplicates_impossible_dates_bad_codes_and_the_wrong_grade_are_reported_by_row(client, world, drawn_schools):
    a, _b = drawn_schools
    rows = roster_rows(6, grade=4)
    rows[1]["student_number"] = rows[0]["student_number"]  # row 3: duplicate 学籍号
    rows[2]["birth_date"] = rows[2]["birth_date"].replace(year=2022)  # row 4: five years old
    rows[3]["student_number"] = "12345"  # row 5: not a 学籍号
    rows[4]["grade"] = 8  # row 6: wrong grade
    batch = _upload(client, world.coord_a, a, roster_workbook(rows))
    assert batch.status == ImportBatch.Status.FAILED
    found = {(e["row"], e["column"]) for e in batch.errors}
    assert {(3, "学籍号"), (4, "出生日期"), (5, "学籍号"), (6, "年级")} <= found
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in e["message"]) for e in batch.errors)
    assert not Roster.objects.exists()


def test_a_roster_with_a_missing_column_is_refused(client, world, drawn_schools):
    a, _b = drawn_schools
    batch = _upload(client, world.coord_a, a, roster_workbook(roster_rows(3, grade=4), headers=("姓名", "性别", "出生日期")))
    assert batch.status == ImportBatch.Status.FAILED
    assert "学籍号" in batch.errors[0]["message"]


def test_a_roster_can_be_typed_in(client, world, drawn_schools):
    _a, b = drawn_schools
    client.force_login(world.coord_b)
    text = "张小明\t男\t2013-03-04\t8\t1班\tG369901201300000001\n李华,女,2013-05-06,8,-,G369901201300000002\n"
    response = client.post(f"/sampling/schools/{b.pk}/roster/type/", {"text": text})
    assert response.status_code == 302
    roster = Roster.objects.get(sampled_school=b)
    assert roster.size == 2
    assert set(roster.entries.values_list("name", flat=True)) == {"张小明", "李华"}
    assert roster.entries.get(name="李华").class_name == ""


def test_a_typed_roster_with_errors_shows_them_by_line_and_saves_nothing(client, world, drawn_schools):
    _a, b = drawn_schools
    client.force_login(world.coord_b)
    with translation.override("zh-hans"):
        response = client.post(
            f"/sampling/schools/{b.pk}/roster/type/", {"text": "张小明 男 2013-03-04 8 1班 G369901201300000001\n李华 女 2013-05-06 4\n"}
        )
    assert response.status_code == 200
    assert not Roster.objects.exists()
    assert "2" in response.content.decode()


def test_a_new_roster_replaces_an_unconfirmed_student_draw(world, drawn_schools):
    a, _b = drawn_schools
    students.roster_replace(sampled=a, rows=roster_rows(40, grade=4), user=world.coord_a)
    students.student_draw_run(rnd=world.round, seed=1, user=world.staff)
    assert SampledStudent.objects.filter(sampled_school=a).count() == 30
    students.roster_replace(sampled=a, rows=roster_rows(20, grade=4, start=100), user=world.coord_a)
    assert not SampledStudent.objects.filter(sampled_school=a).exists()
    assert Roster.objects.get(sampled_school=a).size == 20


def test_county_staff_see_which_schools_have_sent_rosters(client, world, drawn_schools):
    a, _b = drawn_schools
    students.roster_replace(sampled=a, rows=roster_rows(12, grade=4), user=world.coord_a)
    client.force_login(world.staff)
    body = client.get(f"/sampling/rounds/{world.round.pk}/").content.decode()
    assert "1 / 2" in body or ("1" in body and "2" in body)
    assert world.coord_a.get_full_name() in body
