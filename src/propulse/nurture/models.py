"""Sequences, their steps, the contacts enrolled in them and what each step did.

A sequence is a list of steps in ``position`` order; a step names the next one by ``key``
only when it jumps (a branch, or an explicit ``next_key``). An enrolment is one contact's way
through one sequence: the scheduler runs its current step when ``next_run_at`` is due.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from propulse.db import Base, Timestamped, utcnow


class SequenceStatus(StrEnum):
    draft = "draft"
    active = "active"
    paused = "paused"


class StepKind(StrEnum):
    send_email = "send_email"  # config: {"template_id": int}
    wait = "wait"  # config: {"days": int} or {"until_weekday": 0-6, "until_hour": 0-23}
    branch = "branch"  # config: {"condition": {...}, "yes": key|None, "no": key|None}
    update_field = "update_field"  # config: {"field": str, "value": Any}
    set_stage = "set_stage"  # config: {"stage": LifecycleStage}
    add_to_segment = "add_to_segment"  # config: {"segment_id": int} (a static list)
    remove_from_segment = "remove_from_segment"  # config: {"segment_id": int}
    notify_owner = "notify_owner"  # config: {"message": str}
    end = "end"  # config: {}


class TriggerKind(StrEnum):
    segment_entered = "segment_entered"  # {"kind", "segment_id"}
    score_reached = "score_reached"  # {"kind", "score"}
    event = "event"  # {"kind", "event_type", "properties": {...} (all must match)}
    mql = "mql"  # {"kind"}: the contact just became a marketing-qualified lead (an MQL action)


class Reenrolment(StrEnum):
    never = "never"  # once enrolled, never again
    after_exit = "after_exit"  # again as soon as the previous enrolment ended
    after_days = "after_days"  # again when the previous one ended N days ago


class ExitGoal(StrEnum):
    became_sql = "became_sql"
    booked_meeting = "booked_meeting"
    unsubscribed = "unsubscribed"
    replied = "replied"


class EnrolmentStatus(StrEnum):
    active = "active"
    completed = "completed"  # walked to the end
    exited = "exited"  # a goal was reached, or the contact may no longer be written to
    cancelled = "cancelled"  # removed by hand


class EnrolmentSource(StrEnum):
    segment = "segment"
    score = "score"
    event = "event"
    manual = "manual"
    api = "api"
    mql = "mql"


class Sequence(Timestamped, Base):
    """A nurturing sequence: steps, what enrols contacts, the goals that end it early."""

    __tablename__ = "sequences"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(10), default=SequenceStatus.draft)
    paused_reason: Mapped[str | None] = mapped_column(String(500))
    # [{"kind": TriggerKind, ...}], see TriggerKind; manual and API enrolment need none.
    triggers: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    reenrolment: Mapped[str] = mapped_column(String(12), default=Reenrolment.never)
    reenrol_after_days: Mapped[int | None] = mapped_column()
    exit_goals: Mapped[list[str]] = mapped_column(JSON, default=list)
    # {"default": Window, "DE": Window, ...}; Window = {"start": "09:00", "end": "18:00",
    # "weekdays": [0, 1, 2, 3, 4], "skip_holidays": true}; see nurture/windows.py.
    sending_windows: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    version: Mapped[int] = mapped_column(default=1)

    steps: Mapped[list[SequenceStep]] = relationship(
        back_populates="sequence",
        cascade="all, delete-orphan",
        order_by="SequenceStep.position",
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def stream(self) -> str:
        """Name the delivery stream of this sequence's messages (it pauses on failures)."""
        return f"sequence-{self.id}"


