"""The rules of the problem list, the plan's versions and verification."""

import datetime as dt

import pytest
from django.utils import translation

from monitoring_site.concurrency import StaleEdit
from rectification import services
from rectification.models import PlanItem, Problem, Progress
from rectification.services import RectificationError
from rectification.versions import compare
from results.diagnosis import RULES
from results.models import Finding
from rounds.models import Stage

from .helpers import TODAY, add_item, open_rectification, pdf


@pytest.fixture
def draft(world):
    open_rectification(world.round)
    world.problem = services.problem_create(rnd=world.round, title="数学课时超标", source="feedback_letter", user=world.staff)
    world.plan = services.plan_ensure(rnd=world.round, user=world.staff)
    world.item = add_item(
        plan=world.plan,
        problem=world.problem,
        lead=world.department,
        user=world.staff,
        deadline=TODAY + dt.timedelta(days=30),
        cooperating=[world.other_department],
    )
    world.plan.refresh_from_db()
    return world


def _approve(w):
    w.plan.refresh_from_db()
    services.plan_approve(plan=w.plan, user=w.staff, expected_version=w.plan.version)
    w.item.refresh_from_db()


def test_a_finding_becomes_a_problem_in_one_step_keeping_its_evidence(world):
    open_rectification(world.round)
    finding = Finding.objects.create(
        round=world.round,
        rule="math_cv",
        title="数学校间差异较大",
        evidence={"cv": 0.31},
        evidence_text="差异系数 0.31",
    )
    problem = services.problem_from_finding(finding=finding, user=world.staff)
    assert (problem.finding, problem.source, problem.title) == (
        finding,
        Problem.Source.FINDING,
        finding.title,
    )
    assert problem.evidence_text == "差异系数 0.31"
    assert problem.source_reference == ""  # no rule of that name: nothing to say about it
    with pytest.raises(RectificationError):
        services.problem_from_finding(finding=finding, user=world.staff)


def test_a_diagnosed_problem_names_its_rule_in_words_not_by_its_code(world):
    open_rectification(world.round)
    finding = Finding.objects.create(round=world.round, rule="level1_share_high", title="数学：待提高学生比例偏高")
    with translation.override("zh-hans"):
        problem = services.problem_from_finding(finding=finding, user=world.staff)
        assert problem.source_reference == str(RULES["level1_share_high"].description)
    assert "level1" not in problem.source_reference and "水平" in problem.source_reference


def test_a_dismissed_finding_cannot_become_a_problem(world):
    open_rectification(world.round)
    finding = Finding.objects.create(round=world.round, title="x", status=Finding.Status.DISMISSED)
    with pytest.raises(RectificationError):
        services.problem_from_finding(finding=finding, user=world.staff)


def test_problems_are_numbered_in_order(draft):
    second = services.problem_create(rnd=draft.round, title="b", source="self_check", user=draft.staff)
    assert (draft.problem.number, second.number) == (1, 2)


def test_nothing_is_written_before_the_results_stage(world):
    world.round.stage = Stage.PREPARATION
    world.round.save()
    with pytest.raises(RectificationError):
        services.problem_create(rnd=world.round, title="x", source="other", user=world.staff)


def test_a_withdrawn_item_stays_with_who_and_why(draft):
    services.item_withdraw(item=draft.item, reason="与第2项合并", user=draft.staff)
    item = PlanItem.objects.get(pk=draft.item.pk)
    assert (item.status, item.withdrawn_by, item.withdrawn_reason) == (
        "withdrawn",
        draft.staff,
        "与第2项合并",
    )
    assert item.history.count() >= 2


def test_withdrawing_needs_a_reason(draft):
    with pytest.raises(RectificationError):
        services.item_withdraw(item=draft.item, reason=" ", user=draft.staff)


def test_a_withdrawn_problem_stays_on_the_list_and_withdraws_its_items(draft):
    services.problem_withdraw(problem=draft.problem, reason="省里撤回", user=draft.staff)
    problem = Problem.objects.get(pk=draft.problem.pk)
    assert problem.is_withdrawn and problem.withdrawn_by == draft.staff
    assert PlanItem.objects.get(pk=draft.item.pk).status == "withdrawn"


def test_an_approved_plan_changes_only_through_a_new_version(draft):
    _approve(draft)
    draft.item.deadline = TODAY + dt.timedelta(days=90)
    with pytest.raises(RectificationError):
        services.item_save(item=draft.item, cooperating=[], user=draft.staff, expected_version=draft.item.version)
    with pytest.raises(RectificationError):
        services.item_withdraw(item=draft.item, reason="x", user=draft.staff)
    with pytest.raises(RectificationError):
        services.plan_revise(plan=draft.plan, reason="", user=draft.staff, expected_version=draft.plan.version)


