"""What every diagnosis rule shares: the context it reads, the drafts it returns."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from rounds.models import Round

from ..models import ReferenceValue
from ..pe import PeResult
from ..selectors import DomainResult


@dataclass
class Context:
    rnd: Round
    results: list[DomainResult]
    pe: PeResult | None
    norms: dict[str, float]
    lesson_norms: dict[tuple[str, int], float]

    def reference(self, *, source: str, domain: str, grade: int, indicator: str) -> ReferenceValue | None:
        return (
            ReferenceValue.objects.filter(
                county=self.rnd.county,
                source=source,
                domain=domain,
                grade=grade,
                indicator=indicator,
            )
            .order_by("-year")
            .first()
        )


@dataclass
class Draft:
    rule: str
    domain: str
    grade: int | None
    title: str
    evidence: dict[str, Any]
    text: str


@dataclass(frozen=True)
class Rule:
    code: str
    description: Any  # lazy text: what fires the rule and what the threshold means
    default: float
    check: Callable[[Context, float], list[Draft]] = field(repr=False)


def _pct(x: float) -> str:
    return f"{x * 100:.1f}%"


def _grade(grade: int) -> str:
    return _("grade %(g)s") % {"g": grade}
