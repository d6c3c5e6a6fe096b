"""Requests from anyone, and their triage: does it serve one of our current objectives?"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from propulse.db import Base, Timestamped, utcnow
from propulse.okrs.models import KeyResult, Objective
from propulse.workspace.models import User


class RequestState(StrEnum):
    new = "new"
    accepted = "accepted"
    parked = "parked"
    declined = "declined"
    duplicate = "duplicate"


class Request(Timestamped, Base):
    """An idea or a request: a trade show, a campaign idea, a piece of content..."""

    __tablename__ = "triage_requests"
    __table_args__ = (
        # An accepted request without an objective cannot exist, whatever writes the row.
        CheckConstraint(
            "state != 'accepted' OR objective_id IS NOT NULL OR key_result_id IS NOT NULL",
            name="accepted_serves_an_objective",
        ),
        CheckConstraint(
            "state != 'parked' OR (parked_reason IS NOT NULL AND parked_until IS NOT NULL)",
            name="parked_has_reason_and_date",
        ),
        CheckConstraint(
            "state != 'declined' OR declined_reason IS NOT NULL", name="declined_has_reason"
        ),
        CheckConstraint(
            "state != 'duplicate' OR duplicate_of_id IS NOT NULL", name="duplicate_names_original"
        ),
        CheckConstraint("impact BETWEEN 1 AND 10", name="impact_range"),
        CheckConstraint("confidence BETWEEN 1 AND 10", name="confidence_range"),
        CheckConstraint("ease BETWEEN 1 AND 10", name="ease_range"),
        CheckConstraint("effort_days >= 0", name="effort_positive"),
        Index("ix_triage_requests_state", "state", "id"),
        Index("ix_triage_requests_requester", "requester_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    requester_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    department: Mapped[str] = mapped_column(String(80))
    wished_on: Mapped[date | None] = mapped_column()
    impact: Mapped[int] = mapped_column(default=5)
    confidence: Mapped[int] = mapped_column(default=5)
    ease: Mapped[int] = mapped_column(default=5)
    effort_days: Mapped[float] = mapped_column(default=0.0)
    link: Mapped[str | None] = mapped_column(String(500))
    state: Mapped[RequestState] = mapped_column(String(10), default=RequestState.new)
    objective_id: Mapped[int | None] = mapped_column(
        ForeignKey("okr_objectives.id", ondelete="RESTRICT"), index=True
    )
    key_result_id: Mapped[int | None] = mapped_column(
        ForeignKey("okr_key_results.id", ondelete="RESTRICT")
    )
    parked_reason: Mapped[str | None] = mapped_column(Text)
    parked_until: Mapped[date | None] = mapped_column()
    declined_reason: Mapped[str | None] = mapped_column(Text)
    duplicate_of_id: Mapped[int | None] = mapped_column(
        ForeignKey("triage_requests.id", ondelete="SET NULL")
    )
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column()
    version: Mapped[int] = mapped_column(default=1)

    requester: Mapped[User] = relationship(foreign_keys=[requester_id], lazy="joined")
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id], lazy="joined")
    objective: Mapped[Objective | None] = relationship(lazy="joined")
    key_result: Mapped[KeyResult | None] = relationship(lazy="joined")
    transitions: Mapped[list[RequestTransition]] = relationship(
        back_populates="request", lazy="raise", order_by="RequestTransition.id"
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def ice_score(self) -> float:
        """Return the ICE score: the mean of impact, confidence and ease (1 to 10)."""
        return round((self.impact + self.confidence + self.ease) / 3, 1)


class RequestTransition(Base):
    """One move of a request from a state to another: who, when and why."""

    __tablename__ = "triage_transitions"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("triage_requests.id", ondelete="CASCADE"), index=True
    )
    from_state: Mapped[str | None] = mapped_column(String(10))
    to_state: Mapped[str] = mapped_column(String(10))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(Text, default="")
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    request: Mapped[Request] = relationship(back_populates="transitions", lazy="raise")
    actor: Mapped[User | None] = relationship(lazy="joined")
