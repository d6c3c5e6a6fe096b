"""The set-based diff of a rebuild: who left, who entered, their events; in SQL only.

PostgreSQL does each side in one statement with data-modifying CTEs (DELETE ... RETURNING
feeding the INSERT of segment_left events; INSERT ... RETURNING feeding segment_entered), so
the condition is evaluated once over the contacts and once over the members. SQLite has no
such CTEs: the matching ids go once into a temporary table, then plain INSERT ... SELECT and
DELETE statements diff against it. Only the ids of contacts that moved come back to Python
(to tell the subscribers), never the members.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import (
    JSON,
    Column,
    ColumnElement,
    Connection,
    Integer,
    MetaData,
    Table,
    delete,
    exists,
    func,
    insert,
    literal,
    or_,
    select,
)
from sqlalchemy import cast as sql_cast
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.sql.dml import Insert
from sqlalchemy.sql.selectable import Select

from propulse.contacts.models import Contact, ContactEvent, EventType
from propulse.db import UTCDateTime
from propulse.segments.sqljson import id_list
from propulse.segments.writes import MEMBERS, event_properties

EVENTS = cast(Table, ContactEvent.__table__)
EVENT_COLUMNS = ["contact_id", "type", "occurred_at", "properties"]
MEMBER_COLUMNS = ["segment_id", "contact_id", "added_at"]

# SQLite only; per connection, emptied before and after use; not in the application's metadata.
MATCH = Table(
    "segment_rebuild_match",
    MetaData(),
    Column("contact_id", Integer, primary_key=True),
    prefixes=["TEMPORARY"],
)


@dataclass(frozen=True)
class Diff:
    """Who left, who entered (ids only when their events were recorded), how many entered."""

    left_ids: list[int]
    entered_ids: list[int]
    entered: int
    members: int | None = None  # after the diff, when the statement counted them


@dataclass(frozen=True)
class Target:
    """The segment being rebuilt and what its events say."""

    segment_id: int
    name: str
    now: datetime
    record_entries: bool  # False on a segment's first build

    def event_values(self, kind: EventType) -> list[Any]:
        return [
            literal(kind.value),
            literal(self.now, UTCDateTime()),
            literal(event_properties(self.segment_id, self.name), JSON()),
        ]


def _is_member(target: Target) -> ColumnElement[bool]:
    return exists().where(
        MEMBERS.c.segment_id == target.segment_id, MEMBERS.c.contact_id == Contact.id
    )


def diff_postgresql(connection: Connection, target: Target, condition: ColumnElement[bool]) -> Diff:
    """Apply the diff in one statement (see the module's note).

    ``moves`` pairs the matching contacts with the current members by a FULL JOIN, which
    PostgreSQL can only run as a hash or merge join: linear whatever the statistics say (an
    anti-join against a CTE, which has no index, could be planned as a nested loop, quadratic
    when the statistics of segment_members are stale, as in a big rebuild in one
    transaction). The departed are then deleted by key, through one array. Every part of a
    WITH sees the same snapshot, the memberships as they were before the statement.
    """
    matching = select(Contact.id.label("contact_id")).where(condition).cte("matching")
    current = (
        select(MEMBERS.c.contact_id)
        .where(MEMBERS.c.segment_id == target.segment_id)
        .subquery("current")
    )
    moves = (
        select(matching.c.contact_id.label("entering"), current.c.contact_id.label("leaving"))
        .select_from(
            matching.join(current, matching.c.contact_id == current.c.contact_id, full=True)
        )
        .where(or_(matching.c.contact_id.is_(None), current.c.contact_id.is_(None)))
        .cte("moves")
    )
    leaving = (
        select(func.array_agg(moves.c.leaving))
        .where(moves.c.leaving.is_not(None))
        .scalar_subquery()
    )
    gone = (
        delete(MEMBERS)
        .where(
            MEMBERS.c.segment_id == target.segment_id,
            MEMBERS.c.contact_id == func.any(sql_cast(leaving, ARRAY(Integer))),
        )
        .returning(MEMBERS.c.contact_id)
        .cte("gone")
    )
    new = (
        postgresql.insert(MEMBERS)
        .from_select(
            MEMBER_COLUMNS,
            select(
                literal(target.segment_id),
                moves.c.entering,
                literal(target.now, UTCDateTime()),
            ).where(moves.c.entering.is_not(None)),
        )
        .on_conflict_do_nothing()
        .returning(MEMBERS.c.contact_id)
        .cte("new")
    )
    events = select(gone.c.contact_id, *target.event_values(EventType.segment_left))
    if target.record_entries:
        events = events.union_all(  # type: ignore[assignment]
            select(new.c.contact_id, *target.event_values(EventType.segment_entered))
        )
    recorded = (
        insert(EVENTS).from_select(EVENT_COLUMNS, events).returning(EVENTS.c.id).cte("recorded")
    )
    # The moved ids come back as two comma-separated lists: one row, whatever the number.
    outcome = select(
        select(id_list(gone.c.contact_id)).scalar_subquery(),
        select(id_list(new.c.contact_id)).scalar_subquery(),
        select(func.count()).select_from(matching).scalar_subquery(),
    ).add_cte(recorded)
    left, entered, members = connection.execute(outcome).one()
    left_ids, entered_ids = _ids(left), _ids(entered)
    return Diff(
        left_ids, entered_ids if target.record_entries else [], len(entered_ids), int(members)
    )


def _ids(listed: str | None) -> list[int]:
    return [int(part) for part in listed.split(",")] if listed else []


def _events_for(source: Select[tuple[int]], target: Target, kind: EventType) -> Insert:
    return insert(EVENTS).from_select(EVENT_COLUMNS, source.add_columns(*target.event_values(kind)))


def diff_with_match_table(
    connection: Connection, target: Target, condition: ColumnElement[bool]
) -> Diff:
    """Apply the diff through a temporary table of the matching ids (SQLite)."""
    connection.exec_driver_sql(
        "CREATE TEMPORARY TABLE IF NOT EXISTS segment_rebuild_match "
        "(contact_id INTEGER NOT NULL PRIMARY KEY)"
    )
    connection.execute(delete(MATCH))
    connection.execute(
        insert(MATCH).from_select(["contact_id"], select(Contact.id).where(condition))
    )
    matched = exists().where(MATCH.c.contact_id == MEMBERS.c.contact_id)
    departed = select(MEMBERS.c.contact_id).where(
        MEMBERS.c.segment_id == target.segment_id, ~matched
    )
    is_member = exists().where(
        MEMBERS.c.segment_id == target.segment_id, MEMBERS.c.contact_id == MATCH.c.contact_id
    )
    arriving = select(MATCH.c.contact_id).where(~is_member)
    left_ids = list(connection.scalars(departed))
    if left_ids:
        connection.execute(_events_for(departed, target, EventType.segment_left))
        connection.execute(
            delete(MEMBERS).where(MEMBERS.c.segment_id == target.segment_id, ~matched)
        )
    entered_ids: list[int] = []
    if target.record_entries:
        entered_ids = list(connection.scalars(arriving))
        if entered_ids:
            connection.execute(_events_for(arriving, target, EventType.segment_entered))
    entered = int(connection.scalar(select(func.count()).select_from(arriving.subquery())) or 0)
    rows = select(
        literal(target.segment_id), MATCH.c.contact_id, literal(target.now, UTCDateTime())
    ).where(~is_member)
    connection.execute(insert(MEMBERS).from_select(MEMBER_COLUMNS, rows))
    connection.execute(delete(MATCH))
    return Diff(left_ids, entered_ids, entered)
