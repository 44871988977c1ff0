"""The demo plan: items on time, due soon, overdue and closed relative to today."""

import random

from django.utils import timezone

from monitoring_site.roles import Role
from rectification.demo import load_demo
from rectification.models import Plan, PlanItem
from rounds.models import Department
from tests.factories import PersonFactory


def test_the_demo_plan_has_items_in_every_state(world):
    for name in ("基础教育股", "体卫艺股", "县卫生健康局", "人事股", "教师发展中心（教研室）"):
        Department.objects.create(county=world.county, name=name)
    PersonFactory(county=world.county, role=Role.DEPARTMENT, department=Department.objects.get(name="体卫艺股"))
    load_demo(rnd=world.round, rng=random.Random(1))
    today = timezone.localdate()
    plan = Plan.objects.get(round=world.round)
    assert plan.is_approved
    items = PlanItem.objects.filter(plan=plan)
    assert items.filter(status="closed").exists()
    active = items.exclude(status="closed")
    assert active.filter(approved_deadline__lt=today).count() >= 2
    assert active.filter(approved_deadline__gte=today, approved_deadline__lte=today + timezone.timedelta(days=10)).exists()
    assert active.filter(approved_deadline__gt=today + timezone.timedelta(days=10)).exists()
