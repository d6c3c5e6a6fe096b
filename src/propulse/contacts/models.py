"""Companies, contacts, their consent and their activity: the base nurturing and scoring use.

Sized for a million contacts and ten million events on one machine: the columns that segments
and lists filter or sort on are plain indexed columns (the score included), custom fields sit in
one JSON column, and events carry their properties only when they have some.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from propulse.db import Base, Timestamped, utcnow
from propulse.workspace.models import User

# SQLite only makes INTEGER PRIMARY KEY an alias of the rowid (and auto-incremented).
BigId = BigInteger().with_variant(Integer(), "sqlite")


class LifecycleStage(StrEnum):
    """Where a contact stands on the way to becoming a customer, in order."""

    subscriber = "subscriber"
    lead = "lead"
    mql = "mql"
    sql = "sql"
    opportunity = "opportunity"
    customer = "customer"


class ConsentBasis(StrEnum):
    """Why we may write to a contact on a channel; ``withdrawn`` ends it."""

    opt_in = "opt_in"
    legitimate_interest = "legitimate_interest"
    withdrawn = "withdrawn"


class FieldKind(StrEnum):
    text = "text"
    number = "number"
    date = "date"
    choice = "choice"


class EventType(StrEnum):
    """The activity types Propulse knows; other lowercase slugs are custom types."""

    email_sent = "email_sent"
    email_opened = "email_opened"
    email_clicked = "email_clicked"
    page_visited = "page_visited"
    form_submitted = "form_submitted"
    webinar_registered = "webinar_registered"
    webinar_attended = "webinar_attended"
    content_downloaded = "content_downloaded"
    meeting = "meeting"
    segment_entered = "segment_entered"
    segment_left = "segment_left"


NAME_KEY_LENGTH = 200


def company_key(name: str) -> str:
    """Return ``Company.name_key``: the name casefolded, its spaces collapsed.

    Legal suffixes (SAS, GmbH...) are kept: "Acme" and "Acme GmbH" may be two companies.
    Casefolding can lengthen a name ("ß" becomes "ss"), so the key is cut to its column.
    The service, the importer and the sample loader all match companies with this one rule.
    """
    return " ".join(name.casefold().split())[:NAME_KEY_LENGTH]


class Company(Timestamped, Base):
    """An organisation contacts work for; found again by its normalised name."""

    __tablename__ = "companies"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    name_key: Mapped[str] = mapped_column(String(NAME_KEY_LENGTH), unique=True)
    domain: Mapped[str | None] = mapped_column(String(200), index=True)
    sector: Mapped[str | None] = mapped_column(String(80))
    size: Mapped[str | None] = mapped_column(String(20))
    country: Mapped[str | None] = mapped_column(String(2))
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}


class Contact(Timestamped, Base):
    """A person we may talk to, keyed by a normalised e-mail address."""

    __tablename__ = "contacts"
    __table_args__ = (
        CheckConstraint("maturity IS NULL OR maturity BETWEEN 1 AND 5", name="maturity_range"),
        CheckConstraint(
            "NOT do_not_contact OR do_not_contact_reason IS NOT NULL",
            name="do_not_contact_has_reason",
        ),
        # The contacts list: a country filter sorted by score, and the unfiltered sort.
        Index("ix_contacts_country_score", "country", "score", "id"),
        Index("ix_contacts_score", "score", "id"),
        Index("ix_contacts_lifecycle", "lifecycle_stage", "id"),
        Index("ix_contacts_owner", "owner_id", "id"),
        Index("ix_contacts_company", "company_id"),
        Index("ix_contacts_recent", "last_activity_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    first_name: Mapped[str] = mapped_column(String(100), default="")
    last_name: Mapped[str] = mapped_column(String(100), default="")
    phone: Mapped[str | None] = mapped_column(String(40))
    job_title: Mapped[str | None] = mapped_column(String(200))
    company_id: Mapped[int | None] = mapped_column(ForeignKey("companies.id", ondelete="SET NULL"))
    sector: Mapped[str | None] = mapped_column(String(80))
    company_size: Mapped[str | None] = mapped_column(String(20))
    maturity: Mapped[int | None] = mapped_column()
    country: Mapped[str | None] = mapped_column(String(2))
    language: Mapped[str | None] = mapped_column(String(8))
    timezone: Mapped[str | None] = mapped_column(String(64))
    lifecycle_stage: Mapped[str] = mapped_column(String(12), default=LifecycleStage.subscriber)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    source: Mapped[str | None] = mapped_column(String(80))
    custom: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # The current e-mail basis, kept in step with the latest e-mail consent record.
    email_consent: Mapped[str | None] = mapped_column(String(20))
    do_not_contact: Mapped[bool] = mapped_column(Boolean, default=False)
    do_not_contact_reason: Mapped[str | None] = mapped_column(Text)
    # Stored by scoring so that segments and lists filter and sort on it.
    score: Mapped[int] = mapped_column(default=0)
    fit_score: Mapped[int] = mapped_column(default=0)
    engagement_score: Mapped[int] = mapped_column(default=0)
    grade: Mapped[str | None] = mapped_column(String(2))
    score_updated_at: Mapped[datetime | None] = mapped_column()
    mql_at: Mapped[datetime | None] = mapped_column()
    last_activity_at: Mapped[datetime | None] = mapped_column()
    version: Mapped[int] = mapped_column(default=1)

    company: Mapped[Company | None] = relationship(lazy="joined")
    owner: Mapped[User | None] = relationship(lazy="joined")

    __mapper_args__ = {"version_id_col": version}

    @property
    def name(self) -> str:
        """Return the full name, or the e-mail when no name is known."""
        full = f"{self.first_name} {self.last_name}".strip()
        return full or self.email


class CustomField(Timestamped, Base):
    """A field an admin adds to every contact: text, number, date or a choice among values."""

    __tablename__ = "contact_fields"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(40), unique=True)
    label: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(10), default=FieldKind.text)
    choices: Mapped[list[str]] = mapped_column(JSON, default=list)
    position: Mapped[int] = mapped_column(default=0)


class Consent(Base):
    """One consent record: never edited, a later record supersedes it (the history stays)."""

    __tablename__ = "contact_consents"
    __table_args__ = (Index("ix_contact_consents_contact", "contact_id", "channel", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(20), default="email")
    basis: Mapped[str] = mapped_column(String(20))
    source: Mapped[str] = mapped_column(String(200), default="")
    wording_version: Mapped[str | None] = mapped_column(String(40))
    ip_address: Mapped[str | None] = mapped_column(String(45))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class ContactEvent(Base):
    """Something a contact did or that happened to them; ``external_id`` makes it idempotent."""

    __tablename__ = "contact_events"
    __table_args__ = (
        Index("ix_contact_events_contact", "contact_id", "type", "occurred_at"),
        # Segment rebuilds: who did this kind of thing since a date.
        Index("ix_contact_events_type", "type", "occurred_at", "contact_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"))
    type: Mapped[str] = mapped_column(String(40))
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow)
    external_id: Mapped[str | None] = mapped_column(String(120), unique=True)
    properties: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class SuppressionReason(StrEnum):
    erased = "erased"
    unsubscribed = "unsubscribed"
    bounced = "bounced"
    complained = "complained"
    manual = "manual"


class Suppression(Base):
    """An address we must not bring back or write to, kept only as a SHA-256 of its normal form."""

    __tablename__ = "suppressions"

    id: Mapped[int] = mapped_column(primary_key=True)
    email_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The address itself, kept for unsubscribes and bounces (so the list can be exported);
    # never for an erased contact, whose hash alone remains.
    email: Mapped[str | None] = mapped_column(String(320))
    reason: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ImportStatus(StrEnum):
    mapping = "mapping"
    queued = "queued"
    running = "running"
    done = "done"
    failed = "failed"


class ContactImport(Timestamped, Base):
    """A file being imported from the web: its mapping, its progress and its outcome."""

    __tablename__ = "contact_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    filename: Mapped[str] = mapped_column(String(255))
    stored_path: Mapped[str] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(10), default=ImportStatus.mapping)
    mapping: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    update_rule: Mapped[str] = mapped_column(String(10), default="fill")
    dry_run: Mapped[bool] = mapped_column(Boolean, default=False)
    total_rows: Mapped[int | None] = mapped_column()
    processed_rows: Mapped[int] = mapped_column(default=0)
    created: Mapped[int] = mapped_column(default=0)
    updated: Mapped[int] = mapped_column(default=0)
    unchanged: Mapped[int] = mapped_column(default=0)
    rejected: Mapped[int] = mapped_column(default=0)
    rejects_path: Mapped[str | None] = mapped_column(String(500))
    error: Mapped[str | None] = mapped_column(Text)
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    finished_at: Mapped[datetime | None] = mapped_column()

    started_by: Mapped[User | None] = relationship(lazy="joined")
