"""Activity events: ingested in batches, idempotent by their id, then heard by scoring and segments.

This is the hot path of "one new event → score and segments current" (p95 under 10 ms in total,
shared with scoring and segments): a handful of queries, Core statements, no ORM objects loaded.
On PostgreSQL, where each statement is a round trip, the batch is matched to its contacts and
stored in one statement (``event_ingest``). The contacts' new last_activity_at is not written
here but handed to the subscribers, and scoring writes it with the score: one write of the
contact's row per event instead of two (see ``take_activity``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import (
    Connection,
    Insert,
    Table,
    and_,
    bindparam,
    case,
    insert,
    null,
    or_,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from propulse.contacts import event_ingest, hooks
from propulse.contacts.models import Contact, ContactEvent, EventType
from propulse.contacts.schemas import EventIn
from propulse.db import utcnow
from propulse.kit.errors import InvalidInput
from propulse.kit.i18n import gettext as _
from propulse.kit.pagination import SortKey, check_limit, decode_cursor, encode_cursor
from propulse.workspace.models import Role, User
from propulse.workspace.permissions import ensure_role

MAX_EVENTS = 1000
TIMELINE_KEYS = (SortKey(ContactEvent.occurred_at, descending=True), SortKey(ContactEvent.id, True))
# What the contact did not do themselves does not count as activity.
NOT_ACTIVITY = frozenset({EventType.email_sent, EventType.segment_entered, EventType.segment_left})


@dataclass
class IngestResult:
    """What a batch of events did: ``rejected`` holds (index in the batch, reason)."""

    accepted: int = 0
    duplicates: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)
    contact_ids: list[int] = field(default_factory=list)


def _aware(moment: datetime | None, now: datetime) -> datetime:
    """Return the time in UTC; a time without a zone is taken as UTC."""
    if moment is None:
        return now
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


_EVENTS = cast(Table, ContactEvent.__table__)
_CONTACTS = cast(Table, Contact.__table__)
# Built once: building a statement costs more than running it on the one-event path.
_IDS_BY_EMAIL = select(_CONTACTS.c.email, _CONTACTS.c.id).where(
    _CONTACTS.c.email.in_(bindparam("emails", expanding=True))
)
# Both lookups in one statement when the batch carries ids: e-mails with their contact's id,
# then the ids already stored, with a NULL contact id.
_IDS_AND_STORED = _IDS_BY_EMAIL.union_all(
    select(_EVENTS.c.external_id, null()).where(
        _EVENTS.c.external_id.in_(bindparam("external_ids", expanding=True))
    )
)
_TOUCH = (
    update(_CONTACTS)
    .where(
        and_(
            _CONTACTS.c.id == bindparam("contact_id"),
            or_(
                _CONTACTS.c.last_activity_at.is_(None),
                _CONTACTS.c.last_activity_at < bindparam("moment"),
            ),
        )
    )
    .values(last_activity_at=bindparam("moment"))
)
# For a statement that writes other columns of the row too (scoring's): last_activity_at moved
# forward to the bound ``moment``, never back; a NULL moment leaves it as it is.
_MOMENT = bindparam("moment", type_=_CONTACTS.c.last_activity_at.type)
LATER_ACTIVITY = case(
    (
        and_(
            _MOMENT.is_not(None),
            or_(_CONTACTS.c.last_activity_at.is_(None), _CONTACTS.c.last_activity_at < _MOMENT),
        ),
        _MOMENT,
    ),
    else_=_CONTACTS.c.last_activity_at,
)
# An id stored meanwhile by a concurrent request is skipped rather than failing the batch.
_INSERTS: dict[str, Insert] = {
    "postgresql": postgresql.insert(_EVENTS).on_conflict_do_nothing(
        index_elements=[_EVENTS.c.external_id]
    ),
    "sqlite": sqlite.insert(_EVENTS).on_conflict_do_nothing(index_elements=[_EVENTS.c.external_id]),
}


def touch_activity(session: Session, latest: Mapping[int, datetime]) -> None:
    """Move last_activity_at forward (never back) for these contacts, in one statement."""
    if not latest:
        return
    params = [{"contact_id": cid, "moment": moment} for cid, moment in latest.items()]
    session.connection().execute(_TOUCH, params[0] if len(params) == 1 else params)
    _forget_activity(session, latest)


def _forget_activity(session: Session, contact_ids: Iterable[int]) -> None:
    """Expire last_activity_at of these contacts if loaded: it was written behind the ORM."""
    for contact_id in contact_ids:
        loaded = session.identity_map.get(identity_key(Contact, contact_id))
        if loaded is not None:
            session.expire(loaded, ["last_activity_at", "updated_at"])


def later_activity(current: datetime | None, moment: datetime) -> datetime:
    """Return last_activity_at after activity at ``moment``: it moves forward, never back."""
    return moment if current is None or current < moment else current


# While one batch of events is published, the subscribers (scoring, segments) share what they
# loaded (the plans, the contacts' rows) through this dict in ``session.info``.
MEMO_KEY = "propulse.contacts.events.memo"
# In the memo: the batch's new last_activity_at by contact, not yet written (see take_activity).
_ACTIVITY_KEY = "activity"


def memo(session: Session) -> dict[str, Any] | None:
    """Return what the subscribers of the change being published share, if one is."""
    return cast("dict[str, Any] | None", session.info.get(MEMO_KEY))


def take_activity(session: Session) -> dict[int, datetime]:
    """Take over the batch's new activity times, which the caller must write (``LATER_ACTIVITY``).

    A contact's row then changes once per event instead of twice (its activity, then its
    score), and each change of an indexed column writes an entry in each of its eight indexes.
    Scoring, the first subscriber, takes them (or settles them) before anything reads the
    rows, so no subscriber sees an old last_activity_at.
    """
    shared = memo(session)
    taken = shared.pop(_ACTIVITY_KEY, None) if shared is not None else None
    return cast("dict[int, datetime]", taken or {})


def settle_activity(session: Session) -> None:
    """Write the batch's new activity times unless already taken: before reading the rows."""
    touch_activity(session, take_activity(session))


