"""Record opens and clicks of tracked messages: the message's first one, and contact events.

Each counted open or click becomes an ``email_opened`` / ``email_clicked`` event of the
message's contact (through the contacts service, so scoring and segments hear it); the first
one also sets ``opened_at`` / ``clicked_at`` on the message. A click implies an open. What
does not count (machines, see ``tracking_rules``) records nothing.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from propulse.contacts import service as contacts
from propulse.contacts.models import ContactEvent
from propulse.db import utcnow
from propulse.delivery.models import DeliveryMessage
from propulse.delivery.tracking_rules import (
    BURST_SECONDS,
    Ignored,
    click_ignored,
    open_ignored,
)

OPENED_EVENT = "email_opened"
CLICKED_EVENT = "email_clicked"


def _properties(message: DeliveryMessage, **extra: Any) -> dict[str, Any]:
    return {
        "message": message.id,
        "message_id": message.message_id,
        "stream": message.stream,
        **extra,
    }


def record_open(
    session: Session,
    *,
    message_pk: int,
    method: str,
    user_agent: str | None,
    now: datetime | None = None,
) -> Ignored | None:
    """Record an open of the pixel; return why it did not count (None: it counted)."""
    moment = now or utcnow()
    ignored = open_ignored(method=method, user_agent=user_agent)
    if ignored is not None:
        return ignored
    message = session.get(DeliveryMessage, message_pk)
    if message is None:
        return Ignored.unknown_message
    if message.opened_at is None:
        message.opened_at = moment
    if message.contact_id is not None:
        contacts.add_events(
            session,
            contact_id=message.contact_id,
            events=[(OPENED_EVENT, moment, _properties(message))],
        )
    session.flush()
    return None


def _recent_clicks(
    session: Session, message: DeliveryMessage, moment: datetime
) -> list[tuple[datetime, str]]:
    """Return the counted clicks of this message of the last moments (time, URL)."""
    if message.contact_id is None:
        return []
    # Read straight from the events table (like ``recheck``): the contacts service offers no
    # look-up by type and time, and this runs on every click.
    rows = session.execute(
        select(ContactEvent.occurred_at, ContactEvent.properties)
        .where(
            ContactEvent.contact_id == message.contact_id,
            ContactEvent.type == CLICKED_EVENT,
            ContactEvent.occurred_at >= moment - timedelta(seconds=BURST_SECONDS),
        )
        .limit(50)
    )
    return [
        (occurred_at, str(properties.get("url", "")))
        for occurred_at, properties in rows
        if isinstance(properties, dict) and properties.get("message") == message.id
    ]


def record_click(
    session: Session,
    *,
    message_pk: int,
    url: str,
    method: str,
    user_agent: str | None,
    now: datetime | None = None,
) -> Ignored | None:
    """Record a click of a tracked link; return why it did not count (None: it counted)."""
    moment = now or utcnow()
    if method.upper() == "HEAD":
        return Ignored.head
    message = session.get(DeliveryMessage, message_pk)
    if message is None:
        return Ignored.unknown_message
    ignored = click_ignored(
        method=method,
        user_agent=user_agent,
        url=url,
        now=moment,
        sent_at=message.sent_at,
        recent_clicks=_recent_clicks(session, message, moment),
    )
    if ignored is not None:
        return ignored
    events: list[tuple[str, datetime, dict[str, Any] | None]] = []
    if message.opened_at is None:  # a click implies an open (images may have been off)
        message.opened_at = moment
        events.append((OPENED_EVENT, moment, _properties(message, implied_by="click")))
    if message.clicked_at is None:
        message.clicked_at = moment
    events.append((CLICKED_EVENT, moment, _properties(message, url=url)))
    if message.contact_id is not None:
        contacts.add_events(session, contact_id=message.contact_id, events=events)
    session.flush()
    return None
