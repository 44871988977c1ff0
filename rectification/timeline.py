"""The timeline of items against their deadlines, as coordinates for a server-drawn SVG.

Pure arithmetic: each bar runs from the day the item was set to its deadline in force, on a
scale that also holds today; the template draws it with classes only (no inline style).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

WIDTH = 1000
LABEL = 300  # the left part holds the item's name
ROW = 30
OVERDUE_STATES = ("overdue", "escalated")


@dataclass(frozen=True)
class Bar:
    item: object
    label: str
    y: int
    x: float
    width: float
    state: str
    deadline_x: float
    overrun: float = 0.0  # overdue: how far past the deadline today lies

    @property
    def text_y(self) -> int:
        return self.y + 14

    @property
    def top(self) -> int:
        return self.y + 3

    @property
    def bottom(self) -> int:
        return self.y + 22


@dataclass(frozen=True)
class Tick:
    x: float
    label: str


@dataclass(frozen=True)
class Timeline:
    bars: list[Bar]
    ticks: list[Tick]
    today_x: float
    height: int
    width: int = WIDTH
    label_width: int = LABEL


def _month_starts(start: dt.date, end: dt.date) -> list[dt.date]:
    months, day = [], dt.date(start.year, start.month, 1)
    while day <= end:
        if day >= start:
            months.append(day)
        day = dt.date(day.year + (day.month == 12), day.month % 12 + 1, 1)
    return months


def build(rows: list[tuple[object, str, dt.date, dt.date, str]], *, today: dt.date) -> Timeline | None:
    """``rows``: (item, label, start, deadline, state) — state names the bar's class."""
    if not rows:
        return None
    start = min([r[2] for r in rows] + [today]) - dt.timedelta(days=3)
    end = max([r[3] for r in rows] + [today]) + dt.timedelta(days=7)
    span = max((end - start).days, 1)
    chart = WIDTH - LABEL - 10

    def x(day: dt.date) -> float:
        return round(LABEL + chart * (day - start).days / span, 1)

    bars = []
    for index, (item, label, begin, deadline, state) in enumerate(rows):
        left = x(min(begin, deadline))
        bars.append(
            Bar(
                item,
                label,
                24 + index * ROW,
                left,
                max(x(deadline) - left, 2.0),
                state,
                x(deadline),
                x(today) - x(deadline) if state in OVERDUE_STATES and today > deadline else 0.0,
            )
        )
    months = _month_starts(start, end)
    step = max(1, len(months) // 8)
    ticks = [Tick(x(m), m.strftime("%Y-%m")) for m in months[::step]]
    return Timeline(bars, ticks, x(today), 24 + len(rows) * ROW + 6)
