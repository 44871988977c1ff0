"""The second workbook: the drawn forms as the paper-forms template (codes only), filled in and
uploaded by the second enterer; checked like the paper import, stored whole or not at all
through the quick entry's save (the same comparison, disagreements and rates)."""

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from questionnaires.exports import PAPER_CODE_HEADER
from questionnaires.models import Disagreement, Response, VerificationForm
from questionnaires.verification import WORKBOOK_KIND, error_rates, verification_sample_draw
from rounds.models import AuditEvent, ImportBatch

from .double_entry import PaperBatch, entered_sample, teacher_values

SHOWN = 14  # the fields the teacher form answered as in TEACHER_ANSWERS shows (test_double_entry)


@pytest.fixture
def paper(qworld):
    paper = PaperBatch(rnd=qworld.rnd, first=qworld.world.staff)
    paper.sample = verification_sample_draw(batch=paper.batch, user=paper.first, seed=1)
    return paper


def download(client, paper):
    client.force_login(paper.second)
    response = client.get(reverse("verification_workbook", args=[paper.batch.pk]))
    assert response.status_code == 200
    return load_workbook(io.BytesIO(response.content))


def filled(workbook, rows: dict[int, dict]) -> SimpleUploadedFile:
    """The workbook with sheet row n filled with ``rows[n]`` (item code → text)."""
    sheet = workbook.worksheets[0]
    headers = [c.value for c in sheet[1]]
    for number, values in rows.items():
        for column, header in enumerate(headers, start=1):
            if header in values:
                sheet.cell(row=number, column=column, value=values[header])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile("second.xlsx", buffer.getvalue())


def upload(client, paper, file):
    return client.post(reverse("verification_workbook_upload", args=[paper.batch.pk]), {"file": file})


def code_of(form) -> str:
    return form.response.access_code.display_code


def test_the_workbook_lists_the_drawn_forms_codes_and_none_of_the_first_entry(client, paper):
    workbook = download(client, paper)
    sheet = workbook.worksheets[0]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert sorted(r[0] for r in rows) == sorted(code_of(f) for f in paper.sample.forms.all())
    assert all(cell is None for row in rows for cell in row[1:])  # every item blank
    client.force_login(paper.first)
    template = load_workbook(io.BytesIO(client.get(reverse("paper_template", args=[paper.instrument.pk])).content))
    assert [c.value for c in sheet[1]] == [c.value for c in template.worksheets[0][1]]  # the import's layout
    assert [list(s.values) for s in workbook.worksheets[1:]] == [list(s.values) for s in template.worksheets[1:]]
    # Access codes only: no name and no answer, so no export of personal data is recorded.
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).exists()


def test_the_workbook_neutralises_formula_text(client, paper):
    """A question's label typed as a formula reaches the second workbook as text."""
    from questionnaires.models import Item
    from tests.security.test_exports import LABEL, formula_cells

    Item.objects.filter(pk=paper.instrument.items.order_by("pk").first().pk).update(label=LABEL)
    client.force_login(paper.second)
    dangerous, texts = formula_cells(client.get(reverse("verification_workbook", args=[paper.batch.pk])).content)
    assert not dangerous and "'" + LABEL in texts


def test_a_filled_workbook_lands_whole_with_the_disagreements_worked_by_hand(client, paper):
    one, two = paper.sample.forms.all()
    workbook = download(client, paper)
    numbers = {c.value: c.row for c in workbook.worksheets[0]["A"][1:]}
    file = filled(workbook, {numbers[code_of(one)]: teacher_values(years_teaching="21"), numbers[code_of(two)]: teacher_values()})
    response = upload(client, paper, file)
    assert response.status_code == 302
    message = next(str(m) for m in client.get(response["Location"]).context["messages"] if m.level_tag == "success")
    assert re.search(r"2\D+1\D", message)  # 2 forms entered, 1 field disagrees
    one.refresh_from_db()
    two.refresh_from_db()
    assert (one.entered_by, one.second_values["years_teaching"], one.fields_compared) == (paper.second, 21, SHOWN)
    assert (two.entered_by, two.fields_compared) == (paper.second, SHOWN)
    d = Disagreement.objects.get()
    assert (d.form, d.item.code, d.first_value, d.second_value) == (one, "years_teaching", 12, 21)
    rates = error_rates(sample=paper.sample)
    assert (rates.entered, rates.compared, rates.disagreeing) == (2, 2 * SHOWN, 1)  # 1 of 28: 3.57 % > 1 %
    paper.sample.refresh_from_db()
    assert paper.sample.needs_full_entry
    kept = ImportBatch.objects.get(kind=f"{WORKBOOK_KIND}:{paper.batch.pk}")
    assert (kept.status, kept.uploaded_by, kept.created, kept.original_name) == ("done", paper.second, 2, "second.xlsx")
    assert one.history.latest().history_user == paper.second  # who uploaded it, in the history
    # Never a paper import of its own: the instrument's imports and their pages leave it out.
    assert (
        reverse("paper_import_detail", args=[kept.pk])
        not in client.get(reverse("paper_import", args=[paper.instrument.pk])).content.decode()
    )


def test_one_bad_cell_refuses_the_whole_file_naming_row_and_column(client, paper):
    one, two = paper.sample.forms.all()
    workbook = download(client, paper)
    numbers = {c.value: c.row for c in workbook.worksheets[0]["A"][1:]}
    file = filled(
        workbook,
        {numbers[code_of(one)]: teacher_values(), numbers[code_of(two)]: teacher_values(years_teaching="99", subject="")},
    )
    response = upload(client, paper, file)
    assert response.status_code == 200
    body = response.content.decode()
    assert "import-errors" in body and "years_teaching" in body
    row = numbers[code_of(two)]
    kept = ImportBatch.objects.get(kind=f"{WORKBOOK_KIND}:{paper.batch.pk}")
    assert kept.status == "failed"
    assert sorted((e["row"], e["column"]) for e in kept.errors) == [(row, "subject"), (row, "years_teaching")]
    assert not VerificationForm.objects.exclude(entered_at=None).exists()  # the good row neither
    assert not Disagreement.objects.exists()