class SequenceStep(Timestamped, Base):
    """One step of a sequence; ``key`` is stable across edits so branches can name it."""

    __tablename__ = "sequence_steps"
    __table_args__ = (UniqueConstraint("sequence_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sequence_id: Mapped[int] = mapped_column(ForeignKey("sequences.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(40))
    position: Mapped[int] = mapped_column()
    kind: Mapped[str] = mapped_column(String(24))
    config: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # The step after this one when it is not the next by position (None: the next one).
    next_key: Mapped[str | None] = mapped_column(String(40))

    sequence: Mapped[Sequence] = relationship(back_populates="steps")


class Enrolment(Base):
    """One contact's way through one sequence."""

    __tablename__ = "sequence_enrolments"
    __table_args__ = (
        # Never twice in the same sequence at once.
        Index(
            "uq_sequence_enrolments_active",
            "sequence_id",
            "contact_id",
            unique=True,
            sqlite_where=text("status = 'active'"),
            postgresql_where=text("status = 'active'"),
        ),
        # The scheduler: active enrolments that are due, in time order.
        Index("ix_sequence_enrolments_due", "status", "next_run_at", "id"),
        Index("ix_sequence_enrolments_contact", "contact_id", "sequence_id"),
        Index("ix_sequence_enrolments_step", "sequence_id", "status", "current_step_id"),
        # Who is in a sequence, newest first, all or by step or by status: one range of an
        # index each, however big the sequence (no sort of its rows).
        Index("ix_sequence_enrolments_newest", "sequence_id", "id"),
        Index("ix_sequence_enrolments_at_step", "sequence_id", "current_step_id", "id"),
        Index("ix_sequence_enrolments_by_status", "sequence_id", "status", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    sequence_id: Mapped[int] = mapped_column(ForeignKey("sequences.id", ondelete="CASCADE"))
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(10), default=EnrolmentStatus.active)
    current_step_id: Mapped[int | None] = mapped_column(
        ForeignKey("sequence_steps.id", ondelete="SET NULL")
    )
    next_run_at: Mapped[datetime | None] = mapped_column()
    source: Mapped[str] = mapped_column(String(10), default=EnrolmentSource.manual)
    enrolled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    enrolled_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column()
    # Why it ended: an ExitGoal value, "completed", "blocked:<Block>", "cancelled"...
    exit_reason: Mapped[str | None] = mapped_column(String(60))
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}


class StepOutcome(StrEnum):
    done = "done"  # the step ran (an e-mail queued, a field set, a branch taken...)
    skipped = "skipped"  # e.g. the template had nothing to send to this contact
    blocked = "blocked"  # the contact may not receive marketing e-mail


class StepRun(Base):
    """What one step did for one enrolment; the per-step figures are counted from these."""

    __tablename__ = "sequence_step_runs"
    __table_args__ = (
        Index("ix_sequence_step_runs_step", "step_id", "outcome"),
        Index("ix_sequence_step_runs_enrolment", "enrolment_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(
        ForeignKey("sequence_enrolments.id", ondelete="CASCADE")
    )
    step_id: Mapped[int] = mapped_column(ForeignKey("sequence_steps.id", ondelete="CASCADE"))
    outcome: Mapped[str] = mapped_column(String(10))
    # The outbox row of a send_email step (its status, opens and clicks give the figures).
    message_pk: Mapped[int | None] = mapped_column(
        ForeignKey("delivery_messages.id", ondelete="SET NULL"), unique=True
    )
    detail: Mapped[str | None] = mapped_column(String(300))
    ran_at: Mapped[datetime] = mapped_column(default=utcnow)


class FiguresSnapshot(Base):
    """A big sequence's figures as last counted by the figures job (``nurture/figures.py``).

    Counting a million step runs and their messages takes seconds: the pages read this row
    instead, and say when it was counted. Small sequences are always counted live.
    """

    __tablename__ = "sequence_figures"

    sequence_id: Mapped[int] = mapped_column(
        ForeignKey("sequences.id", ondelete="CASCADE"), primary_key=True
    )
    figures: Mapped[dict[str, Any]] = mapped_column(JSON)
    rows_counted: Mapped[int] = mapped_column()  # enrolments + step runs: how big it is
    counted_at: Mapped[datetime] = mapped_column()
    counting_ms: Mapped[int] = mapped_column()  # how long the count took (sets its interval)
    due: Mapped[bool] = mapped_column(default=False)  # steps changed: count at the next run
