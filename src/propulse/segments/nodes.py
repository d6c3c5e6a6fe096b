"""The typed nodes of a condition, as definition.parse_condition reads them from JSON."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field as attribute
from typing import Any

from propulse.segments.fields import Kind

Scalar = str | int | float | bool


@dataclass(frozen=True)
class Group:
    """``all`` (every child holds) or ``any`` (at least one holds)."""

    kind: str
    children: tuple[Condition, ...]
    path: str = attribute(default="", compare=False)


@dataclass(frozen=True)
class Not:
    child: Condition
    path: str = attribute(default="", compare=False)


@dataclass(frozen=True)
class FieldTest:
    """A test on a field; ``kind`` says how it compares (a custom field's is read off the value).

    ``value`` is normalised: a str, a number, a bool, a date, a day count, a tuple of those
    (``in``, ``not_in``, ``between``) or None (``is_empty``, ``is_not_empty``).
    """

    field: str
    op: str
    value: Any
    kind: Kind
    path: str = attribute(default="", compare=False)


@dataclass(frozen=True)
class EventTest:
    """Did at least ``min_count`` events of ``type`` (matching ``where``) in the window."""

    type: str
    within_days: int | None = None
    min_count: int = 1
    where: tuple[tuple[str, Scalar], ...] = ()
    path: str = attribute(default="", compare=False)


@dataclass(frozen=True)
class ConsentTest:
    """The contact's current e-mail basis is one of ``bases``."""

    bases: tuple[str, ...]
    channel: str = "email"
    path: str = attribute(default="", compare=False)


@dataclass(frozen=True)
class MembershipTest:
    segment_id: int
    member: bool = True
    path: str = attribute(default="", compare=False)


Condition = Group | Not | FieldTest | EventTest | ConsentTest | MembershipTest


def walk(condition: Condition) -> Iterator[Condition]:
    """Yield every node, the root first."""
    yield condition
    if isinstance(condition, Group):
        for child in condition.children:
            yield from walk(child)
    elif isinstance(condition, Not):
        yield from walk(condition.child)