def _publish(session: Session, change: hooks.ContactChange, activity: dict[int, datetime]) -> None:
    """Publish with a memo open for the subscribers; nested publishes share the same memo.

    ``activity``: the new last_activity_at of the change's contacts, not yet written; the
    subscribers take it over or settle it (see ``take_activity``), else it is written here.
    """
    if MEMO_KEY in session.info:
        # Earlier subscribers of the outer change may have read the rows already.
        touch_activity(session, activity)
        hooks.publish(session, change)
        return
    session.info[MEMO_KEY] = {_ACTIVITY_KEY: activity}
    try:
        hooks.publish(session, change)
        settle_activity(session)
    finally:
        session.info.pop(MEMO_KEY, None)


_Stored = tuple[list[int], frozenset[str], dict[int, datetime]]


def _facts(rows: Sequence[dict[str, Any]]) -> list[hooks.EventFact]:
    """Describe the inserted rows for the subscribers (SQL NULL properties become None)."""
    return [
        hooks.EventFact(
            row["contact_id"],
            row["type"],
            row["properties"] if isinstance(row["properties"], dict) else None,
        )
        for row in rows
    ]


def _described(rows: Sequence[dict[str, Any]]) -> _Stored:
    """Return the rows' contacts, event types, and new last_activity_at by contact."""
    latest: dict[int, datetime] = {}
    for row in rows:
        if row["type"] not in NOT_ACTIVITY:
            current = latest.get(row["contact_id"])
            if current is None or row["occurred_at"] > current:
                latest[row["contact_id"]] = row["occurred_at"]
    contact_ids = sorted({row["contact_id"] for row in rows})
    return contact_ids, frozenset(row["type"] for row in rows), latest


def _store(session: Session, rows: list[dict[str, Any]]) -> _Stored:
    """Insert the rows; return what ``_described`` says of them. The caller writes the new
    activity times (``touch_activity``) or hands them to the subscribers (``_publish``).

    Empty properties are stored as SQL NULL (``null()``), not as the JSON text "null".
    """
    connection = session.connection()
    statement = _INSERTS.get(connection.dialect.name, insert(_EVENTS))
    connection.execute(statement, rows[0] if len(rows) == 1 else rows)
    return _described(rows)


def _match(connection: Connection, events: Sequence[EventIn]) -> dict[int, tuple[int, bool]]:
    """Return, by position, (contact id, new) for each event whose e-mail is a contact's.

    An event is not new when its id is stored, or seen earlier in the batch.
    """
    emails = list({event.email for event in events})
    external_ids = list({event.id for event in events if event.id})
    ids_by_email: dict[str, int] = {}
    stored: set[str] = set()
    if external_ids:
        parameters = {"emails": emails, "external_ids": external_ids}
        for value, contact_id in connection.execute(_IDS_AND_STORED, parameters):
            if contact_id is None:
                stored.add(value)
            else:
                ids_by_email[value] = contact_id
    else:
        ids_by_email = dict(connection.execute(_IDS_BY_EMAIL, {"emails": emails}).all())
    outcome: dict[int, tuple[int, bool]] = {}
    for index, event in enumerate(events):
        contact_id = ids_by_email.get(event.email)
        if contact_id is None:
            continue
        new = not event.id or event.id not in stored
        if event.id:
            stored.add(event.id)
        outcome[index] = (contact_id, new)
    return outcome


