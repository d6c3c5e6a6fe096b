"""Score arithmetic: decay, caps, groups, the total limit, rounding and grades (pure).

``scoring/sql.py`` computes the same figures in SQL. Both follow the plan built here (the
same rules in the same order, the same operations in the same order on IEEE doubles), so a
contact's stored score is the same integer whichever path computed it:

- an event's age is counted in whole seconds (each instant truncated to the second), so it
  is an integer in Python, in SQLite and in PostgreSQL alike;
- an engagement rule's raw points are ``points × Σ factor`` over its matching events: the
  factor is 1 (no decay), 1 or 0 (expiry: counted while ``age <= days``), or
  ``0.5 ** (age / half-life)`` (half-life); an event in the future counts fully;
- a rule's cap bounds the absolute value of its points (a negative rule never takes away
  more than its cap); a group's cap bounds the absolute value of the sum of its rules;
- fit and engagement are summed separately, then each is rounded half up
  (``floor(x + 0.5)``); the score is the sum of the two rounded parts, capped by the limit.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from propulse.scoring.explanation import RuleContribution, ScoreExplanation

SECONDS_PER_DAY = 86_400
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_ONE_SECOND = timedelta(seconds=1)

FIT = "fit"
ENGAGEMENT = "engagement"
NO_DECAY = "none"
HALF_LIFE = "half_life"
EXPIRY = "expiry"

Number = int | float


@dataclass(frozen=True)
class Rule:
    """A scoring rule as plain data (see ``ScoringRule``)."""

    id: int
    name: str
    kind: str
    points: int
    group: str = ""
    cap: int | None = None
    decay: str = NO_DECAY
    decay_days: int | None = None
    event_type: str | None = None
    # Engagement: equality on event properties. Fit: the condition on the contact's fields.
    where: Mapping[str, Any] = field(default_factory=dict)
    condition: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Limits:
    """The settings a score depends on: group caps, the limit, grade and MQL thresholds."""

    total_limit: int | None = 100
    group_caps: Mapping[str, int] = field(default_factory=dict)
    fit_grade_a: int = 40
    fit_grade_b: int = 20
    engagement_grade_1: int = 30
    engagement_grade_2: int = 10
    mql_threshold: int = 60


@dataclass(frozen=True)
class Event:
    type: str
    occurred_at: datetime
    properties: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class Unit:
    """Rules added up together: one rule on its own, or a named group under its cap."""

    group: str  # "" for a rule on its own
    rules: tuple[Rule, ...]
    cap: int | None


@dataclass(frozen=True)
class Plan:
    """The active rules in evaluation order, grouped, with the limits: what both paths follow."""

    fit: tuple[Unit, ...]
    engagement: tuple[Unit, ...]
    limits: Limits

    @property
    def fit_rules(self) -> list[Rule]:
        return [rule for unit in self.fit for rule in unit.rules]

    @property
    def engagement_rules(self) -> list[Rule]:
        return [rule for unit in self.engagement for rule in unit.rules]

    @property
    def event_types(self) -> frozenset[str]:
        """Return the event types some engagement rule counts."""
        return frozenset(rule.event_type for rule in self.engagement_rules if rule.event_type)

    @property
    def decays(self) -> bool:
        """Return whether time alone can change a score (a rule decays or expires)."""
        return any(rule.decay != NO_DECAY for rule in self.engagement_rules)


def _units(rules: Sequence[Rule], group_caps: Mapping[str, int]) -> tuple[Unit, ...]:
    """Group rules in order of first appearance; a rule without a group stands alone."""
    order: list[str | int] = []
    members: dict[str | int, list[Rule]] = {}
    for rule in rules:
        key: str | int = rule.group if rule.group else rule.id
        if key not in members:
            order.append(key)
            members[key] = []
        members[key].append(rule)
    return tuple(
        Unit(group=key, rules=tuple(members[key]), cap=group_caps.get(key))
        if isinstance(key, str)
        else Unit(group="", rules=tuple(members[key]), cap=None)
        for key in order
    )


def make_plan(rules: Sequence[Rule], limits: Limits) -> Plan:
    """Build the evaluation plan of rules given in their display order (position, id).

    A group's cap applies to the rules of one kind: a fit rule and an engagement rule of the
    same group name are capped separately (the service keeps a group to one kind anyway).
    """
    fit = [rule for rule in rules if rule.kind == FIT]
    engagement = [rule for rule in rules if rule.kind == ENGAGEMENT and rule.event_type]
    return Plan(
        fit=_units(fit, limits.group_caps),
        engagement=_units(engagement, limits.group_caps),
        limits=limits,
    )


def epoch_seconds(moment: datetime) -> int:
    """Return whole seconds since 1970 (floor), as SQL computes them from a stored instant."""
    return (moment - EPOCH) // _ONE_SECOND


def age_seconds(now: datetime, occurred_at: datetime) -> int:
    """Return an event's age in whole seconds (negative for an event in the future)."""
    return epoch_seconds(now) - epoch_seconds(occurred_at)


def half_life_factor(age: int, days: int) -> float:
    """Return ``0.5 ** (age_days / days)``; an event in the future counts fully (age 0)."""
    return float(0.5 ** (max(age, 0) / float(days * SECONDS_PER_DAY)))


_FOLD = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def fold(text: str) -> str:
    """Lower-case A-Z only, as segments do in Python and SQL (SQLite's lower() is ASCII)."""
    return text.translate(_FOLD)


