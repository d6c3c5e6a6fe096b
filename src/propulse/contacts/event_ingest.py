"""A batch of events matched to contacts and stored in one statement (PostgreSQL).

Each statement is a round trip to the server, and one new event has a few milliseconds for
everything (its score and segments included): here the e-mail lookup, the duplicate check
and the INSERT are one statement, the batch passed as one array per column. SQLite, which has
no round trips, looks up then inserts (see ``events``); both give the same outcome.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import (
    JSON,
    Connection,
    DateTime,
    Integer,
    String,
    Table,
    Text,
    and_,
    bindparam,
    func,
    or_,
    select,
)
from sqlalchemy import cast as sql_cast
from sqlalchemy.dialects import postgresql
from sqlalchemy.types import TypeEngine

from propulse.contacts.models import Contact, ContactEvent
from propulse.contacts.schemas import EventIn

_EVENTS = cast(Table, ContactEvent.__table__)
_CONTACTS = cast(Table, Contact.__table__)
_COLUMNS: list[tuple[str, TypeEngine[Any]]] = [
    ("position", Integer()),
    ("email", String()),
    ("type", String()),
    ("occurred_at", DateTime(timezone=True)),
    ("external_id", String()),
    ("properties", Text()),
]
# Each array behind a scalar sub-SELECT: the planner then guesses its length (10) whatever the
# values, so its estimate for this prepared statement does not change with the batch's size,
# and after five runs it keeps one generic plan instead of planning the statement again on
# every run (a third of a millisecond). The plan it keeps looks contacts up by e-mail through
# the index, right for one event and for a thousand.
_GIVEN = (
    func.unnest(
        *(
            select(bindparam(name, type_=postgresql.ARRAY(kind))).scalar_subquery()
            for name, kind in _COLUMNS
        )
    )
    .table_valued(*(name for name, _kind in _COLUMNS))
    .render_derived(name="given")
)
# The events whose e-mail is a contact's; ``nth`` numbers the events sharing an id.
_matched = (
    select(
        _GIVEN.c.position,
        _GIVEN.c.type,
        _GIVEN.c.occurred_at,
        _GIVEN.c.external_id,
        _GIVEN.c.properties,
        _CONTACTS.c.id.label("contact_id"),
        func.row_number()
        .over(partition_by=_GIVEN.c.external_id, order_by=_GIVEN.c.position)
        .label("nth"),
    )
    .select_from(_GIVEN.join(_CONTACTS, _CONTACTS.c.email == _GIVEN.c.email))
    .cte("matched")
)
# An event without an id always counts; of those sharing an id, the first; and one whose id is
# stored already (or meanwhile, by a concurrent request) is skipped by ON CONFLICT.
_first = or_(_matched.c.external_id.is_(None), _matched.c.nth == 1)
_inserted = (
    postgresql.insert(_EVENTS)
    .from_select(
        ["contact_id", "type", "occurred_at", "external_id", "properties"],
        select(
            _matched.c.contact_id,
            _matched.c.type,
            _matched.c.occurred_at,
            _matched.c.external_id,
            sql_cast(_matched.c.properties, JSON),
        )
        .where(_first)
        .order_by(_matched.c.position),  # ids in the batch's order, as the timeline sorts
    )
    .on_conflict_do_nothing(index_elements=[_EVENTS.c.external_id])
    .returning(_EVENTS.c.external_id)
    .cte("inserted")
)
# One row per event whose e-mail is known: its contact, and whether it was stored.
INGEST = select(
    _matched.c.position,
    _matched.c.contact_id,
    and_(
        _first,
        or_(
            _matched.c.external_id.is_(None),
            _matched.c.external_id.in_(select(_inserted.c.external_id)),
        ),
    ).label("stored"),
)


def store(
    connection: Connection, events: Sequence[EventIn], moments: Sequence[datetime]
) -> dict[int, tuple[int, bool]]:
    """Store the events; return, by position in the batch, (contact id, stored) for each event
    whose e-mail is a contact's. Empty properties are stored as SQL NULL."""
    parameters = {
        "position": list(range(len(events))),
        "email": [event.email for event in events],
        "type": [event.type for event in events],
        "occurred_at": list(moments),
        "external_id": [event.id or None for event in events],
        "properties": [
            json.dumps(event.properties) if event.properties else None for event in events
        ],
    }
    return {
        position: (contact_id, stored)
        for position, contact_id, stored in connection.execute(INGEST, parameters)
    }
