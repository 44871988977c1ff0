import pytest
from django.utils import timezone

from questionnaires.models import AccessCode, Kind
from questionnaires.services import access_codes_generate, instrument_install_defaults

from .factories import sampled_school


class Setup:
    """The world's round with default instruments, two sampled schools and their codes."""

    def __init__(self, world):
        self.world = world
        self.rnd = world.round
        self.rnd.closes_at = timezone.now() + timezone.timedelta(days=2)
        self.rnd.save()
        instrument_install_defaults(rnd=self.rnd, user=world.staff)
        self.ss_a = sampled_school(rnd=self.rnd, school=world.school_a, grade=4, students=3)
        self.ss_b = sampled_school(rnd=self.rnd, school=world.school_b, grade=8, students=2)
        self.foreign_ss = sampled_school(rnd=world.foreign_round, school=world.foreign_school, grade=4)
        access_codes_generate(rnd=self.rnd, teachers_per_school=2, county_codes=1, user=world.staff)
        access_codes_generate(rnd=world.foreign_round, teachers_per_school=1, county_codes=0, user=world.foreign_staff)

    def code(self, kind=Kind.TEACHER, ss=None, serial=1) -> AccessCode:
        ss = ss or self.ss_a
        return AccessCode.objects.get(sampled_school=ss, kind=kind, serial=serial)


@pytest.fixture
def qworld(world):
    return Setup(world)
