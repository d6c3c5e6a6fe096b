"""Activity events: ingested in batches, idempotent by their id, then heard by scoring and segments.

This is the hot path of "one new event → score and segments current" (p95 under 10 ms in total,
shared with scoring and segments): a handful of queries, Core statements, no ORM objects loaded.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import Insert, Table, and_, bindparam, insert, null, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from propulse.contacts import hooks
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
# An id stored meanwhile by a concurrent request is skipped rather than failing the batch.
_INSERTS: dict[str, Insert] = {
    "postgresql": postgresql.insert(_EVENTS).on_conflict_do_nothing(
        index_elements=[_EVENTS.c.external_id]
    ),
    "sqlite": sqlite.insert(_EVENTS).on_conflict_do_nothing(index_elements=[_EVENTS.c.external_id]),
}


def _touch_activity(session: Session, latest: dict[int, datetime]) -> None:
    """Move last_activity_at forward (never back) for these contacts, in one statement."""
    if not latest:
        return
    params = [{"contact_id": cid, "moment": moment} for cid, moment in latest.items()]
    session.connection().execute(_TOUCH, params[0] if len(params) == 1 else params)
    # A contact already loaded in this session must not keep the old value.
    for contact_id in latest:
        loaded = session.identity_map.get(identity_key(Contact, contact_id))
        if loaded is not None:
            session.expire(loaded, ["last_activity_at", "updated_at"])


# While one batch of events is published, the subscribers (scoring, segments) share what they
# loaded (the plans, the contacts' rows) through this dict in ``session.info``.
MEMO_KEY = "propulse.contacts.events.memo"


def memo(session: Session) -> dict[str, Any] | None:
    """Return what the subscribers of the change being published share, if one is."""
    return cast("dict[str, Any] | None", session.info.get(MEMO_KEY))


def _publish(session: Session, change: hooks.ContactChange) -> None:
    """Publish with a memo open for the subscribers; nested publishes share the same memo."""
    if MEMO_KEY in session.info:
        hooks.publish(session, change)
        return
    session.info[MEMO_KEY] = {}
    try:
        hooks.publish(session, change)
    finally:
        session.info.pop(MEMO_KEY, None)


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


def _store(session: Session, rows: list[dict[str, Any]]) -> tuple[list[int], frozenset[str]]:
    """Insert the rows and move activity times; return the contacts and the event types.

    Empty properties are stored as SQL NULL (``null()``), not as the JSON text "null".
    """
    latest: dict[int, datetime] = {}
    for row in rows:
        if row["type"] not in NOT_ACTIVITY:
            current = latest.get(row["contact_id"])
            if current is None or row["occurred_at"] > current:
                latest[row["contact_id"]] = row["occurred_at"]
    connection = session.connection()
    statement = _INSERTS.get(connection.dialect.name, insert(_EVENTS))
    connection.execute(statement, rows[0] if len(rows) == 1 else rows)
    _touch_activity(session, latest)
    contact_ids = sorted({row["contact_id"] for row in rows})
    return contact_ids, frozenset(row["type"] for row in rows)


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
    now = utcnow()
    rows: list[dict[str, Any]] = []
    for index, event in enumerate(events):
        contact_id = ids_by_email.get(event.email)
        if contact_id is None:
            result.rejected.append((index, _("no contact has this e-mail")))
            continue
        if event.id:
            if event.id in stored:
                result.duplicates += 1
                continue
            stored.add(event.id)
        rows.append(
            {
                "contact_id": contact_id,
                "type": event.type,
                "occurred_at": _aware(event.occurred_at, now),
                "external_id": event.id,
                "properties": event.properties or null(),
            }
        )
    if not rows:
        return result
    contact_ids, types = _store(session, rows)
    result.accepted = len(rows)
    result.contact_ids = contact_ids
    _publish(
        session,
        hooks.ContactChange(contact_ids, cause="event", event_types=types, facts=_facts(rows)),
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
    contact_ids, types = _store(session, rows)
    if publish:
        _publish(
            session,
            hooks.ContactChange(contact_ids, cause="event", event_types=types, facts=_facts(rows)),
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
    _store(session, rows)


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