def record_events(
    session: Session, *, events: Sequence[EventIn], actor: User | None = None
) -> IngestResult:
    """Store a batch of events (at most 1,000), then tell scoring and segments.

    An event for an unknown e-mail is rejected; one whose ``id`` is already stored (or seen
    earlier in the batch) is a duplicate, not an error: sending a batch twice is harmless.
    """
    if actor is not None:
        ensure_role(actor, Role.member, action=_("record activity events"))
    if len(events) > MAX_EVENTS:
        raise InvalidInput.on_field(
            "items", _("Send at most %(n)s events at a time.", n=MAX_EVENTS)
        )
    result = IngestResult()
    if not events:
        return result
    session.flush()  # Core statements below: pending contacts must be in the database
    connection = session.connection()
    now = utcnow()
    moments = [_aware(event.occurred_at, now) for event in events]
    # PostgreSQL: matched and stored in one statement (one round trip); SQLite: stored below.
    in_one_statement = connection.dialect.name == "postgresql"
    if in_one_statement:
        outcome = event_ingest.store(connection, events, moments)
    else:
        outcome = _match(connection, events)
    rows: list[dict[str, Any]] = []
    for index, event in enumerate(events):
        contact_id, new = outcome.get(index, (None, False))
        if contact_id is None:
            result.rejected.append((index, _("no contact has this e-mail")))
        elif not new:
            result.duplicates += 1
        else:
            rows.append(
                {
                    "contact_id": contact_id,
                    "type": event.type,
                    "occurred_at": moments[index],
                    "external_id": event.id,
                    "properties": event.properties or null(),
                }
            )
    if not rows:
        return result
    stored = _described(rows) if in_one_statement else _store(session, rows)
    contact_ids, types, activity = stored
    result.accepted = len(rows)
    result.contact_ids = contact_ids
    _publish(
        session,
        hooks.ContactChange(contact_ids, cause="event", event_types=types, facts=_facts(rows)),
        activity,
    )
    return result


def add_events(
    session: Session,
    *,
    contact_id: int,
    events: Sequence[tuple[str, datetime, dict[str, Any] | None]],
    publish: bool = True,
) -> None:
    """Insert events of one contact as they are (type, time, properties): for other domains."""
    if not events:
        return
    now = utcnow()
    rows = [
        {
            "contact_id": contact_id,
            "type": event_type,
            "occurred_at": _aware(occurred_at, now),
            "external_id": None,
            "properties": properties or null(),
        }
        for event_type, occurred_at, properties in events
    ]
    contact_ids, types, activity = _store(session, rows)
    if not publish:
        touch_activity(session, activity)
        return
    _publish(
        session,
        hooks.ContactChange(contact_ids, cause="event", event_types=types, facts=_facts(rows)),
        activity,
    )


def store_events(
    session: Session, *, events: Sequence[tuple[int, str, datetime, dict[str, Any] | None]]
) -> None:
    """Insert events of many contacts (contact id, type, time, properties) in one statement,
    telling nobody: for a domain that announces them itself (segments' enter/leave events)."""
    if not events:
        return
    now = utcnow()
    rows = [
        {
            "contact_id": contact_id,
            "type": event_type,
            "occurred_at": _aware(occurred_at, now),
            "external_id": None,
            "properties": properties or null(),
        }
        for contact_id, event_type, occurred_at, properties in events
    ]
    touch_activity(session, _store(session, rows)[2])


def timeline(
    session: Session, *, contact_id: int, cursor: str | None = None, limit: int = 50
) -> tuple[list[ContactEvent], str | None]:
    """Return a contact's events newest first, one page at a time (keyset on time, then id)."""
    size = check_limit(limit)
    statement = select(ContactEvent).where(ContactEvent.contact_id == contact_id)
    if cursor:
        # Decoded here: kit.pagination cannot tell that UTCDateTime holds datetimes.
        raw_moment, last_id = decode_cursor(cursor, TIMELINE_KEYS)
        try:
            moment = datetime.fromisoformat(str(raw_moment))
        except ValueError:
            raise InvalidInput.on_field("cursor", _("This cursor is not valid.")) from None
        statement = statement.where(
            or_(
                ContactEvent.occurred_at < moment,
                and_(ContactEvent.occurred_at == moment, ContactEvent.id < int(last_id)),
            )
        )
    rows = list(
        session.scalars(
            statement.order_by(ContactEvent.occurred_at.desc(), ContactEvent.id.desc()).limit(
                size + 1
            )
        )
    )
    if len(rows) <= size:
        return rows, None
    rows = rows[:size]
    return rows, encode_cursor([rows[-1].occurred_at, rows[-1].id])


def all_events(session: Session, *, contact_id: int) -> Iterable[ContactEvent]:
    """Return every event of a contact, oldest first (the privacy export)."""
    return session.scalars(
        select(ContactEvent)
        .where(ContactEvent.contact_id == contact_id)
        .order_by(ContactEvent.occurred_at, ContactEvent.id)
    )
