"""PE-and-health measures (体育与健康): BMI category, poor vision, summaries of measured items.

BMI follows the National Student Physical Health Standard (国家学生体质健康标准, 2014):
BMI = weight (kg) / height (m)², with height recorded in cm. The standard's table is written
at one decimal and its bands leave gaps (grade 4 boys: normal up to 20.1, overweight from
20.2), so the BMI is rounded to one decimal, half up (四舍五入), before it is classified. The
arithmetic is done in ``Decimal`` from the recorded values, so that a BMI of exactly 20.15 is
not stored in binary as 20.1499… and rounded down.

The category table is data (``BmiTable.from_rows``): the four rows of the monitored grades
ship as ``DEFAULT_BMI_ROWS`` and the Django layer may store, edit and extend them.
Weighted county rates (obesity, poor vision) are proportions: estimate them with
``results.estimation.jackknife(..., statistic=Proportion(of=...))``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from enum import StrEnum
from typing import SupportsFloat

import numpy as np

_TENTH = Decimal("0.1")
_CM_PER_M = Decimal(100)


class Sex(StrEnum):
    MALE = "M"  # 男
    FEMALE = "F"  # 女


class BmiCategory(StrEnum):
    LOW_WEIGHT = "low_weight"
    NORMAL = "normal"
    OVERWEIGHT = "overweight"
    OBESE = "obese"

    @property
    def label(self) -> str:
        return _BMI_LABELS[self]


_BMI_LABELS = {"low_weight": "低体重", "normal": "正常", "overweight": "超重", "obese": "肥胖"}


def _decimal(name: str, x: object) -> Decimal:
    """Exact decimal of a recorded value; a float goes through its shortest text form, so
    20.15 stays 20.15 instead of its binary expansion."""
    if isinstance(x, bool) or x is None:
        raise ValueError(f"{name} is missing")
    try:
        d = Decimal(str(x))
    except InvalidOperation:
        raise ValueError(f"{name} is not a number: {x!r}") from None
    if not d.is_finite():
        raise ValueError(f"{name} is missing")
    return d


def round_bmi(value: object) -> Decimal:
    """BMI at one decimal, half up, as the standard's table is written."""
    return _decimal("bmi", value).quantize(_TENTH, rounding=ROUND_HALF_UP)


def bmi(*, height_cm: object, weight_kg: object) -> Decimal:
    """kg / m², rounded to one decimal half up. Height is in centimetres: a height under 50
    is refused because it is almost surely metres."""
    height, weight = _decimal("height_cm", height_cm), _decimal("weight_kg", weight_kg)
    if not 50 <= height <= 250:
        raise ValueError(f"height must be in cm (50–250), got {height}")
    if weight <= 0:
        raise ValueError(f"weight must be positive, got {weight}")
    return round_bmi(weight / (height / _CM_PER_M) ** 2)


@dataclass(frozen=True, slots=True)
class BmiNorm:
    """One row of the standard: low weight ≤ ``low_max``; normal up to the next band;
    overweight ≥ ``overweight_min``; obese ≥ ``obese_min`` (all at one decimal)."""

    grade: int
    sex: str
    low_max: Decimal
    overweight_min: Decimal
    obese_min: Decimal

    def __post_init__(self) -> None:
        bounds = (self.low_max, self.overweight_min, self.obese_min)
        if any(b != round_bmi(b) for b in bounds):
            raise ValueError(f"grade {self.grade} {self.sex}: bounds must have one decimal")
        if not self.low_max < self.overweight_min < self.obese_min:
            raise ValueError(f"grade {self.grade} {self.sex}: bounds must increase")

    @classmethod
    def from_row(cls, row: Mapping[str, object]) -> BmiNorm:
        return cls(
            grade=int(str(row["grade"])),
            sex=str(row["sex"]),
            low_max=_decimal("low_max", row["low_max"]),
            overweight_min=_decimal("overweight_min", row["overweight_min"]),
            obese_min=_decimal("obese_min", row["obese_min"]),
        )

    def as_row(self) -> dict[str, object]:
        return {
            "grade": self.grade,
            "sex": self.sex,
            "low_max": str(self.low_max),
            "overweight_min": str(self.overweight_min),
            "obese_min": str(self.obese_min),
        }

    def category(self, value: object) -> BmiCategory:
        b = round_bmi(value)
        if b <= self.low_max:
            return BmiCategory.LOW_WEIGHT
        if b >= self.obese_min:
            return BmiCategory.OBESE
        if b >= self.overweight_min:
            return BmiCategory.OVERWEIGHT
        return BmiCategory.NORMAL


