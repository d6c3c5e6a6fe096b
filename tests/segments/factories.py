"""Contacts, companies, events and segments for the segments tests, made with the models."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from propulse.contacts.models import Company, Contact, ContactEvent, CustomField
from propulse.segments.models import Segment, SegmentKind, SegmentMember

NOW = datetime(2027, 2, 15, 12, 0, tzinfo=UTC)  # the tests' "now"
_numbers = itertools.count(1)


def make_company(session: Session, *, name: str, **values: Any) -> Company:
    company = Company(name=name, name_key=name.casefold() + f"#{next(_numbers)}", **values)
    session.add(company)
    session.flush()
    return company


def make_contact(
    session: Session, *, email: str | None = None, company: Company | None = None, **values: Any
) -> Contact:
    """Create a contact; any column may be given (score, country, custom...)."""
    values.setdefault("custom", {})
    contact = Contact(
        email=email or f"person{next(_numbers)}@example.org",
        company_id=company.id if company else None,
        **values,
    )
    session.add(contact)
    session.flush()
    return contact


def make_event(
    session: Session,
    contact: Contact,
    event_type: str,
    *,
    occurred_at: datetime = NOW,
    properties: dict[str, Any] | None = None,
) -> ContactEvent:
    event = ContactEvent(
        contact_id=contact.id, type=event_type, occurred_at=occurred_at, properties=properties
    )
    session.add(event)
    session.flush()
    return event


def make_field(
    session: Session, *, key: str, kind: str = "text", choices: list[str] | None = None
) -> CustomField:
    field = CustomField(
        key=key, label=key.replace("_", " ").title(), kind=kind, choices=choices or []
    )
    session.add(field)
    session.flush()
    return field


def make_segment(
    session: Session,
    *,
    name: str | None = None,
    definition: dict[str, Any] | None = None,
    members: list[Contact] | None = None,
) -> Segment:
    """Store a segment as is (no rebuild); a static list when no definition is given."""
    segment = Segment(
        name=name or f"Segment {next(_numbers)}",
        kind=SegmentKind.dynamic if definition is not None else SegmentKind.static,
        definition=definition,
    )
    session.add(segment)
    session.flush()
    for contact in members or []:
        session.add(SegmentMember(segment_id=segment.id, contact_id=contact.id, added_at=NOW))
    session.flush()
    return segment
