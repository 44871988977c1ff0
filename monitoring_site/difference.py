"""What a re-import would change in the data in use, shown before the user confirms it: rows
added, changed (in which columns) and removed, the stored values that blank cells would
clear, and the columns that hold values now and would hold none. One implementation for
every import (registry, frame, roster, scores, PE).

A blank is ``None`` or ``""``: an empty text field and an unknown number count the same.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

Rows = Mapping[Any, Mapping[str, Any]]  # row key (school code, student…) → column header → value


def is_blank(value: Any) -> bool:
    return value is None or value == ""


@dataclass(frozen=True)
class Difference:
    added: int = 0
    changed: int = 0
    removed: int = 0
    unchanged: int = 0
    emptied: list[str] = field(default_factory=list)  # columns with values now, none after
    changed_columns: dict[str, int] = field(default_factory=dict)  # column → rows whose value in it changes
    cleared: dict[str, int] = field(default_factory=dict)  # column → stored values a blank cell would clear
    overwritten: int = 0  # stored (non-blank) values that would change or be cleared

    def as_dict(self) -> dict:
        return asdict(self)

    @property
    def lowers_data_in_use(self) -> bool:
        """Whether the import would remove a row or change or clear a stored value: then the
        user must see the difference and confirm it. Adding rows, filling blanks or an
        identical file change nothing already in use."""
        return bool(self.removed or self.overwritten)


def difference(*, current: Rows, new: Rows) -> Difference:
    added = removed = changed = overwritten = 0
    changed_columns: Counter[str] = Counter()
    cleared: Counter[str] = Counter()
    for key, row in new.items():
        if key not in current:
            added += 1
            continue
        before = current[key]
        columns = [h for h in dict.fromkeys([*before, *row]) if not _same(before.get(h), row.get(h))]
        changed += bool(columns)
        changed_columns.update(columns)
        for h in columns:
            if not is_blank(before.get(h)):
                overwritten += 1
                if is_blank(row.get(h)):
                    cleared[h] += 1
    for key in current:
        if key not in new:
            removed += 1
    headers = dict.fromkeys(h for row in current.values() for h, v in row.items() if not is_blank(v))
    emptied = [h for h in headers if all(is_blank(row.get(h)) for row in new.values())]
    return Difference(
        added=added,
        changed=changed,
        removed=removed,
        unchanged=len(new) - added - changed,
        emptied=emptied,
        changed_columns=dict(changed_columns),
        cleared=dict(cleared),
        overwritten=overwritten,
    )


def _same(a: Any, b: Any) -> bool:
    return (is_blank(a) and is_blank(b)) or a == b
