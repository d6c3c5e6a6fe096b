"""Content recycling in the workspace: sources, packages and their pieces. The edge commits."""

from __future__ import annotations

import hashlib
import json
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from propulse import jobs
from propulse.audit import service as audit
from propulse.content import ingest, serialize
from propulse.content.document import (
    BrandKit,
    CalendarEntry,
    ContentPackage,
    SourceDocument,
    SourceError,
)
from propulse.content.document import Piece as PieceData
from propulse.content.models import (
    BrandSettings,
    Package,
    PackageStatus,
    Piece,
    PieceRevision,
    PieceStatus,
    Source,
)
from propulse.db import after_commit, is_reading
from propulse.kit.errors import Conflict, InvalidInput, NotFound
from propulse.kit.i18n import gettext as _
from propulse.kit.i18n import lazy_gettext
from propulse.workspace import service as workspace
from propulse.workspace.models import Role, User
from propulse.workspace.permissions import ensure_role

SOURCE_MESSAGES = {
    "empty": lazy_gettext("This file is empty."),
    "too_short": lazy_gettext(
        "This text has %(words)s words: a source needs at least %(minimum)s."
    ),
    "too_long": lazy_gettext(
        "This text has %(words)s words: a source may have at most %(maximum)s."
    ),
    "unsupported_format": lazy_gettext("Use a .docx, .md, .txt, .pdf, .srt or .vtt file."),
    "corrupt": lazy_gettext("This file cannot be read: it seems damaged."),
    "no_text_layer": lazy_gettext(
        "This PDF has no text layer (a scan?): export the text, or run OCR first."
    ),
    "encoding": lazy_gettext("This file's characters cannot be read: save it as UTF-8."),
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


def file_too_large(limit: int) -> InvalidInput:
    """Refuse an upload over ``limit`` bytes, in the unit that says it best."""
    if limit >= 1024 * 1024:
        return InvalidInput.on_field(
            "file", _("This file is larger than %(mb)s MB.", mb=limit // (1024 * 1024))
        )
    return InvalidInput.on_field(
        "file", _("This file is larger than %(kb)s KB.", kb=max(1, limit // 1024))
    )


def check_country(country: str) -> str:
    """Return the country's code if its public holidays are known (the calendar skips them)."""
    from propulse.kit import workdays

    code = country.strip().upper()
    try:
        if len(code) != 2:
            raise workdays.UnknownCountry(code)
        workdays.public_holidays(code, 2027)
    except workdays.UnknownCountry as exc:
        raise InvalidInput.on_field(
            "country", _("Unknown country: %(code)s.", code=country.strip())
        ) from exc
    return code


def brand_settings(session: Session) -> BrandSettings:
    settings = session.scalar(select(BrandSettings).limit(1))
    if settings is None:
        name = workspace.get_workspace(session).name
        settings = BrandSettings(kit=serialize.brand_to_json(BrandKit(name=name)))
        if not is_reading(session):  # a page only shows the default kit; a change saves it
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
    code = check_country(country)
    package = Package(
        source_id=source.id,
        start_on=start_on,
        country=code,
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


def retry_package(session: Session, *, actor: User, package_id: int) -> Package:
    """Queue a failed package again (a package in any other state is left as it is)."""
    ensure_role(actor, Role.member, action=_("recycle content"))
    package = get_package(session, package_id=package_id)
    if package.status != PackageStatus.failed:
        return package
    package.status, package.progress, package.step = PackageStatus.queued, 0, ""
    session.flush()
    after_commit(session, lambda: jobs.enqueue("propulse.recycle_package", package_id))
    audit.record(
        session,
        actor=actor,
        action="changed",
        object_type="content_package",
        object_id=package.id,
        summary=f"recycling {package.source.title!r} again after: {package.error or ''}"[:500],
    )
    return package


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
    from propulse.content.drafting import slugify

    ensure_role(actor, Role.member, action=_("edit content"))
    piece = get_piece(session, piece_id=piece_id)
    workspace.check_version(piece, version)
    if not title.strip():
        raise InvalidInput.on_field("title", _("A title is required."))
    if piece.kind != "ebook" and not body.strip():
        raise InvalidInput.on_field("body", _("The text cannot be empty."))
    piece.title, piece.body = title.strip()[:300], body.replace("\r\n", "\n")
    if meta is not None:
        # The e-book's plan is not edited directly: its title and subtitle are.
        piece.meta = {**piece.meta, **{k: v for k, v in meta.items() if k != "ebook"}}
    if piece.kind == "article":
        # The slug names the article's files: never a path, never empty.
        piece.meta = {**piece.meta, "slug": slugify(str(piece.meta.get("slug") or piece.title))}
    if piece.kind == "ebook":
        ebook = {**piece.meta["ebook"], "title": piece.title, "subtitle": piece.body.strip()}
        piece.meta = {**piece.meta, "ebook": ebook}
        _render_ebook(session, piece)
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
    refresh_quality(session, package_id=piece.package_id)
    return piece


def _render_ebook(session: Session, piece: Piece) -> None:
    """Render the package's PDF again from the e-book piece (a bad render changes nothing)."""
    from propulse.content import ebook as ebook_stage

    brand = serialize.brand_from_json(piece.package.brand)
    ebook = serialize.ebook_from_json(piece.meta["ebook"])
    try:
        pdf = ebook_stage.render_pdf(ebook, brand, logo_bytes=brand_settings(session).logo)
    except ebook_stage.EbookError as error:
        raise InvalidInput.on_field("body", str(error)) from error
    piece.package.ebook_pdf = pdf


def content_of(package: Package) -> ContentPackage:
    """Rebuild the pipeline's package from the stored pieces, as edited."""
    by_kind: dict[str, list[PieceData]] = {"article": [], "linkedin": [], "email": []}
    ebook = None
    for row in sorted(package.pieces, key=lambda p: (p.kind, p.index)):
        if row.kind == "ebook":
            ebook = serialize.ebook_from_json(row.meta["ebook"])
        elif row.kind in by_kind:
            by_kind[row.kind].append(
                PieceData(
                    kind=row.kind,  # type: ignore[arg-type]  # one of the three keys
                    index=row.index,
                    title=row.title,
                    body=row.body,
                    meta=dict(row.meta),
                )
            )
    if ebook is None:
        raise Conflict(_("The package is not ready yet."))
    return ContentPackage(
        language=ebook.language,
        ebook=ebook,
        articles=by_kind["article"],
        posts=by_kind["linkedin"],
        emails=by_kind["email"],
        calendar=calendar_entries(package),
    )


def calendar_entries(package: Package) -> list[CalendarEntry]:
    """The publishing calendar, with each piece's title as it stands now."""
    titles = {(row.kind, row.index): row.title for row in package.pieces}
    return [
        CalendarEntry(
            **{**entry, "title": titles.get((entry["kind"], entry["index"]), entry["title"])}
        )
        for entry in package.calendar
    ]


def refresh_quality(session: Session, *, package_id: int) -> None:
    """Check the package again after an edit: the report always judges what will be published."""
    from propulse.content import quality as quality_stage

    package = get_package(session, package_id=package_id)
    if package.analysis is None:
        return
    analysis = serialize.analysis_from_json(package.analysis)
    report = quality_stage.report(document_of(package.source), analysis, content_of(package))
    package.quality = report.to_json()
    session.flush()


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
    from propulse.content import pieces as pieces_stage

    ensure_role(actor, Role.member, action=_("edit content"))
    piece = get_piece(session, piece_id=piece_id)
    package = piece.package
    if package.analysis is None:
        raise Conflict(_("The package is not ready yet."))
    brand = serialize.brand_from_json(package.brand)
    analysis = serialize.analysis_from_json(package.analysis)
    rebuilt = pieces_stage.build_package(
        analysis, brand, start=package.start_on, country=package.country
    )
    if piece.kind == "ebook":
        piece.meta = {**piece.meta, "ebook": serialize.ebook_to_json(rebuilt.ebook)}
        return edit_piece(
            session,
            actor=actor,
            piece_id=piece.id,
            title=rebuilt.ebook.title,
            body=rebuilt.ebook.subtitle,
            reason="regenerated",
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
    from propulse.content.pipeline import article_html, article_stem, piece_markdown

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
            stem = article_stem(data)
            files[f"{stem}.md"] = piece_markdown(data).encode()
            files[f"{stem}.html"] = article_html(data).encode()
        else:
            files[f"{folders[row.kind]}/{row.index:02d}.md"] = piece_markdown(data).encode()
    entries = calendar_entries(package)
    files["calendar.ics"] = calendar_stage.calendar_ics(entries, package.source.title)
    files["calendar.csv"] = calendar_stage.calendar_csv(entries).encode()
    files["quality.json"] = json.dumps(package.quality or {}, ensure_ascii=False, indent=2).encode()
    return files
