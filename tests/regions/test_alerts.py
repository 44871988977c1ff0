"""Warnings for a region: a county clearly below the region, one clearly below its previous
round, one with overdue rectification; each with its evidence; none for the others."""

import datetime as dt

from django.db.models import F, Value
from django.db.models.functions import Concat
from django.urls import reverse

from regions.alerts import previous_means, region_alerts
from regions.selectors import rollup
from results.estimation import Estimate
from rounds.services import round_create
from sampling.models import SampledStudent
from tests.factories import CountyFactory, SchoolFactory, late_may
from tests.rectification.helpers import build_county
from tests.results.factories import make_sample

from .test_rollup import _scores

TODAY = dt.date(2027, 9, 1)
HIGH = (500, 520, 540, 560, 510, 530, 550, 570)
LOW = (300, 320, 340, 360, 310, 330, 350, 370)


def _county(world, code, name, scores, year=2027, county=None):
    county = county or CountyFactory(city=world.city, code=code, name=name)
    schools = list(county.schools.all()) or [SchoolFactory(county=county) for _ in range(2)]
    start, end = late_may(year)
    rnd = round_create(county=county, year=year, cycle_year=1, test_start=start, test_end=end, user=world.staff)
    students = make_sample(rnd, schools=schools, weights=[10.0, 30.0])
    if year != 2027:  # the same schools' monitoring ids are the round's own
        SampledStudent.objects.filter(pk__in=[s.pk for s in students]).update(monitoring_id=Concat(Value("Y"), F("monitoring_id")))
    _scores(world, rnd, students, scores)
    return county


def test_below_the_region_below_its_previous_round_and_overdue(world):
    _county(world, "369951", "甲县", HIGH)
    _county(world, "369952", "乙县", HIGH)
    _county(world, "369953", "丙县", LOW)
    fallen = _county(world, "369954", "丁县", HIGH, year=2026)
    _county(world, "", "", (400, 420, 440, 460, 410, 430, 450, 470), county=fallen)  # its 2027 round, 100 points down
    build_county(
        rnd=world.round,
        staff=world.staff,
        dept_user=world.dept_user,
        department=world.department,
        other_department=world.other_department,
        deadline=dt.date(2027, 8, 1),
    )
    data = rollup(region=world.city, year=2027, today=TODAY)
    previous = previous_means(data)
    assert previous[fallen.pk][0] == 2026
    alerts = region_alerts(data, previous)
    found = {(a.county.name, a.kind) for a in alerts}
    assert ("丙县", "below_region") in found
    assert ("丁县", "below_previous") in found
    assert ("青山县", "overdue") in found
    assert not {k for n, k in found if n in ("甲县", "乙县")}
    evidence = next(a.evidence for a in alerts if a.kind == "below_previous")
    assert "2026" in evidence and "-100.0" in evidence
    overdue = next(a.evidence for a in alerts if a.kind == "overdue")
    assert "2" in overdue


def test_the_z_test_by_hand(world):
    """A county mean 480 (SE 6) against the region's 500 (SE 8): difference −20, SE 10,
    z = −2.0, p = 0.0455 < 0.05: a warning; 485 (z = −1.5) is none."""
    from regions.pooling import Pooled
    from regions.selectors import CountyRow, Headline, Rollup

    def data(mean):
        row = CountyRow(county=world.county, round=world.round, headlines={("math", 4): Headline(8, Estimate(mean, 6.0, 2), None, None)})
        return Rollup(world.city, 2027, [row], [("math", 4)], {("math", 4): Pooled(3, 6, 24, Estimate(500.0, 8.0, 6), None, None)})

    (alert,) = region_alerts(data(480.0), {})
    assert "z = -2.00" in alert.evidence and "p = 0.046" in alert.evidence
    assert region_alerts(data(485.0), {}) == []


def test_the_page_lists_the_warnings(client, world):
    _county(world, "369951", "甲县", HIGH)
    _county(world, "369952", "乙县", HIGH)
    _county(world, "369953", "丙县", LOW)
    client.force_login(world.city_office)
    page = client.get(reverse("region_rollup"), {"year": 2027}).content.decode()
    assert "预警" in page and "丙县" in page and "明显低于本地区" in page


def test_no_region_warning_with_a_single_county(world):
    _county(world, "369951", "甲县", LOW)
    data = rollup(region=world.city, year=2027, today=TODAY)
    assert not [a for a in region_alerts(data, previous_means(data)) if a.kind == "below_region"]
