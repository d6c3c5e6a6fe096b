"""Lead scoring: fit rules on attributes, engagement rules on events, the settings, the history."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Boolean, CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from propulse.contacts.models import BigId
from propulse.db import Base, Timestamped, utcnow


class RuleKind(StrEnum):
    fit = "fit"
    engagement = "engagement"


class Decay(StrEnum):
    """How an event's points fade: not at all, by half every N days, or to zero after N days."""

    none = "none"
    half_life = "half_life"
    expiry = "expiry"


class ScoringRule(Timestamped, Base):
    """Points for who a contact is (fit) or for what they did (engagement)."""

    __tablename__ = "scoring_rules"
    __table_args__ = (
        CheckConstraint("cap IS NULL OR cap >= 0", name="cap_positive"),
        CheckConstraint(
            "decay = 'none' OR (decay_days IS NOT NULL AND decay_days > 0)",
            name="decay_has_days",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(12))
    group_name: Mapped[str] = mapped_column(String(60), default="")
    # Fit: a segment-style condition on fields. Engagement: {"where": {property: value}} or {}.
    condition: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    event_type: Mapped[str | None] = mapped_column(String(40))
    points: Mapped[int] = mapped_column()
    cap: Mapped[int | None] = mapped_column()
    decay: Mapped[str] = mapped_column(String(10), default=Decay.none)
    decay_days: Mapped[int | None] = mapped_column()
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    position: Mapped[int] = mapped_column(default=0)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}


class ScoringSettings(Timestamped, Base):
    """The workspace's scoring settings (a single row): limits, grades, the MQL threshold."""

    __tablename__ = "scoring_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    total_limit: Mapped[int | None] = mapped_column(default=100)
    group_caps: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    fit_grade_a: Mapped[int] = mapped_column(default=40)
    fit_grade_b: Mapped[int] = mapped_column(default=20)
    engagement_grade_1: Mapped[int] = mapped_column(default=30)
    engagement_grade_2: Mapped[int] = mapped_column(default=10)
    mql_threshold: Mapped[int] = mapped_column(default=60)
    mql_notify_owner: Mapped[bool] = mapped_column(Boolean, default=True)
    mql_set_stage: Mapped[bool] = mapped_column(Boolean, default=True)
    mql_segment_id: Mapped[int | None] = mapped_column(
        ForeignKey("segments.id", ondelete="SET NULL")
    )
    # Bumped on every rule or settings change, so a rescore knows what it computed.
    rules_version: Mapped[int] = mapped_column(default=1)
    # The rules_version the last full rescore computed, and when it finished: the hourly sweep
    # rescores everything when they differ (a rescore job was lost, or rules changed since).
    rescored_version: Mapped[int] = mapped_column(default=0)
    rescored_at: Mapped[datetime | None] = mapped_column()
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}


class ScoreCause(StrEnum):
    event = "event"
    edit = "edit"
    rescore = "rescore"
    decay = "decay"


class ScoreChange(Base):
    """A contact's score after a change, and what caused it: the score's history."""

    __tablename__ = "score_history"
    __table_args__ = (Index("ix_score_history_contact", "contact_id", "changed_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"))
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    score: Mapped[int] = mapped_column()
    fit_score: Mapped[int] = mapped_column()
    engagement_score: Mapped[int] = mapped_column()
    cause: Mapped[str] = mapped_column(String(10))


class ScoreRun(Base):
    """A rescore of every contact (rules changed) or an hourly decay sweep.

    Such runs write no history row per contact: at a million contacts that would cost about as
    much as the scores themselves (see docs/scoring.md). A contact's history shows the score a
    run left as its latest point, with the run's cause.
    """

    __tablename__ = "score_runs"
    __table_args__ = (Index("ix_score_runs_started", "started_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cause: Mapped[str] = mapped_column(String(10))
    started_at: Mapped[datetime] = mapped_column()
    finished_at: Mapped[datetime | None] = mapped_column()
    rules_version: Mapped[int] = mapped_column()
    contacts: Mapped[int] = mapped_column(default=0)
    changed: Mapped[int] = mapped_column(default=0)
    completed: Mapped[bool] = mapped_column(Boolean, default=False)