def property_matches(properties: Mapping[str, Any] | None, key: str, expected: Any) -> bool:
    """Compare one event property by JSON type, as segment conditions do.

    Text with text ignoring the case of A-Z, a number with a number, a boolean with a boolean.
    """
    if not isinstance(properties, Mapping) or key not in properties:
        return False
    actual = properties[key]
    if isinstance(expected, bool):
        return isinstance(actual, bool) and actual is expected
    if isinstance(expected, int | float):
        return (
            isinstance(actual, int | float) and not isinstance(actual, bool) and actual == expected
        )
    return isinstance(actual, str) and fold(actual) == fold(str(expected))


def event_matches(rule: Rule, event: Event) -> bool:
    if event.type != rule.event_type:
        return False
    return all(property_matches(event.properties, k, v) for k, v in rule.where.items())


def rule_total(rule: Rule, ages: Sequence[int]) -> Number:
    """Return Σ factor over the ages of a rule's matching events (a count without decay)."""
    if rule.decay == HALF_LIFE and rule.decay_days:
        return sum(half_life_factor(age, rule.decay_days) for age in ages)
    if rule.decay == EXPIRY and rule.decay_days:
        limit = rule.decay_days * SECONDS_PER_DAY
        return sum(1 for age in ages if age <= limit)
    return len(ages)


def cap_value(value: Number, cap: int | None) -> Number:
    """Bound the absolute value: ``-cap <= value <= cap``."""
    if cap is None:
        return value
    if value > cap:
        return cap
    if value < -cap:
        return -cap
    return value


def round_half_up(value: Number) -> int:
    return math.floor(value + 0.5)


def limit_total(fit: int, engagement: int, total_limit: int | None) -> int:
    total = fit + engagement
    if total_limit is not None and total > total_limit:
        return total_limit
    return total


def grade(fit: int, engagement: int, limits: Limits) -> str:
    """Return the letter of fit (A, B, C) and the digit of engagement (1, 2, 3), e.g. "B1"."""
    letter = "A" if fit >= limits.fit_grade_a else "B" if fit >= limits.fit_grade_b else "C"
    digit = (
        "1"
        if engagement >= limits.engagement_grade_1
        else "2"
        if engagement >= limits.engagement_grade_2
        else "3"
    )
    return letter + digit


@dataclass(frozen=True)
class _RulePart:
    rule: Rule
    raw: Number
    capped: Number
    count: int


def _sum(values: Sequence[Number]) -> Number:
    """Add left to right, as the SQL expression ``a + b + c`` does."""
    total: Number = 0
    for index, value in enumerate(values):
        total = value if index == 0 else total + value
    return total


def _sum_units(
    units: Sequence[Unit], parts: Mapping[int, _RulePart]
) -> tuple[Number, list[tuple[Unit, Number, Number]]]:
    """Return the kind's total and, per unit, (unit, sum before its cap, value after it)."""
    values: list[Number] = []
    detail: list[tuple[Unit, Number, Number]] = []
    for unit in units:
        inner = _sum([parts[rule.id].capped for rule in unit.rules])
        value = cap_value(inner, unit.cap) if unit.group else inner
        values.append(value)
        detail.append((unit, inner, value))
    return _sum(values), detail


def describe_plainly(rule: Rule, count: int) -> str:
    """Describe a contribution in English (the service passes a translated describer)."""
    if rule.kind == FIT:
        return "matches"
    return f"{count} × {rule.event_type}"


Describer = Callable[[Rule, int], str]


def compute(
    plan: Plan,
    *,
    fit_matched: Collection[int],
    events: Sequence[Event],
    now: datetime,
    describe: Describer = describe_plainly,
) -> ScoreExplanation:
    """Compute a contact's score and its breakdown from the fit rules it matches and its events.

    ``fit_matched`` holds the ids of the fit rules whose condition the contact meets.
    """
    parts: dict[int, _RulePart] = {}
    for rule in plan.fit_rules:
        matched = rule.id in fit_matched
        raw: Number = rule.points if matched else 0
        parts[rule.id] = _RulePart(rule, raw, cap_value(raw, rule.cap), int(matched))
    for rule in plan.engagement_rules:
        ages = [
            age_seconds(now, event.occurred_at) for event in events if event_matches(rule, event)
        ]
        raw = rule.points * rule_total(rule, ages)
        parts[rule.id] = _RulePart(rule, raw, cap_value(raw, rule.cap), len(ages))
    fit_raw, fit_units = _sum_units(plan.fit, parts)
    engagement_raw, engagement_units = _sum_units(plan.engagement, parts)
    fit = round_half_up(fit_raw)
    engagement = round_half_up(engagement_raw)
    score = limit_total(fit, engagement, plan.limits.total_limit)
    contributions: list[RuleContribution] = []
    capped_groups: list[str] = []
    for unit, inner, value in fit_units + engagement_units:
        group_capped = bool(unit.group) and value != inner
        if group_capped:
            capped_groups.append(unit.group)
        share = value / inner if group_capped and inner else 1
        for rule in unit.rules:
            part = parts[rule.id]
            if part.raw == 0:
                continue
            contributions.append(
                RuleContribution(
                    rule_id=rule.id,
                    name=rule.name,
                    kind=rule.kind,
                    group=rule.group,
                    points=float(part.capped * share),
                    raw_points=float(part.raw),
                    capped=group_capped or part.capped != part.raw,
                    detail=describe(rule, part.count),
                )
            )
    return ScoreExplanation(
        score=score,
        fit_score=fit,
        engagement_score=engagement,
        grade=grade(fit, engagement, plan.limits),
        contributions=contributions,
        capped_groups=capped_groups,
        total_limited=score != fit + engagement,
    )
