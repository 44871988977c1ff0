"""Reading an instrument definition and paper forms from Excel: every error with its row."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from monitoring_site.spreadsheets import Column, RowError, SpreadsheetError, read_table
from rounds.models import ImportBatch, Round

from .answers import AnswerInvalid, clean_value, missing_required
from .definition import COLUMNS, Definition, parse_rows
from .exports import PAPER_CODE_HEADER
from .models import AccessCode, Instrument, ItemType
from .services import CODE_LENGTH, normalise_code

DEFINITION_KIND = "questionnaire_definition"
PAPER_KIND = "questionnaire_paper"


def definition_columns() -> list[Column]:
    judged = ("type", "code", "required", "min", "max", "decimals")  # the rest is text as written
    return [Column(header, field, required=field in ("type", "code"), text=field not in judged) for field, header in COLUMNS]


def definition_read(data: bytes, *, name: str) -> tuple[Definition | None, list[dict], list[str]]:
    """The definition in an uploaded workbook, or the errors (each with its row and column);
    and the reading's notes (the sheet read, rows left out)."""
    try:
        table = read_table(data, name=name, columns=definition_columns(), max_rows=2000)
    except SpreadsheetError as exc:
        return None, [{"row": 0, "column": "", "message": str(exc)}], []
    definition, errors = parse_rows(table.rows)
    all_errors = [e.as_dict() for e in table.errors] + [e.as_dict() for e in errors]
    all_errors.sort(key=lambda e: e["row"])
    return (None if all_errors else definition), all_errors, table.notes


def paper_columns(instrument: Instrument) -> list[Column]:
    return [Column(PAPER_CODE_HEADER, "code")] + [
        Column(i.code, i.code, required=False, text=i.type == ItemType.TEXT) for i in instrument.items.all()
    ]


def _raw(value) -> list[str]:
    if value is None:
        return []
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value)
    return [p for p in text.replace("；", ";").replace("，", ";").replace(",", ";").split(";")]


def paper_forms_check(*, rnd: Round, instrument: Instrument, data: bytes, name: str):
    """Check every row as online answers are checked; returns (rows, codes, errors, notes)."""
    try:
        table = read_table(data, name=name, columns=paper_columns(instrument), max_rows=5000)
    except SpreadsheetError as exc:
        return [], {}, [RowError(0, "", str(exc))], []
    errors = list(table.errors)
    items = list(instrument.items.all())
    wanted = {normalise_code(str(v.get("code") or "")) for _n, v in table.rows}
    codes = {c.code: c for c in AccessCode.objects.filter(code__in=wanted).select_related("response")}
    seen: dict[str, int] = {}
    rows = []
    for number, values in table.rows:
        code_text = normalise_code(str(values.get("code") or ""))
        code = codes.get(code_text)
        if len(code_text) != CODE_LENGTH or code is None or code.round_id != rnd.pk:
            errors.append(
                RowError(
                    number,
                    PAPER_CODE_HEADER,
                    _("No access code “%(code)s” in this round.") % {"code": values.get("code")},
                )
            )
            continue
        if code.kind != instrument.kind:
            errors.append(
                RowError(
                    number,
                    PAPER_CODE_HEADER,
                    _("This code is for the %(kind)s.") % {"kind": code.get_kind_display()},
                )
            )
            continue
        if code_text in seen:
            errors.append(
                RowError(
                    number,
                    PAPER_CODE_HEADER,
                    _("The code is already in row %(row)s.") % {"row": seen[code_text]},
                )
            )
            continue
        seen[code_text] = number
        if hasattr(code, "response"):
            errors.append(RowError(number, PAPER_CODE_HEADER, _("This code has already answered online.")))
            continue
        answers, problems = paper_form_check(items, values)
        errors += [RowError(number, column, message) for column, message in problems.items()]
        rows.append({"code": code_text, "answers": answers})
    return rows, codes, errors, table.notes


def paper_form_check(items: list, values: dict) -> tuple[dict, dict[str, str]]:
    """One paper form's answers (item code → value) and its problems (item code → message):
    the rules of an online answer, for a workbook row and for the second entry alike."""
    answers, problems = {}, {}
    for item in items:
        try:
            answers[item.code] = clean_value(item, _raw(values.get(item.code)))
        except AnswerInvalid as exc:
            problems[item.code] = exc.message
    for item in missing_required(items, answers):
        problems.setdefault(item.code, _("This question must be answered."))
    return answers, problems


def paper_import_run(*, batch_id: int) -> ImportBatch:
    """All or nothing: the whole file is checked, then stored in one transaction."""
    from .services import paper_responses_store

    batch = ImportBatch.objects.get(pk=batch_id)
    instrument = Instrument.objects.select_related("round").get(pk=int(batch.kind.rsplit(":", 1)[1]))
    batch.status = ImportBatch.Status.RUNNING
    batch.save(update_fields=["status"])
    with batch.file.open("rb") as handle:
        data = handle.read()
    rows, codes, errors, batch.notes = paper_forms_check(rnd=instrument.round, instrument=instrument, data=data, name=batch.original_name)
    batch.rows_total = len(rows) + len({e.row for e in errors if e.row})
    if errors:
        batch.status, batch.errors = ImportBatch.Status.FAILED, [e.as_dict() for e in errors[:500]]
    else:
        try:
            with transaction.atomic():
                batch.created = paper_responses_store(
                    access_codes=codes, instrument=instrument, rows=rows, user=batch.uploaded_by, batch=batch
                )
            batch.status = ImportBatch.Status.DONE
        except Exception:  # e.g. a code answered online between the check and the write
            batch.status = ImportBatch.Status.FAILED
            batch.errors = [
                {
                    "row": 0,
                    "column": "",
                    "message": _(
                        "The forms could not be stored because a code was used meanwhile; nothing was saved. Upload the file again."
                    ),
                }
            ]
    batch.progress, batch.finished_at = 100, timezone.now()
    batch.save()
    return batch
