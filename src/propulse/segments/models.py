"""Segments: dynamic ones defined by conditions (stored as JSON, compiled to SQL), static lists."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from propulse.db import Base, Timestamped, utcnow
from propulse.workspace.models import User


class SegmentKind(StrEnum):
    dynamic = "dynamic"
    static = "static"


class Segment(Timestamped, Base):
    """A named group of contacts; a dynamic one keeps itself current."""

    __tablename__ = "segments"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[str] = mapped_column(String(10), default=SegmentKind.dynamic)
    # The condition tree (see docs/segments.md); None for a static list.
    definition: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # True when time alone can change membership (a window in days, a decaying score).
    time_dependent: Mapped[bool] = mapped_column(Boolean, default=False)
    member_count: Mapped[int] = mapped_column(default=0)
    rebuilt_at: Mapped[datetime | None] = mapped_column()
    # Set when the definition changed and the rebuild went to a job; the sweep catches it too.
    needs_rebuild: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    version: Mapped[int] = mapped_column(default=1)

    created_by: Mapped[User | None] = relationship(lazy="joined")

    __mapper_args__ = {"version_id_col": version}


class SegmentMember(Base):
    """A contact in a segment, since when."""

    __tablename__ = "segment_members"
    __table_args__ = (Index("ix_segment_members_contact", "contact_id", "segment_id"),)

    segment_id: Mapped[int] = mapped_column(
        ForeignKey("segments.id", ondelete="CASCADE"), primary_key=True
    )
    contact_id: Mapped[int] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), primary_key=True
    )
    added_at: Mapped[datetime] = mapped_column(default=utcnow)
