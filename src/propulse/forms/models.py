"""Public sign-up forms and what visitors submitted (kept pending until the e-mail is confirmed)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from propulse.db import Base, Timestamped, utcnow


class SignupForm(Timestamped, Base):
    """A hosted page (and embeddable HTML) that turns a visitor into a consenting contact."""

    __tablename__ = "signup_forms"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    # The public address: /f/{slug}.
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    language: Mapped[str] = mapped_column(String(8), default="en")
    title: Mapped[str] = mapped_column(String(200))
    introduction: Mapped[str] = mapped_column(Text, default="")
    # [{"key": contact field or custom field key, "label": str, "required": bool}]; e-mail is
    # always asked.
    fields: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    consent_wording: Mapped[str] = mapped_column(Text)
    wording_version: Mapped[str] = mapped_column(String(40), default="1")
    double_opt_in: Mapped[bool] = mapped_column(Boolean, default=True)
    # Shown (and e-mailed, for an e-book) once confirmed.
    thank_you_message: Mapped[str] = mapped_column(Text, default="")
    download_url: Mapped[str | None] = mapped_column(String(500))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}


class FormSubmission(Base):
    """One submission; with double opt-in nothing reaches the contacts until it is confirmed."""

    __tablename__ = "form_submissions"
    __table_args__ = (
        Index("ix_form_submissions_form", "form_id", "id"),
        # The rate limit: recent submissions from one address.
        Index("ix_form_submissions_ip", "ip_address", "submitted_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    form_id: Mapped[int] = mapped_column(ForeignKey("signup_forms.id", ondelete="CASCADE"))
    email: Mapped[str] = mapped_column(String(320))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    ip_address: Mapped[str | None] = mapped_column(String(45))
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column()
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"))
