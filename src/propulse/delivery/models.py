"""The outbox of marketing e-mail (the truth about every message) and its sending streams.

A message row is claimed by a worker with a lease (``lease_owner``, ``lease_until``) before it
is sent, and recorded in its own commit as soon as the server answers. A row left ``sending``
by a dead worker is reclaimed when its lease expires.

The content of a message (preheader, HTML and text parts, extra headers) lives in a table of
its own, written once when the message is queued and read when it is composed: the claim
and the record of each answer then rewrite a small row, not the ~5 KB of its bodies.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.ext.associationproxy import AssociationProxy, association_proxy
from sqlalchemy.orm import Mapped, mapped_column, relationship

from propulse.db import Base, utcnow

# SQLite only makes INTEGER PRIMARY KEY an alias of the rowid (and auto-incremented).
BigId = BigInteger().with_variant(Integer(), "sqlite")


class DeliveryStatus(StrEnum):
    """Where a message stands; ``sent``, ``failed``, ``suppressed`` and ``cancelled`` are final."""

    queued = "queued"
    sending = "sending"
    sent = "sent"
    failed = "failed"
    suppressed = "suppressed"
    cancelled = "cancelled"


FINAL_STATUSES = frozenset(
    {
        DeliveryStatus.sent,
        DeliveryStatus.failed,
        DeliveryStatus.suppressed,
        DeliveryStatus.cancelled,
    }
)


class DeliveryMessage(Base):
    """One e-mail to one address, rendered once, sent at most once unless a worker dies."""

    __tablename__ = "delivery_messages"
    __table_args__ = (
        # The claim: due queued rows in time order (and expired leases among ``sending`` ones).
        Index("ix_delivery_messages_due", "status", "next_attempt_at", "id"),
        Index("ix_delivery_messages_contact", "contact_id", "id"),
        # Figures per stream, and the list of possible duplicates.
        Index("ix_delivery_messages_stream", "stream", "status"),
        Index("ix_delivery_messages_duplicates", "possible_duplicate", "id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    message_id: Mapped[str] = mapped_column(String(255), unique=True)
    to_address: Mapped[str] = mapped_column(String(320))
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"))
    stream: Mapped[str] = mapped_column(String(80))
    subject: Mapped[str] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(12), default=DeliveryStatus.queued)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    lease_owner: Mapped[str | None] = mapped_column(String(120))
    lease_until: Mapped[datetime | None] = mapped_column()
    last_error: Mapped[str | None] = mapped_column(String(1000))
    smtp_reply: Mapped[str | None] = mapped_column(String(500))
    sent_at: Mapped[datetime | None] = mapped_column()
    possible_duplicate: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # What happened after the server accepted it (first time only; the events keep every one).
    opened_at: Mapped[datetime | None] = mapped_column()
    clicked_at: Mapped[datetime | None] = mapped_column()
    bounced_at: Mapped[datetime | None] = mapped_column()  # a late bounce (IMAP) or a 5xx
    replied_at: Mapped[datetime | None] = mapped_column()
    unsubscribed_at: Mapped[datetime | None] = mapped_column()

    # The content, in its own row (see the module's docstring); ``message.html_body`` etc.
    # read and write it (loaded on first use: the worker reads it with one query per batch).
    body: Mapped[DeliveryMessageBody | None] = relationship(
        cascade="all, delete-orphan", passive_deletes=True
    )
    preheader: AssociationProxy[str] = association_proxy(
        "body", "preheader", creator=lambda value: DeliveryMessageBody(preheader=value)
    )
    html_body: AssociationProxy[str] = association_proxy(
        "body", "html_body", creator=lambda value: DeliveryMessageBody(html_body=value)
    )
    text_body: AssociationProxy[str] = association_proxy(
        "body", "text_body", creator=lambda value: DeliveryMessageBody(text_body=value)
    )
    headers: AssociationProxy[dict[str, Any] | None] = association_proxy(
        "body", "headers", creator=lambda value: DeliveryMessageBody(headers=value)
    )


class DeliveryMessageBody(Base):
    """What a message says: written once when it is queued, read when it is composed."""

    __tablename__ = "delivery_message_bodies"

    message_pk: Mapped[int] = mapped_column(
        BigId, ForeignKey("delivery_messages.id", ondelete="CASCADE"), primary_key=True
    )
    preheader: Mapped[str] = mapped_column(String(300), default="")
    html_body: Mapped[str] = mapped_column(Text, default="")
    text_body: Mapped[str] = mapped_column(Text, default="")
    headers: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class DeliveryStream(Base):
    """A flow of messages (a sequence, the test sends...) that pauses itself after failures."""

    __tablename__ = "delivery_streams"

    name: Mapped[str] = mapped_column(String(80), primary_key=True)
    paused: Mapped[bool] = mapped_column(Boolean, default=False)
    paused_reason: Mapped[str | None] = mapped_column(String(500))
    paused_at: Mapped[datetime | None] = mapped_column()
    consecutive_failures: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class DeliverySettings(Base):
    """Sending settings an admin sets on the page (a single row); unset ones fall back to
    ``PROPULSE_*`` settings. Secrets are stored encrypted with a key derived from the secret key.
    """

    __tablename__ = "delivery_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    # smtp[s|+starttls]://user@host:port, without the password (kept encrypted below).
    smtp_url: Mapped[str | None] = mapped_column(String(500))
    smtp_password_encrypted: Mapped[str | None] = mapped_column(Text)
    mail_from: Mapped[str | None] = mapped_column(String(320))
    reply_address: Mapped[str | None] = mapped_column(String(320))
    dkim_domain: Mapped[str | None] = mapped_column(String(253))
    dkim_selector: Mapped[str | None] = mapped_column(String(63))
    dkim_private_key_encrypted: Mapped[str | None] = mapped_column(Text)
    connections: Mapped[int | None] = mapped_column()
    max_per_second: Mapped[float | None] = mapped_column()
    max_per_window: Mapped[int | None] = mapped_column()
    window_seconds: Mapped[int | None] = mapped_column()
    pause_after_failures: Mapped[int | None] = mapped_column()
    # Open pixel and click redirects (off: no tracking at all).
    tracking_enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    # The reply and bounce mailbox: imap[s]://user@host:port/FOLDER, password encrypted.
    imap_url: Mapped[str | None] = mapped_column(String(500))
    imap_password_encrypted: Mapped[str | None] = mapped_column(Text)
    # VERP return paths bounces+<token>@<bounce_domain> (the mailbox must receive them).
    bounce_domain: Mapped[str | None] = mapped_column(String(253))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}
