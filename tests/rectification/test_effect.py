"""Effect: a later round's value of the same indicator against the target."""

import datetime as dt
from decimal import Decimal

from rectification import services
from rectification.effect import effects_for, target_reached
from rectification.models import IndicatorReading
from rounds.services import round_create

from ..factories import late_may
from .helpers import TODAY, add_item, open_rectification


def test_a_floor_and_a_ceiling():
    assert target_reached("at_least", Decimal("20"), Decimal("20"))
    assert not target_reached("at_least", Decimal("20"), Decimal("19.9"))
    assert target_reached("at_most", Decimal("0.25"), Decimal("0.24"))


def test_the_first_later_round_that_measured_the_indicator_decides(world):
    open_rectification(world.round)
    problem = services.problem_create(rnd=world.round, title="体质", source="other", user=world.staff)
    plan = services.plan_ensure(rnd=world.round, user=world.staff)
    item = add_item(
        plan=plan,
        problem=problem,
        lead=world.department,
        user=world.staff,
        deadline=TODAY,
        indicator="体质健康优良率(%)",
        target_direction="at_least",
        target_value=Decimal("20"),
        target_by=dt.date(2028, 12, 31),
    )
    untargeted = add_item(plan=plan, problem=problem, lead=world.department, user=world.staff, deadline=TODAY)
    [effect] = effects_for(rnd=world.round, items=[item, untargeted])
    assert (effect.later_round, effect.reached) == (None, None)
    start, end = late_may(2028)
    later = round_create(county=world.county, year=2028, cycle_year=2, test_start=start, test_end=end, user=world.staff)
    IndicatorReading.objects.create(round=later, indicator="体质健康优良率(%)", value=Decimal("21.5"), entered_by=world.staff)
    [effect] = effects_for(rnd=world.round, items=[item])
    assert (effect.later_round, effect.value, effect.reached) == (later, Decimal("21.5"), True)
