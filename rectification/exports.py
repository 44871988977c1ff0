"""The plan's items with their progress as an Excel workbook (formula cells neutralised)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from monitoring_site.spreadsheets import Column, new_workbook, workbook_bytes, write_sheet

from .versions import target_text


def items_workbook(items, *, title: str) -> bytes:
    columns = [
        Column(_("No."), "no", width=6),
        Column(_("Problem"), "problem", width=30),
        Column(_("Rectification goal"), "goal", width=36),
        Column(_("Measurable target"), "target", width=24),
        Column(_("Measures"), "measures", width=48),
        Column(_("Lead department"), "lead", width=18),
        Column(_("Cooperating departments"), "coop", width=24),
        Column(_("Responsible person"), "who", width=12),
        Column(_("Deadline"), "deadline", width=12),
        Column(_("Status"), "status", width=12),
        Column(_("Percent done"), "percent", width=10),
        Column(_("Latest progress"), "latest", width=40),
        Column(_("Verification"), "verification", width=14),
    ]
    rows = []
    for number, item in enumerate(items, start=1):
        reports = list(item.progress.all())
        latest = reports[0] if reports else None
        rows.append(
            [
                number,
                f"{item.problem.number}. {item.problem.title}",
                item.goal,
                target_text(item),
                item.measures,
                item.lead_department.name,
                "、".join(d.name for d in item.cooperating_departments.all()),
                str(item.responsible or ""),
                item.approved_deadline or item.deadline,
                str(item.get_status_display()),
                item.percent,
                latest.text if latest else "",
                str(latest.get_status_display()) if latest else "",
            ]
        )
    workbook = new_workbook()
    write_sheet(workbook, title=title, columns=columns, rows=rows)
    return workbook_bytes(workbook)
