"""Re-evaluate the dynamic segments for a few contacts (the event path) or a batch (an import).

A few contacts: three indexed queries (the contacts, their relevant events, their memberships),
then the Python evaluator on each segment in dependency order. A batch: the compiled SQL per
segment, restricted to the batch's ids, a chunk at a time.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, bindparam, or_, select
from sqlalchemy.orm import Session

from propulse.contacts.models import Company, Contact, ContactEvent
from propulse.segments.compiler import compile_condition
from propulse.segments.definition import EventTest, walk
from propulse.segments.evaluator import evaluate
from propulse.segments.fields import BUILT_IN_FIELDS
from propulse.segments.models import SegmentMember
from propulse.segments.plan import PlannedSegment
from propulse.segments.sqljson import id_list
from propulse.segments.writes import Change, write_members

CHUNK = 500  # ids per IN list: well under SQLite's limit on parameters

_COLUMNS = [getattr(Contact, name) for name in BUILT_IN_FIELDS if name not in ("company",)]


def chunks(ids: Sequence[int], size: int = CHUNK) -> list[Sequence[int]]:
    return [ids[start : start + size] for start in range(0, len(ids), size)]


# Built once (the event path runs them for every new event), the ids bound at execution.
_SEGMENT_IDS = (
    select(id_list(SegmentMember.segment_id))
    .where(SegmentMember.contact_id == Contact.id)
    .scalar_subquery()
    .label("segment_ids")
)
_FACTS = (
    select(Contact.id, *_COLUMNS, Contact.custom, Company.name.label("company"), _SEGMENT_IDS)
    .outerjoin(Company, Company.id == Contact.company_id)
    .where(Contact.id.in_(bindparam("ids", expanding=True)))
)
_MEMBERSHIPS = select(SegmentMember.contact_id, SegmentMember.segment_id).where(
    SegmentMember.contact_id.in_(bindparam("ids", expanding=True))
)


def contact_facts(session: Session, contact_ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    """Return what conditions test of each contact, read from the database (not the session).

    ``segment_ids`` holds the set of segments (dynamic and static) the contact is in.
    """
    facts: dict[int, dict[str, Any]] = {}
    for row in session.execute(_FACTS, {"ids": list(contact_ids)}):
        found = dict(row._mapping)
        listed = found.pop("segment_ids") or ""
        found["segment_ids"] = {int(part) for part in listed.split(",") if part}
        facts[row.id] = found
    return facts


def _event_filter(plan: Sequence[PlannedSegment], now: datetime) -> ColumnElement[bool] | None:
    """Return which events can matter: the types tested, since the widest window of each."""
    windows: dict[str, int | None] = {}
    for item in plan:
        for node in walk(item.condition):
            if isinstance(node, EventTest):
                known = windows.get(node.type, 0)
                if node.within_days is None or known is None:
                    windows[node.type] = None
                else:
                    windows[node.type] = max(known, node.within_days)
    if not windows:
        return None
    tests = [
        ContactEvent.type == kind
        if days is None
        else and_(ContactEvent.type == kind, ContactEvent.occurred_at >= now - timedelta(days=days))
        for kind, days in sorted(windows.items(), key=lambda item: item[0])
    ]
    return or_(*tests)


def contact_events(
    session: Session, contact_ids: Sequence[int], plan: Sequence[PlannedSegment], now: datetime
) -> dict[int, list[dict[str, Any]]]:
    """Return the events the plan's conditions can count, by contact."""
    events: dict[int, list[dict[str, Any]]] = defaultdict(list)
    relevant = _event_filter(plan, now)
    if relevant is None:
        return events
    statement = select(
        ContactEvent.contact_id,
        ContactEvent.type,
        ContactEvent.occurred_at,
        ContactEvent.properties,
    ).where(ContactEvent.contact_id.in_(contact_ids), relevant)
    for row in session.execute(statement):
        events[row.contact_id].append(
            {"type": row.type, "occurred_at": row.occurred_at, "properties": row.properties}
        )
    return events


def memberships_of(session: Session, contact_ids: Sequence[int]) -> dict[int, set[int]]:
    """Return the segments (dynamic and static) each contact is in."""
    found: dict[int, set[int]] = defaultdict(set)
    for contact_id, segment_id in session.execute(_MEMBERSHIPS, {"ids": list(contact_ids)}):
        found[contact_id].add(segment_id)
    return found


def changes_in_python(
    session: Session, contact_ids: Sequence[int], plan: Sequence[PlannedSegment], now: datetime
) -> list[Change]:
    """Evaluate each segment for each contact in Python; return what must change."""
    facts = contact_facts(session, contact_ids)
    events = contact_events(session, list(facts), plan, now)
    changes: list[Change] = []
    for contact_id, contact in facts.items():
        mine = contact["segment_ids"]
        for item in plan:
            wanted = evaluate(
                item.condition,
                contact,
                events=events.get(contact_id, ()),
                memberships=mine,
                now=now,
            )
            if wanted != (item.id in mine):
                changes.append(Change(item.id, contact_id, wanted))
                # Segments computed later may test this one: they see the new membership.
                if wanted:
                    mine.add(item.id)
                else:
                    mine.discard(item.id)
    return changes


def changes_in_sql(
    session: Session, contact_ids: Sequence[int], plan: Sequence[PlannedSegment], now: datetime
) -> list[Change]:
    """Evaluate each segment with its SQL over a chunk of ids; write rows as it goes.

    Rows are written segment by segment because a later segment's SQL reads segment_members.
    """
    changes: list[Change] = []
    for chunk in chunks(contact_ids):
        current = memberships_of(session, chunk)
        for item in plan:
            matching = set(
                session.scalars(
                    select(Contact.id).where(
                        Contact.id.in_(chunk), compile_condition(item.condition, now=now)
                    )
                )
            )
            inside = {contact_id for contact_id in chunk if item.id in current[contact_id]}
            found = [Change(item.id, contact_id, True) for contact_id in sorted(matching - inside)]
            found += [
                Change(item.id, contact_id, False) for contact_id in sorted(inside - matching)
            ]
            if found:
                write_members(session, found, now)
                changes += found
    return changes
