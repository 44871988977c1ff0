"""What every diagnosis rule shares: the context it reads, the drafts it returns."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from scipy import stats

from rounds.models import Round, grade_label

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

    references: list[ReferenceValue] | None = None  # previous.round_references, read once
    level: float = 0.05  # the test level of the rule being run (DiagnosisRule.level)
    level_reason: str = ""

    def reference(self, *, source: str, domain: str, grade: int, indicator: str) -> ReferenceValue | None:
        """This round's reference (an earlier round in the system before one typed by hand),
        the newest year first; another round's typed references are never used."""
        if self.references is None:
            from ..previous import round_references

            self.references = round_references(self.rnd)
        found = [r for r in self.references if (r.source, r.domain, r.grade, r.indicator) == (source, domain, grade, indicator)]
        return max(found, key=lambda r: (getattr(r, "from_system", False), r.year), default=None)


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
    return grade_label(grade)


@dataclass(frozen=True)
class Test:
    """Is an estimate beyond its margin (the reference or norm moved by the rule's threshold)
    by more than its standard error allows? z = (estimate − margin) / √(se² + margin_se²),
    held against the two-sided critical value of the level (1.96 at 0.05)."""

    estimate: float
    margin: float
    se: float
    z: float
    critical: float
    level: float
    holds: bool

    def as_dict(self) -> dict[str, float | bool]:
        return {
            "margin": self.margin,
            "se_difference": self.se,
            "z": self.z,
            "critical": self.critical,
            "level": self.level,
            "holds": self.holds,
        }


def beyond(ctx: Context, *, estimate: float, se: float | None, margin: float, margin_se: float = 0.0, above: bool) -> Test | None:
    """The test of ``estimate`` above (or below) ``margin`` at the context's level; None when
    there is no standard error to test with."""
    se_difference = math.hypot(se, margin_se or 0.0) if se is not None and math.isfinite(se) else math.nan
    if not se_difference > 0:
        return None
    z = (estimate - margin) / se_difference
    critical = float(stats.norm.isf(ctx.level / 2))
    return Test(estimate, margin, se_difference, z, critical, ctx.level, z > critical if above else z < -critical)


def test_sentence(ctx: Context, test: Test | None, fmt: Callable[[float], str]) -> str:
    """The sentence every finding's evidence ends with: the test, its level, a laxer level's reason."""
    if test is None:
        return " " + _("No standard error: not tested, a description of the sample only.")
    text = " " + _("Test: (%(v)s − %(m)s) / SE %(se)s gives z = %(z).2f, beyond ±%(c).2f at the %(l)s level.") % {
        "v": fmt(test.estimate),
        "m": fmt(test.margin),
        "se": fmt(test.se),
        "z": test.z,
        "c": test.critical,
        "l": f"{test.level:g}",
    }
    if ctx.level > 0.05:
        text += " " + _("The county set this laxer level: %(reason)s") % {"reason": ctx.level_reason}
    return text


def test_record(ctx: Context, test: Test | None) -> dict[str, Any]:
    return {"test": test.as_dict() if test else None, "level": ctx.level, "level_reason": ctx.level_reason}


def reference_evidence(ref: ReferenceValue | None) -> dict[str, Any]:
    from ..previous import origin

    if ref is None:
        return {}
    return {"reference_year": ref.year, "reference_origin": origin(ref), "reference_se": ref.se}


def reference_text(ref: ReferenceValue) -> str:
    from ..previous import origin

    return _("%(source)s %(year)s, %(origin)s") % {"source": ref.get_source_display(), "year": ref.year, "origin": origin(ref)}


def _number(x: float) -> str:
    return f"{x:.1f}"
