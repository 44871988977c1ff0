"""What a re-import would change in the data in use, shown before the user confirms it: rows
added, changed and removed, and the columns that hold values now and would hold none."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from .models import PeMeasurement, ResultImport, StudentScore

Rows = Mapping[int, Mapping[str, Any]]  # student pk → column header → value (None when blank)


@dataclass(frozen=True)
class Difference:
    added: int = 0
    changed: int = 0
    removed: int = 0
    unchanged: int = 0
    emptied: list[str] = field(default_factory=list)  # columns with values now, none after

    def as_dict(self) -> dict:
        return asdict(self)


def difference(*, current: Rows, new: Rows) -> Difference:
    added = sum(1 for pk in new if pk not in current)
    removed = sum(1 for pk in current if pk not in new)
    changed = sum(1 for pk, row in new.items() if pk in current and dict(current[pk]) != dict(row))
    headers = dict.fromkeys(h for row in current.values() for h, v in row.items() if v is not None)
    emptied = [h for h in headers if not any(row.get(h) is not None for row in new.values())]
    return Difference(added, changed, removed, len(new) - added - changed, emptied)


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
