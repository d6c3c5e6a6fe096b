"""Content recycling in the workspace: sources, packages and their pieces. The edge commits."""

from __future__ import annotations

import hashlib
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from propulse import jobs
from propulse.audit import service as audit
from propulse.content import ingest, serialize
from propulse.content.document import BrandKit, SourceDocument, SourceError
from propulse.content.models import (
    BrandSettings,
    Package,
    PackageStatus,
    Piece,
    PieceRevision,
    PieceStatus,
    Source,
)
from propulse.db import after_commit
from propulse.kit.errors import Conflict, InvalidInput, NotFound
from propulse.kit.i18n import gettext as _
from propulse.workspace import service as workspace
from propulse.workspace.models import Role, User
from propulse.workspace.permissions import ensure_role

SOURCE_MESSAGES = {
    "empty": "This file is empty.",
    "too_short": "This text has %(words)s words: a source needs at least %(minimum)s.",
    "too_long": "This text has %(words)s words: a source may have at most %(maximum)s.",
    "unsupported_format": "Use a .docx, .md, .txt, .pdf, .srt or .vtt file.",
    "corrupt": "This file cannot be read: it seems damaged.",
    "no_text_layer": "This PDF has no text layer (a scan?): export the text, or run OCR first.",
    "encoding": "This file's characters cannot be read: save it as UTF-8.",
}


def source_error(error: SourceError) -> InvalidInput:
    """Translate a source problem for the person who uploaded it."""
    template = SOURCE_MESSAGES.get(error.code)
    details = {
        "words": error.details.get("words", ""),
        "minimum": error.details.get("minimum", ""),
        "maximum": error.details.get("maximum", ""),
    }
    message = _(template, **details) if template else error.message
    return InvalidInput.on_field("file", message)


def brand_settings(session: Session) -> BrandSettings:
    settings = session.scalar(select(BrandSettings).limit(1))
    if settings is None:
        name = workspace.get_workspace(session).name
        settings = BrandSettings(kit=serialize.brand_to_json(BrandKit(name=name)))
        session.add(settings)
        session.flush()
    return settings


def brand_kit(session: Session) -> BrandKit:
    return serialize.brand_from_json(brand_settings(session).kit)


def save_brand(
    session: Session, *, actor: User, kit: BrandKit, logo: bytes | None, logo_type: str | None
) -> BrandSettings:
    ensure_role(actor, Role.manager, action=_("change the brand kit"))
    settings = brand_settings(session)
    settings.kit = serialize.brand_to_json(kit)
    if logo is not None:
        settings.logo, settings.logo_type = logo, logo_type
    audit.record(
        session,
        actor=actor,
        action="changed",
        object_type="brand",
        object_id=settings.id,
        summary="brand kit",
    )
    session.flush()
    return settings


def add_source(
    session: Session, *, actor: User, data: bytes, filename: str, language: str | None
) -> Source:
    """Read an uploaded file and keep it as a source; a bad file is refused with the reason."""
    ensure_role(actor, Role.member, action=_("recycle content"))
    if language not in (None, "", "fr", "en"):
        raise InvalidInput.on_field("language", _("Choose French or English."))
    try:
        document = ingest.read_source(data, filename, language=language or None)
    except SourceError as error:
        raise source_error(error) from error
    source = Source(
        filename=filename[:255],
        format=document.format,
        title=document.title[:300],
        language=document.language,
        detected_language=document.detected_language,
        word_count=document.word_count,
        has_timecodes=document.has_timecodes,
        blocks=serialize.blocks_to_json(document.blocks),
        sha256=hashlib.sha256(data).hexdigest(),
        size_bytes=len(data),
        uploaded_by_id=actor.id,
    )
    session.add(source)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="created",
        object_type="content_source",
        object_id=source.id,
        summary=f"source {filename!r} ({document.word_count} words, {document.language})",
    )
    return source


