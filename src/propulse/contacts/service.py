"""Contacts: one per normalised e-mail, edited by people and batches, heard by scoring and segments.

The parts live in modules of their own (lookup, upsert, consent, companies, events); their
functions are re-exported here so that other domains reach all of contacts through this module.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from propulse.audit import service as audit
from propulse.contacts import fields
from propulse.contacts.companies import (
    create_company,
    find_company,
    find_or_create_company,
    get_company,
    list_companies,
    update_company,
)
from propulse.contacts.consent import (
    consent_history,
    current_consents,
    record_consent,
    set_do_not_contact,
)
from propulse.contacts.events import (
    MAX_EVENTS,
    IngestResult,
    add_events,
    record_events,
    timeline,
)
from propulse.contacts.lookup import (
    PLAIN_FIELDS,
    company_id_for,
    edit_action,
    find_by_email,
    get_by_email,
    get_contact,
    is_suppressed,
    owner_id_for,
    publish_edit,
    suppress,
    suppressed_error,
)
from propulse.contacts.models import Contact, LifecycleStage, SuppressionReason, company_key
from propulse.contacts.schemas import ContactIn, ContactPatch
from propulse.contacts.upsert import MAX_BATCH, UpsertResult, upsert_contacts
from propulse.kit.changes import apply_changes
from propulse.kit.errors import Conflict, InvalidInput, NotFound
from propulse.kit.i18n import gettext as _
from propulse.workspace import service as workspace
from propulse.workspace.models import Role, User
from propulse.workspace.permissions import ensure_role

__all__ = [
    "MAX_BATCH",
    "MAX_EVENTS",
    "IngestResult",
    "SuppressionReason",
    "UpsertResult",
    "add_events",
    "company_key",
    "consent_history",
    "create_company",
    "create_contact",
    "current_consents",
    "find_by_email",
    "find_company",
    "find_or_create_company",
    "get_by_email",
    "get_company",
    "get_contact",
    "is_suppressed",
    "list_companies",
    "record_consent",
    "record_events",
    "set_do_not_contact",
    "suppress",
    "suppressed_error",
    "timeline",
    "update_company",
    "update_contact",
    "upsert_contacts",
]


def create_contact(session: Session, *, actor: User, data: ContactIn) -> Contact:
    """Create a contact; refused when the address exists or is suppressed."""
    ensure_role(actor, Role.member, action=edit_action())
    if find_by_email(session, email=data.email) is not None:
        raise Conflict(_("A contact with this e-mail already exists."))
    if is_suppressed(session, email=data.email):
        raise suppressed_error()
    owner_id = owner_id_for(session, data.owner_email, {})
    custom = {
        key: value
        for key, value in fields.check_custom_values(session, values=data.custom).items()
        if value is not None
    }
    contact = Contact(
        email=data.email,
        first_name=data.first_name or "",
        last_name=data.last_name or "",
        lifecycle_stage=(data.lifecycle_stage or LifecycleStage.subscriber).value,
        owner_id=owner_id,
        company_id=company_id_for(session, data),
        custom=custom,
        **{
            name: getattr(data, name)
            for name in PLAIN_FIELDS
            if name not in ("first_name", "last_name", "lifecycle_stage")
        },
    )
    session.add(contact)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="created",
        object_type="contact",
        object_id=contact.id,
        summary=f"contact #{contact.id}",
    )
    publish_edit(session, [contact.id])
    return contact


def update_contact(
    session: Session, *, actor: User, contact_id: int, data: ContactPatch
) -> Contact:
    """Change the fields sent; a ``version`` older than the stored one is refused (409)."""
    ensure_role(actor, Role.member, action=edit_action())
    contact = get_contact(session, contact_id=contact_id)
    workspace.check_version(contact, data.version)
    sent = data.model_fields_set - {"version"}
    changes: dict[str, Any] = {}
    for name in PLAIN_FIELDS:
        if name not in sent:
            continue
        value = getattr(data, name)
        if name in ("first_name", "last_name"):
            value = value or ""
        elif name == "lifecycle_stage":
            if value is None:
                raise InvalidInput.on_field("lifecycle_stage", _("This field is required."))
            value = value.value
        changes[name] = value
    if "owner_id" in sent:
        if data.owner_id is not None:
            try:
                workspace.get_user(session, user_id=data.owner_id)
            except NotFound as error:
                raise InvalidInput.on_field("owner_id", error.message) from None
        changes["owner_id"] = data.owner_id
    if "company" in sent:
        changes["company_id"] = company_id_for(session, data)
    if "custom" in sent and data.custom is not None:
        checked = fields.check_custom_values(session, values=data.custom)
        merged = {**contact.custom, **checked}
        changes["custom"] = {key: value for key, value in merged.items() if value is not None}
    changed = apply_changes(contact, changes)
    if changed:
        session.flush()
        audit.record(
            session,
            actor=actor,
            action="updated",
            object_type="contact",
            object_id=contact.id,
            summary=f"contact #{contact.id}",
            details={"changed": changed},
        )
        publish_edit(session, [contact.id])
    return contact
