"""Demo contacts: about 40,000 people of French and European companies, a year of activity."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from propulse.workspace.models import User


def seed(session: Session, *, owners: list[User], today: date) -> None:
    """Seed the demo contacts, their events, segments and scoring rules."""
