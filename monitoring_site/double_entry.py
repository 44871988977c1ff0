"""What double entry of paper forms (二次录入核查) counts the same way wherever it is done: the
seeded draw, the error rate by enterer, and when a batch must be entered twice in full.

Paper questionnaires (``questionnaires.verification``) and score and PE-health sheets
(``results.verification``) keep their entries in models of their own; both hand their counts
to these pure functions, so the rate a county reports means one thing.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sampling.design import srs_students

if TYPE_CHECKING:
    from django.contrib.auth.models import User

SHARE = 0.05  # of each school's forms, at least one, are entered a second time
GOAL = 0.01  # disagreeing fields ÷ fields compared; above it the whole batch is entered twice


def sample_draw[H: Hashable](*, forms_by_school: Mapping[Hashable, Sequence[H]], seed: int, share: float = SHARE) -> list[H]:
    """The forms drawn: in each school ⌈share × its forms⌉, at least one, by the seeded simple
    random sample of the sampling slice (the same seed and forms give the same draw)."""
    drawn: list[H] = []
    for school in sorted(forms_by_school, key=str):
        forms = forms_by_school[school]
        if forms:
            drawn += srs_students(student_ids=forms, n=max(1, math.ceil(share * len(forms))), seed=seed)
    return drawn


@dataclass(frozen=True)
class EntererRate:
    user: User
    role: str  # "first" or "second"
    compared: int
    errors: int  # disagreements decided against this enterer's value
    undecided: int

    @property
    def rate(self) -> float | None:
        return self.errors / self.compared if self.compared else None

    @property
    def percent(self) -> float | None:
        return None if self.rate is None else 100 * self.rate


@dataclass(frozen=True)
class ErrorRates:
    forms: int
    entered: int
    compared: int
    disagreeing: int
    by_enterer: list[EntererRate]

    @property
    def complete(self) -> bool:
        return self.forms > 0 and self.entered == self.forms

    @property
    def overall(self) -> float | None:
        return self.disagreeing / self.compared if self.compared else None

    @property
    def percent(self) -> float | None:
        return None if self.overall is None else 100 * self.overall

    @property
    def meets_goal(self) -> bool | None:
        return None if self.overall is None else self.overall <= GOAL

    @property
    def undecided(self) -> bool:
        return any(r.undecided for r in self.by_enterer)


def error_rates_of(
    *, first: User, forms: int, entered: Sequence[tuple[int, User, int]], disagreements: Sequence[tuple[int, str | None]]
) -> ErrorRates:
    """Disagreeing fields ÷ fields compared, overall and by enterer.

    ``entered``: (form, its second enterer, fields compared) for each drawn form entered twice;
    ``disagreements``: (form, the decision: "first", "second", "other", or None while open).
    A decision tells whose value was wrong: the first's, the second's, or both (the paper
    holds neither); an open one counts as undecided for both."""
    tallies: dict[tuple[int, str], list] = {}

    def tally(user: User, role: str) -> list:
        return tallies.setdefault((user.pk, role), [user, role, 0, 0, 0])

    second_of = {form: second for form, second, _n in entered}
    for _form, second, compared in entered:
        tally(first, "first")[2] += compared
        tally(second, "second")[2] += compared
    for form, choice in disagreements:
        second = second_of[form]
        if choice is None:
            tally(first, "first")[4] += 1
            tally(second, "second")[4] += 1
            continue
        if choice != "first":
            tally(first, "first")[3] += 1
        if choice != "second":
            tally(second, "second")[3] += 1
    return ErrorRates(
        forms=forms,
        entered=len(entered),
        compared=sum(n for _f, _s, n in entered),
        disagreeing=len(disagreements),
        by_enterer=[EntererRate(*t) for t in tallies.values()],
    )


def needs_full_entry(*, flagged: bool, rates: ErrorRates, covers_all: bool) -> bool:
    """Above the goal once the drawn forms are entered, the batch is flagged; the flag stays
    until every form of the batch is entered twice and every disagreement decided."""
    settled = rates.complete and not rates.undecided and covers_all
    above = rates.complete and rates.overall is not None and rates.overall > GOAL
    return not settled if flagged else above and not settled
