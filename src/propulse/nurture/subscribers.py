"""How nurturing reacts to contact changes (see propulse.contacts.hooks): enrolment triggers."""

from __future__ import annotations

from sqlalchemy.orm import Session

from propulse.contacts import hooks


@hooks.subscribe("nurture", order=30)
def enrol_on_triggers(session: Session, change: hooks.ContactChange) -> None:
    """Enrol contacts whose change matches an active sequence's trigger (filled in by nurture)."""
    return None
