"""The rows of a results import, for ``monitoring_site.difference``: what a re-import would
change in the data in use, shown before the user confirms it."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from .models import PeMeasurement, ResultImport, StudentScore

STATUS = "状态"


def score_rows(rows: Iterable[tuple[int, str, float | None, Mapping[str, Any] | str]]) -> dict[int, dict[str, Any]]:
    """(student pk, attendance, score, item scores as a dict or JSON) → ``Rows``."""
    out: dict[int, dict[str, Any]] = {}
    for pk, attendance, score, items in rows:
        values = json.loads(items) if isinstance(items, str) else dict(items)
        out[pk] = {STATUS: attendance, "成绩": score, **values}
    return out


def pe_rows(rows: Iterable[tuple], headers: list[str]) -> dict[int, dict[str, Any]]:
    """(student pk, attendance, *measurements in ``headers`` order) → ``Rows``."""
    return {pk: {STATUS: attendance, **dict(zip(headers, values, strict=True))} for pk, attendance, *values in rows}


def in_use(active: ResultImport, *, pe_fields: list[str], pe_headers: list[str]) -> dict[int, dict[str, Any]]:
    """The rows of the import in use, as ``Rows``."""
    if active.kind == ResultImport.Kind.PE:
        query = PeMeasurement.objects.filter(result_import=active).values_list("student_id", "attendance", *pe_fields)
        return pe_rows(query, pe_headers)
    return score_rows(StudentScore.objects.filter(result_import=active).values_list("student_id", "attendance", "score", "items"))
