"""Typed factories for the cast of the tests, named by role."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy.orm import Session

from propulse.kit.security import hash_password
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
