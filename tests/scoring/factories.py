"""Small factories for scoring tests: contacts, events and rules written straight to the tables."""

from __future__ import annotations

from datetime import UTC, datetime
from itertools import count
from typing import Any

from sqlalchemy.orm import Session

from propulse.contacts.models import Company, Contact, ContactEvent
from propulse.scoring.models import ScoringRule

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
_numbers = count(1)


def make_company(session: Session, name: str, **fields: Any) -> Company:
    company = Company(name=name, name_key=" ".join(name.casefold().split()), **fields)
    session.add(company)
    session.flush()
    return company


def make_contact(session: Session, email: str | None = None, **fields: Any) -> Contact:
    contact = Contact(email=email or f"person{next(_numbers)}@example.com", custom={}, **fields)
    session.add(contact)
    session.flush()
    return contact


def add_event(
    session: Session,
    contact: Contact,
    kind: str,
    occurred_at: datetime = NOW,
    properties: dict[str, Any] | None = None,
) -> ContactEvent:
    event = ContactEvent(
        contact_id=contact.id, type=kind, occurred_at=occurred_at, properties=properties
    )
    session.add(event)
    session.flush()
    return event


def make_rule(
    session: Session,
    name: str,
    *,
    kind: str = "engagement",
    points: int,
    event_type: str | None = None,
    condition: dict[str, Any] | None = None,
    group: str = "",
    cap: int | None = None,
    decay: str = "none",
    decay_days: int | None = None,
    position: int = 0,
    active: bool = True,
) -> ScoringRule:
    rule = ScoringRule(
        name=name,
        kind=kind,
        points=points,
        event_type=event_type,
        condition=condition or {},
        group_name=group,
        cap=cap,
        decay=decay,
        decay_days=decay_days,
        position=position,
        active=active,
    )
    session.add(rule)
    session.flush()
    return rule
