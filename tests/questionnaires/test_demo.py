import random

from questionnaires.demo import load_demo
from questionnaires.models import AccessCode, Instrument, Response
from questionnaires.selectors import indicator_summary

from .factories import sampled_school


def test_demo_without_a_sample_installs_only_the_instruments(world):
    load_demo(rnd=world.round, rng=random.Random(1))
    assert Instrument.objects.filter(round=world.round).count() == 4
    assert not AccessCode.objects.exists()


def test_demo_with_a_sample_makes_codes_and_realistic_responses(world):
    sampled_school(rnd=world.round, school=world.school_a, grade=4, students=20)
    load_demo(rnd=world.round, rng=random.Random(1))
    codes = AccessCode.objects.filter(round=world.round).count()
    submitted = Response.objects.filter(submitted_at__isnull=False).count()
    assert 0.5 * codes < submitted < codes
    sleep = indicator_summary(rnd=world.round, indicator="sleep_hours", by="county")[0]
    assert 7 < sleep.mean < 11
