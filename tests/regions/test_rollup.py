"""The roll-up of a region's counties: each county's row, the region's pooled line, sorting,
the export, and a number of queries that does not grow with the counties."""

import datetime as dt
import io

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from openpyxl import load_workbook

from logistics.models import Checklist, ChecklistStatus
from regions.selectors import rollup, sorted_rows
from results.models import ResultImport, StudentScore
from rounds.models import ImportBatch, MilestoneKind, Stage
from rounds.services import round_create
from tests.factories import CountyFactory, SchoolFactory, late_may
from tests.rectification.helpers import build_county
from tests.results.factories import make_sample

TODAY = dt.date(2027, 9, 1)


def _scores(world, rnd, students, scores):
    batch = ImportBatch.objects.create(
        kind="results_scores", county=rnd.county, file=ContentFile(b"x", name="a.xlsx"), original_name="a.xlsx", uploaded_by=world.staff
    )
    ri = ResultImport.objects.create(round=rnd, kind="scores", domain="math", batch=batch, state=ResultImport.State.ACTIVE)
    StudentScore.objects.bulk_create(StudentScore(result_import=ri, student=s, score=v) for s, v in zip(students, scores, strict=True))


def _county_with_results(world, n: int, scores=(400, 500, 600, 700, 300, 400, 500, 600)):
    county = CountyFactory(city=world.city, code=f"3699{n + 10:02d}", name=f"第{n}县")
    schools = [SchoolFactory(county=county) for _ in range(2)]
    start, end = late_may()
    rnd = round_create(county=county, year=2027, cycle_year=1, test_start=start, test_end=end, user=world.staff)
    students = make_sample(rnd, schools=schools, weights=[10.0, 30.0])
    _scores(world, rnd, students, scores)
    Checklist.objects.create(round=rnd, school=schools[0], status=ChecklistStatus.APPROVED)
    return rnd


def test_the_countys_row_holds_its_own_estimates(world):
    """The world's county with the results slice's hand-worked example: A (weight 10) 400–700,
    B (weight 30) 300–600: mean (10·2200 + 30·1800) / 160 = 475."""
    students = make_sample(world.round, schools=[world.school_a, world.school_b], weights=[10.0, 30.0])
    _scores(world, world.round, students, [400, 500, 600, 700, 300, 400, 500, 600])
    Checklist.objects.create(round=world.round, school=world.school_a, status=ChecklistStatus.APPROVED)
    data = rollup(region=world.city, year=2027, today=TODAY)
    assert [r.county for r in data.rows] == [world.county]  # the other county is in another city
    row = data.rows[0]
    assert row.sampled == {4: 2} and row.schools == 2 and row.approved == 1
    assert row.overdue == 1  # the checklists were due before September: school B has not submitted
    headline = row.headlines[("math", 4)]
    assert headline.students == 8 and headline.mean.estimate == pytest.approx(475.0)
    # Default cuts 400/500/600: Ⅰ is 300 (weight 30) of 160
    assert headline.levels[1].estimate == pytest.approx(30 / 160)
    assert data.keys == [("math", 4)]
    # One county: the pooled mean is the county's own
    assert data.pooled[("math", 4)].mean.estimate == pytest.approx(475.0)


def test_the_overdue_count_waits_for_the_due_date(world):
    make_sample(world.round, schools=[world.school_a], weights=[10.0])
    due = world.round.milestones.get(kind=MilestoneKind.CHECKLISTS_DUE).due_date
    assert rollup(region=world.city, year=2027, today=due).rows[0].overdue == 0
    assert rollup(region=world.city, year=2027, today=due + dt.timedelta(days=1)).rows[0].overdue == 1


def test_rectification_on_time_due_soon_and_overdue(world):
    build_county(
        rnd=world.round,
        staff=world.staff,
        dept_user=world.dept_user,
        department=world.department,
        other_department=world.other_department,
        deadline=dt.date(2027, 12, 1),
    )
    counts = lambda day: (lambda r: (r.on_time, r.due_soon, r.late))(rollup(region=world.city, year=2027, today=day).rows[0])  # noqa: E731
    assert counts(dt.date(2027, 9, 1)) == (2, 0, 0)
    assert counts(dt.date(2027, 11, 25)) == (0, 2, 0)  # within the plan's 10 warning days
    assert counts(dt.date(2027, 12, 2)) == (0, 0, 2)


def test_rows_sort_by_any_column_both_ways(world):
    low = _county_with_results(world, 1, scores=(300,) * 8)
    high = _county_with_results(world, 2, scores=(700,) * 8)
    low.stage = Stage.RESULTS
    low.save()
    data = rollup(region=world.city, year=2027, today=TODAY)
    assert [r.county for r in sorted_rows(data, "-mean:math:4")][:2] == [high.county, low.county]
    assert sorted_rows(data, "mean:math:4")[-1].county == high.county
    assert sorted_rows(data, "-stage")[0].county == low.county
    assert [r.county.code for r in sorted_rows(data, "bogus")] == sorted(r.county.code for r in data.rows)


def _queries_for(client, world, django_assert_max_num_queries, counties: int, limit: int, first: int = 0):
    for n in range(first, first + counties):
        _county_with_results(world, n)
    client.force_login(world.city_office)
    with django_assert_max_num_queries(limit) as captured:
        response = client.get(reverse("region_rollup"), {"year": 2027})
    assert response.status_code == 200
    assert response.content.decode().count("第") >= counties
    return len(captured)


def test_the_number_of_queries_does_not_grow_with_the_counties(client, world, django_assert_max_num_queries):
    two = _queries_for(client, world, django_assert_max_num_queries, 2, 30)
    five = _queries_for(client, world, django_assert_max_num_queries, 5, 30, first=2)  # 7 counties now
    assert five == two


def test_the_export_has_a_row_per_county(client, world):
    _county_with_results(world, 1)
    client.force_login(world.city_office)
    response = client.get(reverse("region_rollup_export"), {"year": 2027})
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("区县代码", "县", "阶段")
    assert {r[1] for r in rows[1:]} == {"青山县", "第1县"}
    mean_col = rows[0].index("数学，四年级：均值")
    assert {r[1]: r[mean_col] for r in rows[1:]}["第1县"] == "475.0"


def test_the_export_neutralises_formula_text(client, world):
    """A county's name as a spreadsheet formula reaches the file as text (as every export does)."""
    from tests.security.test_exports import SCHOOL, formula_cells

    rnd = _county_with_results(world, 1)
    rnd.county.name = SCHOOL
    rnd.county.save()
    client.force_login(world.city_office)
    dangerous, texts = formula_cells(client.get(reverse("region_rollup_export"), {"year": 2027}).content)
    assert not dangerous and "'" + SCHOOL in texts
