"""Checking one answer and deciding which items are shown. Pure: items are read, never saved."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.utils.translation import gettext as _

MAX_TEXT = 500


class AnswerInvalid(ValueError):
    """The answer cannot be kept; ``message`` says why in words the respondent understands."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _format(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else f"{number:g}"


def range_message(item) -> str:
    unit = item.unit or ""
    if item.min_value is not None and item.max_value is not None:
        return _("Enter a number from %(min)s to %(max)s %(unit)s.") % {
            "min": _format(item.min_value),
            "max": _format(item.max_value),
            "unit": unit,
        }
    if item.min_value is not None:
        return _("Enter a number of at least %(min)s %(unit)s.") % {
            "min": _format(item.min_value),
            "unit": unit,
        }
    return _("Enter a number of at most %(max)s %(unit)s.") % {
        "max": _format(item.max_value),
        "unit": unit,
    }


def clean_value(item, raw: Sequence[str]) -> Any:
    """The value to store for ``raw`` (the submitted strings), or None for “no answer”."""
    values = [str(v).strip() for v in raw if str(v).strip()]
    if not values:
        return None
    if item.type == "multiple":
        allowed = [str(v) for v, _label in item.choices]
        if any(v not in allowed for v in values):
            raise AnswerInvalid(_("Choose among the options shown."))
        return [v for v in allowed if v in values]  # in the order of the options, once each
    value = values[0]
    if item.type in ("single", "scale"):
        if value not in {str(v) for v, _label in item.choices}:
            raise AnswerInvalid(_("Choose one of the options shown."))
        return value
    if item.type == "number":
        return _clean_number(item, value)
    if len(value) > MAX_TEXT:
        raise AnswerInvalid(_("Keep the answer under %(n)s characters.") % {"n": MAX_TEXT})
    return value


def _clean_number(item, text: str) -> float | int:
    text = text.replace("，", ".").replace("。", ".").replace(",", ".")
    try:
        number = float(text)
    except ValueError:
        raise AnswerInvalid(_("Enter a number, e.g. 8 or 9.5.") if item.decimals else _("Enter a whole number, e.g. 8.")) from None
    if number != number or number in (float("inf"), float("-inf")):
        raise AnswerInvalid(_("Enter a number, e.g. 8 or 9.5."))
    if not item.decimals and not number.is_integer():
        raise AnswerInvalid(_("Enter a whole number, e.g. 8."))
    too_low = item.min_value is not None and number < item.min_value
    too_high = item.max_value is not None and number > item.max_value
    if too_low or too_high:
        raise AnswerInvalid(range_message(item))
    return int(number) if number.is_integer() else round(number, 2)


def visible_codes(items: Iterable, answers: Mapping[str, Any]) -> set[str]:
    """Codes of the items shown, given the answers so far (skip logic, in item order)."""
    shown: set[str] = set()
    for item in items:
        if item.show_if_item:
            if item.show_if_item not in shown:
                continue
            given = answers.get(item.show_if_item)
            given = given if isinstance(given, list) else [given]
            if not {str(g) for g in given if g is not None} & set(item.show_if_values):
                continue
        shown.add(item.code)
    return shown


def missing_required(items: Iterable, answers: Mapping[str, Any]) -> list:
    items = list(items)
    shown = visible_codes(items, answers)
    return [i for i in items if i.required and i.code in shown and answers.get(i.code) in (None, "", [])]
