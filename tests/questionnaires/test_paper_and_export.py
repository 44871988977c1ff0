"""Paper forms (all or nothing, errors by row) and the codebook/data export (neutralised)."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from questionnaires.exports import PAPER_CODE_HEADER
from questionnaires.models import Answer, Instrument, Kind, Response
from questionnaires.services import answer_save, response_open, response_submit
from rounds.models import AuditEvent, ImportBatch

from .test_answering import TEACHER_ANSWERS


def _teacher(qworld):
    return Instrument.objects.get(round=qworld.rnd, kind=Kind.TEACHER)


def _paper_file(client, instrument, rows):
    template = client.get(reverse("paper_template", args=[instrument.pk])).content
    workbook = load_workbook(io.BytesIO(template))
    sheet = workbook.worksheets[0]
    headers = [c.value for c in sheet[1]]
    assert headers[0] == PAPER_CODE_HEADER
    for row in rows:
        sheet.append([row.get(h, "") for h in headers])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile("paper.xlsx", buffer.getvalue())


def _row(code, **changes):
    row = {
        PAPER_CODE_HEADER: code.display_code,
        **{k: ";".join(v) for k, v in TEACHER_ANSWERS.items()},
    }
    row.update(changes)
    return row


def test_paper_forms_are_imported_as_submitted_responses(client, qworld, django_capture_on_commit_callbacks):
    client.force_login(qworld.world.staff)
    instrument = _teacher(qworld)
    upload = _paper_file(client, instrument, [_row(qworld.code(serial=1)), _row(qworld.code(ss=qworld.ss_b))])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("paper_import", args=[instrument.pk]), {"file": upload})
    assert response.status_code == 302
    batch = ImportBatch.objects.get(kind__startswith="questionnaire_paper")
    assert batch.status == "done", batch.errors
    assert Response.objects.filter(source="paper", submitted_at__isnull=False, import_batch=batch).count() == 2
    assert Answer.objects.filter(item__code="training_forms").first().value == [
        "online",
        "practice",
    ]
    assert client.get(response["Location"]).status_code == 200


def test_one_bad_row_refuses_the_whole_file_with_rows_and_columns(client, qworld, django_capture_on_commit_callbacks):
    client.force_login(qworld.world.staff)
    instrument = _teacher(qworld)
    student = qworld.code(kind=Kind.STUDENT)
    upload = _paper_file(
        client,
        instrument,
        [
            _row(qworld.code(serial=1)),
            _row(qworld.code(serial=2), years_teaching="99"),
            _row(student),
            _row(qworld.code(serial=1)),
            _row(qworld.code(ss=qworld.ss_b), subject=""),
        ],
    )
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("paper_import", args=[instrument.pk]), {"file": upload})
    batch = ImportBatch.objects.get(kind__startswith="questionnaire_paper")
    assert batch.status == "failed"
    assert [(e["row"], e["column"]) for e in batch.errors] == [
        (3, "years_teaching"),
        (4, PAPER_CODE_HEADER),
        (5, PAPER_CODE_HEADER),
        (6, "subject"),
    ]
    assert not Response.objects.exists()


def test_the_export_has_a_codebook_and_neutralised_data(client, qworld):
    code = qworld.code()
    response = response_open(access_code=code, now=timezone.now())
    for item_code, values in {**TEACHER_ANSWERS, "suggestion": ['=HYPERLINK("http://x")']}.items():
        answer_save(access_code_id=code.pk, item_code=item_code, raw=values, now=timezone.now())
    assert response_submit(response_id=response.pk, now=timezone.now()) == []
    client.force_login(qworld.world.staff)
    export = client.get(reverse("instrument_export", args=[response.instrument.pk]))
    workbook = load_workbook(io.BytesIO(export.content))
    codebook, data = workbook.worksheets
    assert [c.value for c in codebook["A"]][1:4] == ["subject", "years_teaching", "lessons_week"]
    headers = [c.value for c in data[1]]
    row = dict(zip(headers, [c.value for c in data[2]], strict=True))
    assert row["suggestion"] == '\'=HYPERLINK("http://x")'
    assert row["training_forms"] == "online;practice"
    assert row["years_teaching"] == 12
    assert data[2][0].data_type != "f"
    assert AuditEvent.objects.filter(action="export", object_type="questionnaires.Instrument").exists()
