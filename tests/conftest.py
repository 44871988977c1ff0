"""Shared fixtures: a county with its people in every role, and a foreign county beside it.

Following healthchecks' base case: for every view the tests know a county staff member,
a coordinator of school A, a coordinator of school B, an inspector, a monitor, a department
user, a leader, and a staff member of another county.
"""

import os
import re

import pytest
from django.core.cache import cache

from monitoring_site.celery import app as celery_app
from monitoring_site.fonts import cjk_font_families
from monitoring_site.roles import Role
from rounds.models import SchoolType
from rounds.services import round_create

from .factories import CityFactory, CountyFactory, DepartmentFactory, PersonFactory, ProvinceFactory, SchoolFactory, late_may


def _own_redis_database() -> None:
    """Each test process takes Redis databases of its own (the given one plus its xdist number):
    a real worker started by one process (tests/integration, tests/failure, the browser walk)
    then never takes, nor purges at its start, the jobs queued by another process's test; and
    its cache is half the range away, because the suite empties the cache after each test
    (FLUSHDB), which must never empty a queue. Django has read its settings before this file
    (pytest-django sets it up first), so the cache and result settings are moved here too:
    left on REDIS_URL, every process's cache.clear() emptied the first process's queue, and
    its worker tests waited for jobs that were gone."""
    from django.conf import settings
    from django.test.signals import setting_changed

    url, name = os.environ.get("REDIS_URL", ""), os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    match = re.fullmatch(r"(rediss?://[^/]+)/(\d+)", url)
    if not match or not re.fullmatch(r"gw\d+", name):
        return
    number = int(match[2]) + int(name[2:])
    own, own_cache = f"{match[1]}/{number % 16}", f"{match[1]}/{(number + 8) % 16}"
    # Celery reads CELERY_BROKER_URL from the environment before its own settings.
    if os.environ.get("CELERY_BROKER_URL", url) == url:
        os.environ["CELERY_BROKER_URL"] = own
    os.environ["REDIS_URL"] = own
    cache_url = os.environ.setdefault("CACHE_URL", own_cache)  # the worker processes tests start read it
    settings.CACHES = {"default": {**settings.CACHES["default"], "LOCATION": cache_url}}
    setting_changed.send(sender=None, setting="CACHES", value=settings.CACHES, enter=True)
    settings.CELERY_BROKER_URL = celery_app.conf.broker_url = os.environ["CELERY_BROKER_URL"]
    if getattr(settings, "CELERY_RESULT_BACKEND", None):
        settings.CELERY_RESULT_BACKEND = celery_app.conf.result_backend = own


_own_redis_database()


@pytest.fixture(autouse=True)
def _media_and_tasks(settings, tmp_path, request):
    settings.MEDIA_ROOT = tmp_path / "media"
    if request.node.get_closest_marker("services") is None:
        # Each test a cache of its own, in memory; the tests of the shared cache itself (marked
        # services) keep Redis, in this process's own database (above).
        settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": str(tmp_path)}}
    else:
        # …emptied first too: servers another test started (the benchmarks') share it, and code
        # guesses they counted for 127.0.0.1 would block this test's respondent for 15 minutes.
        cache.clear()
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Tasks run inline in the suite; the integration tests switch to the real worker.
    celery_app.conf.task_always_eager = True
    yield
    cache.clear()


@pytest.fixture
def require_services():
    """Skip when a real service is missing, unless REQUIRE_SERVICES=1 (CI), where it fails."""

    def check(*names):
        missing = [n for n in names if not os.environ.get(n)]
        if missing:
            if os.environ.get("REQUIRE_SERVICES") == "1":
                pytest.fail(f"REQUIRE_SERVICES=1 but {', '.join(missing)} is not set")
            pytest.skip(f"needs {', '.join(missing)}")

    return check


