"""The timeline's arithmetic: bars end at the deadline, overdue bars show the overrun."""

import datetime as dt

from rectification.timeline import LABEL, WIDTH, build

TODAY = dt.date(2027, 9, 1)


def test_nothing_to_draw_without_items():
    assert build([], today=TODAY) is None


def test_bars_run_to_the_deadline_and_overdue_ones_show_the_overrun():
    on_time = ("a", "1. a", TODAY - dt.timedelta(days=30), TODAY + dt.timedelta(days=30), "on_track")
    late = ("b", "2. b", TODAY - dt.timedelta(days=30), TODAY - dt.timedelta(days=10), "overdue")
    timeline = build([on_time, late], today=TODAY)
    first, second = timeline.bars
    assert LABEL <= first.x < timeline.today_x < first.deadline_x <= WIDTH
    assert abs(first.x + first.width - first.deadline_x) < 0.2
    assert first.overrun == 0
    assert abs(second.deadline_x + second.overrun - timeline.today_x) < 0.2
    assert second.y > first.y
    assert timeline.ticks and all(LABEL <= t.x <= WIDTH for t in timeline.ticks)
