"""Preference-centre links: signed tokens naming a message (and its contact), their URL.

The composer fills the ``PREFERENCES_URL`` body marker with :func:`preferences_url`, its
token made by :func:`preference_token` (or, for many messages, ``tokens.MessageLinkSigner``
with this module's ``PURPOSE``).
The tokens have their own purpose: an unsubscribe token does not open the preference centre
and the reverse. They never expire, so old e-mails keep working.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from propulse.config import get_settings
from propulse.contacts import service as contacts
from propulse.contacts.emails import email_hash, normalise_email
from propulse.contacts.lookup import publish_edit
from propulse.contacts.models import ConsentBasis, Contact, Suppression, SuppressionReason
from propulse.contacts.schemas import ConsentIn
from propulse.db import utcnow
from propulse.delivery import stream_owners
from propulse.delivery.models import DeliveryMessage
from propulse.delivery.tokens import MessageLink, read_message_link
from propulse.kit.errors import Conflict, DomainError, InvalidInput
from propulse.kit.i18n import gettext as _
from propulse.kit.i18n import normalise_language
from propulse.kit.security import LinkSigner

PURPOSE = "delivery-preferences"


PreferenceTarget = MessageLink


def preference_token(signer: LinkSigner, *, message_pk: int, contact_id: int | None) -> str:
    """Return the token of a message's preference-centre link."""
    return signer.sign(PURPOSE, [message_pk, contact_id or 0])


def read_preference_token(signer: LinkSigner, token: str) -> PreferenceTarget | None:
    """Return what a token names, or None when it was altered or made with another key."""
    return read_message_link(signer, PURPOSE, token)


def preferences_url(base_url: str, token: str) -> str:
    """Return the public preference-centre URL of a token."""
    return f"{base_url.rstrip('/')}/preferences/{token}"


# The preference centre: what a token's address receives, leaving, coming back.

PAGE_SOURCE = "preference-centre"
UNSUBSCRIBED_EVENT = "unsubscribed"
RESUBSCRIBED_EVENT = "resubscribed"
LEFT_STREAM_EVENT = "left_sequence"
# Suppressions a person may lift by subscribing again: their own unsubscribe only.
LIFTABLE = frozenset({SuppressionReason.unsubscribed.value})


@dataclass(frozen=True)
class PreferenceState:
    """What the page shows and allows for one address."""

    address: str
    contact_id: int | None
    message_pk: int | None
    stream: str | None
    language: str | None
    suppression: str | None
    consent: str | None
    do_not_contact: bool
    # What wrote this message (a sequence's name) while it still writes to the contact.
    stream_name: str | None = None

    @property
    def masked_address(self) -> str:
        """Show enough of the address to recognise it, not enough to harvest it."""
        local, _at, domain = self.address.partition("@")
        return f"{local[:1]}{'•' * max(1, min(len(local) - 1, 6))}@{domain}"

    @property
    def unsubscribed(self) -> bool:
        return self.suppression is not None or self.consent == ConsentBasis.withdrawn

    @property
    def blocked(self) -> bool:
        """Suppressed for a reason the person cannot lift (bounce, complaint, erasure...)."""
        return self.do_not_contact or (
            self.suppression is not None and self.suppression not in LIFTABLE
        )

    @property
    def can_resubscribe(self) -> bool:
        return self.contact_id is not None and self.unsubscribed and not self.blocked


def bad_preference_link() -> DomainError:
    return DomainError(
        _(
            "This preferences link is damaged or was not made by us. "
            "Use the link of the e-mail exactly as you received it."
        ),
        status_code=400,
        title="Bad request",
        type_slug="bad-preferences-link",
    )


def _suppression(session: Session, address: str) -> Suppression | None:
    normalised = normalise_email(address)
    if normalised is None:
        return None
    digest = email_hash(normalised)
    return session.scalar(select(Suppression).where(Suppression.email_hash == digest))


def _contact(session: Session, contact_id: int | None, address: str) -> Contact | None:
    if contact_id is not None:
        found = session.get(Contact, contact_id)
        if found is not None:
            return found
    return contacts.find_by_email(session, email=address)


