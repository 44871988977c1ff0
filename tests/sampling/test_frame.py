"""The frame: built from the registry, updated from the Excel template, summarised, all or nothing."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.utils import translation
from openpyxl import Workbook, load_workbook

from rounds.models import ImportBatch, SchoolType
from sampling import services
from sampling.models import FrameSchool
from sampling.selectors import frame_summary, frame_totals
from tests.factories import SchoolFactory

from .conftest import open_sampling


def _workbook(rows, headers=("学校标识码", "学校名称", "四年级学生数", "八年级学生数")) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(headers))
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _upload(client, world, data: bytes, name="frame.xlsx") -> ImportBatch:
    """Posts the file; the import task runs when the request's transaction commits."""
    client.force_login(world.staff)
    with translation.override("zh-hans"), TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(
            f"/sampling/rounds/{world.round.pk}/frame/import/", {"file": SimpleUploadedFile(name, data)}, HTTP_ACCEPT_LANGUAGE="zh-hans"
        )
    assert response.status_code == 302
    return ImportBatch.objects.filter(kind="sampling_frame").latest("created_at")


def test_the_frame_takes_every_active_school_with_grade_4_or_8(world):
    open_sampling(world)
    nine = SchoolFactory(county=world.county, school_type=SchoolType.NINE_YEAR)
    SchoolFactory(county=world.county, is_active=False)
    SchoolFactory(county=world.other_county)
    added = services.frame_build(rnd=world.round, user=world.staff)
    assert added == 3
    assert set(FrameSchool.objects.values_list("school_id", flat=True)) == {world.school_a.pk, world.school_b.pk, nine.pk}
    assert services.frame_build(rnd=world.round, user=world.staff) == 0


def test_the_template_import_sets_enrolments_and_moves_the_frame_version(client, world):
    open_sampling(world)
    nine = SchoolFactory(county=world.county, school_type=SchoolType.NINE_YEAR, code="3699000099")
    batch = _upload(
        client, world, _workbook([(world.school_a.code, "甲小学", 45, 0), (world.school_b.code, "", 0, 38), (nine.code, "", 20, 18.0)])
    )
    assert batch.status == ImportBatch.Status.DONE, batch.errors
    assert batch.created == 3
    assert FrameSchool.objects.get(school=nine).grade8 == 18
    plan = services.plan_for(world.round)
    assert plan.frame_version == 1
    batch = _upload(client, world, _workbook([(world.school_a.code, "", 50, 0)]))
    assert batch.status == ImportBatch.Status.AWAITING  # 45 → 50 changes an enrolment in use
    with TestCase.captureOnCommitCallbacks(execute=True):
        client.post(f"/sampling/rounds/{world.round.pk}/frame/imports/{batch.pk}/confirm/")
    batch.refresh_from_db()
    assert batch.updated == 1
    assert services.plan_for(world.round).frame_version == 2
    assert FrameSchool.objects.get(school=world.school_a).grade4 == 50


def test_a_bad_frame_file_is_refused_with_every_error_by_row_and_column_and_nothing_saved(client, world):
    open_sampling(world)
    batch = _upload(
        client,
        world,
        _workbook(
            [
                (world.school_a.code, "", "四十", 0),  # row 2: not a number
                (world.school_a.code, "", 40, 0),  # row 3: duplicate code
                ("3699999999", "", 10, 0),  # row 4: not a school of the county
                (world.school_b.code, "", 12, 30),  # row 5: a junior school has no grade 4
                ("12345", "", 1, 0),  # row 6: bad code
            ]
        ),
    )
    assert batch.status == ImportBatch.Status.FAILED
    found = {(e["row"], e["column"]) for e in batch.errors}
    assert {(2, "四年级学生数"), (3, "学校标识码"), (4, "学校标识码"), (5, "四年级学生数"), (6, "学校标识码")} <= found
    assert "不是" in next(e["message"] for e in batch.errors if e["row"] == 2)
    assert not FrameSchool.objects.exists()


def test_a_wrong_template_or_file_type_is_refused(client, world):
    open_sampling(world)
    batch = _upload(client, world, _workbook([("1", "2")], headers=("学校", "人数")))
    assert batch.status == ImportBatch.Status.FAILED and "四年级学生数" in batch.errors[0]["message"]
    batch = _upload(client, world, b"code,grade4\n", name="frame.csv")
    assert batch.status == ImportBatch.Status.FAILED and batch.errors[0]["row"] == 0


def test_the_template_lists_the_frame_schools(client, world):
    open_sampling(world)
    services.frame_build(rnd=world.round, user=world.staff)
    client.force_login(world.staff)
    response = client.get(f"/sampling/rounds/{world.round.pk}/frame/template.xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    codes = {row[0] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert codes == {world.school_a.code, world.school_b.code}


def test_the_summary_counts_schools_and_pupils_by_level_location_and_type(world):
    open_sampling(world)
    nine = SchoolFactory(county=world.county, school_type=SchoolType.NINE_YEAR, location="rural")
    services.frame_build(rnd=world.round, user=world.staff)
    services.frame_update(
        rnd=world.round, enrolments={world.school_a.pk: (40, 0), world.school_b.pk: (0, 25), nine.pk: (0, 12)}, user=world.staff
    )
    summary = frame_summary(plan=services.plan_for(world.round))
    totals = frame_totals(summary)
    assert totals[4] == {"schools": 2, "with_pupils": 1, "pupils": 40}  # school A and the nine-year school
    assert totals[8] == {"schools": 2, "with_pupils": 2, "pupils": 37}
    assert len(summary) == 4  # (4, urban, primary), (4, rural, nine-year), (8, town, junior), (8, rural, nine-year)


def test_the_frame_page_shows_the_summary(client, world):
    open_sampling(world)
    services.frame_build(rnd=world.round, user=world.staff)
    services.frame_update(rnd=world.round, enrolments={world.school_a.pk: (41, 0)}, user=world.staff)
    client.force_login(world.leader)
    body = client.get(f"/sampling/rounds/{world.round.pk}/frame/").content.decode()
    assert world.school_a.name in body and "41" in body


def _office_frame(rows) -> bytes:
    """A frame as a county office keeps it: a title row, headers of its own, a totals row."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["青山县2026年四、八年级学生数统计表"])
    sheet.append(["学校代码", "学校", "四年级人数", "八年级人数"])
    for row in rows:
        sheet.append(list(row))
    sheet.append(["合计", None, sum(r[2] for r in rows), sum(r[3] for r in rows)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_a_full_width_code_is_the_same_school_not_a_second_one(client, world):
    open_sampling(world)
    width = str.maketrans("0123456789", "０１２３４５６７８９")
    batch = _upload(client, world, _office_frame([(world.school_a.code.translate(width), "甲小学", 45, 0)]))
    assert batch.status == ImportBatch.Status.DONE, batch.errors
    assert list(FrameSchool.objects.filter(grade4__gt=0).values_list("school_id", "grade4")) == [(world.school_a.pk, 45)]
    assert any("合计" in note for note in batch.notes) and any("第 2 行" in note for note in batch.notes)


def test_a_code_in_other_digits_is_refused_by_row_and_column(client, world):
    open_sampling(world)
    batch = _upload(client, world, _office_frame([("٣٦٩٩٠٠٠١٠١", "甲小学", 45, 0)]))
    assert batch.status == ImportBatch.Status.FAILED
    assert [(e["row"], e["column"]) for e in batch.errors] == [(3, "学校标识码")]
    assert not FrameSchool.objects.filter(grade4__gt=0).exists()
