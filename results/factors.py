"""Related factors (相关因素) from the questionnaires slice, behind one narrow interface.

The questionnaires app exposes ``questionnaires.selectors.indicator_summary(*, rnd, indicator,
by="school" | "county", grade=None)``: unweighted means of submitted responses per sampled
school or per grade, as rows with ``school_name``, ``grade``, ``n`` and ``mean``. Everything
this slice needs from it goes through ``factor_summary``, so that the results pages keep
working — saying there are no indicators yet — while that selector is absent, returns
nothing, or changes shape.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module
from typing import Any

from django.db import DatabaseError, transaction
from django.utils.translation import gettext_lazy as _

from rounds.models import Round

# Indicator codes of the national instruments, shown beside the results.
FACTORS: dict[str, Any] = {
    "sleep_hours": _("Sleep on school days (hours)"),
    "sleep_meets_norm": _("Share sleeping enough (10 h primary, 9 h junior)"),
    "homework_minutes": _("Written homework on school days (minutes)"),
    "homework_within_norm": _("Share within the homework norm"),
    "pe_one_hour": _("Share with one hour of PE activity a day"),
    "school_math_lessons_week": _("Mathematics lessons a week (principals)"),
    "training_hours": _("Teachers' training in the last 12 months (hours)"),
    "training_theory_heavy": _("Share of teachers finding training too theoretical"),
}
SHARES = {"sleep_meets_norm", "homework_within_norm", "pe_one_hour", "training_theory_heavy"}


@dataclass(frozen=True)
class FactorValue:
    """A county value of one questionnaire indicator for one grade, and each school's value
    (for county staff only; listed by name, never ranked). Unweighted: no standard error."""

    indicator: str
    grade: int | None
    estimate: float
    se: float
    n: int
    schools: dict[str, float]

    @property
    def is_share(self) -> bool:
        return self.indicator in SHARES


def _selector() -> Callable[..., Any] | None:
    try:
        module = import_module("questionnaires.selectors")
    except ImportError:
        return None
    return getattr(module, "indicator_summary", None)


def factors_available() -> bool:
    return _selector() is not None


def _mean(row: Any) -> float:
    value = getattr(row, "mean", None)
    try:
        return float(value) if value is not None else math.nan
    except (TypeError, ValueError):
        return math.nan


def _rows(selector, *, rnd: Round, indicator: str, grade: int | None) -> tuple[list, list]:
    county = [
        r for r in selector(rnd=rnd, indicator=indicator, by="county", grade=grade) if grade is None or getattr(r, "grade", grade) == grade
    ]
    return county, list(selector(rnd=rnd, indicator=indicator, by="school", grade=grade))


def factor_summary(*, rnd: Round, indicator: str, grade: int | None = None) -> FactorValue | None:
    """The indicator for the county (one grade), or None when there is none (yet)."""
    selector = _selector()
    if selector is None:
        return None
    try:
        # A savepoint: on PostgreSQL a failing query of another slice must not spoil this request.
        with transaction.atomic():
            county, schools = _rows(selector, rnd=rnd, indicator=indicator, grade=grade)
    except (TypeError, ValueError, LookupError, DatabaseError):
        return None
    if not county or not math.isfinite(_mean(county[0])):
        return None
    per_school = {str(getattr(r, "school_name", "")): _mean(r) for r in schools if math.isfinite(_mean(r))}
    n = int(getattr(county[0], "n", 0) or 0)
    return FactorValue(indicator, grade, _mean(county[0]), math.nan, n, per_school)


def factor_table(*, rnd: Round) -> list[tuple[str, Any, list[FactorValue | None]]]:
    """(indicator, label, value per grade of the round) for every factor shown."""
    return [(key, label, [factor_summary(rnd=rnd, indicator=key, grade=g) for g in rnd.grades]) for key, label in FACTORS.items()]


def paper_entry_checks(*, rnd: Round) -> list[Any]:
    """The double entry of the round's paper questionnaires
    (``questionnaires.verification.double_entry_summary``), or nothing while it is absent."""
    try:
        summary = import_module("questionnaires.verification").double_entry_summary
    except (ImportError, AttributeError):
        return []
    return list(summary(rnd=rnd))