def preference_state(session: Session, *, token: str) -> PreferenceState:
    """Return the state of the address a token names; an altered token is refused (400)."""
    target = read_preference_token(LinkSigner(get_settings().effective_secret_key()), token)
    if target is None:
        raise bad_preference_link()
    message = session.get(DeliveryMessage, target.message_pk)
    contact_id = message.contact_id if message is not None else target.contact_id
    if message is not None:
        address = message.to_address
    else:
        known = session.get(Contact, contact_id) if contact_id is not None else None
        if known is None:
            raise bad_preference_link()  # the message and its contact were erased
        address = known.email
    contact = _contact(session, contact_id, address)
    suppression = _suppression(session, address)
    stream = message.stream if message is not None else None
    return PreferenceState(
        stream_name=(
            stream_owners.describe(session, stream=stream, contact_id=contact.id)
            if stream and contact is not None
            else None
        ),
        address=address,
        contact_id=contact.id if contact else None,
        message_pk=message.id if message is not None else None,
        stream=stream,
        language=contact.language if contact else None,
        suppression=suppression.reason if suppression else None,
        consent=contact.email_consent if contact else None,
        do_not_contact=bool(contact and contact.do_not_contact),
    )


def unsubscribe_all(session: Session, *, token: str, ip_address: str | None = None) -> None:
    """Suppress the address, withdraw the e-mail consent, record the event (idempotent)."""
    state = preference_state(session, token=token)
    if state.suppression is None:
        contacts.suppress(session, email=state.address, reason=SuppressionReason.unsubscribed)
    if state.message_pk is not None:
        message = session.get(DeliveryMessage, state.message_pk)
        if message is not None and message.unsubscribed_at is None:
            message.unsubscribed_at = utcnow()
    if state.contact_id is None:
        return
    if state.consent != ConsentBasis.withdrawn:
        contacts.record_consent(
            session,
            actor=None,
            contact_id=state.contact_id,
            data=ConsentIn(basis=ConsentBasis.withdrawn, source=PAGE_SOURCE, ip_address=ip_address),
        )
    if not state.unsubscribed:
        properties = {"source": PAGE_SOURCE}
        if state.stream:
            properties["stream"] = state.stream
        contacts.add_events(
            session,
            contact_id=state.contact_id,
            events=[(UNSUBSCRIBED_EVENT, utcnow(), properties)],
        )


def resubscribe(session: Session, *, token: str, ip_address: str | None = None) -> None:
    """Record an opt-in and lift the person's own unsubscribe; never a bounce or an erasure."""
    state = preference_state(session, token=token)
    if not state.unsubscribed:
        return
    if not state.can_resubscribe or state.contact_id is None:
        raise Conflict(
            _("This address cannot be subscribed again from this page: contact us instead.")
        )
    suppression = _suppression(session, state.address)
    if suppression is not None and suppression.reason in LIFTABLE:
        session.delete(suppression)
    contacts.record_consent(
        session,
        actor=None,
        contact_id=state.contact_id,
        data=ConsentIn(basis=ConsentBasis.opt_in, source=PAGE_SOURCE, ip_address=ip_address),
    )
    contacts.add_events(
        session,
        contact_id=state.contact_id,
        events=[(RESUBSCRIBED_EVENT, utcnow(), {"source": PAGE_SOURCE})],
    )
    session.flush()


def leave_stream(session: Session, *, token: str) -> None:
    """Stop only what wrote this message (a sequence) for this contact; the rest goes on."""
    state = preference_state(session, token=token)
    if state.contact_id is None or state.stream is None:
        raise Conflict(_("Nothing to leave here: this e-mail belongs to no series."))
    if not stream_owners.leave(session, stream=state.stream, contact_id=state.contact_id):
        raise Conflict(_("This series sends you nothing more already."))
    contacts.add_events(
        session,
        contact_id=state.contact_id,
        events=[(LEFT_STREAM_EVENT, utcnow(), {"stream": state.stream, "source": PAGE_SOURCE})],
    )


def choose_language(session: Session, *, token: str, language: str) -> None:
    """Set the language the contact's e-mails are written in (templates have a variant each)."""
    chosen = normalise_language(language)
    if chosen is None:
        raise InvalidInput.on_field("language", _("Choose one of the languages offered."))
    state = preference_state(session, token=token)
    contact = session.get(Contact, state.contact_id) if state.contact_id is not None else None
    if contact is None:
        raise Conflict(_("This address is not in our contacts any more."))
    if contact.language != chosen:
        contact.language = chosen
        session.flush()
        publish_edit(session, [contact.id])
