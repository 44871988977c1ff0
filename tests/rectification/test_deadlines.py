"""Deadlines against a controlled clock: due soon, due today, overdue, escalated, closed in
time, and a deadline moved by a new plan version; each warning sent once, mail failures kept."""

import datetime as dt

import pytest
from django.core import mail

from monitoring_site.roles import Role
from rectification import alerts, services
from rectification.alerts import deadlines_notify
from rectification.deadlines import (
    DUE_SOON,
    DUE_TODAY,
    ESCALATED,
    ON_TRACK,
    OVERDUE,
    deadline_state,
    events_due,
)
from rectification.models import DeadlineWarning, Notification, PlanItem
from tests.factories import PersonFactory

from .helpers import TODAY, add_item, open_rectification, pdf

DEADLINE = dt.date(2027, 10, 31)


def _state(today, *, active=True):
    return deadline_state(deadline=DEADLINE, today=today, active=active, due_soon_days=10, escalate_after_days=7)


@pytest.mark.parametrize(
    ("today", "state"),
    [
        (DEADLINE - dt.timedelta(days=11), ON_TRACK),
        (DEADLINE - dt.timedelta(days=10), DUE_SOON),
        (DEADLINE - dt.timedelta(days=1), DUE_SOON),
        (DEADLINE, DUE_TODAY),
        (DEADLINE + dt.timedelta(days=1), OVERDUE),
        (DEADLINE + dt.timedelta(days=6), OVERDUE),
        (DEADLINE + dt.timedelta(days=7), ESCALATED),
    ],
)
def test_the_state_of_an_item_follows_the_clock(today, state):
    assert _state(today) == state


def test_a_closed_item_has_no_deadline_state():
    assert _state(DEADLINE + dt.timedelta(days=30), active=False) is None


def test_an_escalated_item_owes_the_overdue_notice_too():
    events = events_due(
        deadline=DEADLINE,
        today=DEADLINE + dt.timedelta(days=8),
        active=True,
        due_soon_days=10,
        escalate_after_days=7,
    )
    assert events == [OVERDUE, ESCALATED]


@pytest.fixture
def plan_world(world):
    open_rectification(world.round)
    world.responsible = PersonFactory(
        county=world.county,
        role=Role.DEPARTMENT,
        department=world.department,
        user__username="zeren",
        user__email="zeren@example.cn",
    )
    world.dept_user.email = "dept@example.cn"
    world.dept_user.save()
    world.leader.email = "leader@example.cn"
    world.leader.save()
    problem = services.problem_create(rnd=world.round, title="视力不良检出率高", source="feedback_letter", user=world.staff)
    plan = services.plan_ensure(rnd=world.round, user=world.staff)
    world.item = add_item(
        plan=plan,
        problem=problem,
        lead=world.department,
        user=world.staff,
        deadline=DEADLINE,
        responsible=world.responsible,
    )
    plan.refresh_from_db()
    services.plan_approve(plan=plan, user=world.staff, expected_version=plan.version)
    world.plan = plan
    return world


def _sweep(day):
    return deadlines_notify(today=day)


def _notices(user, kind):
    return Notification.objects.filter(recipient=user, kind=kind)


def test_before_the_warning_window_nothing_is_sent(plan_world):
    assert _sweep(DEADLINE - dt.timedelta(days=11)).warnings == 0
    assert not Notification.objects.exists()


def test_due_soon_notifies_the_responsible_person_and_the_department_once(plan_world):
    w = plan_world
    result = _sweep(DEADLINE - dt.timedelta(days=10))
    assert result.warnings == 1
    assert _notices(w.responsible.user, "due_soon").count() == 1
    assert _notices(w.dept_user, "due_soon").count() == 1
    assert not _notices(w.leader, "due_soon").exists()
    assert sorted(m.to[0] for m in mail.outbox) == ["dept@example.cn", "zeren@example.cn"]
    # the next days inside the window, and the deadline day itself, send nothing new
    for days in (9, 1, 0):
        assert _sweep(DEADLINE - dt.timedelta(days=days)).warnings == 0
    assert len(mail.outbox) == 2


def test_due_today_is_a_due_soon_notice_when_none_was_sent(plan_world):
    assert _sweep(DEADLINE).by_event == {"due_soon": 1}


def test_overdue_the_day_after_the_deadline(plan_world):
    w = plan_world
    assert _sweep(DEADLINE + dt.timedelta(days=1)).by_event == {"overdue": 1}
    assert _notices(w.dept_user, "overdue").count() == 1
    assert not _notices(w.leader, "escalated").exists()
    assert _sweep(DEADLINE + dt.timedelta(days=2)).warnings == 0


