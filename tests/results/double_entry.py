"""A score import typed by an uploader, its sample drawn, one row entered a second time by
another person with one disagreement, one row not yet: the double entry's shared world."""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from monitoring_site.roles import Role
from results.models import ResultImport, ResultVerification, VerificationRow
from results.services import result_import_start
from results.verification import second_entry_save, verification_draw

from ..factories import PersonFactory
from .data import SCORES
from .factories import PE_HEADER, SCORE_HEADER, xlsx_bytes


def person(world, username: str, name: str = ""):
    return PersonFactory(county=world.county, role=Role.COUNTY_STAFF, user__username=username, user__first_name=name).user


def upload(world, capture, data: bytes, *, user, kind="scores", domain="math", state="active") -> ResultImport:
    with capture(execute=True):
        ri = result_import_start(
            rnd=world.round, kind=kind, domain=domain, upload=SimpleUploadedFile("sheet.xlsx", data), user=user, language="zh-hans"
        )
    ri.refresh_from_db()
    assert ri.state == state, ri.batch.errors
    return ri


def score_rows(world, scores=SCORES):
    return [(s.monitoring_id, "数学", "", score) for s, score in zip(world.students, scores, strict=True)]


PE_VALUES = (140, 35.3, 5.0, 5.1, 1800, 9.5, 8, 120)


def pe_rows(world):
    return [(s.monitoring_id, "", *PE_VALUES) for s in world.students]


def pe_import(world, capture, *, user) -> ResultImport:
    return upload(world, capture, xlsx_bytes(pe_rows(world), header=PE_HEADER), user=user, kind="pe", domain="")


@dataclass
class Entered:
    ri: ResultImport
    verification: ResultVerification
    uploader: object
    second: object
    entered: VerificationRow  # entered a second time, its score one point off
    waiting: VerificationRow


def entered_import(world, capture) -> Entered:
    uploader, second = person(world, "uploader", "李首录"), person(world, "second", "王复录")
    ri = upload(world, capture, xlsx_bytes(score_rows(world), header=SCORE_HEADER), user=uploader)
    verification = verification_draw(result_import=ri, user=world.staff, seed=7)
    entered, waiting = verification.rows.order_by("student__monitoring_id")
    score = ri.scores.get(student=entered.student).score
    second_entry_save(row=entered, second={"attendance": "present", "score": score + 1}, user=second)
    return Entered(ri, verification, uploader, second, VerificationRow.objects.get(pk=entered.pk), waiting)


def filled(data: bytes, values: dict[str, tuple], *, start: int = 3) -> bytes:
    """The downloaded workbook with each monitoring ID's row given ``values`` from column ``start``
    on (a score sheet's status; a PE sheet's is column 2)."""
    book = load_workbook(io.BytesIO(data))
    sheet = book.worksheets[0]
    for row in sheet.iter_rows(min_row=2):
        for offset, value in enumerate(values.get(row[0].value, ())):
            sheet.cell(row=row[0].row, column=start + offset, value=value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
