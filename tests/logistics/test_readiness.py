"""The readiness dashboard: statuses per room, overdue against the milestone, who must act, export."""

import datetime as dt
import io

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from logistics.models import Checklist, ChecklistStatus
from logistics.selectors import readiness
from logistics.services import checklist_ensure
from rounds.models import MilestoneKind, Stage
from tests.factories import SchoolFactory

from .factories import sampled_school


def test_statuses_overdue_and_who_must_act(lworld):
    w = lworld
    w.round.stage = Stage.PREPARATION
    w.round.save(update_fields=["stage"])
    due = w.round.milestones.get(kind=MilestoneKind.CHECKLISTS_DUE).due_date
    rooms, rows, got_due = readiness(user=w.staff, rnd=w.round, today=due + dt.timedelta(days=1))
    assert got_due == due
    by_school = {row.school: row for row in rows}
    row_a, row_b = by_school[w.school_a], by_school[w.school_b]
    assert row_a.status == "draft" and row_b.status == "not_started"
    assert row_a.overdue and row_b.overdue
    assert row_a.must_act == "school" and w.coord_a.first_name in "".join(row_a.actors)
    assert row_a.rooms[0] == "partial" and set(row_a.rooms[1:]) == {"empty"}
    assert len(row_a.rooms) == len(rooms)
    _r, rows, _d = readiness(user=w.staff, rnd=w.round, today=due)
    assert not any(r.overdue for r in rows)


def test_the_query_count_does_not_grow_with_the_number_of_schools(lworld):
    w = lworld

    def count():
        with CaptureQueriesContext(connection) as ctx:
            readiness(user=w.staff, rnd=w.round, today=dt.date(2027, 5, 1))
        return len(ctx.captured_queries)

    before = count()
    for _n in range(6):
        school = SchoolFactory(county=w.county)
        sampled_school(w.round, school, grade=4)
        checklist_ensure(rnd=w.round, school=school)
    assert count() == before


def test_the_filter_and_the_excel_export(client, lworld):
    client.force_login(lworld.staff)
    url = reverse("readiness_dashboard", kwargs={"round_pk": lworld.round.pk})
    body = client.get(url, {"status": "not_started"}).content.decode()
    assert lworld.school_b.name in body and lworld.school_a.name not in body
    response = client.get(reverse("readiness_export", kwargs={"round_pk": lworld.round.pk}))
    sheet = load_workbook(io.BytesIO(response.content)).active
    names = [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert sorted(names) == sorted([lworld.school_a.name, lworld.school_b.name])


def test_the_export_neutralises_formulas(client, lworld):
    lworld.school_a.name = '=HYPERLINK("x")'
    lworld.school_a.save()
    client.force_login(lworld.staff)
    response = client.get(reverse("readiness_export", kwargs={"round_pk": lworld.round.pk}))
    names = [row[1] for row in load_workbook(io.BytesIO(response.content)).active.iter_rows(min_row=2, values_only=True)]
    assert '\'=HYPERLINK("x")' in names


def _submitted_in(w, stage):
    Checklist.objects.filter(pk=w.checklist_a.pk).update(status=ChecklistStatus.SUBMITTED)
    w.round.stage = stage
    w.round.save(update_fields=["stage"])


def test_a_submitted_checklist_names_its_reviewer_while_review_is_open(client, lworld):
    w = lworld
    _submitted_in(w, Stage.PREPARATION)
    row = {r.school: r for r in readiness(user=w.staff, rnd=w.round, today=dt.date(2027, 5, 1))[1]}[w.school_a]
    assert (row.must_act, row.waiting) == ("reviewer", "")
    assert row.actors == [f"{w.inspector.last_name}{w.inspector.first_name}" or w.inspector.username]


def test_in_a_stage_that_refuses_review_nobody_is_named_and_the_page_says_what_waits(client, lworld):
    w = lworld
    _submitted_in(w, Stage.RECTIFICATION)
    row = {r.school: r for r in readiness(user=w.staff, rnd=w.round, today=dt.date(2027, 5, 1))[1]}[w.school_a]
    assert (row.must_act, row.waiting, row.actors) == ("", "reviewer", [])
    client.force_login(w.staff)
    body = client.get(reverse("readiness_dashboard", kwargs={"round_pk": w.round.pk})).content.decode()
    assert 'id="readiness-refusal"' in body and "测试准备、正式测试" in body
    assert "已提交，未审核" in body and "bi-person-check" not in body
    client.force_login(w.inspector)
    page = client.get(reverse("checklist_fill", kwargs={"round_pk": w.round.pk, "school_pk": w.school_a.pk})).content.decode()
    assert 'id="review-waits"' in page and "测试准备、正式测试" in page
    assert reverse("checklist_review", kwargs={"round_pk": w.round.pk, "school_pk": w.school_a.pk}) not in page
