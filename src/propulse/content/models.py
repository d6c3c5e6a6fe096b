"""Content recycling: sources, packages of pieces (each versioned), and the workspace brand kit."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from propulse.db import Base, Timestamped, utcnow
from propulse.workspace.models import User


class Source(Timestamped, Base):
    """An uploaded script or transcript, kept as the blocks read from it."""

    __tablename__ = "content_sources"

    id: Mapped[int] = mapped_column(primary_key=True)
    filename: Mapped[str] = mapped_column(String(255))
    format: Mapped[str] = mapped_column(String(8))
    title: Mapped[str] = mapped_column(String(300))
    language: Mapped[str] = mapped_column(String(2))
    detected_language: Mapped[str] = mapped_column(String(2))
    word_count: Mapped[int] = mapped_column()
    has_timecodes: Mapped[bool] = mapped_column(default=False)
    blocks: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    sha256: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int] = mapped_column()
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    uploaded_by: Mapped[User | None] = relationship(lazy="joined")


class PackageStatus(StrEnum):
    queued = "queued"
    running = "running"
    ready = "ready"
    failed = "failed"


class Package(Timestamped, Base):
    """What a source becomes: an e-book, articles, posts, e-mails, a calendar, a report."""

    __tablename__ = "content_packages"

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("content_sources.id", ondelete="CASCADE"))
    status: Mapped[PackageStatus] = mapped_column(String(8), default=PackageStatus.queued)
    progress: Mapped[int] = mapped_column(default=0)
    step: Mapped[str] = mapped_column(String(40), default="")
    error: Mapped[str | None] = mapped_column(Text)
    start_on: Mapped[date] = mapped_column()
    country: Mapped[str] = mapped_column(String(2), default="FR")
    brand: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    analysis: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    quality: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    calendar: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    ebook_pdf: Mapped[bytes | None] = mapped_column(deferred=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    version: Mapped[int] = mapped_column(default=1)

    source: Mapped[Source] = relationship(lazy="joined")
    pieces: Mapped[list[Piece]] = relationship(
        back_populates="package", lazy="raise", order_by="Piece.kind, Piece.index"
    )

    __mapper_args__ = {"version_id_col": version}


class PieceStatus(StrEnum):
    draft = "draft"
    approved = "approved"
    published = "published"


class Piece(Timestamped, Base):
    """One output: the e-book, an article, a LinkedIn post or an e-mail, with its revisions."""

    __tablename__ = "content_pieces"
    __table_args__ = (UniqueConstraint("package_id", "kind", "index"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    package_id: Mapped[int] = mapped_column(ForeignKey("content_packages.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(10))  # ebook, article, linkedin, email
    index: Mapped[int] = mapped_column()
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    meta: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[PieceStatus] = mapped_column(String(10), default=PieceStatus.draft)
    revision: Mapped[int] = mapped_column(default=1)
    version: Mapped[int] = mapped_column(default=1)

    package: Mapped[Package] = relationship(back_populates="pieces", lazy="joined")
    revisions: Mapped[list[PieceRevision]] = relationship(
        back_populates="piece", lazy="raise", order_by="PieceRevision.number.desc()"
    )

    __mapper_args__ = {"version_id_col": version}


class PieceRevision(Base):
    __tablename__ = "content_piece_revisions"
    __table_args__ = (
        UniqueConstraint("piece_id", "number"),
        Index("ix_content_piece_revisions_piece", "piece_id", "number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    piece_id: Mapped[int] = mapped_column(ForeignKey("content_pieces.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column()
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    meta: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    reason: Mapped[str] = mapped_column(String(20))  # generated, edited, regenerated, rewritten
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    piece: Mapped[Piece] = relationship(back_populates="revisions", lazy="raise")
    author: Mapped[User | None] = relationship(lazy="joined")


class BrandSettings(Base):
    """The workspace's brand kit (one row), and the optional LLM endpoint for rewriting."""

    __tablename__ = "content_brand"

    id: Mapped[int] = mapped_column(primary_key=True)
    kit: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    logo: Mapped[bytes | None] = mapped_column()
    logo_type: Mapped[str | None] = mapped_column(String(40))
    llm_base_url: Mapped[str | None] = mapped_column(String(500))
    llm_model: Mapped[str | None] = mapped_column(String(120))
    llm_api_key: Mapped[str | None] = mapped_column(String(500))
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}
