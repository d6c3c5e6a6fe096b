"""Progress, status and grades of key results and objectives: pure arithmetic, no I/O."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

ASPIRATIONAL_SUCCESS = 0.7
# How far behind the time elapsed progress may lag before the status degrades.
AT_RISK_GAP = 0.1
OFF_TRACK_GAP = 0.3
CONFIDENT = 6
NOT_CONFIDENT = 3


class Status(StrEnum):
    on_track = "on_track"
    at_risk = "at_risk"
    off_track = "off_track"


def clamp(value: float) -> float:
    return max(0.0, min(1.0, value))


def key_result_progress(*, direction: str, start: float, target: float, current: float) -> float:
    """Return 0..1: the share of the way from start to target (a threshold is met or not)."""
    if direction in ("increase", "decrease"):
        if target == start:
            return 1.0 if current == target else 0.0
        return clamp((current - start) / (target - start))
    if direction == "above":
        return 1.0 if current >= target else 0.0
    if direction == "below":
        return 1.0 if current <= target else 0.0
    raise ValueError(f"unknown direction {direction!r}")


@dataclass(frozen=True)
class WeightedProgress:
    progress: float
    weight: float


def objective_progress(parts: Sequence[WeightedProgress]) -> float:
    """Roll key results up into their objective: a weighted mean (equal weights by default)."""
    total_weight = sum(part.weight for part in parts)
    if not parts or total_weight <= 0:
        return 0.0
    return clamp(sum(part.progress * part.weight for part in parts) / total_weight)


def time_elapsed(*, starts_on: date, ends_on: date, today: date) -> float:
    """Return the share of the period elapsed on ``today`` (0 before it, 1 after it)."""
    if today <= starts_on:
        return 0.0
    if today >= ends_on:
        return 1.0
    return (today - starts_on).days / max(1, (ends_on - starts_on).days)


def status(*, progress: float, elapsed: float, confidence: int | None) -> Status:
    """Compare progress with the time elapsed, then temper it with the owner's confidence."""
    gap = elapsed - progress
    if gap > OFF_TRACK_GAP or (confidence is not None and confidence <= NOT_CONFIDENT):
        return Status.off_track
    if gap > AT_RISK_GAP or (confidence is not None and confidence < CONFIDENT):
        return Status.at_risk
    return Status.on_track


def suggested_grade(progress: float) -> float:
    """Grade a key result from its progress, to the nearest tenth (0.0 to 1.0)."""
    return round(clamp(progress) * 10) / 10


def is_success(*, grade: float, commitment: str) -> bool:
    """A committed key result succeeds at 1.0; an aspirational one already at 0.7."""
    threshold = ASPIRATIONAL_SUCCESS if commitment == "aspirational" else 1.0
    return grade >= threshold - 1e-9


def quarter_bounds(name: str) -> tuple[date, date] | None:
    """Return the first and last day of a quarter named like 2027-Q1, or None."""
    year_text, _, quarter_text = name.strip().upper().partition("-Q")
    if not (year_text.isdigit() and len(year_text) == 4 and quarter_text in {"1", "2", "3", "4"}):
        return None
    year, quarter = int(year_text), int(quarter_text)
    first_month = 3 * (quarter - 1) + 1
    start = date(year, first_month, 1)
    end = date(year + 1, 1, 1) if quarter == 4 else date(year, first_month + 3, 1)
    return start, date.fromordinal(end.toordinal() - 1)


def quarter_name(day: date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def next_quarter_name(name: str) -> str | None:
    bounds = quarter_bounds(name)
    if bounds is None:
        return None
    return quarter_name(date.fromordinal(bounds[1].toordinal() + 1))
