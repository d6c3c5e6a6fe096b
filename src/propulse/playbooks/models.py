"""Playbooks (step-by-step templates, versioned) and the projects launched from them."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from propulse.db import Base, Timestamped, utcnow
from propulse.workspace.models import User


class Category(StrEnum):
    webinar = "webinar"
    email_campaign = "email_campaign"
    trade_show = "trade_show"
    nurturing_sequence = "nurturing_sequence"
    content_recycling = "content_recycling"
    market_entry = "market_entry"
    onboarding = "onboarding"
    custom = "custom"


class Anchor(StrEnum):
    event = "event"
    send = "send"
    launch = "launch"
    start = "start"


class PlaybookStatus(StrEnum):
    draft = "draft"
    published = "published"
    archived = "archived"


class Playbook(Timestamped, Base):
    """A mastered action documented from A to Z; its steps are the current content."""

    __tablename__ = "playbooks"
    __table_args__ = (
        UniqueConstraint("slug", "language"),
        CheckConstraint("review_every_months BETWEEN 1 AND 24", name="review_cycle"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80))
    language: Mapped[str] = mapped_column(String(8))
    name: Mapped[str] = mapped_column(String(200))
    category: Mapped[Category] = mapped_column(String(24), default=Category.custom)
    goal: Mapped[str] = mapped_column(Text, default="")
    anchor: Mapped[Anchor] = mapped_column(String(8), default=Anchor.event)
    anchor_label: Mapped[str] = mapped_column(String(80), default="")
    tutorial: Mapped[str] = mapped_column(Text, default="")
    best_practices: Mapped[list[str]] = mapped_column(JSON, default=list)
    success_measures: Mapped[list[str]] = mapped_column(JSON, default=list)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    status: Mapped[PlaybookStatus] = mapped_column(String(10), default=PlaybookStatus.draft)
    reviewed_on: Mapped[date | None] = mapped_column()
    review_every_months: Mapped[int] = mapped_column(default=6)
    translation_id: Mapped[int | None] = mapped_column(
        ForeignKey("playbooks.id", ondelete="SET NULL")
    )
    is_builtin: Mapped[bool] = mapped_column(default=False)
    # The number of the newest published version (0 while never published).
    current_version: Mapped[int] = mapped_column(default=0)
    # The next version being prepared (PlaybookContent as JSON), e.g. from project feedback.
    draft: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    version: Mapped[int] = mapped_column(default=1)

    owner: Mapped[User | None] = relationship(lazy="joined")
    steps: Mapped[list[Step]] = relationship(
        back_populates="playbook",
        lazy="raise",
        order_by="Step.position",
        cascade="all, delete-orphan",
    )
    # Two playbooks point to each other: post_update writes the link after both rows exist.
    translation: Mapped[Playbook | None] = relationship(
        remote_side=[id], lazy="select", post_update=True
    )

    __mapper_args__ = {"version_id_col": version}


class DayKind(StrEnum):
    calendar = "calendar"
    working = "working"


class Step(Base):
    __tablename__ = "playbook_steps"
    __table_args__ = (
        UniqueConstraint("playbook_id", "key"),
        CheckConstraint("duration_days >= 1", name="positive_duration"),
        CheckConstraint(
            "(offset_days IS NULL) != (after_key IS NULL)", name="offset_or_dependency"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    playbook_id: Mapped[int] = mapped_column(ForeignKey("playbooks.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(80))
    position: Mapped[int] = mapped_column()
    title: Mapped[str] = mapped_column(String(200))
    tutorial: Mapped[str] = mapped_column(Text, default="")
    owner_role: Mapped[str] = mapped_column(String(80))
    offset_days: Mapped[int | None] = mapped_column()
    after_key: Mapped[str | None] = mapped_column(String(80))
    lag_days: Mapped[int] = mapped_column(default=0)
    duration_days: Mapped[int] = mapped_column(default=1)
    day_kind: Mapped[DayKind] = mapped_column(String(8), default=DayKind.working)
    effort_hours: Mapped[float | None] = mapped_column()
    checklist: Mapped[list[str]] = mapped_column(JSON, default=list)
    deliverables: Mapped[list[str]] = mapped_column(JSON, default=list)
    advice: Mapped[str] = mapped_column(Text, default="")
    optional: Mapped[bool] = mapped_column(default=False)

    playbook: Mapped[Playbook] = relationship(back_populates="steps", lazy="raise")


class PlaybookVersion(Base):
    """A frozen copy of a playbook's content: what projects launch from and diffs compare."""

    __tablename__ = "playbook_versions"
    __table_args__ = (UniqueConstraint("playbook_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    playbook_id: Mapped[int] = mapped_column(ForeignKey("playbooks.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column()
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON)
    note: Mapped[str] = mapped_column(String(500), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ProjectStatus(StrEnum):
    active = "active"
    done = "done"
    cancelled = "cancelled"


class Project(Timestamped, Base):
    """A playbook launched for real: dated tasks for named people, linked to an objective."""

    __tablename__ = "projects"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    playbook_id: Mapped[int | None] = mapped_column(ForeignKey("playbooks.id", ondelete="SET NULL"))
    playbook_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("playbook_versions.id", ondelete="SET NULL")
    )
    anchor_on: Mapped[date] = mapped_column()
    country: Mapped[str] = mapped_column(String(2))
    objective_id: Mapped[int | None] = mapped_column(
        ForeignKey("okr_objectives.id", ondelete="SET NULL")
    )
    key_result_id: Mapped[int | None] = mapped_column(
        ForeignKey("okr_key_results.id", ondelete="SET NULL")
    )
    request_id: Mapped[int | None] = mapped_column(
        ForeignKey("triage_requests.id", ondelete="SET NULL")
    )
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    status: Mapped[ProjectStatus] = mapped_column(String(10), default=ProjectStatus.active)
    roles: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    version: Mapped[int] = mapped_column(default=1)

    owner: Mapped[User | None] = relationship(lazy="joined")
    playbook_version: Mapped[PlaybookVersion | None] = relationship(lazy="joined")
    tasks: Mapped[list[Task]] = relationship(
        back_populates="project", lazy="raise", order_by="Task.due_on, Task.position"
    )

    __mapper_args__ = {"version_id_col": version}


class TaskStatus(StrEnum):
    todo = "todo"
    doing = "doing"
    done = "done"
    skipped = "skipped"


class Task(Timestamped, Base):
    __tablename__ = "project_tasks"
    __table_args__ = (
        Index("ix_project_tasks_assignee_due", "assignee_id", "status", "due_on"),
        Index("ix_project_tasks_project", "project_id", "position"),
        CheckConstraint("due_on >= start_on", name="dates_in_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    step_key: Mapped[str] = mapped_column(String(80))
    position: Mapped[int] = mapped_column()
    title: Mapped[str] = mapped_column(String(200))
    owner_role: Mapped[str] = mapped_column(String(80))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    start_on: Mapped[date] = mapped_column()
    due_on: Mapped[date] = mapped_column()
    # Set when someone changes the dates by hand: moving the anchor then leaves them alone.
    dates_set_by_hand: Mapped[bool] = mapped_column(default=False)
    after_key: Mapped[str | None] = mapped_column(String(80))
    status: Mapped[TaskStatus] = mapped_column(String(8), default=TaskStatus.todo)
    optional: Mapped[bool] = mapped_column(default=False)
    effort_hours: Mapped[float] = mapped_column(default=4.0)
    checklist: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    tutorial: Mapped[str] = mapped_column(Text, default="")
    advice: Mapped[str] = mapped_column(Text, default="")
    deliverables: Mapped[list[str]] = mapped_column(JSON, default=list)
    completed_at: Mapped[datetime | None] = mapped_column()
    version: Mapped[int] = mapped_column(default=1)

    project: Mapped[Project] = relationship(back_populates="tasks", lazy="joined")
    assignee: Mapped[User | None] = relationship(lazy="joined")
    comments: Mapped[list[TaskComment]] = relationship(
        back_populates="task", lazy="raise", order_by="TaskComment.id"
    )

    __mapper_args__ = {"version_id_col": version}


class TaskComment(Base):
    __tablename__ = "task_comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(
        ForeignKey("project_tasks.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    task: Mapped[Task] = relationship(back_populates="comments", lazy="raise")
    author: Mapped[User | None] = relationship(lazy="joined")


class SuggestionStatus(StrEnum):
    proposed = "proposed"
    accepted = "accepted"
    rejected = "rejected"


class PlaybookSuggestion(Base):
    """What a closed project says to change in its playbook; accepted ones go into the draft."""

    __tablename__ = "playbook_suggestions"

    id: Mapped[int] = mapped_column(primary_key=True)
    playbook_id: Mapped[int] = mapped_column(
        ForeignKey("playbooks.id", ondelete="CASCADE"), index=True
    )
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id", ondelete="SET NULL"))
    step_key: Mapped[str | None] = mapped_column(String(80))
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[SuggestionStatus] = mapped_column(String(10), default=SuggestionStatus.proposed)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    author: Mapped[User | None] = relationship(foreign_keys=[author_id], lazy="joined")


class CalendarFeed(Base):
    """A secret calendar address (ICS) for a project or a person; only its hash is kept."""

    __tablename__ = "calendar_feeds"
    __table_args__ = (
        CheckConstraint("(project_id IS NULL) != (user_id IS NULL)", name="project_or_person"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    project_id: Mapped[int | None] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column()
