"""Objectives and key results: periods, objectives, key results, check-ins and the limits."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from propulse.db import Base, Timestamped, utcnow
from propulse.workspace.models import Team, User

MAX_OBJECTIVES = 3
MAX_KEY_RESULTS = 4


class PeriodStatus(StrEnum):
    open = "open"
    closed = "closed"


class ObjectiveLevel(StrEnum):
    team = "team"
    company = "company"


class ObjectiveStatus(StrEnum):
    active = "active"
    archived = "archived"
    closed = "closed"
    carried_over = "carried_over"


class Direction(StrEnum):
    increase = "increase"
    decrease = "decrease"
    above = "above"
    below = "below"


class Commitment(StrEnum):
    committed = "committed"
    aspirational = "aspirational"


class OkrLimits(Base):
    """The workspace's limits: an admin may lower them below 3 and 4, never remove them."""

    __tablename__ = "okr_limits"
    __table_args__ = (
        CheckConstraint(f"max_objectives BETWEEN 1 AND {MAX_OBJECTIVES}", name="objectives"),
        CheckConstraint(f"max_key_results BETWEEN 1 AND {MAX_KEY_RESULTS}", name="key_results"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    max_objectives: Mapped[int] = mapped_column(default=MAX_OBJECTIVES)
    max_key_results: Mapped[int] = mapped_column(default=MAX_KEY_RESULTS)


class Period(Timestamped, Base):
    """A stretch of time (a quarter by default) owned by a team, or by the company (no team)."""

    __tablename__ = "okr_periods"
    __table_args__ = (
        UniqueConstraint("team_id", "name"),
        CheckConstraint("ends_on >= starts_on", name="dates_in_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(40))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    starts_on: Mapped[date] = mapped_column()
    ends_on: Mapped[date] = mapped_column()
    status: Mapped[PeriodStatus] = mapped_column(String(8), default=PeriodStatus.open)
    closed_at: Mapped[datetime | None] = mapped_column()
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    version: Mapped[int] = mapped_column(default=1)

    team: Mapped[Team | None] = relationship(lazy="joined")
    objectives: Mapped[list[Objective]] = relationship(
        back_populates="period", lazy="raise", order_by="Objective.position, Objective.id"
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def is_company(self) -> bool:
        return self.team_id is None


class Objective(Timestamped, Base):
    __tablename__ = "okr_objectives"
    __table_args__ = (Index("ix_okr_objectives_period_status", "period_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("okr_periods.id", ondelete="CASCADE"))
    level: Mapped[ObjectiveLevel] = mapped_column(String(8), default=ObjectiveLevel.team)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    status: Mapped[ObjectiveStatus] = mapped_column(String(16), default=ObjectiveStatus.active)
    # The company objective this team objective serves (alignment).
    serves_id: Mapped[int | None] = mapped_column(
        ForeignKey("okr_objectives.id", ondelete="SET NULL")
    )
    carried_from_id: Mapped[int | None] = mapped_column(
        ForeignKey("okr_objectives.id", ondelete="SET NULL")
    )
    position: Mapped[int] = mapped_column(default=0)
    version: Mapped[int] = mapped_column(default=1)

    period: Mapped[Period] = relationship(back_populates="objectives", lazy="joined")
    owner: Mapped[User | None] = relationship(lazy="joined")
    key_results: Mapped[list[KeyResult]] = relationship(
        back_populates="objective", lazy="raise", order_by="KeyResult.position, KeyResult.id"
    )
    serves: Mapped[Objective | None] = relationship(
        remote_side=[id], foreign_keys=[serves_id], lazy="raise"
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def is_active(self) -> bool:
        return self.status == ObjectiveStatus.active


class KeyResult(Timestamped, Base):
    __tablename__ = "okr_key_results"
    __table_args__ = (
        CheckConstraint("weight > 0", name="positive_weight"),
        CheckConstraint("grade IS NULL OR (grade >= 0 AND grade <= 1)", name="grade_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    objective_id: Mapped[int] = mapped_column(
        ForeignKey("okr_objectives.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    unit: Mapped[str] = mapped_column(String(40), default="")
    start_value: Mapped[float] = mapped_column()
    target_value: Mapped[float] = mapped_column()
    current_value: Mapped[float] = mapped_column()
    direction: Mapped[Direction] = mapped_column(String(8), default=Direction.increase)
    commitment: Mapped[Commitment] = mapped_column(String(16), default=Commitment.committed)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    weight: Mapped[float] = mapped_column(default=1.0)
    is_archived: Mapped[bool] = mapped_column(default=False)
    grade: Mapped[float | None] = mapped_column()
    position: Mapped[int] = mapped_column(default=0)
    version: Mapped[int] = mapped_column(default=1)

    objective: Mapped[Objective] = relationship(back_populates="key_results", lazy="joined")
    owner: Mapped[User | None] = relationship(lazy="joined")
    check_ins: Mapped[list[CheckIn]] = relationship(
        back_populates="key_result", lazy="raise", order_by="CheckIn.checked_on, CheckIn.id"
    )

    __mapper_args__ = {"version_id_col": version}


class CheckIn(Base):
    """A reading of a key result: its value, the owner's confidence, a comment."""

    __tablename__ = "okr_check_ins"
    __table_args__ = (
        CheckConstraint("confidence BETWEEN 1 AND 10", name="confidence_range"),
        Index("ix_okr_check_ins_key_result_date", "key_result_id", "checked_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key_result_id: Mapped[int] = mapped_column(ForeignKey("okr_key_results.id", ondelete="CASCADE"))
    value: Mapped[float] = mapped_column()
    confidence: Mapped[int] = mapped_column()
    comment: Mapped[str] = mapped_column(Text, default="")
    checked_on: Mapped[date] = mapped_column()
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    key_result: Mapped[KeyResult] = relationship(back_populates="check_ins", lazy="raise")
    author: Mapped[User | None] = relationship(lazy="joined")
