"""Dating steps: offsets, dependencies, working days and French holidays, capacity."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from propulse.playbooks import schedule
from propulse.playbooks.content import StepContent


def step(key, **values):
    values.setdefault("title", key)
    values.setdefault("owner_role", "Webinar lead")
    return StepContent(key=key, **values)


def test_offsets_in_working_days_skip_weekends_and_french_holidays():
    # 2027-05-14 is a Friday; the 13th is... Ascension is Thursday 2027-05-06, 8 May a Saturday.
    steps = [step("promote", offset_days=-7, duration_days=1), step("follow-up", offset_days=2)]
    planned = schedule.plan(steps, anchor=date(2027, 5, 14), country="FR")
    # Seven working days before Friday 14 May, skipping the weekend and Ascension (6 May).
    assert planned["promote"].start_on == date(2027, 5, 4)
    # D+2: Tuesday 18 is D+1 because Monday 17 is Whit Monday, so D+2 is Wednesday 19.
    assert planned["follow-up"].start_on == date(2027, 5, 19)


def test_calendar_days_are_plain_dates():
    planned = schedule.plan(
        [step("remind", offset_days=-1, day_kind="calendar")],
        anchor=date(2027, 5, 10),
        country="FR",
    )
    assert planned["remind"].start_on == date(2027, 5, 9)  # a Sunday, and that is fine


def test_a_dependency_starts_the_working_day_after_its_predecessor_ends_plus_lag():
    steps = [
        step("script", offset_days=-20, duration_days=3),
        step("rehearse", after_key="script", lag_days=1, duration_days=1),
    ]
    planned = schedule.plan(steps, anchor=date(2027, 3, 31), country="FR")
    script = planned["script"]
    assert (script.due_on - script.start_on).days >= 2
    assert planned["rehearse"].start_on > script.due_on
    # Lag of one working day between them.
    from propulse.kit import workdays

    assert workdays.working_days_between(script.due_on, planned["rehearse"].start_on, "FR") == 3


def test_fixed_dates_are_kept_and_followers_move_after_them():
    steps = [step("a", offset_days=-10, duration_days=2), step("b", after_key="a")]
    fixed = {"a": schedule.PlannedTask("a", date(2027, 3, 1), date(2027, 3, 2))}
    planned = schedule.plan(steps, anchor=date(2027, 6, 1), country="FR", fixed=fixed)
    assert planned["a"] == fixed["a"]
    assert planned["b"].start_on == date(2027, 3, 3)


def test_a_cycle_is_refused():
    with pytest.raises(ValueError, match="wait for each other"):
        schedule.plan(
            [step("a", after_key="b"), step("b", after_key="a")],
            anchor=date(2027, 1, 4),
            country="FR",
        )


def test_over_capacity_days_are_found():
    new = [schedule.Load(1, date(2027, 3, 1), date(2027, 3, 1), 6.0)]
    existing = [schedule.Load(1, date(2027, 3, 1), date(2027, 3, 2), 4.0)]
    found = schedule.overloads(new, existing, weekly_capacity={1: 35}, country="FR")
    assert [(o.day, o.hours, o.capacity) for o in found] == [(date(2027, 3, 1), 8.0, 7.0)]
    assert schedule.overloads(new, [], weekly_capacity={1: 35}, country="FR") == []


@st.composite
def playbooks(draw):  # type: ignore[no-untyped-def]
    """Draw a playbook of 1-8 steps: offsets or dependencies on earlier steps (no cycles)."""
    count = draw(st.integers(1, 8))
    steps = []
    for index in range(count):
        follows = index > 0 and draw(st.booleans())
        values = {
            "duration_days": draw(st.integers(1, 10)),
            "day_kind": draw(st.sampled_from(["working", "calendar"])),
        }
        if follows:
            values["after_key"] = f"s{draw(st.integers(0, index - 1))}"
            values["lag_days"] = draw(st.integers(0, 5))
        else:
            values["offset_days"] = draw(st.integers(-60, 30))
        steps.append(step(f"s{index}", **values))
    return steps


@settings(max_examples=150, deadline=None)
@given(
    steps=playbooks(),
    anchor=st.dates(min_value=date(2026, 1, 1), max_value=date(2030, 12, 31)),
    country=st.sampled_from(["FR", "DE", "GB", "ES", "IT", "US"]),
)
def test_planned_dates_keep_their_invariants(steps, anchor, country):
    from propulse.kit import workdays

    planned = schedule.plan(steps, anchor=anchor, country=country)
    by_key = {s.key: s for s in steps}
    for key, task in planned.items():
        assert task.due_on >= task.start_on
        if by_key[key].day_kind == "working":
            # A working-day task never starts or ends on a weekend or a public holiday.
            assert workdays.is_working_day(task.start_on, country)
            assert workdays.is_working_day(task.due_on, country)
        if by_key[key].after_key:
            assert task.start_on > planned[by_key[key].after_key].due_on
    # Planning is a function of its inputs: the same anchor always gives the same plan.
    assert schedule.plan(steps, anchor=anchor, country=country) == planned
