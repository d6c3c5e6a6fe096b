"""Typed factories for the cast of the tests, named by role."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from sqlalchemy.orm import Session

from propulse.kit.security import hash_password
from propulse.okrs.models import Period
from propulse.workspace import service
from propulse.workspace.models import Role, User
from propulse.workspace.schemas import UserCreate

PASSWORD = "correct horse battery"


@lru_cache
def password_hash() -> str:
    """Hash the cast's password once: argon2 is slow on purpose."""
    return hash_password(PASSWORD)


@dataclass
class Cast:
    cmo: User
    manager: User
    intern: User
    salesperson: User


def make_user(
    session: Session,
    *,
    email: str,
    name: str,
    role: Role,
    actor: User | None = None,
    country: str = "FR",
    manager: User | None = None,
) -> User:
    data = UserCreate(
        email=email,
        name=name,
        role=role,
        country=country,
        languages=["fr", "en"],
        manager_id=manager.id if manager else None,
    )
    return service.create_user(session, actor=actor, data=data, password_hash=password_hash())


def make_cast(session: Session) -> Cast:
    cmo = make_user(session, email="claire@alpinea.example", name="Claire (CMO)", role=Role.admin)
    manager = make_user(
        session,
        email="julien@alpinea.example",
        name="Julien (manager)",
        role=Role.manager,
        actor=cmo,
        manager=cmo,
    )
    intern = make_user(
        session,
        email="lea@alpinea.example",
        name="Léa (intern)",
        role=Role.member,
        actor=cmo,
        manager=manager,
    )
    salesperson = make_user(
        session,
        email="marc@alpinea.example",
        name="Marc (sales)",
        role=Role.viewer,
        actor=cmo,
    )
    return Cast(cmo=cmo, manager=manager, intern=intern, salesperson=salesperson)


TODAY = date(2027, 2, 15)  # the middle of 2027-Q1: the tests' "today"


def make_quarter(session: Session, cast: Cast, *, objectives: int = 3) -> Period:
    """Create 2027-Q1 for the marketing team with objectives, each with two key results."""
    from propulse.okrs import service as okrs
    from propulse.okrs.schemas import KeyResultCreate, ObjectiveCreate

    period = okrs.ensure_period(session, actor=cast.cmo, name="2027-Q1")
    titles = [
        ("Generate enterprise pipeline in Germany", "Webinars and trade shows for German industry"),
        ("Make nurturing convert more MQLs", "Score and segment the 35,000 contacts"),
        ("Turn every webinar into a content library", "E-books, articles and LinkedIn posts"),
    ]
    for title, description in titles[:objectives]:
        objective = okrs.create_objective(
            session,
            actor=cast.manager,
            period_id=period.id,
            data=ObjectiveCreate(title=title, description=description),
        )
        okrs.add_key_result(
            session,
            actor=cast.manager,
            objective_id=objective.id,
            data=KeyResultCreate(
                title=f"{title}: main metric", unit="", start_value=0, target_value=100
            ),
        )
        okrs.add_key_result(
            session,
            actor=cast.manager,
            objective_id=objective.id,
            data=KeyResultCreate(
                title=f"{title}: quality",
                unit="%",
                start_value=20,
                target_value=10,
                direction="decrease",
                commitment="aspirational",
            ),
        )
    session.flush()
    return period
