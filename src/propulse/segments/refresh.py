"""Re-evaluate the dynamic segments for a few contacts (the event path) or a batch (an import).

A few contacts: one statement (the contacts with their memberships and their events of the
types the segments test; see snapshot.py), then the Python evaluator on each segment in
dependency order. A batch: the compiled SQL per segment, restricted to the batch's ids, a
chunk at a time.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from propulse.contacts.models import Contact
from propulse.segments.compiler import compile_condition
from propulse.segments.evaluator import evaluate
from propulse.segments.models import SegmentMember
from propulse.segments.plan import PlannedSegment
from propulse.segments.snapshot import Snapshot, load
from propulse.segments.writes import Change, write_members

CHUNK = 500  # ids per IN list: well under SQLite's limit on parameters


def chunks(ids: Sequence[int], size: int = CHUNK) -> list[Sequence[int]]:
    return [ids[start : start + size] for start in range(0, len(ids), size)]


# Built once, the ids bound at execution.
_MEMBERSHIPS = select(SegmentMember.contact_id, SegmentMember.segment_id).where(
    SegmentMember.contact_id.in_(bindparam("ids", expanding=True))
)


def contact_facts(session: Session, contact_ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    """Return what conditions test of each contact, read from the database (not the session).

    ``segment_ids`` holds the set of segments (dynamic and static) the contact is in. The rows
    are the event path's (see snapshot.py): the property tests evaluate conditions on them.
    """
    return load(session, contact_ids, ()).contacts


def memberships_of(session: Session, contact_ids: Sequence[int]) -> dict[int, set[int]]:
    """Return the segments (dynamic and static) each contact is in."""
    found: dict[int, set[int]] = defaultdict(set)
    for contact_id, segment_id in session.execute(_MEMBERSHIPS, {"ids": list(contact_ids)}):
        found[contact_id].add(segment_id)
    return found


def changes_in_python(
    session: Session,
    contact_ids: Sequence[int],
    plan: Sequence[PlannedSegment],
    now: datetime,
    *,
    snapshot: Snapshot | None = None,
) -> list[Change]:
    """Evaluate each segment for each contact in Python; return what must change.

    ``snapshot``: the contacts and events already loaded (by scoring, on the event path).
    """
    types: frozenset[str] = frozenset()
    for item in plan:
        types |= item.event_types
    if snapshot is None or not snapshot.covers(contact_ids, types):
        snapshot = load(session, contact_ids, types)
    asked = set(contact_ids)
    changes: list[Change] = []
    for contact_id, contact in snapshot.contacts.items():
        if contact_id not in asked:
            continue
        mine = set(contact["segment_ids"])
        events = snapshot.events.get(contact_id, ())
        for item in plan:
            wanted = evaluate(item.condition, contact, events=events, memberships=mine, now=now)
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
