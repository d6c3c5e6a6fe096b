"""The geometry of a project's timeline (a Gantt chart drawn as SVG by the template).

Pure: tasks as plain data in, rectangles and paths out. One row per task, a bar from its
start to the end of its due day, an arrow from each task to the ones that follow it,
weekends and public holidays shaded, a line for today and one for the anchor.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from propulse.kit import workdays

LABEL_WIDTH = 260
HEADER_HEIGHT = 44
ROW_HEIGHT = 30
BAR_MARGIN = 7
TARGET_WIDTH = 820
MIN_DAY_WIDTH = 6
MAX_DAY_WIDTH = 32


@dataclass(frozen=True)
class TimelineTask:
    id: int
    key: str
    title: str
    start_on: date
    due_on: date
    after_key: str | None
    status: str


@dataclass(frozen=True)
class Bar:
    task: TimelineTask
    x: float
    y: float
    width: float
    height: float
    label_y: float
    overdue: bool
    after_title: str | None


@dataclass(frozen=True)
class Arrow:
    path: str
    label: str


@dataclass(frozen=True)
class Shade:
    x: float
    width: float
    kind: str  # weekend or holiday
    day: date
    name: str


@dataclass(frozen=True)
class Tick:
    x: float
    day: date


@dataclass(frozen=True)
class Timeline:
    first: date
    last: date
    day_width: float
    width: float
    height: float
    bars: list[Bar]
    arrows: list[Arrow]
    shades: list[Shade]
    ticks: list[Tick]
    today_x: float | None
    anchor_x: float | None


def build(tasks: Sequence[TimelineTask], *, anchor: date, today: date, country: str) -> Timeline:
    """Lay the tasks out from the day before the first start to the day after the last due."""
    starts = [task.start_on for task in tasks] + [anchor]
    dues = [task.due_on for task in tasks] + [anchor]
    first, last = min(starts) - timedelta(days=1), max(dues) + timedelta(days=1)
    span = (last - first).days + 1
    day_width = float(max(MIN_DAY_WIDTH, min(MAX_DAY_WIDTH, TARGET_WIDTH // span)))

    def x_of(day: date) -> float:
        return LABEL_WIDTH + (day - first).days * day_width

    titles = {task.key: task.title for task in tasks}
    bars: list[Bar] = []
    for row, task in enumerate(tasks):
        top = HEADER_HEIGHT + row * ROW_HEIGHT
        bars.append(
            Bar(
                task=task,
                x=x_of(task.start_on),
                y=top + BAR_MARGIN,
                width=((task.due_on - task.start_on).days + 1) * day_width,
                height=ROW_HEIGHT - 2 * BAR_MARGIN,
                label_y=top + ROW_HEIGHT / 2 + 4,
                overdue=task.status in ("todo", "doing") and task.due_on < today,
                after_title=titles.get(task.after_key) if task.after_key else None,
            )
        )
    by_key = {bar.task.key: bar for bar in bars}
    arrows = []
    for bar in bars:
        before = by_key.get(bar.task.after_key or "")
        if before is None:
            continue
        x1, y1 = before.x + before.width, before.y + before.height / 2
        x2, y2 = bar.x, bar.y + bar.height / 2
        bend = x1 + 5
        arrows.append(
            Arrow(
                path=f"M{x1:.1f},{y1:.1f} H{bend:.1f} V{y2:.1f} H{max(x2 - 1, bend):.1f}",
                label=f"{before.task.title} → {bar.task.title}",
            )
        )
    shades = []
    ticks = []
    for offset in range(span):
        day = first + timedelta(days=offset)
        holiday = workdays.holiday_name(day, country)
        if holiday or workdays.is_weekend(day):
            shades.append(
                Shade(
                    x=x_of(day),
                    width=day_width,
                    kind="holiday" if holiday else "weekend",
                    day=day,
                    name=holiday or "",
                )
            )
        if (span <= 120 and day.weekday() == 0) or (span > 120 and day.day == 1):
            ticks.append(Tick(x=x_of(day), day=day))
    return Timeline(
        first=first,
        last=last,
        day_width=day_width,
        width=LABEL_WIDTH + span * day_width + 10,
        height=HEADER_HEIGHT + len(tasks) * ROW_HEIGHT + 10,
        bars=bars,
        arrows=arrows,
        shades=shades,
        ticks=ticks,
        today_x=x_of(today) + day_width / 2 if first <= today <= last else None,
        anchor_x=x_of(anchor) + day_width / 2,
    )
