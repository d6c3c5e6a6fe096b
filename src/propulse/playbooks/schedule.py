"""Date every step of a playbook from its anchor: offsets, dependencies, working days, holidays.

Pure: plain data in, plain data out, so the launch preview, the project and the tests agree.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from propulse.kit import workdays
from propulse.playbooks.content import StepContent, find_cycle


@dataclass(frozen=True)
class PlannedTask:
    key: str
    start_on: date
    due_on: date


def _kind(step: StepContent) -> workdays.DayKind:
    return workdays.DayKind(step.day_kind)


def plan(
    steps: Sequence[StepContent],
    *,
    anchor: date,
    country: str,
    fixed: dict[str, PlannedTask] | None = None,
) -> dict[str, PlannedTask]:
    """Return each step's start and due date; ``fixed`` dates (set by hand) are kept as they are.

    A step with an offset starts that many days from the anchor (D-30 ... D+14); a step that
    follows another starts the day after it ends, plus its lag (finish-to-start).
    """
    if cycle := find_cycle(list(steps)):
        raise ValueError("steps wait for each other: " + " → ".join(cycle))
    by_key = {step.key: step for step in steps}
    planned: dict[str, PlannedTask] = dict(fixed or {})

    def place(step: StepContent) -> PlannedTask:
        if step.key in planned:
            return planned[step.key]
        kind = _kind(step)
        if step.after_key is not None:
            before = place(by_key[step.after_key])
            start = workdays.shift(before.due_on, 1 + step.lag_days, kind=kind, country=country)
        else:
            start = workdays.shift(anchor, step.offset_days or 0, kind=kind, country=country)
        if kind == workdays.DayKind.working:
            start = workdays.next_working_day(start, country)
        due = workdays.add_duration(start, step.duration_days, kind=kind, country=country)
        planned[step.key] = PlannedTask(step.key, start, due)
        return planned[step.key]

    for step in steps:
        place(step)
    return planned


@dataclass(frozen=True)
class Overload:
    """A person asked for more hours on a day than their capacity gives."""

    user_id: int
    day: date
    hours: float
    capacity: float


@dataclass(frozen=True)
class Load:
    user_id: int
    start_on: date
    due_on: date
    effort_hours: float


def daily_hours(loads: Iterable[Load], *, country: str) -> dict[tuple[int, date], float]:
    """Spread each task's effort evenly over its working days (all its days if it has none)."""
    hours: dict[tuple[int, date], float] = defaultdict(float)
    for load in loads:
        days = [
            load.start_on + timedelta(days=offset)
            for offset in range((load.due_on - load.start_on).days + 1)
        ]
        working = [day for day in days if workdays.is_working_day(day, country)] or days
        for day in working:
            hours[(load.user_id, day)] += load.effort_hours / len(working)
    return hours


def overloads(
    new: Iterable[Load],
    existing: Iterable[Load],
    *,
    weekly_capacity: dict[int, float],
    country: str,
) -> list[Overload]:
    """Return the days on which the new tasks push someone past their daily capacity."""
    new = list(new)
    combined = daily_hours([*new, *existing], country=country)
    touched = daily_hours(new, country=country)
    found = []
    for (user_id, day), _hours in sorted(touched.items()):
        capacity = weekly_capacity.get(user_id, 35.0) / 5
        total = combined[(user_id, day)]
        if total > capacity + 1e-6:
            found.append(Overload(user_id, day, round(total, 1), round(capacity, 1)))
    return found
