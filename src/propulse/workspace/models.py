"""The workspace (one company), its people and its teams: what every module builds on."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, Column, ForeignKey, String, Table, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from propulse.db import Base, Timestamped


class Role(StrEnum):
    """What a person may do; each role includes the ones below it."""

    admin = "admin"
    manager = "manager"
    member = "member"
    viewer = "viewer"


ROLE_RANK = {Role.viewer: 0, Role.member: 1, Role.manager: 2, Role.admin: 3}


class Workspace(Timestamped, Base):
    """The company this installation serves (a single row)."""

    __tablename__ = "workspace"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    country: Mapped[str] = mapped_column(String(2), default="FR")
    language: Mapped[str] = mapped_column(String(8), default="en")
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/Paris")
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}


team_members = Table(
    "team_members",
    Base.metadata,
    Column("team_id", ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
)


class User(Timestamped, Base):
    """A person of the company who signs in: name, role, country, capacity, manager."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[Role] = mapped_column(String(16), default=Role.member)
    country: Mapped[str | None] = mapped_column(String(2))
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    ui_language: Mapped[str | None] = mapped_column(String(8))
    weekly_capacity_hours: Mapped[float] = mapped_column(default=35.0)
    manager_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    is_active: Mapped[bool] = mapped_column(default=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    # Bumped when the password changes or the person signs out everywhere: older sessions die.
    session_epoch: Mapped[int] = mapped_column(default=0)
    failed_sign_ins: Mapped[int] = mapped_column(default=0)
    sign_in_blocked_until: Mapped[datetime | None] = mapped_column()
    last_sign_in_at: Mapped[datetime | None] = mapped_column()
    version: Mapped[int] = mapped_column(default=1)

    manager: Mapped[User | None] = relationship(remote_side=[id], lazy="raise")
    teams: Mapped[list[Team]] = relationship(
        secondary=team_members, back_populates="members", lazy="raise", order_by="Team.name"
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def has_password(self) -> bool:
        return self.password_hash is not None

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email} {self.role}>"


class Team(Timestamped, Base):
    """A group of people; the marketing team exists from the start."""

    __tablename__ = "teams"
    __table_args__ = (UniqueConstraint("name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(String(2000), default="")
    is_marketing: Mapped[bool] = mapped_column(default=False)
    version: Mapped[int] = mapped_column(default=1)

    members: Mapped[list[User]] = relationship(
        secondary=team_members, back_populates="teams", lazy="raise", order_by="User.name"
    )

    __mapper_args__ = {"version_id_col": version}
