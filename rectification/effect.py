"""Effect of rectification: did a later round reach the target set for an indicator?

Values are entered by county staff (``IndicatorReading``) from the later round's report.
Indicators are matched by their name as written in the plan item.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from rounds.models import Round

from .models import IndicatorReading, PlanItem, TargetDirection


def indicator_values(rnd: Round) -> dict[str, Decimal]:
    return dict(IndicatorReading.objects.filter(round=rnd).values_list("indicator", "value"))


def target_reached(direction: str, target: Decimal, value: Decimal) -> bool:
    return value >= target if direction == TargetDirection.AT_LEAST else value <= target


@dataclass(frozen=True)
class Effect:
    item: PlanItem
    later_round: Round | None
    value: Decimal | None
    reached: bool | None  # None: no later round has measured the indicator yet


def effects_for(*, rnd: Round, items) -> list[Effect]:
    """For each item with a measurable target, the first later round that measured it."""
    later = list(Round.objects.filter(county=rnd.county, year__gt=rnd.year).order_by("year"))
    values = [(r, indicator_values(r)) for r in later]
    effects = []
    for item in items:
        if not item.indicator or item.target_value is None or not item.target_direction:
            continue
        found = next(((r, v[item.indicator]) for r, v in values if item.indicator in v), None)
        if found is None:
            effects.append(Effect(item, None, None, None))
        else:
            later_round, value = found
            effects.append(
                Effect(
                    item,
                    later_round,
                    value,
                    target_reached(item.target_direction, item.target_value, value),
                )
            )
    return effects
