"""Writing membership changes: rows of segment_members, enter/leave events, counts, the news."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Insert, Table, delete, insert, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from propulse.contacts import hooks
from propulse.contacts.models import EventType
from propulse.segments.models import Segment, SegmentMember

MEMBERS = cast(Table, SegmentMember.__table__)
SEGMENTS = cast(Table, Segment.__table__)


@dataclass(frozen=True)
class Change:
    """A contact entering (``entered``) or leaving a segment."""

    segment_id: int
    contact_id: int
    entered: bool


def event_properties(segment_id: int, name: str) -> dict[str, Any]:
    """Return the properties of an enter/leave event (the name as it was then)."""
    return {"segment_id": segment_id, "segment": name}


def members_insert(session: Session) -> Insert:
    """Return an INSERT into segment_members that skips a row a concurrent writer added."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return postgresql.insert(MEMBERS).on_conflict_do_nothing()
    if dialect == "sqlite":
        return sqlite.insert(MEMBERS).on_conflict_do_nothing()
    return insert(MEMBERS)  # pragma: no cover - both supported databases are above


def write_members(session: Session, changes: Sequence[Change], now: datetime) -> None:
    """Insert and delete the membership rows of these changes."""
    added = [
        {"segment_id": c.segment_id, "contact_id": c.contact_id, "added_at": now}
        for c in changes
        if c.entered
    ]
    if added:
        session.connection().execute(members_insert(session), added)
    removed: dict[int, list[int]] = defaultdict(list)
    for change in changes:
        if not change.entered:
            removed[change.segment_id].append(change.contact_id)
    for segment_id, contact_ids in removed.items():
        session.connection().execute(
            delete(MEMBERS).where(
                MEMBERS.c.segment_id == segment_id, MEMBERS.c.contact_id.in_(contact_ids)
            )
        )


def record_events(
    session: Session, changes: Sequence[Change], names: Mapping[int, str], now: datetime
) -> None:
    """Record segment_entered / segment_left on each contact's timeline (nobody is told)."""
    from propulse.contacts import service as contacts

    by_contact: dict[int, list[tuple[str, datetime, dict[str, Any] | None]]] = defaultdict(list)
    for change in changes:
        kind = EventType.segment_entered if change.entered else EventType.segment_left
        by_contact[change.contact_id].append(
            (kind.value, now, event_properties(change.segment_id, names[change.segment_id]))
        )
    for contact_id, events in by_contact.items():
        contacts.add_events(session, contact_id=contact_id, events=events, publish=False)


def adjust_counts(session: Session, changes: Iterable[Change]) -> None:
    """Move each segment's member_count by its entries minus its departures."""
    delta: dict[int, int] = defaultdict(int)
    for change in changes:
        delta[change.segment_id] += 1 if change.entered else -1
    for segment_id in sorted(delta):
        if delta[segment_id]:
            session.connection().execute(
                update(SEGMENTS)
                .where(SEGMENTS.c.id == segment_id)
                .values(
                    member_count=SEGMENTS.c.member_count + delta[segment_id],
                    # A count is not an edit: updated_at keeps the last change of the segment.
                    updated_at=SEGMENTS.c.updated_at,
                )
            )
            forget_counts(session, segment_id)


def forget_counts(session: Session, segment_id: int) -> None:
    """Expire a loaded segment's figures written behind the ORM's back (its version stays)."""
    loaded = session.identity_map.get(identity_key(Segment, segment_id))
    if loaded is not None:
        session.expire(loaded, ["member_count", "rebuilt_at", "needs_rebuild", "updated_at"])


def announce(session: Session, changes: Sequence[Change]) -> None:
    """Tell the subscribers (scoring rules may count these events); segments ignores it."""
    if not changes:
        return
    types = {
        (EventType.segment_entered if c.entered else EventType.segment_left).value for c in changes
    }
    contact_ids = sorted({change.contact_id for change in changes})
    facts = [
        hooks.EventFact(
            change.contact_id,
            (EventType.segment_entered if change.entered else EventType.segment_left).value,
            {"segment_id": change.segment_id},
        )
        for change in changes
    ]
    hooks.publish(
        session,
        hooks.ContactChange(
            contact_ids, cause="segment", event_types=frozenset(types), facts=facts
        ),
    )


def apply_changes(
    session: Session,
    changes: Sequence[Change],
    names: Mapping[int, str],
    now: datetime,
    *,
    rows_written: bool = False,
) -> None:
    """Write the changes (unless their rows already are), their events and counts; tell."""
    if not changes:
        return
    if not rows_written:
        write_members(session, changes, now)
    record_events(session, changes, names, now)
    adjust_counts(session, changes)
    announce(session, changes)
