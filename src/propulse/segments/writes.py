"""Writing membership changes: rows of segment_members, enter/leave events, counts, the news."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Insert, Table, bindparam, delete, insert, update
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


_INSERTS: dict[str, Insert] = {
    "postgresql": postgresql.insert(MEMBERS).on_conflict_do_nothing(),
    "sqlite": sqlite.insert(MEMBERS).on_conflict_do_nothing(),
}
# Built once, run with many parameter sets: the event path writes through these.
_DELETE = delete(MEMBERS).where(
    MEMBERS.c.segment_id == bindparam("segment_key"),
    MEMBERS.c.contact_id == bindparam("contact_key"),
)
_ADJUST = (
    update(SEGMENTS)
    .where(SEGMENTS.c.id == bindparam("segment_key"))
    .values(
        member_count=SEGMENTS.c.member_count + bindparam("delta"),
        # A count is not an edit: updated_at keeps the last change of the segment.
        updated_at=SEGMENTS.c.updated_at,
    )
)


def members_insert(session: Session) -> Insert:
    """Return an INSERT into segment_members that skips a row a concurrent writer added."""
    dialect = session.get_bind().dialect.name
    return _INSERTS.get(dialect, insert(MEMBERS))


def _many(rows: list[dict[str, Any]]) -> dict[str, Any] | list[dict[str, Any]]:
    return rows[0] if len(rows) == 1 else rows


def write_members(session: Session, changes: Sequence[Change], now: datetime) -> None:
    """Insert and delete the membership rows of these changes (one statement for each)."""
    added = [
        {"segment_id": c.segment_id, "contact_id": c.contact_id, "added_at": now}
        for c in changes
        if c.entered
    ]
    connection = session.connection()
    if added:
        connection.execute(members_insert(session), _many(added))
    removed = [
        {"segment_key": c.segment_id, "contact_key": c.contact_id} for c in changes if not c.entered
    ]
    if removed:
        connection.execute(_DELETE, _many(removed))


def record_events(
    session: Session, changes: Sequence[Change], names: Mapping[int, str], now: datetime
) -> None:
    """Record segment_entered / segment_left on each contact's timeline (nobody is told)."""
    from propulse.contacts.events import store_events

    entered, left = EventType.segment_entered.value, EventType.segment_left.value
    store_events(
        session,
        events=[
            (
                change.contact_id,
                entered if change.entered else left,
                now,
                event_properties(change.segment_id, names[change.segment_id]),
            )
            for change in changes
        ],
    )


def adjust_counts(session: Session, changes: Iterable[Change]) -> None:
    """Move each segment's member_count by its entries minus its departures."""
    delta: dict[int, int] = defaultdict(int)
    for change in changes:
        delta[change.segment_id] += 1 if change.entered else -1
    rows = [
        {"segment_key": segment_id, "delta": delta[segment_id]}
        for segment_id in sorted(delta)
        if delta[segment_id]
    ]
    if not rows:
        return
    session.connection().execute(_ADJUST, _many(rows))
    for row in rows:
        forget_counts(session, row["segment_key"])


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


def announce_moves(
    session: Session, segment_id: int, *, left: Sequence[int], entered: Sequence[int]
) -> None:
    """Tell the subscribers who left and who entered one segment (a rebuild: maybe millions)."""
    if not left and not entered:
        return
    properties = {"segment_id": segment_id}  # shared by the facts, which nobody changes
    leaving, entering = EventType.segment_left.value, EventType.segment_entered.value
    fact = hooks.EventFact
    facts = [fact(contact_id, leaving, properties) for contact_id in left]
    facts += [fact(contact_id, entering, properties) for contact_id in entered]
    types = frozenset(kind for kind, ids in ((leaving, left), (entering, entered)) if ids)
    contact_ids = sorted({*left, *entered})
    hooks.publish(
        session,
        hooks.ContactChange(contact_ids, cause="segment", event_types=types, facts=facts),
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