def test_an_empty_plan_cannot_be_approved(world):
    open_rectification(world.round)
    plan = services.plan_ensure(rnd=world.round, user=world.staff)
    with pytest.raises(RectificationError):
        services.plan_approve(plan=plan, user=world.staff, expected_version=plan.version)


def test_two_versions_compare_field_by_field(draft):
    _approve(draft)
    services.plan_revise(plan=draft.plan, reason="延期", user=draft.staff, expected_version=draft.plan.version)
    item = PlanItem.objects.get(pk=draft.item.pk)
    item.deadline = TODAY + dt.timedelta(days=90)
    services.item_save(item=item, cooperating=[], user=draft.staff, expected_version=item.version)
    extra = add_item(
        plan=draft.plan,
        problem=draft.problem,
        lead=draft.other_department,
        user=draft.staff,
        deadline=TODAY,
    )
    _approve(draft)
    first, second = draft.plan.versions.order_by("number")
    assert (first.number, second.number, second.change_reason) == (1, 2, "延期")
    with translation.override("en"):
        changes = {(c.kind, c.field, c.old, c.new) for c in compare(first.snapshot, second.snapshot)}
    deadline_old, deadline_new = ((TODAY + dt.timedelta(days=d)).isoformat() for d in (30, 90))
    assert ("changed", "Deadline", deadline_old, deadline_new) in changes
    assert ("changed", "Cooperating departments", draft.other_department.name, "") in changes
    assert any(c[0] == "added" for c in changes)
    assert extra.pk in {i["id"] for i in second.snapshot["items"]}


def test_a_stale_plan_edit_is_refused(draft):
    services.plan_update(plan=draft.plan, expected_version=draft.plan.version, user=draft.staff, title="A")
    with pytest.raises(StaleEdit):
        services.plan_update(plan=draft.plan, expected_version=1, user=draft.staff, title="B")


def test_progress_waits_for_the_approved_plan(draft):
    with pytest.raises(RectificationError):
        services.progress_post(item=draft.item, text="x", percent=10, marks_done=False, files=[], user=draft.dept_user)


def test_an_item_is_reported_done_only_with_evidence(draft):
    _approve(draft)
    with pytest.raises(RectificationError):
        services.progress_post(item=draft.item, text="x", percent=100, marks_done=True, files=[], user=draft.dept_user)


def test_returned_then_accepted_closes_the_item(draft):
    _approve(draft)
    first = services.progress_post(
        item=draft.item,
        text="完成",
        percent=90,
        marks_done=True,
        files=[pdf()],
        user=draft.dept_user,
    )
    assert PlanItem.objects.get(pk=draft.item.pk).status == "submitted"
    with pytest.raises(RectificationError):  # one report at a time
        services.progress_post(item=draft.item, text="y", percent=95, marks_done=False, files=[], user=draft.dept_user)
    with pytest.raises(RectificationError):  # returning needs a reason
        services.progress_verify(progress=first, accept=False, user=draft.staff, today=TODAY)
    services.progress_verify(progress=first, accept=False, reason="缺少会议纪要", user=draft.staff, today=TODAY)
    item = PlanItem.objects.get(pk=draft.item.pk)
    assert item.status == "open"
    assert draft.dept_user.rectification_notices.filter(kind="returned").exists()
    second = services.progress_post(
        item=item,
        text="补充纪要",
        percent=100,
        marks_done=True,
        files=[pdf("纪要.pdf")],
        user=draft.dept_user,
    )
    services.progress_verify(progress=second, accept=True, user=draft.staff, today=TODAY)
    item = PlanItem.objects.get(pk=draft.item.pk)
    assert (item.status, item.closed_at) == ("closed", TODAY)
    assert Progress.objects.get(pk=first.pk).return_reason == "缺少会议纪要"
    with pytest.raises(RectificationError):
        services.progress_verify(progress=second, accept=True, user=draft.staff, today=TODAY)


def test_accepting_an_interim_report_does_not_close_the_item(draft):
    _approve(draft)
    report = services.progress_post(item=draft.item, text="推进中", percent=40, marks_done=False, files=[], user=draft.dept_user)
    services.progress_verify(progress=report, accept=True, user=draft.staff, today=TODAY)
    item = PlanItem.objects.get(pk=draft.item.pk)
    assert (item.status, item.percent) == ("open", 40)
