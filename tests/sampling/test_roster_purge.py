"""Once the student draw is confirmed, nothing of the pupils not sampled is left: not in the
database, not in any roster workbook uploaded (accepted or refused), not in an error list."""

import io
from pathlib import Path

from django.conf import settings
from django.test import TestCase
from openpyxl import load_workbook

from rounds.models import ImportBatch, SchoolType
from sampling import services, students
from sampling.models import Roster, RosterEntry, SampledSchool
from tests.factories import SchoolFactory

from .conftest import roster_rows, roster_workbook
from .test_rosters import _upload


def _stored_text() -> str:
    """Every file under the media root as text: a workbook's cells, anything else its bytes."""
    parts = []
    for path in Path(settings.MEDIA_ROOT).rglob("*"):
        if not path.is_file():
            continue
        data = path.read_bytes()
        parts.append(data.decode("utf-8", "replace"))
        if data[:2] == b"PK":
            for sheet in load_workbook(io.BytesIO(data), read_only=True).worksheets:
                parts += [str(v) for row in sheet.iter_rows(values_only=True) for v in row if v is not None]
    return "\n".join(parts)


def _not_sampled(rows, sampled):
    kept = set(sampled.students.values_list("student_number", flat=True))
    return [r for r in rows if r["student_number"] not in kept]


def test_confirming_the_draw_deletes_every_uploaded_roster_file_and_its_errors(client, world, drawn_schools):
    a, b = drawn_schools
    rows = roster_rows(40, grade=4)
    refused = [*rows, dict(rows[5], name="重复生")]  # a student number twice: refused, errors quote it
    assert _upload(client, world.coord_a, a, roster_workbook(refused)).status == ImportBatch.Status.FAILED
    assert _upload(client, world.coord_a, a, roster_workbook(rows)).status == ImportBatch.Status.DONE
    assert _upload(client, world.coord_b, b, roster_workbook(roster_rows(25, grade=8))).status == ImportBatch.Status.DONE
    before = _stored_text()
    assert rows[0]["name"] in before and rows[39]["student_number"] in before  # the test can see them

    students.student_draw_run(rnd=world.round, seed=11, user=world.staff)
    with TestCase.captureOnCommitCallbacks(execute=True):
        students.student_draw_confirm(rnd=world.round, user=world.staff)

    gone = _not_sampled(rows, a)
    assert len(gone) == 10
    stored = _stored_text()
    for row in gone:
        assert row["name"] not in stored and row["student_number"] not in stored
    assert "重复生" not in stored
    batches = ImportBatch.objects.filter(kind="sampling_roster")
    assert batches.count() == 3 and not batches.exclude(file="").exists()
    errors = str(list(batches.values_list("errors", flat=True)))
    assert not any(row["student_number"] in errors for row in rows)
    # The pages still say what became of each upload.
    client.force_login(world.coord_a)
    for batch in batches.filter(original_name="r.xlsx", county=world.county).order_by("pk")[:2]:
        html = client.get(f"/sampling/schools/{a.pk}/roster/imports/{batch.pk}/").content.decode()
        assert "确认学生抽样时" in html or "已导入" in html, batch.status


def test_a_school_replaced_after_sending_its_roster_keeps_no_pupil(client, world, drawn_schools):
    a, b = drawn_schools
    rows = roster_rows(25, grade=8)
    assert _upload(client, world.coord_b, b, roster_workbook(rows)).status == ImportBatch.Status.DONE
    students.roster_replace(sampled=a, rows=roster_rows(40, grade=4), user=world.coord_a)
    # The little world has no second junior school to stand in: give it one.
    extra = SchoolFactory(county=world.county, name="丙中学", school_type=SchoolType.JUNIOR)
    services.plan_for(world.round).schools.create(school=extra, grade8=20)
    b.replacement_candidates = [extra.pk]
    b.save()
    services.school_replace(sampled=b, school=extra, reason="停办", user=world.staff)
    students.student_draw_run(rnd=world.round, seed=11, user=world.staff)
    with TestCase.captureOnCommitCallbacks(execute=True):
        students.student_draw_confirm(rnd=world.round, user=world.staff)

    roster = Roster.objects.get(sampled_school=b)
    assert roster.details_deleted_at is not None and not RosterEntry.objects.filter(roster=roster).exists()
    assert SampledSchool.objects.get(pk=b.pk).status == SampledSchool.Status.REPLACED
    stored = _stored_text()
    assert not any(r["name"] in stored or r["student_number"] in stored for r in rows)


def test_a_withdrawn_or_replaced_doctors_certificate_leaves_the_storage(client, world, sampled):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from .test_students import PDF

    a, _b = sampled
    student = a.students.first()
    client.force_login(world.coord_a)
    url = f"/sampling/students/{student.pk}/pe-exemption/"

    def certificates():
        return sorted(p.name for p in Path(settings.MEDIA_ROOT).rglob("*") if "pe-certificates" in str(p) and p.is_file())

    with TestCase.captureOnCommitCallbacks(execute=True):
        client.post(url, {"certificate": SimpleUploadedFile("first.pdf", PDF), "reason": "心脏病"})
    with TestCase.captureOnCommitCallbacks(execute=True):
        client.post(url, {"certificate": SimpleUploadedFile("second.pdf", PDF), "reason": "心脏病"})
    assert certificates() == ["second.pdf"]
    with TestCase.captureOnCommitCallbacks(execute=True):
        client.post(url, {"withdraw": "1"})
    assert certificates() == []
