"""Workbooks: an instrument's definition (also the template), its codebook and data, paper forms."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils import timezone
from django.utils.translation import gettext as _

from monitoring_site.spreadsheets import Column, new_workbook, workbook_bytes, write_sheet

from .definition import COLUMNS
from .models import Answer, Instrument, Response, VerificationForm

TYPE_NAMES = {
    "single": "single",
    "multiple": "multiple",
    "scale": "scale",
    "number": "number",
    "text": "text",
}


def _choices_text(choices) -> str:
    return "|".join(f"{v}={label}" for v, label in choices)


def _show_if(item) -> str:
    return f"{item.show_if_item}={','.join(item.show_if_values)}" if item.show_if_item else ""


def _num(value):
    if value is None:
        return ""
    return int(value) if float(value).is_integer() else value


def definition_rows(instrument: Instrument) -> list[list]:
    """The instrument as definition rows (the upload format): loading them gives it back."""
    rows: list[list] = []
    sections = {s.pk: s for s in instrument.sections.all()}
    current_section, current_grid = None, None
    for item in instrument.items.all():
        if item.section_id != current_section:
            section = sections[item.section_id]
            rows.append(["section", section.code, section.title] + [""] * 9)
            current_section, current_grid = item.section_id, None
        if item.grid:
            if item.grid != current_grid:
                rows.append(
                    [
                        "grid",
                        item.grid,
                        item.grid_label,
                        "是" if item.required else "否",
                        _choices_text(item.choices),
                        "",
                        "",
                        "",
                        "",
                        _show_if(item),
                        "",
                        "",
                    ]
                )
                current_grid = item.grid
            rows.append(["row", item.code, item.label, "", "", "", "", "", "", "", "", item.hint])
            continue
        current_grid = None
        rows.append(
            [
                TYPE_NAMES[item.type],
                item.code,
                item.label,
                "是" if item.required else "否",
                _choices_text(item.choices),
                _num(item.min_value),
                _num(item.max_value),
                item.unit,
                "是" if item.decimals else "",
                _show_if(item),
                "",
                item.hint,
            ]
        )
    for rule in instrument.indicators.all():
        rows.append(
            [
                "indicator",
                rule.code,
                rule.label,
                "",
                "",
                "",
                "",
                rule.unit,
                "",
                "",
                rule.calculation,
                "",
            ]
        )
    return rows


def definition_bytes(instrument: Instrument) -> bytes:
    workbook = new_workbook()
    widths = {"label": 40, "choices": 36, "calculation": 30, "hint": 24}
    columns = [Column(header, field, width=widths.get(field, 12)) for field, header in COLUMNS]
    write_sheet(workbook, title=_("Definition"), columns=columns, rows=definition_rows(instrument))
    return workbook_bytes(workbook)


def codebook_and_data_bytes(instrument: Instrument) -> bytes:
    """Codebook sheet and data sheet (one row per response); typed text is neutralised."""
    items = list(instrument.items.all())
    workbook = new_workbook()
    write_sheet(
        workbook,
        title=_("Codebook"),
        columns=[
            Column(_("Code"), "code", width=20),
            Column(_("Question"), "label", width=50),
            Column(_("Type"), "type", width=12),
            Column(_("Values"), "choices", width=40),
            Column(_("Unit"), "unit", width=10),
            Column(_("Minimum"), "min", width=10),
            Column(_("Maximum"), "max", width=10),
            Column(_("Shown if"), "show_if", width=16),
            Column(_("Required"), "required", width=8),
        ],
        rows=[
            [
                i.code,
                f"{i.grid_label} — {i.label}" if i.grid else i.label,
                i.get_type_display(),
                _choices_text(i.choices),
                i.unit,
                _num(i.min_value),
                _num(i.max_value),
                _show_if(i),
                _("yes") if i.required else _("no"),
            ]
            for i in items
        ],
    )
    # A paper form drawn for a second entry is left out until that entry is made: the second
    # enterer, county staff like the rest, must not read the first entry's values here.
    awaiting_second_entry = VerificationForm.objects.filter(response__instrument=instrument, entered_at__isnull=True)
    responses = list(
        Response.objects.filter(instrument=instrument, submitted_at__isnull=False)
        .exclude(pk__in=awaiting_second_entry.values("response_id"))
        .select_related("access_code__student", "access_code__sampled_school__school")
        .order_by(
            "access_code__sampled_school__grade",
            "access_code__sampled_school__serial",
            "access_code__kind",
            "access_code__serial",
        )
    )
    answers: dict[int, dict[int, object]] = {}
    for response_id, item_id, value in Answer.objects.filter(response__in=responses).values_list("response_id", "item_id", "value"):
        answers.setdefault(response_id, {})[item_id] = value
    data_columns = [
        Column(_("Respondent"), "respondent", width=18),
        Column(_("School code"), "school_code"),
        Column(_("School"), "school", width=24),
        Column(_("Grade"), "grade", width=6),
        Column(_("Source"), "source", width=8),
        Column(_("Submitted at"), "submitted", width=18),
    ]
    data_columns += [Column(i.code, i.code, width=12) for i in items]
    rows = []
    for response in responses:
        code = response.access_code
        school = code.sampled_school
        given = answers.get(response.pk, {})
        rows.append(
            [
                code.respondent_label,
                school.school.code if school else "",
                school.school.name if school else "",
                school.grade if school else "",
                response.get_source_display(),
                timezone.localtime(response.submitted_at).strftime("%Y-%m-%d %H:%M"),
                *[_cell(given.get(i.pk)) for i in items],
            ]
        )
    write_sheet(workbook, title=_("Data"), columns=data_columns, rows=rows)
    return workbook_bytes(workbook)


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, list):
        return ";".join(str(v) for v in value)
    return value


def paper_template_bytes(instrument: Instrument, *, codes: Sequence[str] = ()) -> bytes:
    """The paper-forms import's template; with ``codes``, one row per code and every item blank
    (the second entry's workbook: it never holds a value of the first entry)."""
    items = list(instrument.items.all())
    workbook = new_workbook()
    columns = [Column(PAPER_CODE_HEADER, "code", width=16)]
    columns += [
        Column(
            i.code,
            i.code,
            width=12,
            choices=[str(v) for v, _label in i.choices] if i.type in ("single", "scale") else (),
        )
        for i in items
    ]
    write_sheet(workbook, title=_("Paper forms"), columns=columns, rows=[[code] for code in codes])
    write_sheet(
        workbook,
        title=_("Codebook"),
        columns=[
            Column(_("Code"), "code", width=20),
            Column(_("Question"), "label", width=50),
            Column(_("Values"), "choices", width=40),
        ],
        rows=[[i.code, i.label, _choices_text(i.choices) or i.unit] for i in items],
    )
    return workbook_bytes(workbook)


PAPER_CODE_HEADER = "访问码"