class World:
    """One county with people in every role, and a foreign county with its own staff; the
    county's city and province offices, and the office of the foreign county's city (in
    another province)."""

    def __init__(self):
        self.city = CityFactory(name="东陵市", parent=ProvinceFactory(name="华阳省"))
        self.foreign_city = CityFactory(name="北岭市", parent=ProvinceFactory(name="远山省"))
        self.county = CountyFactory(name="青山县", code="369901", city=self.city)
        self.other_county = CountyFactory(name="外县", code="369902", city=self.foreign_city)
        self.school_a = SchoolFactory(county=self.county, name="甲小学", school_type=SchoolType.PRIMARY, location="urban")
        self.school_b = SchoolFactory(county=self.county, name="乙中学", school_type=SchoolType.JUNIOR, location="town")
        self.foreign_school = SchoolFactory(county=self.other_county, name="外县小学")
        self.department = DepartmentFactory(county=self.county, name="教研室")
        self.other_department = DepartmentFactory(county=self.county, name="财务股")
        self.staff = PersonFactory(county=self.county, role=Role.COUNTY_STAFF, user__username="staff").user
        self.leader = PersonFactory(county=self.county, role=Role.LEADER, user__username="leader").user
        self.inspector = PersonFactory(county=self.county, role=Role.INSPECTOR, user__username="inspector", schools=[self.school_a]).user
        self.coord_a = PersonFactory(county=self.county, role=Role.COORDINATOR, user__username="coord_a", schools=[self.school_a]).user
        self.coord_b = PersonFactory(county=self.county, role=Role.COORDINATOR, user__username="coord_b", schools=[self.school_b]).user
        self.monitor = PersonFactory(county=self.county, role=Role.MONITOR, user__username="monitor", schools=[self.school_a]).user
        self.dept_user = PersonFactory(county=self.county, role=Role.DEPARTMENT, user__username="dept", department=self.department).user
        self.foreign_staff = PersonFactory(county=self.other_county, role=Role.COUNTY_STAFF, user__username="foreign").user
        # The supervision offices over the county (its city's, its province's) and over the other one.
        self.city_office = PersonFactory(county=None, region=self.city, role=Role.CITY_OFFICE, user__username="city").user
        self.province_office = PersonFactory(
            county=None, region=self.city.parent, role=Role.PROVINCE_OFFICE, user__username="province"
        ).user
        self.foreign_city_office = PersonFactory(
            county=None, region=self.foreign_city, role=Role.CITY_OFFICE, user__username="foreign_city"
        ).user
        start, end = late_may()
        self.round = round_create(county=self.county, year=2027, cycle_year=1, test_start=start, test_end=end, user=self.staff)
        self.foreign_round = round_create(
            county=self.other_county, year=2027, cycle_year=1, test_start=start, test_end=end, user=self.foreign_staff
        )

    def users(self) -> dict:
        return {
            "staff": self.staff,
            "leader": self.leader,
            "inspector": self.inspector,
            "coord_a": self.coord_a,
            "coord_b": self.coord_b,
            "monitor": self.monitor,
            "dept": self.dept_user,
            "foreign": self.foreign_staff,
            "city": self.city_office,
            "province": self.province_office,
            "foreign_city": self.foreign_city_office,
        }


@pytest.fixture
def world(db):
    return World()


@pytest.fixture
def latin_fonts_conf(tmp_path):
    """A fontconfig file that holds DejaVu alone: a machine without a CJK font, for a process
    started with FONTCONFIG_FILE naming it."""
    conf = tmp_path / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">\n'
        f"<fontconfig><dir>/usr/share/fonts/truetype/dejavu</dir><cachedir>{tmp_path / 'fc-cache'}</cachedir></fontconfig>\n"
    )
    return conf


@pytest.fixture
def latin_fonts_only(latin_fonts_conf, monkeypatch):
    """This process's font look-ups (and the processes it starts) see DejaVu alone; Pango,
    once it has read the fonts, keeps them, which is why nothing here renders a PDF."""
    monkeypatch.setenv("FONTCONFIG_FILE", str(latin_fonts_conf))
    cjk_font_families.cache_clear()
    yield latin_fonts_conf
    cjk_font_families.cache_clear()


def pytest_collection_modifyitems(items):
    """The order the two test processes take the files in (make test: --dist loadfile
    --no-loadscope-reorder): the benchmark command first, as it is the longest, while the other
    process goes through the quick files; the browser tests last, so none runs beside the
    benchmarks' load test, which takes both cores (the whole-round walk, waiting on a phone
    beside it on a slow machine, once ran out of time). The walk opens the browser files: the
    longest of them, it must not be the one left running at the end."""

    def place(item) -> tuple[int, int]:
        path = item.path.as_posix()
        if "/tests/benchmarks/" in path:
            return (0, 0)
        if "/tests/e2e/" in path:
            return (2, 0 if path.endswith("test_whole_round_browser.py") else 1)
        return (1, 0)

    items.sort(key=place)  # stable: within a group, the files keep their order