def document_of(source: Source) -> SourceDocument:
    return serialize.document_from_json(
        title=source.title,
        language=source.language,
        detected=source.detected_language,
        fmt=source.format,
        blocks=source.blocks,
        words=source.word_count,
    )


def get_source(session: Session, *, source_id: int) -> Source:
    source = session.get(Source, source_id)
    if source is None:
        raise NotFound(_("This source does not exist."))
    return source


def list_sources(session: Session) -> list[Source]:
    return list(session.scalars(select(Source).order_by(Source.id.desc())))


def start_package(
    session: Session, *, actor: User, source_id: int, start_on: date, country: str
) -> Package:
    """Queue the recycling of a source; a job does the work and shows its progress."""
    ensure_role(actor, Role.member, action=_("recycle content"))
    source = get_source(session, source_id=source_id)
    package = Package(
        source_id=source.id,
        start_on=start_on,
        country=country.strip().upper()[:2] or "FR",
        brand=serialize.brand_to_json(brand_kit(session)),
        created_by_id=actor.id,
    )
    session.add(package)
    session.flush()
    package_id = package.id
    after_commit(session, lambda: jobs.enqueue("propulse.recycle_package", package_id))
    audit.record(
        session,
        actor=actor,
        action="created",
        object_type="content_package",
        object_id=package.id,
        summary=f"recycling {source.title!r}",
    )
    return package


def get_package(session: Session, *, package_id: int) -> Package:
    package = session.scalar(
        select(Package).where(Package.id == package_id).options(selectinload(Package.pieces))
    )
    if package is None:
        raise NotFound(_("This package does not exist."))
    return package


def list_packages(session: Session) -> list[Package]:
    return list(session.scalars(select(Package).order_by(Package.id.desc())))


def store_result(session: Session, *, package: Package, content: Any) -> None:
    """Store what the pipeline made: one piece per output, revision 1, all drafts."""
    from propulse.content.pipeline import RecycledContent

    assert isinstance(content, RecycledContent)
    result = content.package
    package.analysis = serialize.analysis_to_json(content.analysis)
    package.quality = content.report.to_json()
    package.calendar = [entry.__dict__ for entry in result.calendar]
    ebook = Piece(
        package_id=package.id,
        kind="ebook",
        index=1,
        title=result.ebook.title,
        body=result.ebook.subtitle,
        meta={"ebook": serialize.ebook_to_json(result.ebook)},
    )
    rows = [ebook] + [
        Piece(
            package_id=package.id,
            kind=piece.kind,
            index=piece.index,
            title=piece.title,
            body=piece.body,
            meta=dict(piece.meta),
        )
        for piece in result.pieces()
    ]
    for row in rows:
        session.add(row)
        session.flush()
        session.add(
            PieceRevision(
                piece_id=row.id,
                number=1,
                title=row.title,
                body=row.body,
                meta=dict(row.meta),
                reason="generated",
            )
        )
    package.ebook_pdf = content.pdf
    package.status = PackageStatus.ready
    package.progress = 100


def get_piece(session: Session, *, piece_id: int) -> Piece:
    piece = session.scalar(
        select(Piece).where(Piece.id == piece_id).options(selectinload(Piece.revisions))
    )
    if piece is None:
        raise NotFound(_("This piece does not exist."))
    return piece


def edit_piece(
    session: Session,
    *,
    actor: User,
    piece_id: int,
    title: str,
    body: str,
    meta: dict[str, Any] | None = None,
    status: PieceStatus | None = None,
    version: int | None = None,
    reason: str = "edited",
) -> Piece:
    """Save a new revision of a piece (the previous ones stay)."""
    ensure_role(actor, Role.member, action=_("edit content"))
    piece = get_piece(session, piece_id=piece_id)
    workspace.check_version(piece, version)
    if not title.strip():
        raise InvalidInput.on_field("title", _("A title is required."))
    if piece.kind != "ebook" and not body.strip():
        raise InvalidInput.on_field("body", _("The text cannot be empty."))
    piece.title, piece.body = title.strip()[:300], body
    if meta is not None:
        piece.meta = {**piece.meta, **meta}
    if status is not None:
        piece.status = status
    piece.revision += 1
    session.add(
        PieceRevision(
            piece_id=piece.id,
            number=piece.revision,
            title=piece.title,
            body=piece.body,
            meta=dict(piece.meta),
            reason=reason,
            author_id=actor.id,
        )
    )
    session.flush()
    return piece


