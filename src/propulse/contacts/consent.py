"""Consent (a history whose latest e-mail record sets the contact's basis) and do-not-contact."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from propulse.audit import service as audit
from propulse.contacts.lookup import get_contact, publish_edit
from propulse.contacts.models import Consent, Contact
from propulse.contacts.schemas import ConsentIn
from propulse.db import utcnow
from propulse.kit.errors import InvalidInput
from propulse.kit.i18n import gettext as _
from propulse.workspace.models import Role, User
from propulse.workspace.permissions import ensure_role


def record_consent(
    session: Session, *, actor: User | None, contact_id: int, data: ConsentIn
) -> Consent:
    """Add a consent record (the history is kept) and keep the contact's e-mail basis current."""
    if actor is not None:
        ensure_role(actor, Role.member, action=_("record consent"))
    contact = get_contact(session, contact_id=contact_id)
    consent = Consent(
        contact_id=contact.id,
        channel=data.channel,
        basis=data.basis.value,
        source=data.source.strip(),
        wording_version=data.wording_version,
        ip_address=data.ip_address,
        recorded_at=data.recorded_at or utcnow(),
        recorded_by_id=actor.id if actor else None,
    )
    session.add(consent)
    session.flush()
    if consent.channel == "email":
        # The latest record by time wins, even when an older one is entered afterwards.
        latest = session.scalar(
            select(Consent.basis)
            .where(Consent.contact_id == contact.id, Consent.channel == "email")
            .order_by(Consent.recorded_at.desc(), Consent.id.desc())
            .limit(1)
        )
        if latest != contact.email_consent:
            contact.email_consent = latest
            session.flush()
            publish_edit(session, [contact.id])
    audit.record(
        session,
        actor=actor,
        action="consent",
        object_type="contact",
        object_id=contact.id,
        summary=f"contact #{contact.id}: {consent.channel} consent {consent.basis}",
        details={"consent_id": consent.id, "channel": consent.channel, "basis": consent.basis},
    )
    return consent


def consent_history(session: Session, *, contact_id: int) -> list[Consent]:
    """Return every consent record of a contact, newest first."""
    return list(
        session.scalars(
            select(Consent)
            .where(Consent.contact_id == contact_id)
            .order_by(Consent.recorded_at.desc(), Consent.id.desc())
        )
    )


def current_consents(session: Session, *, contact_id: int) -> dict[str, Consent]:
    """Return the latest consent record of each channel."""
    current: dict[str, Consent] = {}
    for consent in consent_history(session, contact_id=contact_id):
        current.setdefault(consent.channel, consent)
    return current


def set_do_not_contact(
    session: Session, *, actor: User, contact_id: int, reason: str | None
) -> Contact:
    """Mark a contact do-not-contact with a reason, or lift it (``reason`` None)."""
    ensure_role(actor, Role.member, action=_("change do-not-contact"))
    contact = get_contact(session, contact_id=contact_id)
    if reason is not None and not reason.strip():
        raise InvalidInput.on_field("reason", _("Say why this contact must not be contacted."))
    wanted = reason.strip() if reason is not None else None
    if contact.do_not_contact == (wanted is not None) and contact.do_not_contact_reason == wanted:
        return contact
    contact.do_not_contact = wanted is not None
    contact.do_not_contact_reason = wanted
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="do_not_contact" if wanted else "contact_allowed",
        object_type="contact",
        object_id=contact.id,
        # The reason is free text that may name the person: it stays on the contact only.
        summary=f"contact #{contact.id}: do-not-contact {'set' if wanted else 'lifted'}",
    )
    publish_edit(session, [contact.id])
    return contact
