"""Privacy: everything held about a contact as JSON, and erasure that leaves no personal trace."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import String, cast, delete, func, or_, select
from sqlalchemy.orm import Session

from propulse.audit import service as audit
from propulse.audit.models import AuditEntry
from propulse.contacts import fields, service
from propulse.contacts.events import all_events
from propulse.contacts.models import Contact, SuppressionReason
from propulse.contacts.schemas import CompanyOut, ConsentOut, ContactOut, EventOut
from propulse.db import utcnow
from propulse.kit.i18n import gettext as _
from propulse.workspace.models import Role, User
from propulse.workspace.permissions import ensure_role

ERASED = "[erased]"


def export_contact(session: Session, *, actor: User, contact_id: int) -> dict[str, Any]:
    """Return everything Propulse holds about a contact, ready for JSON (managers)."""
    from propulse.scoring import service as scoring
    from propulse.segments import service as segments

    ensure_role(actor, Role.manager, action=_("export a contact's personal data"))
    contact = service.get_contact(session, contact_id=contact_id)
    labels = {definition.key: definition for definition in fields.list_fields(session)}
    audit_entries = session.scalars(
        select(AuditEntry)
        .where(AuditEntry.object_type == "contact", AuditEntry.object_id == str(contact.id))
        .order_by(AuditEntry.id)
    )
    exported = {
        "exported_at": utcnow().isoformat(),
        "contact": ContactOut.model_validate(contact).model_dump(mode="json"),
        "company": (
            CompanyOut.model_validate(contact.company).model_dump(mode="json")
            if contact.company
            else None
        ),
        "owner": ({"id": contact.owner.id, "name": contact.owner.name} if contact.owner else None),
        "custom_fields": [
            {
                "key": key,
                "label": labels[key].label if key in labels else key,
                "value": value,
            }
            for key, value in sorted(contact.custom.items())
        ],
        "consents": [
            ConsentOut.model_validate(consent).model_dump(mode="json")
            for consent in service.consent_history(session, contact_id=contact.id)
        ],
        "do_not_contact": {
            "active": contact.do_not_contact,
            "reason": contact.do_not_contact_reason,
        },
        "score": {
            "score": contact.score,
            "fit_score": contact.fit_score,
            "engagement_score": contact.engagement_score,
            "grade": contact.grade,
            "mql_at": contact.mql_at.isoformat() if contact.mql_at else None,
        },
        "score_history": [
            {
                "changed_at": change.changed_at.isoformat(),
                "score": change.score,
                "fit_score": change.fit_score,
                "engagement_score": change.engagement_score,
                "cause": change.cause,
            }
            for change in scoring.score_history(session, contact_id=contact.id, limit=100_000)
        ],
        "segments": [
            {"id": segment.id, "name": segment.name}
            for segment in segments.segments_of_contact(session, contact_id=contact.id)
        ],
        "events": [
            EventOut.model_validate(event).model_dump(mode="json")
            for event in all_events(session, contact_id=contact.id)
        ],
        "audit": [
            {
                "id": entry.id,
                "created_at": entry.created_at.isoformat(),
                "action": entry.action,
                "via": entry.via,
            }
            for entry in audit_entries
        ],
    }
    audit.record(
        session,
        actor=actor,
        action="exported",
        object_type="contact",
        object_id=contact.id,
        summary=f"contact #{contact.id}: personal data exported",
    )
    return exported


def _scrub(value: Any, needles: list[str]) -> Any:
    """Return ``value`` with every needle (case-insensitive) replaced, through lists and dicts."""
    if isinstance(value, str):
        lowered = value.lower()
        for needle in needles:
            start = lowered.find(needle)
            while start >= 0:
                value = value[:start] + ERASED + value[start + len(needle) :]
                lowered = value.lower()
                start = lowered.find(needle, start + len(ERASED))
        return value
    if isinstance(value, list):
        return [_scrub(item, needles) for item in value]
    if isinstance(value, dict):
        return {key: _scrub(item, needles) for key, item in value.items()}
    return value


def _scrub_audit(session: Session, contact: Contact) -> int:
    """Remove the contact's address and full name from any audit entry that holds them.

    Propulse writes contact ids, never addresses, into the audit log; this catches what a
    summary or details might still carry (text pasted by a person, another module's entry).
    """
    needles = [contact.email.lower()]
    full_name = f"{contact.first_name} {contact.last_name}".strip()
    if contact.first_name and contact.last_name:
        needles.append(full_name.lower())
    # JSON text escapes accents ("\u00e9"): look for that spelling in the details too.
    spellings = {*needles, *(json.dumps(needle)[1:-1] for needle in needles)}
    conditions = []
    for needle in spellings:
        escaped = needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        pattern = f"%{escaped}%"
        conditions.append(func.lower(AuditEntry.summary).like(pattern, escape="\\"))
        conditions.append(func.lower(cast(AuditEntry.details, String)).like(pattern, escape="\\"))
    scrubbed = 0
    for entry in session.scalars(select(AuditEntry).where(or_(*conditions))):
        summary = _scrub(entry.summary, needles)
        details = _scrub(entry.details, needles)
        if summary != entry.summary or json.dumps(details) != json.dumps(entry.details):
            entry.summary, entry.details = summary, details
            scrubbed += 1
    return scrubbed


def erase_contact(session: Session, *, actor: User, contact_id: int) -> None:
    """Delete a contact with its events, consents, memberships and score history (admins).

    The address stays suppressed (as a hash) so that an import cannot bring it back, and the
    audit log keeps only the contact's id.
    """
    ensure_role(actor, Role.admin, action=_("erase contacts"))
    contact = service.get_contact(session, contact_id=contact_id)
    erased_id = contact.id
    _scrub_audit(session, contact)
    service.suppress(session, email=contact.email, reason=SuppressionReason.erased)
    # The foreign keys cascade (SQLite has them on): events, consents, memberships, history.
    session.execute(
        delete(Contact).where(Contact.id == erased_id).execution_options(synchronize_session=False)
    )
    session.expunge(contact)
    audit.record(
        session,
        actor=actor,
        action="erased",
        object_type="contact",
        object_id=erased_id,
        summary=f"contact #{erased_id} erased",
    )
    session.flush()
