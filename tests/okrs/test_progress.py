"""The arithmetic of OKRs: progress, roll-up, status, grades, quarters."""

from __future__ import annotations

from datetime import date

import pytest

from propulse.okrs import progress as math


@pytest.mark.parametrize(
    ("direction", "start", "target", "current", "expected"),
    [
        ("increase", 0, 100, 50, 0.5),
        ("increase", 0, 100, 150, 1.0),
        ("increase", 10, 20, 5, 0.0),
        ("decrease", 20, 10, 15, 0.5),
        ("decrease", 20, 10, 25, 0.0),
        ("above", 0, 95, 96, 1.0),
        ("above", 0, 95, 94, 0.0),
        ("below", 0, 2, 1.5, 1.0),
        ("below", 0, 2, 3, 0.0),
    ],
)
def test_key_result_progress(direction, start, target, current, expected):
    assert math.key_result_progress(
        direction=direction, start=start, target=target, current=current
    ) == pytest.approx(expected)


def test_objective_progress_is_a_weighted_mean():
    parts = [math.WeightedProgress(1.0, 1), math.WeightedProgress(0.0, 1)]
    assert math.objective_progress(parts) == 0.5
    weighted = [math.WeightedProgress(1.0, 3), math.WeightedProgress(0.0, 1)]
    assert math.objective_progress(weighted) == 0.75
    assert math.objective_progress([]) == 0.0


def test_status_compares_progress_with_time_and_confidence():
    assert math.status(progress=0.5, elapsed=0.5, confidence=8) == math.Status.on_track
    assert math.status(progress=0.35, elapsed=0.5, confidence=8) == math.Status.at_risk
    assert math.status(progress=0.1, elapsed=0.5, confidence=8) == math.Status.off_track
    assert math.status(progress=0.6, elapsed=0.5, confidence=5) == math.Status.at_risk
    assert math.status(progress=0.6, elapsed=0.5, confidence=2) == math.Status.off_track
    assert math.status(progress=0.0, elapsed=0.0, confidence=None) == math.Status.on_track


def test_time_elapsed():
    assert (
        math.time_elapsed(
            starts_on=date(2027, 1, 1), ends_on=date(2027, 3, 31), today=date(2026, 12, 1)
        )
        == 0
    )
    assert (
        math.time_elapsed(
            starts_on=date(2027, 1, 1), ends_on=date(2027, 3, 31), today=date(2027, 5, 1)
        )
        == 1
    )
    middle = math.time_elapsed(
        starts_on=date(2027, 1, 1), ends_on=date(2027, 3, 31), today=date(2027, 2, 15)
    )
    assert 0.49 < middle < 0.51


def test_grades_and_success():
    assert math.suggested_grade(0.66) == 0.7
    assert math.is_success(grade=0.7, commitment="aspirational")
    assert not math.is_success(grade=0.7, commitment="committed")
    assert math.is_success(grade=1.0, commitment="committed")


def test_quarters():
    assert math.quarter_bounds("2027-Q1") == (date(2027, 1, 1), date(2027, 3, 31))
    assert math.quarter_bounds("2027-q4") == (date(2027, 10, 1), date(2027, 12, 31))
    assert math.quarter_bounds("Spring") is None
    assert math.next_quarter_name("2027-Q4") == "2028-Q1"
    assert math.quarter_name(date(2027, 8, 3)) == "2027-Q3"
