"""Unsubscribing through a signed link: at once, for good, recorded on the contact."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import update
from sqlalchemy.orm import Session

from propulse.config import get_settings
from propulse.contacts import service as contacts
from propulse.contacts.models import ConsentBasis, Contact, SuppressionReason
from propulse.contacts.schemas import ConsentIn
from propulse.db import utcnow
from propulse.delivery.models import DeliveryMessage
from propulse.delivery.tokens import read_unsubscribe_token
from propulse.kit.errors import DomainError, NotFound
from propulse.kit.i18n import gettext as _
from propulse.kit.security import LinkSigner

UNSUBSCRIBED_EVENT = "unsubscribed"


@dataclass(frozen=True)
class OptOut:
    """What an unsubscribe link points to."""

    address: str
    contact_id: int | None
    message_pk: int | None
    stream: str | None

    @property
    def masked_address(self) -> str:
        """Show enough of the address to recognise it, not enough to harvest it."""
        local, _at, domain = self.address.partition("@")
        return f"{local[:1]}{'•' * max(1, min(len(local) - 1, 6))}@{domain}"


def bad_link() -> DomainError:
    return DomainError(
        _(
            "This unsubscribe link is damaged or was not made by us. "
            "Use the link of the e-mail exactly as you received it."
        ),
        status_code=400,
        title="Bad request",
        type_slug="bad-unsubscribe-link",
    )


def _contact(session: Session, contact_id: int | None) -> Contact | None:
    if contact_id is None:
        return None
    try:
        return contacts.get_contact(session, contact_id=contact_id)
    except NotFound:
        return None


def resolve(session: Session, *, token: str) -> OptOut:
    """Return the address a token unsubscribes; an altered token is refused (400)."""
    target = read_unsubscribe_token(LinkSigner(get_settings().effective_secret_key()), token)
    if target is None:
        raise bad_link()
    message = session.get(DeliveryMessage, target.message_pk)
    if message is not None:
        return OptOut(message.to_address, message.contact_id, message.id, message.stream)
    contact = _contact(session, target.contact_id)
    if contact is None:
        raise bad_link()  # the message and its contact were erased: nothing left to stop
    return OptOut(contact.email, contact.id, None, None)


def is_unsubscribed(session: Session, *, opt_out: OptOut) -> bool:
    return contacts.is_suppressed(session, email=opt_out.address)


def unsubscribe(session: Session, *, token: str, source: str) -> OptOut:
    """Suppress the address, withdraw the contact's consent and record the event (idempotent)."""
    opt_out = resolve(session, token=token)
    already = contacts.is_suppressed(session, email=opt_out.address)
    contacts.suppress(session, email=opt_out.address, reason=SuppressionReason.unsubscribed)
    if opt_out.message_pk is not None:
        # The message that carried the link counts the unsubscribe (sequence figures).
        session.execute(
            update(DeliveryMessage)
            .where(DeliveryMessage.id == opt_out.message_pk)
            .where(DeliveryMessage.unsubscribed_at.is_(None))
            .values(unsubscribed_at=utcnow())
            .execution_options(synchronize_session=False)
        )
    contact = _contact(session, opt_out.contact_id) or contacts.find_by_email(
        session, email=opt_out.address
    )
    if contact is None:
        return opt_out
    if contact.email_consent != ConsentBasis.withdrawn:
        contacts.record_consent(
            session,
            actor=None,
            contact_id=contact.id,
            data=ConsentIn(basis=ConsentBasis.withdrawn, source=source),
        )
    if not already:
        properties = {"source": source}
        if opt_out.stream:
            properties["stream"] = opt_out.stream
        contacts.add_events(
            session, contact_id=contact.id, events=[(UNSUBSCRIBED_EVENT, utcnow(), properties)]
        )
    return opt_out
