"""Contacts in batches: created or merged by e-mail, each item accepted or rejected on its own."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from propulse.audit import service as audit
from propulse.contacts import fields
from propulse.contacts.companies import find_or_create_company
from propulse.contacts.emails import email_hash
from propulse.contacts.lookup import (
    PLAIN_FIELDS,
    edit_action,
    owner_id_for,
    publish_edit,
    suppressed_error,
)
from propulse.contacts.merge import UpdateRule, merge_fields
from propulse.contacts.models import Contact, CustomField, LifecycleStage, Suppression, company_key
from propulse.contacts.schemas import ContactIn
from propulse.kit.errors import DomainError, FieldProblem, InvalidInput
from propulse.kit.i18n import gettext as _
from propulse.workspace.models import Role, User
from propulse.workspace.permissions import ensure_role

MAX_BATCH = 1000


@dataclass
class UpsertResult:
    """What a batch did; ``ids[i]`` is the contact of item ``i`` (None when it was rejected)."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    ids: list[int | None] = field(default_factory=list)
    rejected: list[tuple[int, list[FieldProblem]]] = field(default_factory=list)

    @property
    def contact_ids(self) -> list[int]:
        return sorted({contact_id for contact_id in self.ids if contact_id is not None})


def _incoming(
    session: Session,
    data: ContactIn,
    *,
    owners: dict[str, int],
    definitions: Mapping[str, CustomField],
) -> dict[str, Any]:
    """Return the item as contact attributes (company still a name), or raise InvalidInput."""
    values: dict[str, Any] = {name: getattr(data, name) for name in PLAIN_FIELDS}
    if data.lifecycle_stage is not None:
        values["lifecycle_stage"] = data.lifecycle_stage.value
    values["owner_id"] = owner_id_for(session, data.owner_email, owners)
    values["company"] = data.company
    values["custom"] = fields.coerce_custom_values(definitions, data.custom) if data.custom else {}
    return values


def _current(contact: Contact, incoming: Mapping[str, Any]) -> dict[str, Any]:
    """Return the contact's values in the shape of ``_incoming``, for merge_fields."""
    values: dict[str, Any] = {name: getattr(contact, name) for name in PLAIN_FIELDS}
    values["owner_id"] = contact.owner_id
    company = contact.company.name if contact.company is not None else None
    wanted = incoming.get("company")
    # "ACME" and "Acme" name one company: equal keys are no change.
    if company and wanted and company_key(company) == company_key(wanted):
        company = wanted
    values["company"] = company
    values["custom"] = dict(contact.custom or {})
    return values


def _apply(
    session: Session, contact: Contact, changes: Mapping[str, Any], incoming: Mapping[str, Any]
) -> None:
    for name, value in changes.items():
        if name == "company":
            company = find_or_create_company(
                session,
                name=value,
                sector=incoming.get("sector"),
                size=incoming.get("company_size"),
                country=incoming.get("country"),
            )
            contact.company_id = company.id
            contact.company = company
        else:
            setattr(contact, name, value)


def upsert_contacts(
    session: Session, *, actor: User, items: Sequence[ContactIn], rule: UpdateRule
) -> UpsertResult:
    """Create or update contacts by e-mail; a bad item is rejected, the others are kept.

    An existing contact is merged with ``rule`` (fill blanks or overwrite; a blank never
    erases); an address seen twice in the batch is merged in order. Each item counts once:
    created, updated, unchanged or rejected.
    """
    ensure_role(actor, Role.member, action=edit_action())
    if len(items) > MAX_BATCH:
        raise InvalidInput.on_field(
            "items", _("Send at most %(n)s contacts at a time.", n=MAX_BATCH)
        )
    result = UpsertResult()
    emails = {item.email for item in items}
    by_email: dict[str, Contact] = {
        contact.email: contact
        for contact in session.scalars(select(Contact).where(Contact.email.in_(emails)))
    }
    suppressed = set(
        session.scalars(
            select(Suppression.email_hash).where(
                Suppression.email_hash.in_([email_hash(email) for email in emails])
            )
        )
    )
    definitions = fields.definitions_by_key(session) if any(i.custom for i in items) else {}
    owners: dict[str, int] = {}
    created: dict[str, Contact] = {}
    updated_ids: set[int] = set()
    for index, item in enumerate(items):
        try:
            if email_hash(item.email) in suppressed:
                raise suppressed_error()
            incoming = _incoming(session, item, owners=owners, definitions=definitions)
        except DomainError as error:
            result.rejected.append((index, error.problems or [FieldProblem("", error.message)]))
            continue
        contact = by_email.get(item.email)
        if contact is None:
            contact = Contact(email=item.email, first_name="", last_name="", custom={})
            if incoming["lifecycle_stage"] is None:
                incoming["lifecycle_stage"] = LifecycleStage.subscriber.value
            _apply(session, contact, merge_fields({}, incoming, UpdateRule.overwrite), incoming)
            session.add(contact)
            by_email[item.email] = created[item.email] = contact
            result.created += 1
            continue
        changes = merge_fields(_current(contact, incoming), incoming, rule)
        if changes:
            _apply(session, contact, changes, incoming)
            result.updated += 1
            if item.email not in created:
                updated_ids.add(contact.id)
        else:
            result.unchanged += 1
    session.flush()
    # Ids of the contacts created here exist only after the flush: give them in item order.
    rejected = {index for index, _problems in result.rejected}
    result.ids = [
        None if index in rejected else by_email[item.email].id for index, item in enumerate(items)
    ]
    created_ids = [contact.id for contact in created.values()]
    if created_ids or updated_ids:
        audit.record(
            session,
            actor=actor,
            action="upserted",
            object_type="contact",
            object_id=None,
            summary=f"contact batch: {len(created_ids)} created, {len(updated_ids)} updated",
            details={"created_ids": created_ids, "updated_ids": sorted(updated_ids)},
        )
        publish_edit(session, sorted({*created_ids, *updated_ids}))
    return result