def set_piece_status(session: Session, *, actor: User, piece_id: int, status: PieceStatus) -> Piece:
    ensure_role(actor, Role.member, action=_("edit content"))
    piece = get_piece(session, piece_id=piece_id)
    if piece.package.status != PackageStatus.ready:
        raise Conflict(_("The package is not ready yet."))
    piece.status = status
    session.flush()
    return piece


def regenerate_piece(session: Session, *, actor: User, piece_id: int) -> Piece:
    """Make one piece again from the source's analysis (a new revision; the others stay)."""
    from propulse.content import ebook as ebook_stage
    from propulse.content import pieces as pieces_stage

    ensure_role(actor, Role.member, action=_("edit content"))
    piece = get_piece(session, piece_id=piece_id)
    package = piece.package
    if package.analysis is None:
        raise Conflict(_("The package is not ready yet."))
    brand = serialize.brand_from_json(package.brand)
    if piece.kind == "ebook":
        ebook = serialize.ebook_from_json(piece.meta["ebook"])
        package.ebook_pdf = ebook_stage.render_pdf(
            ebook, brand, logo_bytes=brand_settings(session).logo
        )
        return edit_piece(
            session,
            actor=actor,
            piece_id=piece.id,
            title=piece.title,
            body=piece.body,
            reason="regenerated",
        )
    analysis = serialize.analysis_from_json(package.analysis)
    rebuilt = pieces_stage.build_package(
        analysis, brand, start=package.start_on, country=package.country
    )
    fresh = next(
        (p for p in rebuilt.pieces() if p.kind == piece.kind and p.index == piece.index), None
    )
    if fresh is None:
        raise Conflict(_("This piece cannot be made again from the source."))
    return edit_piece(
        session,
        actor=actor,
        piece_id=piece.id,
        title=fresh.title,
        body=fresh.body,
        meta=dict(fresh.meta),
        reason="regenerated",
    )


def package_files(session: Session, *, package_id: int) -> dict[str, bytes]:
    """Return the package's files as they stand now (edited pieces included), for the zip."""
    from propulse.content import calendar as calendar_stage
    from propulse.content.document import CalendarEntry
    from propulse.content.document import Piece as PieceData
    from propulse.content.pipeline import article_html, piece_markdown

    package = get_package(session, package_id=package_id)
    if package.status != PackageStatus.ready:
        raise Conflict(_("The package is not ready yet."))
    files: dict[str, bytes] = {}
    if package.ebook_pdf:
        files["ebook.pdf"] = package.ebook_pdf
    folders = {"article": "articles", "linkedin": "linkedin", "email": "emails"}
    for row in package.pieces:
        if row.kind not in folders:
            continue
        data = PieceData(
            kind=row.kind,  # type: ignore[arg-type]  # one of the three, filtered just above
            index=row.index,
            title=row.title,
            body=row.body,
            meta=dict(row.meta),
        )
        if row.kind == "article":
            stem = f"articles/{row.index:02d}-{row.meta.get('slug', row.index)}"
            files[f"{stem}.md"] = piece_markdown(data).encode()
            files[f"{stem}.html"] = article_html(data).encode()
        else:
            files[f"{folders[row.kind]}/{row.index:02d}.md"] = piece_markdown(data).encode()
    entries = [CalendarEntry(**entry) for entry in package.calendar]
    files["calendar.ics"] = calendar_stage.calendar_ics(entries, package.source.title)
    files["calendar.csv"] = calendar_stage.calendar_csv(entries).encode()
    import json

    files["quality.json"] = json.dumps(package.quality or {}, ensure_ascii=False, indent=2).encode()
    return files
