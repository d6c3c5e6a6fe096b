"""What every write of a contact checks first: the contact, its owner, its company, suppression."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from propulse.contacts import hooks
from propulse.contacts.companies import find_or_create_company
from propulse.contacts.emails import email_hash, normalise_email
from propulse.contacts.models import Contact, Suppression, SuppressionReason
from propulse.contacts.schemas import ContactIn, ContactPatch
from propulse.kit.errors import InvalidInput, NotFound
from propulse.kit.i18n import gettext as _
from propulse.workspace import service as workspace

# The plain fields a ContactIn sets as they are (company, owner and custom are resolved).
PLAIN_FIELDS = (
    "first_name",
    "last_name",
    "phone",
    "job_title",
    "sector",
    "company_size",
    "maturity",
    "country",
    "language",
    "timezone",
    "lifecycle_stage",
    "source",
)


def edit_action() -> str:
    return _("edit contacts")


def get_contact(session: Session, *, contact_id: int) -> Contact:
    found = session.get(Contact, contact_id)
    if found is None:
        raise NotFound(_("This contact does not exist."))
    return found


def find_by_email(session: Session, *, email: str) -> Contact | None:
    """Return the contact of this address, whatever its case; None when there is none."""
    normalised = normalise_email(email)
    if normalised is None:
        return None
    return session.scalar(select(Contact).where(Contact.email == normalised))


def get_by_email(session: Session, *, email: str) -> Contact:
    found = find_by_email(session, email=email)
    if found is None:
        raise NotFound(_("No contact has the e-mail %(email)s.", email=email))
    return found


# Suppressions: addresses kept only as a hash, never to be brought back by accident.


def is_suppressed(session: Session, *, email: str) -> bool:
    normalised = normalise_email(email)
    if normalised is None:
        return False
    digest = email_hash(normalised)
    return (
        session.scalar(select(Suppression.id).where(Suppression.email_hash == digest)) is not None
    )


def suppress(session: Session, *, email: str, reason: SuppressionReason) -> None:
    """Keep the address's hash so that it cannot come back; a second call changes nothing.

    The address itself is kept too (the list can be exported), except for an erasure: then
    only the hash remains, and an earlier suppression of the address forgets it as well.
    """
    normalised = normalise_email(email)
    if normalised is None:
        raise InvalidInput.on_field("email", _("Enter a valid e-mail address."))
    digest = email_hash(normalised)
    erased = reason == SuppressionReason.erased
    existing = session.scalar(select(Suppression).where(Suppression.email_hash == digest))
    if existing is None:
        session.add(
            Suppression(
                email_hash=digest, email=None if erased else normalised, reason=reason.value
            )
        )
        session.flush()
    elif erased and (existing.email is not None or existing.reason != reason.value):
        existing.email = None
        existing.reason = reason.value
        session.flush()


def suppressed_error() -> InvalidInput:
    return InvalidInput.on_field(
        "email",
        _("This address was erased or unsubscribed: it is suppressed and cannot be added again."),
    )


# Resolving what a ContactIn names: its owner, its company, its custom values.


def owner_id_for(session: Session, owner_email: str | None, cache: dict[str, int]) -> int | None:
    if owner_email is None:
        return None
    key = owner_email.strip().lower()
    if key not in cache:
        owner = workspace.find_user_by_email(session, key)
        if owner is None:
            raise InvalidInput.on_field(
                "owner_email", _("No Propulse user has the e-mail %(email)s.", email=owner_email)
            )
        cache[key] = owner.id
    return cache[key]


def company_id_for(session: Session, data: ContactIn | ContactPatch) -> int | None:
    if not data.company:
        return None
    company = find_or_create_company(
        session, name=data.company, sector=data.sector, size=data.company_size, country=data.country
    )
    return company.id


def publish_edit(session: Session, contact_ids: Sequence[int]) -> None:
    hooks.publish(session, hooks.ContactChange(list(contact_ids), cause="edit"))
