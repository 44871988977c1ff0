"""The hand-out lists: the check-in workbook, seat labels and the notice board, each logged."""

import io

import pytest
from openpyxl import load_workbook

from rounds.models import AuditEvent
from sampling import services
from sampling.exports import mask_name


@pytest.mark.parametrize(("name", "masked"), [("张小明", "张*明"), ("李华", "李*"), ("欧阳小明", "欧**明"), ("王", "王")])
def test_names_are_masked_keeping_the_first_and_last_character(name, masked):
    assert mask_name(name) == masked


def test_the_check_in_list_opens_with_every_sampled_student_and_is_logged(client, world, sampled):
    a, _b = sampled
    client.force_login(world.coord_a)
    response = client.get(f"/sampling/schools/{a.pk}/students.xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    assert len(rows) == 30
    assert {r[1] for r in rows} == set(a.students.values_list("monitoring_id", flat=True))
    assert {r[2] for r in rows} == set(a.students.values_list("name", flat=True))
    assert sheet["A2"].value == "座位号"
    assert AuditEvent.objects.filter(action="export", object_id=str(a.pk)).exists()


@pytest.mark.parametrize("mode", ["full", "masked", "none"])
def test_the_notice_shows_names_as_the_county_chose_and_the_hotline(client, world, sampled, mode):
    a, _b = sampled
    world.county.hotline = "0790-12345678"
    world.county.save()
    services.notice_settings_save(rnd=world.round, notice_names=mode, user=world.staff)
    client.force_login(world.staff)
    body = client.get(f"/sampling/schools/{a.pk}/notice/").content.decode()
    student = a.students.order_by("monitoring_id").first()
    assert "0790-12345678" in body and student.monitoring_id in body
    assert (student.name in body) == (mode == "full")
    assert (mask_name(student.name) in body) == (mode == "masked")
    assert AuditEvent.objects.filter(object_id=str(a.pk)).exists() == (mode != "none")


def test_seat_labels_number_the_taking_part_students(client, world, sampled):
    a, _b = sampled
    excluded = a.students.order_by("monitoring_id").last()
    excluded.exclusion, excluded.exclusion_reason = "left", "转学"
    excluded.save()
    client.force_login(world.coord_a)
    body = client.get(f"/sampling/schools/{a.pk}/seat-labels/").content.decode()
    assert body.count('class="seat-label"') == 29
    assert excluded.monitoring_id not in body
    assert "style=" not in body and "<script>" not in body
