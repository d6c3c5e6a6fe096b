"""Writing membership changes: rows of segment_members, enter/leave events, counts, the news.

On PostgreSQL the rows, the events and the counts of a change go in one statement (arrays,
unnest, a data-modifying WITH): each statement is a round trip, and one new event has a few
milliseconds for everything. SQLite takes one statement for each.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import (
    JSON,
    Insert,
    Integer,
    String,
    Table,
    Text,
    bindparam,
    delete,
    func,
    insert,
    select,
    update,
)
from sqlalchemy import cast as sql_cast
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key
from sqlalchemy.sql.selectable import TableValuedAlias
from sqlalchemy.types import TypeEngine

from propulse.contacts import hooks
from propulse.contacts.models import ContactEvent, EventType
from propulse.segments.models import Segment, SegmentMember

MEMBERS = cast(Table, SegmentMember.__table__)
SEGMENTS = cast(Table, Segment.__table__)
EVENTS = cast(Table, ContactEvent.__table__)


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
    if session.get_bind().dialect.name == "postgresql":
        # One statement instead of up to four: each is a round trip to the server.
        _write_all_postgresql(session, changes, names, now, rows_written=rows_written)
    else:
        if not rows_written:
            write_members(session, changes, now)
        record_events(session, changes, names, now)
        adjust_counts(session, changes)
    announce(session, changes)


def _unnest(name: str, *columns: tuple[str, TypeEngine[Any]]) -> TableValuedAlias:
    """Rows from one array parameter per column: ``unnest(:name_col, ...) AS name(col, ...)``."""
    # Each array behind a scalar sub-SELECT: the planner's guess of its length then does not
    # depend on the values, and the prepared statement keeps one generic plan instead of being
    # planned again on every run (see contacts.event_ingest).
    arrays = [
        select(bindparam(f"{name}_{column}", type_=ARRAY(kind))).scalar_subquery()
        for column, kind in columns
    ]
    return (
        func.unnest(*arrays)
        .table_valued(*(column for column, _kind in columns))
        .render_derived(name=name)
    )


_ENTERING = _unnest("entering", ("segment_id", Integer()), ("contact_id", Integer()))
_LEAVING = _unnest("leaving", ("segment_id", Integer()), ("contact_id", Integer()))
_NEWS = _unnest("news", ("contact_id", Integer()), ("type", String()), ("properties", Text()))
_DELTAS = _unnest("deltas", ("segment_id", Integer()), ("delta", Integer()))
_NOW = bindparam("now", type_=MEMBERS.c.added_at.type)
# Every part of a WITH runs, whether or not the main statement reads it; empty arrays give no
# rows. The enter/leave events are contact_events rows like those of contacts.events.store_events
# (no activity: the contact did nothing), in the order of the changes.
_ALL_POSTGRESQL = (
    update(SEGMENTS)
    .where(SEGMENTS.c.id == _DELTAS.c.segment_id)
    .values(
        member_count=SEGMENTS.c.member_count + _DELTAS.c.delta,
        updated_at=SEGMENTS.c.updated_at,
    )
    .add_cte(
        postgresql.insert(MEMBERS)
        .from_select(
            ["segment_id", "contact_id", "added_at"],
            select(_ENTERING.c.segment_id, _ENTERING.c.contact_id, _NOW),
        )
        .on_conflict_do_nothing()
        .cte("new_members"),
        delete(MEMBERS)
        .where(
            MEMBERS.c.segment_id == _LEAVING.c.segment_id,
            MEMBERS.c.contact_id == _LEAVING.c.contact_id,
        )
        .cte("old_members"),
        insert(EVENTS)
        .from_select(
            ["contact_id", "type", "occurred_at", "properties"],
            select(_NEWS.c.contact_id, _NEWS.c.type, _NOW, sql_cast(_NEWS.c.properties, JSON)),
        )
        .cte("news_events"),
    )
)


def _write_all_postgresql(
    session: Session,
    changes: Sequence[Change],
    names: Mapping[int, str],
    now: datetime,
    *,
    rows_written: bool,
) -> None:
    """Write members, enter/leave events and counts in one statement, through arrays."""
    moving = [] if rows_written else changes
    entering = [change for change in moving if change.entered]
    leaving = [change for change in moving if not change.entered]
    entered, left = EventType.segment_entered.value, EventType.segment_left.value
    delta: dict[int, int] = defaultdict(int)
    for change in changes:
        delta[change.segment_id] += 1 if change.entered else -1
    moved = sorted(key for key, value in delta.items() if value)
    parameters = {
        "now": now,
        "entering_segment_id": [change.segment_id for change in entering],
        "entering_contact_id": [change.contact_id for change in entering],
        "leaving_segment_id": [change.segment_id for change in leaving],
        "leaving_contact_id": [change.contact_id for change in leaving],
        "news_contact_id": [change.contact_id for change in changes],
        "news_type": [entered if change.entered else left for change in changes],
        "news_properties": [
            json.dumps(event_properties(change.segment_id, names[change.segment_id]))
            for change in changes
        ],
        "deltas_segment_id": moved,
        "deltas_delta": [delta[key] for key in moved],
    }
    session.connection().execute(_ALL_POSTGRESQL, parameters)
    for segment_id in moved:
        forget_counts(session, segment_id)