def test_overdue_long_enough_is_escalated_to_the_leader_once(plan_world):
    w = plan_world
    _sweep(DEADLINE + dt.timedelta(days=1))
    result = _sweep(DEADLINE + dt.timedelta(days=7))
    assert result.by_event == {"escalated": 1}
    assert _notices(w.leader, "escalated").count() == 1
    assert not _notices(w.dept_user, "escalated").exists()
    assert _sweep(DEADLINE + dt.timedelta(days=8)).warnings == 0
    assert "leader@example.cn" in [m.to[0] for m in mail.outbox]


def test_the_escalation_threshold_is_set_per_plan(plan_world):
    w = plan_world
    w.plan.escalate_after_days = 3
    w.plan.save()
    assert _sweep(DEADLINE + dt.timedelta(days=3)).by_event == {"overdue": 1, "escalated": 1}


def test_the_due_soon_window_is_set_per_plan(plan_world):
    w = plan_world
    w.plan.due_soon_days = 3
    w.plan.save()
    assert _sweep(DEADLINE - dt.timedelta(days=4)).warnings == 0
    assert _sweep(DEADLINE - dt.timedelta(days=3)).warnings == 1


def test_an_item_closed_before_its_deadline_is_never_warned(plan_world):
    w = plan_world
    item = PlanItem.objects.get(pk=w.item.pk)
    report = services.progress_post(item=item, text="完成", percent=100, marks_done=True, files=[pdf()], user=w.dept_user)
    services.progress_verify(progress=report, accept=True, user=w.staff, today=DEADLINE - dt.timedelta(days=20))
    for days in (-10, 0, 1, 30):
        assert _sweep(DEADLINE + dt.timedelta(days=days)).warnings == 0
    assert not DeadlineWarning.objects.exists()


def test_a_deadline_moved_by_a_new_version_warns_again_on_the_new_date(plan_world):
    w = plan_world
    _sweep(DEADLINE - dt.timedelta(days=5))
    assert DeadlineWarning.objects.filter(event="due_soon").count() == 1
    services.plan_revise(plan=w.plan, reason="省里同意延期", user=w.staff, expected_version=w.plan.version)
    item = PlanItem.objects.get(pk=w.item.pk)
    new_deadline = DEADLINE + dt.timedelta(days=60)
    item.deadline = new_deadline
    services.item_save(item=item, cooperating=[], user=w.staff, expected_version=item.version)
    # the draft does not move the deadline in force: the old one still counts
    assert PlanItem.objects.get(pk=w.item.pk).approved_deadline == DEADLINE
    w.plan.refresh_from_db()
    services.plan_approve(plan=w.plan, user=w.staff, expected_version=w.plan.version)
    assert PlanItem.objects.get(pk=w.item.pk).approved_deadline == new_deadline
    # past the old deadline: no overdue, the item is on track
    assert _sweep(DEADLINE + dt.timedelta(days=1)).warnings == 0
    assert _sweep(new_deadline - dt.timedelta(days=2)).by_event == {"due_soon": 1}
    assert set(DeadlineWarning.objects.values_list("deadline", flat=True)) == {
        DEADLINE,
        new_deadline,
    }


def test_a_mail_failure_keeps_the_in_app_notice(plan_world, monkeypatch):
    w = plan_world

    def broken(*args, **kwargs):
        raise ConnectionRefusedError("smtp down")

    monkeypatch.setattr(alerts, "send_mail", broken)
    result = _sweep(DEADLINE - dt.timedelta(days=2))
    assert result.mail_failures == 2
    assert _notices(w.dept_user, "due_soon").count() == 1
    warning = DeadlineWarning.objects.get()
    assert "smtp down" in warning.mail_error
    # and it is not sent again the next day
    monkeypatch.undo()
    assert _sweep(DEADLINE - dt.timedelta(days=1)).warnings == 0


def test_a_draft_item_never_warns(world):
    open_rectification(world.round)
    problem = services.problem_create(rnd=world.round, title="x", source="feedback_letter", user=world.staff)
    plan = services.plan_ensure(rnd=world.round, user=world.staff)
    add_item(plan=plan, problem=problem, lead=world.department, user=world.staff, deadline=TODAY)
    assert _sweep(TODAY + dt.timedelta(days=30)).warnings == 0


def test_the_daily_task_is_on_the_beat_schedule_and_runs(plan_world):
    from monitoring_site.celery import app
    from rectification.tasks import rectification_deadlines_daily

    entry = app.conf.beat_schedule["rectification-deadlines-daily"]
    assert entry["task"] == "rectification.tasks.rectification_deadlines_daily"
    assert rectification_deadlines_daily.delay() is not None
