"""The dynamic segments as conditions, in the order they must be computed."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, cast

from sqlalchemy import String, func, select
from sqlalchemy import cast as sql_cast
from sqlalchemy.orm import Session

from propulse.kit.errors import InvalidInput
from propulse.segments.definition import (
    Condition,
    EventTest,
    is_time_dependent,
    parse_condition,
    referenced_segments,
    walk,
)
from propulse.segments.models import Segment, SegmentKind
from propulse.segments.order import dependency_order, dependents
from propulse.segments.sqljson import id_list

logger = logging.getLogger(__name__)

# Built once: the event path runs them for every new event.
_DYNAMIC = select(Segment.id, Segment.name, Segment.definition).where(
    Segment.kind == SegmentKind.dynamic
)
_ALL_DEFINITIONS = select(Segment.id, Segment.definition)


@dataclass(frozen=True)
class PlannedSegment:
    """A dynamic segment ready to evaluate."""

    id: int
    name: str
    condition: Condition
    time_dependent: bool
    # The event types the condition tests (the event path loads only those).
    event_types: frozenset[str] = frozenset()


@lru_cache(maxsize=512)
def _parse_text(text: str) -> Condition:
    return parse_condition(json.loads(text))


def parsed(definition: Mapping[str, Any]) -> Condition:
    """Parse a stored definition, remembering the result (the event path parses every segment)."""
    return _parse_text(json.dumps(definition, sort_keys=True))


def graph_of(definitions: Mapping[int, Mapping[str, Any] | None]) -> dict[int, set[int]]:
    """Map each segment to the segments its stored definition tests (a bad one tests none)."""
    graph: dict[int, set[int]] = {}
    for segment_id, raw in definitions.items():
        try:
            graph[segment_id] = referenced_segments(parsed(raw)) if raw is not None else set()
        except InvalidInput:
            graph[segment_id] = set()
    return graph


def segment_graph(session: Session) -> dict[int, set[int]]:
    """Map every segment to the segments its definition tests."""
    rows = session.execute(_ALL_DEFINITIONS)
    return graph_of({row.id: row.definition for row in rows})


# Plans by the (id, version, created_at) of the dynamic segments: every edit of a segment bumps
# its version, and a deleted segment's id given again to a new one has another creation time, so
# any change changes the key. The event path then reads one short text instead of every
# definition, and parses nothing. The key is one value (a scalar subquery), so that it can ride
# along in a statement of the event path that runs anyway (scoring's plan): one round trip less.
_PART = (
    sql_cast(Segment.id, String)
    + ":"
    + sql_cast(Segment.version, String)
    + ":"
    + sql_cast(Segment.created_at, String)
)
PLAN_KEY = (  # '' when there is no dynamic segment, so that None means "not read"
    select(func.coalesce(id_list(_PART), ""))
    .where(Segment.kind == SegmentKind.dynamic)
    .scalar_subquery()
)
_PLAN_KEY_QUERY = select(PLAN_KEY)
_plans: dict[tuple[str, ...], list[PlannedSegment]] = {}
_PLANS_KEPT = 16
_MEMO_KEY = "segment_plan"


def dynamic_plan(session: Session, *, only: Iterable[int] | None = None) -> list[PlannedSegment]:
    """Return the dynamic segments (or ``only`` those) so that dependencies come first."""
    plan = cached_plan(session)
    if only is None:
        return list(plan)
    wanted = set(only)
    # A subsequence of a dependency order is still one.
    return [item for item in plan if item.id in wanted]


def cached_plan(session: Session) -> list[PlannedSegment]:
    """Return the plan of every dynamic segment, shared: the caller must not change the list.

    While a batch of events is published, the segments are read once for all subscribers.
    """
    from propulse.contacts.events import memo

    shared = memo(session)
    plan = shared.get(_MEMO_KEY) if shared is not None else None
    if plan is None:
        if session.new or session.dirty or session.deleted:
            session.flush()
        plan = _plan_for(session, session.connection().scalar(_PLAN_KEY_QUERY))
        if shared is not None:
            shared[_MEMO_KEY] = plan
    return cast(list[PlannedSegment], plan)


def remember_key(session: Session, key: str | None) -> None:
    """Take the value of ``PLAN_KEY`` read by another statement of the change being published
    (None: not read); ``cached_plan`` then reads nothing."""
    from propulse.contacts.events import memo

    shared = memo(session)
    if key is not None and shared is not None and _MEMO_KEY not in shared:
        shared[_MEMO_KEY] = _plan_for(session, key)


def _plan_for(session: Session, key_text: str | None) -> list[PlannedSegment]:
    # The parts come in no particular order (SQLite's group_concat has no ORDER BY).
    key = tuple(sorted(key_text.split(","))) if key_text else ()
    plan = _plans.get(key)
    if plan is None:
        plan = _build_plan(session)
        if len(_plans) >= _PLANS_KEPT:
            _plans.clear()
        _plans[key] = plan
    return plan


def _build_plan(session: Session) -> list[PlannedSegment]:
    rows = session.execute(_DYNAMIC).all()
    planned: dict[int, PlannedSegment] = {}
    for row in rows:
        if row.definition is None:
            continue
        try:
            condition = parsed(row.definition)
        except InvalidInput:
            # Saved definitions are checked; one edited by hand is skipped, not fatal.
            logger.warning("segment %s has an invalid definition; skipped", row.id)
            continue
        types = frozenset(node.type for node in walk(condition) if isinstance(node, EventTest))
        planned[row.id] = PlannedSegment(
            row.id, row.name, condition, is_time_dependent(condition), types
        )
    graph = {key: referenced_segments(item.condition) for key, item in planned.items()}
    order = dependency_order({key: graph.get(key, set()) for key in planned})
    return [planned[key] for key in order]


def with_dependents(session: Session, segment_ids: Iterable[int]) -> list[PlannedSegment]:
    """Return these dynamic segments and those depending on them, in computing order."""
    roots = set(segment_ids)
    return dynamic_plan(session, only=roots | dependents(segment_graph(session), roots))


def sweep_plan(session: Session) -> list[PlannedSegment]:
    """Return what the hourly sweep rebuilds: segments time can change, and those pending.

    A segment testing membership of such a segment can change with it, so it follows.
    """
    plan = dynamic_plan(session)
    pending = set(session.scalars(select(Segment.id).where(Segment.needs_rebuild.is_(True))))
    roots = {item.id for item in plan if item.time_dependent} | pending
    targets = roots | dependents(segment_graph(session), roots)
    return [item for item in plan if item.id in targets]


def effectively_time_dependent(session: Session) -> set[int]:
    """Return the ids of segments that time can change, directly or through another segment."""
    plan = dynamic_plan(session)
    roots = {item.id for item in plan if item.time_dependent}
    return roots | dependents(segment_graph(session), roots)
