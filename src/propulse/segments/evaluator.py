"""Evaluate a condition in plain Python, exactly as the compiled SQL does.

Used for one or a few contacts on the event path (no query per segment), and as the
reference the SQL compiler is checked against by property tests.

``contact`` maps the field names of conditions to values (``company`` is the company's name,
``custom`` the dict of custom values); each event maps ``type``, ``occurred_at`` and
``properties``; ``memberships`` holds the ids of the segments the contact is in.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence, Set
from datetime import date, datetime, timedelta
from typing import Any

from propulse.segments.definition import (
    Condition,
    ConsentTest,
    EventTest,
    FieldTest,
    Group,
    MembershipTest,
    Not,
    as_condition,
)
from propulse.segments.fields import BUILT_IN_FIELDS, Kind, custom_key, day_start, fold, is_custom


def evaluate(
    condition: Condition | Mapping[str, Any],
    contact: Mapping[str, Any],
    *,
    events: Sequence[Mapping[str, Any]],
    memberships: Set[int],
    now: datetime,
) -> bool:
    """Return whether the contact meets the condition at ``now``."""
    return _Evaluation(contact, events, memberships, now).holds(as_condition(condition))


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


class _Evaluation:
    def __init__(
        self,
        contact: Mapping[str, Any],
        events: Sequence[Mapping[str, Any]],
        memberships: Set[int],
        now: datetime,
    ) -> None:
        self.contact = contact
        self.events = events
        self.memberships = memberships
        self.now = now

    def holds(self, node: Condition) -> bool:
        if isinstance(node, Group):
            results = (self.holds(child) for child in node.children)
            return all(results) if node.kind == "all" else any(results)
        if isinstance(node, Not):
            return not self.holds(node.child)
        if isinstance(node, FieldTest):
            return self.field(node)
        if isinstance(node, EventTest):
            return self.event(node)
        if isinstance(node, ConsentTest):
            return self.contact.get("email_consent") in node.bases
        if isinstance(node, MembershipTest):
            return (node.segment_id in self.memberships) == node.member
        raise TypeError(f"not a condition: {node!r}")  # pragma: no cover

    def field(self, node: FieldTest) -> bool:
        if is_custom(node.field):
            return self.custom(node)
        spec = BUILT_IN_FIELDS[node.field]
        return compare(
            self.contact.get(node.field),
            node,
            self.now,
            can_be_missing=spec.can_be_missing,
            normalise=spec.normalise,
        )

    def custom(self, node: FieldTest) -> bool:
        values = self.contact.get("custom") or {}
        raw = values.get(custom_key(node.field)) if isinstance(values, Mapping) else None
        if node.op in ("is_empty", "is_not_empty"):
            empty = raw is None or raw == ""
            return empty if node.op == "is_empty" else not empty
        if node.kind == Kind.number:
            return compare(raw if _is_number(raw) else None, node, self.now)
        return compare(raw if isinstance(raw, str) else None, node, self.now)

    def event(self, node: EventTest) -> bool:
        since = self.now - timedelta(days=node.within_days) if node.within_days else None
        count = 0
        for event in self.events:
            if event.get("type") != node.type:
                continue
            if since is not None and event["occurred_at"] < since:
                continue
            if not _properties_match(event.get("properties"), node.where):
                continue
            count += 1
            if count >= node.min_count:
                return True
        return False


def _properties_match(properties: Any, where: Sequence[tuple[str, Any]]) -> bool:
    if not where:
        return True
    if not isinstance(properties, Mapping):
        return False
    for name, wanted in where:
        value = properties.get(name)
        if isinstance(wanted, bool):
            if not (isinstance(value, bool) and value == wanted):
                return False
        elif _is_number(wanted):
            if not (_is_number(value) and value == wanted):
                return False
        elif not (isinstance(value, str) and fold(value) == fold(wanted)):
            return False
    return True


def compare(
    value: Any,
    node: FieldTest,
    now: datetime,
    *,
    can_be_missing: bool = True,
    normalise: Any = None,
) -> bool:
    """Compare one value as the node says; a missing value makes every test false."""
    kind, op, wanted = node.kind, node.op, node.value
    textual = kind in (Kind.text, Kind.choice, Kind.day)
    if not can_be_missing:
        present = True  # as in SQL, where such a column is never tested for emptiness
    else:
        present = value is not None and (value != "" if textual else True)
    if op == "is_empty":
        return not present
    if op == "is_not_empty":
        return present
    if not present:
        return False
    if kind == Kind.moment:
        return _moment(value, op, wanted, now)
    if kind == Kind.day and isinstance(wanted, date | tuple | int):
        return _day(value, op, wanted, now)
    if textual:
        return _text(value, op, wanted, normalise)
    return _plain(value, op, wanted)


def _text(value: str, op: str, wanted: Any, normalise: Any) -> bool:
    if op in ("eq", "ne", "in", "not_in"):
        listed = list(wanted) if isinstance(wanted, tuple) else [wanted]
        target: str
        converted: list[str]
        if normalise is not None:
            target, converted = value, [normalise(item) for item in listed]
        else:
            target, converted = fold(value), [fold(item) for item in listed]
        if op == "eq":
            return target == converted[0]
        if op == "ne":
            return target != converted[0]
        return (target in converted) == (op == "in")
    folded, needle = fold(value), fold(str(wanted))
    if op == "contains":
        return needle in folded
    if op == "not_contains":
        return needle not in folded
    if op == "starts_with":
        return folded.startswith(needle)
    raise ValueError(op)  # pragma: no cover


def _plain(value: Any, op: str, wanted: Any) -> bool:
    if op == "eq":
        return bool(value == wanted)
    if op == "ne":
        return bool(value != wanted)
    if op == "in":
        return value in wanted
    if op == "not_in":
        return value not in wanted
    if op == "gt":
        return bool(value > wanted)
    if op == "gte":
        return bool(value >= wanted)
    if op == "lt":
        return bool(value < wanted)
    if op == "lte":
        return bool(value <= wanted)
    if op == "between":
        return bool(wanted[0] <= value <= wanted[1])
    raise ValueError(op)  # pragma: no cover


def _moment(value: datetime, op: str, wanted: Any, now: datetime) -> bool:
    if op == "within_days":
        return value >= now - timedelta(days=wanted)
    if op == "before_days":
        return value < now - timedelta(days=wanted)
    if op == "between":
        return day_start(wanted[0]) <= value < day_start(wanted[1] + timedelta(days=1))
    start, end = day_start(wanted), day_start(wanted + timedelta(days=1))
    if op == "eq":
        return start <= value < end
    if op == "gt":
        return value >= end
    if op == "gte":
        return value >= start
    if op == "lt":
        return value < start
    if op == "lte":
        return value < end
    raise ValueError(op)  # pragma: no cover


def _day(value: str, op: str, wanted: Any, now: datetime) -> bool:
    if op == "within_days":
        return value >= (now - timedelta(days=wanted)).date().isoformat()
    if op == "before_days":
        return value < (now - timedelta(days=wanted)).date().isoformat()
    if op == "between":
        return bool(wanted[0].isoformat() <= value <= wanted[1].isoformat())
    return _plain(value, op, wanted.isoformat())
