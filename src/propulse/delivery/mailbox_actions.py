"""Record what the reply mailbox brought: late bounces, mailto unsubscribes, replies.

Each function runs in the caller's transaction (the poll commits after each message).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from propulse.contacts import service as contacts
from propulse.contacts.models import SuppressionReason
from propulse.delivery import optout
from propulse.delivery.mailbox_classify import Classified, Kind
from propulse.delivery.models import DeliveryMessage, DeliveryStatus
from propulse.kit.errors import DomainError

BOUNCED_EVENT = "email_bounced"
REPLIED_EVENT = "email_replied"
MAILTO_SOURCE = "mailto unsubscribe"


def _by_message_id(session: Session, message_ids: list[str]) -> DeliveryMessage | None:
    if not message_ids:
        return None
    return session.scalar(
        select(DeliveryMessage)
        .where(DeliveryMessage.message_id.in_(message_ids[:50]))
        .order_by(DeliveryMessage.id.desc())
        .limit(1)
    )


def _about(message: DeliveryMessage) -> dict[str, Any]:
    return {"message": message.id, "message_id": message.message_id, "stream": message.stream}


def record_bounce(session: Session, *, classified: Classified, now: datetime) -> bool:
    """Mark the message bounced, suppress the address when permanent; False: nothing known."""
    bounce = classified.bounce
    if bounce is None:
        return False
    message = (
        session.get(DeliveryMessage, classified.verp_message_pk)
        if classified.verp_message_pk is not None
        else None
    ) or _by_message_id(session, [bounce.original_message_id] if bounce.original_message_id else [])
    address = message.to_address if message is not None else bounce.recipient
    if message is None and address is None:
        return False
    if message is not None and message.bounced_at is not None:
        return True  # the same failure reported again: recorded already
    if message is not None:
        message.bounced_at = now
    if bounce.permanent and address:
        contacts.suppress(session, email=address, reason=SuppressionReason.bounced)
    contact_id = message.contact_id if message is not None else None
    if contact_id is None and address:
        found = contacts.find_by_email(session, email=address)
        contact_id = found.id if found is not None else None
    if contact_id is not None:
        properties: dict[str, Any] = {
            **(_about(message) if message is not None else {}),
            "status": bounce.status,
            "permanent": bounce.permanent,
            "source": "mailbox",
        }
        contacts.add_events(
            session, contact_id=contact_id, events=[(BOUNCED_EVENT, now, properties)]
        )
    session.flush()
    return True


def record_unsubscribe(session: Session, *, classified: Classified, now: datetime) -> bool:
    """Unsubscribe as the one-click link does; False when the token is not ours."""
    if not classified.unsubscribe_token:
        return False
    try:
        opt_out = optout.unsubscribe(
            session, token=classified.unsubscribe_token, source=MAILTO_SOURCE
        )
    except DomainError:
        return False
    if opt_out.message_pk is not None:
        message = session.get(DeliveryMessage, opt_out.message_pk)
        if message is not None and message.unsubscribed_at is None:
            message.unsubscribed_at = now
    session.flush()
    return True


def record_reply(session: Session, *, classified: Classified, now: datetime) -> bool:
    """Mark the message answered and tell the contact's timeline; False: no message, no contact."""
    message = _by_message_id(session, classified.references)
    contact = (
        contacts.find_by_email(session, email=classified.sender) if classified.sender else None
    )
    if message is None and contact is not None:
        message = session.scalar(  # no thread to follow: the last message sent to the writer
            select(DeliveryMessage)
            .where(
                DeliveryMessage.contact_id == contact.id,
                DeliveryMessage.status == DeliveryStatus.sent,
            )
            .order_by(DeliveryMessage.sent_at.desc(), DeliveryMessage.id.desc())
            .limit(1)
        )
    if message is None and contact is None:
        return False
    if message is not None and message.replied_at is None:
        message.replied_at = now
    contact_id = message.contact_id if message is not None and message.contact_id else None
    contact_id = contact_id or (contact.id if contact is not None else None)
    if contact_id is not None:
        properties = _about(message) if message is not None else {}
        contacts.add_events(
            session, contact_id=contact_id, events=[(REPLIED_EVENT, now, properties or None)]
        )
    session.flush()
    return True


def record(session: Session, *, classified: Classified, now: datetime) -> bool:
    """Record one classified message; False when it names nothing of ours."""
    if classified.kind == Kind.bounce:
        return record_bounce(session, classified=classified, now=now)
    if classified.kind == Kind.unsubscribe:
        return record_unsubscribe(session, classified=classified, now=now)
    if classified.kind == Kind.reply:
        return record_reply(session, classified=classified, now=now)
    return False
