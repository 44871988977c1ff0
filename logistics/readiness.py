"""Pure computation: when an item is done, how a room stands, and the attendance rate.

Kept free of queries so the dashboard, the submit check and the tests share one definition.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction

MAKE_UP_THRESHOLD = Fraction(85, 100)  # a session below 85% attendance needs a make-up session


@dataclass(frozen=True)
class ItemSpec:
    pk: int
    kind: str
    minimum: int | None = None
    minimum_item_id: int | None = None
    photo_required: bool = False


@dataclass(frozen=True)
class AnswerValues:
    value_yes: bool | None = None
    value_count: int | None = None
    value_text: str = ""
    building: str = ""
    floor: str = ""
    room_name: str = ""
    photos: int = 0


def item_problem(item: ItemSpec, answer: AnswerValues | None, counts: Mapping[int, int | None]) -> str | None:
    """Why the item is not done yet (a code), or None when it is.

    ``counts`` maps item ids to the count answers of the same checklist, for minimums that
    depend on another item (computers ≥ teachers).
    """
    if answer is None:
        return "missing"
    if item.kind == "yes_no":
        if answer.value_yes is None:
            return "missing"
        if answer.value_yes is False:
            return "no"
    elif item.kind == "count":
        if answer.value_count is None:
            return "missing"
        needed = item.minimum or 0
        if item.minimum_item_id is not None:
            needed = max(needed, counts.get(item.minimum_item_id) or 0)
        if answer.value_count < needed:
            return "below_minimum"
    elif item.kind == "text":
        if not answer.value_text.strip():
            return "missing"
    elif item.kind == "location" and not (answer.building.strip() and answer.room_name.strip()):
        return "missing"
    if item.photo_required and answer.photos < 1:
        return "photo"
    return None


ROOM_EMPTY, ROOM_PARTIAL, ROOM_DONE, ROOM_RETURNED = "empty", "partial", "done", "returned"


def room_status(problems: Iterable[str | None], *, answered: int, commented: int) -> str:
    """A room is returned when a reviewer commented on one of its items, done when every item
    is done, empty when nothing was answered, else partial."""
    if commented:
        return ROOM_RETURNED
    problems = list(problems)
    if all(p is None for p in problems):
        return ROOM_DONE
    return ROOM_EMPTY if answered == 0 else ROOM_PARTIAL


@dataclass(frozen=True)
class AttendanceRate:
    attended: int  # present or late
    expected: int  # everyone in the sample minus the excluded and, in a PE session, the PE-exempt
    unmarked: int

    @property
    def rate(self) -> Fraction | None:
        """None when there is nobody to expect or nobody was marked yet (not recorded is not 0%)."""
        if not self.expected or self.unmarked == self.expected:
            return None
        return Fraction(self.attended, self.expected)

    @property
    def percent(self) -> float | None:
        return None if self.rate is None else round(float(self.rate) * 100, 1)

    @property
    def complete(self) -> bool:
        """Every expected student is marked: only then is the rate a verdict."""
        return bool(self.expected) and not self.unmarked

    @property
    def needs_make_up(self) -> bool:
        """Judged once every student is marked; before that the rate moves with every tap."""
        return self.complete and self.rate is not None and self.rate < MAKE_UP_THRESHOLD


def attendance_rate(statuses: Iterable[str | None]) -> AttendanceRate:
    """Statuses of every sampled student of the session (None when not marked yet, which
    counts as not attended)."""
    attended = expected = unmarked = 0
    for status in statuses:
        if status in ("excluded", "pe_exempt"):
            continue
        expected += 1
        if status in ("present", "late"):
            attended += 1
        elif status is None:
            unmarked += 1
    return AttendanceRate(attended=attended, expected=expected, unmarked=unmarked)