@dataclass(frozen=True, slots=True)
class BmiTable:
    """BMI norms keyed by (grade, sex)."""

    norms: Mapping[tuple[int, str], BmiNorm]

    @classmethod
    def from_rows(cls, rows: Iterable[Mapping[str, object]]) -> BmiTable:
        norms: dict[tuple[int, str], BmiNorm] = {}
        for row in rows:
            norm = BmiNorm.from_row(row)
            key = (norm.grade, norm.sex)
            if key in norms:
                raise ValueError(f"two rows for grade {norm.grade}, sex {norm.sex}")
            norms[key] = norm
        return cls(norms)

    def rows(self) -> list[dict[str, object]]:
        return [norm.as_row() for norm in self.norms.values()]

    def extended(self, rows: Iterable[Mapping[str, object]]) -> BmiTable:
        """A new table with ``rows`` added; a row for an existing (grade, sex) replaces it."""
        added = BmiTable.from_rows(rows).norms
        return BmiTable({**self.norms, **added})

    def norm(self, *, grade: int, sex: str) -> BmiNorm:
        try:
            return self.norms[(int(grade), str(sex))]
        except KeyError:
            raise LookupError(f"no BMI norm for grade {grade}, sex {sex!r}") from None


DEFAULT_BMI_ROWS: tuple[Mapping[str, object], ...] = (
    {"grade": 4, "sex": "M", "low_max": "14.1", "overweight_min": "20.2", "obese_min": "22.7"},
    {"grade": 4, "sex": "F", "low_max": "13.6", "overweight_min": "19.5", "obese_min": "22.1"},
    {"grade": 8, "sex": "M", "low_max": "15.6", "overweight_min": "22.6", "obese_min": "25.3"},
    {"grade": 8, "sex": "F", "low_max": "15.2", "overweight_min": "22.3", "obese_min": "24.9"},
)
DEFAULT_BMI_TABLE = BmiTable.from_rows(DEFAULT_BMI_ROWS)


def bmi_category(*, bmi: object, grade: int, sex: str, table: BmiTable = DEFAULT_BMI_TABLE) -> BmiCategory:
    """低体重 / 正常 / 超重 / 肥胖 for a BMI (rounded to one decimal first, so a raw value and
    its rounded value always fall in the same category)."""
    return table.norm(grade=grade, sex=sex).category(bmi)


# Readings on the standard logarithmic chart (标准对数视力表) run from 4.0 to 5.3, with
# counted-finger readings down to 3.0; anything else is most likely decimal notation (1.0).
_VISION_RANGE = (3.0, 5.3)


def _vision(name: str, value: SupportsFloat | None) -> float | None:
    v = math.nan if value is None else float(value)
    if math.isnan(v):
        return None
    if not _VISION_RANGE[0] <= v <= _VISION_RANGE[1]:
        raise ValueError(f"{name} eye {v} is not on the 5-point chart ({_VISION_RANGE})")
    return v


def poor_vision(*, left: SupportsFloat | None, right: SupportsFloat | None, threshold: float = 5.0) -> bool | None:
    """视力不良: uncorrected acuity below ``threshold`` in either eye. With one eye missing,
    the other decides only if it is poor; otherwise the answer is unknown (None)."""
    eyes = [_vision("left", left), _vision("right", right)]
    if any(v is not None and v < threshold for v in eyes):
        return True
    if any(v is None for v in eyes):
        return None
    return False


@dataclass(frozen=True, slots=True)
class ItemSummary:
    """Unweighted description of one measured item (height, 50 m run, grip…)."""

    n: int
    missing: int
    mean: float | None
    sd: float | None  # sample SD (divisor n − 1); None below two values
    min: float | None
    max: float | None


def summarize(*, values: Iterable[SupportsFloat | None]) -> ItemSummary:
    """n, mean, SD, min and max of the values present; None and NaN count as missing."""
    numbers = np.array([math.nan if v is None else float(v) for v in values], dtype=float)
    present = numbers[~np.isnan(numbers)]
    n = len(present)
    if n == 0:
        return ItemSummary(0, len(numbers), None, None, None, None)
    sd = float(present.std(ddof=1)) if n > 1 else None
    return ItemSummary(
        n=n,
        missing=len(numbers) - n,
        mean=float(present.mean()),
        sd=sd,
        min=float(present.min()),
        max=float(present.max()),
    )
