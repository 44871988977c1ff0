"""The cell parsers every import shares (a column's ``parse``).

A parser gets a cell already cleaned by ``spreadsheets.clean_cell`` (NFKC-normalised text with
its stray spaces removed, a whole float as an int, a date as a date) and returns the value to
store, or raises ValueError with the message the user reads beside the row and column.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Iterable
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _

SCHOOL_CODE = re.compile(r"[0-9]{10}")  # ASCII digits only: \d would take ３ or ٣ as a digit

Parser = Callable[[Any], Any]
# Headers other than the template's that registry and frame files use for the same columns.
SCHOOL_CODE_SYNONYMS = ("学校代码", "学校识别码", "标识码")
SCHOOL_NAME_SYNONYMS = ("学校", "校名")


def as_text(value: Any) -> str:
    """A cell as text: 4.0 (a number cell holding a code or a name) reads as "4"."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def text(limit: int) -> Parser:
    def parse(value: Any) -> str:
        result = as_text(value)
        if len(result) > limit:
            raise ValueError(_("Longer than %(n)s characters.") % {"n": limit})
        return result

    return parse


def school_code(value: Any) -> str:
    code = as_text(value)
    if not SCHOOL_CODE.fullmatch(code):
        raise ValueError(_("“%(value)s” is not a 10-digit school identification code.") % {"value": code})
    return code


def number(value: Any) -> float:
    """A finite number, from a number cell or from text holding one ("12.5")."""
    try:
        result = float(value)
    except (TypeError, ValueError):
        raise ValueError(_("“%(value)s” is not a number.") % {"value": value}) from None
    if not math.isfinite(result):
        raise ValueError(_("“%(value)s” is not a number.") % {"value": value})
    return result


def whole_number(low: int, high: int) -> Parser:
    def parse(value: Any) -> int:
        result = number(value)
        if not result.is_integer() or not low <= result <= high:
            raise ValueError(
                _("“%(value)s” is not a whole number between %(low)s and %(high)s.") % {"value": value, "low": low, "high": high}
            )
        return int(result)

    return parse


def ranged(low: float, high: float) -> Parser:
    def parse(value: Any) -> float:
        result = number(value)
        if not low <= result <= high:
            raise ValueError(_("%(value)s is outside %(low)s–%(high)s.") % {"value": f"{result:g}", "low": f"{low:g}", "high": f"{high:g}"})
        return result

    return parse


def chinese_labels(choices: Iterable[tuple[str, Any]]) -> dict[str, str]:
    """Chinese label → code; the templates' coded columns are always in Chinese."""
    with translation.override("zh-hans"):
        return {str(label): value for value, label in choices}


def coded(labels: dict[str, Any], *, shown: Iterable[str] | None = None) -> Parser:
    """One of ``labels`` (text → stored value); the message lists ``shown`` (default: all)."""

    def parse(value: Any) -> Any:
        key = as_text(value)
        if key in labels:
            return labels[key]
        allowed = "、".join(shown if shown is not None else labels)
        raise ValueError(_("“%(value)s” is not one of: %(allowed)s.") % {"value": key, "allowed": allowed})

    return parse


def calendar_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    written = as_text(value).replace("/", "-").replace(".", "-")
    for pattern in ("%Y-%m-%d", "%Y%m%d"):
        try:
            return dt.datetime.strptime(written, pattern).date()  # noqa: DTZ007 - a calendar date
        except ValueError:
            continue
    raise ValueError(_("“%(value)s” is not a date such as 2016-09-01.") % {"value": value})