def test_forms_not_drawn_already_entered_or_repeated_are_refused(client, qworld):
    from monitoring_site.roles import Role

    from ..factories import PersonFactory

    uploader = PersonFactory(county=qworld.world.county, role=Role.COUNTY_STAFF, user__username="uploader").user
    paper = entered_sample(rnd=qworld.rnd, uploader=uploader)
    workbook = download(client, paper)
    assert [c.value for c in workbook.worksheets[0]["A"][1:]] == [code_of(paper.waiting)]  # the entered form is not listed
    not_drawn = Response.objects.filter(import_batch=paper.batch).exclude(verification_form__isnull=False).first()
    file = filled(
        workbook,
        {
            2: teacher_values(),
            3: {PAPER_CODE_HEADER: code_of(paper.waiting), **teacher_values()},
            4: {PAPER_CODE_HEADER: code_of(paper.entered), **teacher_values()},
            5: {PAPER_CODE_HEADER: not_drawn.access_code.display_code, **teacher_values()},
        },
    )
    assert upload(client, paper, file).status_code == 200
    errors = ImportBatch.objects.get(kind=f"{WORKBOOK_KIND}:{paper.batch.pk}").errors
    assert [(e["row"], e["column"]) for e in errors] == [(3, PAPER_CODE_HEADER), (4, PAPER_CODE_HEADER), (5, PAPER_CODE_HEADER)]
    paper.waiting.refresh_from_db()
    assert paper.waiting.entered_at is None


def test_a_row_left_blank_waits_for_a_later_entry(client, paper):
    one, two = paper.sample.forms.all()
    workbook = download(client, paper)
    numbers = {c.value: c.row for c in workbook.worksheets[0]["A"][1:]}
    response = upload(client, paper, filled(workbook, {numbers[code_of(one)]: teacher_values()}))
    assert response.status_code == 302
    notes = [str(m) for m in client.get(response["Location"]).context["messages"] if m.level_tag == "info"]
    assert any(str(numbers[code_of(two)]) in note for note in notes)  # "row 3 has no answer typed"
    one.refresh_from_db()
    two.refresh_from_db()
    assert one.entered_at is not None and two.entered_at is None
    assert [c.value for c in download(client, paper).worksheets[0]["A"][1:]] == [code_of(two)]


def test_the_first_enterer_is_refused_the_workbook_and_its_upload(client, paper):
    client.force_login(paper.second)
    workbook = download(client, paper)
    file = filled(workbook, {2: teacher_values(), 3: teacher_values()})
    client.force_login(paper.first)
    assert client.get(reverse("verification_workbook", args=[paper.batch.pk])).status_code == 403
    response = upload(client, paper, file)
    assert response.status_code == 403 and "entry-refused" in response.content.decode()
    assert not VerificationForm.objects.exclude(entered_at=None).exists()
    assert not ImportBatch.objects.filter(kind__startswith=WORKBOOK_KIND).exists()


def test_a_form_entered_meanwhile_refuses_the_whole_file(client, paper, monkeypatch):
    """Between the check and the save the other form is entered in the browser: the row that
    meets it is refused, and the form saved before it in the same file is undone."""
    from questionnaires import verification

    from .double_entry import checked

    one, two = paper.sample.forms.all()
    workbook = download(client, paper)
    numbers = {c.value: c.row for c in workbook.worksheets[0]["A"][1:]}
    file = filled(workbook, {numbers[code_of(one)]: teacher_values(), numbers[code_of(two)]: teacher_values()})
    check = verification.second_workbook_check

    def check_then_enter_meanwhile(**kwargs):
        checked_rows = check(**kwargs)
        verification.second_entry_save(form=two, values=checked(paper), user=paper.third)
        return checked_rows

    monkeypatch.setattr(verification, "second_workbook_check", check_then_enter_meanwhile)
    assert upload(client, paper, file).status_code == 200
    errors = ImportBatch.objects.get(kind=f"{WORKBOOK_KIND}:{paper.batch.pk}").errors
    assert [(e["row"], e["column"]) for e in errors] == [(numbers[code_of(two)], PAPER_CODE_HEADER)]
    one.refresh_from_db()
    two.refresh_from_db()
    assert one.entered_at is None and two.entered_by == paper.third


def test_the_workbook_part_of_the_page_and_its_errors_are_in_chinese(client, paper, settings):
    from tests.test_chinese_pages import offences, shown

    settings.LANGUAGE_CODE = "zh-hans"
    workbook = download(client, paper)
    page = client.get(reverse("verification_forms", args=[paper.batch.pk])).content.decode()
    assert "second-workbook" in page
    refused = upload(client, paper, filled(workbook, {2: teacher_values(years_teaching="99"), 9: {PAPER_CODE_HEADER: "XYZ-12345"}}))
    body = refused.content.decode()
    assert "import-errors" in body
    # The errors name the columns by the workbook's headers, the item codes (years_teaching).
    headers = {word for item in paper.instrument.items.all() for word in re.findall("[A-Za-z]+", item.code)}
    names = frozenset({paper.second.username, *headers})
    assert offences(" ".join(shown(page).parts), names) == []
    assert offences(" ".join(shown(body).parts), names) == []
