"""E-mail templates and their language variants (the body is Markdown or HTML with Jinja2)."""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from propulse.db import Base, Timestamped


class BodyFormat(StrEnum):
    markdown = "markdown"
    html = "html"


class EmailTemplate(Timestamped, Base):
    """A named e-mail; the variant in the contact's language is sent, else the default one."""

    __tablename__ = "email_templates"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    # The language whose variant is used when the contact's language has none ("fr", "en"...).
    default_language: Mapped[str] = mapped_column(String(8), default="en")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    version: Mapped[int] = mapped_column(default=1)

    variants: Mapped[list[EmailTemplateVariant]] = relationship(
        back_populates="template",
        cascade="all, delete-orphan",
        order_by="EmailTemplateVariant.language",
    )

    __mapper_args__ = {"version_id_col": version}


class EmailTemplateVariant(Timestamped, Base):
    """The subject, preheader and body of a template in one language."""

    __tablename__ = "email_template_variants"
    __table_args__ = (UniqueConstraint("template_id", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    template_id: Mapped[int] = mapped_column(ForeignKey("email_templates.id", ondelete="CASCADE"))
    language: Mapped[str] = mapped_column(String(8))
    subject: Mapped[str] = mapped_column(String(300))
    preheader: Mapped[str] = mapped_column(String(300), default="")
    body_format: Mapped[str] = mapped_column(String(10), default=BodyFormat.markdown)
    body: Mapped[str] = mapped_column(Text, default="")

    template: Mapped[EmailTemplate] = relationship(back_populates="variants")
