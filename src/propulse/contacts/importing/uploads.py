"""Imports from the web: the uploaded file, its mapping, the job that runs it and its progress.

The file is kept under ``data_dir/imports`` (the job reads it there, possibly on another
machine sharing that folder); a ``ContactImport`` row carries the mapping, the choices, the
progress and the outcome.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from propulse import jobs
from propulse.config import get_settings
from propulse.contacts.importing import mapping
from propulse.contacts.importing.importer import (
    ImportOptions,
    ImportProgress,
    custom_definitions,
    import_file,
    resolve_targets,
)
from propulse.contacts.importing.reader import open_table
from propulse.contacts.merge import UpdateRule
from propulse.contacts.models import ContactImport, ImportStatus
from propulse.db import after_commit, utcnow
from propulse.kit.errors import DomainError, InvalidInput, NotFound
from propulse.kit.i18n import gettext as _
from propulse.kit.i18n import use_locale
from propulse.workspace.models import Role, User
from propulse.workspace.permissions import ensure_role

IMPORT_JOB = "propulse.import_contacts"
ACCEPTED_SUFFIXES = (".csv", ".txt", ".tsv", ".xlsx")
CHUNK_BYTES = 1024 * 1024
PREVIEW_ROWS = 50
SAMPLES = 3

logger = logging.getLogger(__name__)


def imports_dir() -> Path:
    return get_settings().data_dir / "imports"


def file_too_large(limit: int) -> InvalidInput:
    """Refuse an upload over ``limit`` bytes, in the unit that says it best."""
    if limit >= 1024 * 1024:
        size = _("%(mb)s MB", mb=limit // (1024 * 1024))
    else:
        size = _("%(kb)s KB", kb=max(1, limit // 1024))
    return InvalidInput.on_field(
        "file",
        _(
            "This file is larger than %(size)s, the limit of an upload: split it, "
            "or import it with the command `propulse contacts import`.",
            size=size,
        ),
    )


def store_upload(source: BinaryIO, filename: str, *, limit: int) -> Path:
    """Copy an uploaded file to the imports folder, a chunk at a time, refusing one too large."""
    suffix = Path(filename).suffix.lower()
    if suffix not in ACCEPTED_SUFFIXES:
        raise InvalidInput.on_field("file", _("Choose a CSV or XLSX file."))
    folder = imports_dir()
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{secrets.token_hex(12)}{suffix}"
    written = 0
    try:
        with target.open("wb") as out:
            while chunk := source.read(CHUNK_BYTES):
                written += len(chunk)
                if written > limit:
                    raise file_too_large(limit)
                out.write(chunk)
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    if written == 0:
        target.unlink(missing_ok=True)
        raise InvalidInput.on_field("file", _("The file is empty."))
    return target


def create_import(session: Session, *, actor: User, stored: Path, filename: str) -> ContactImport:
    """Register an uploaded file with its proposed mapping (the mapping page comes next)."""
    ensure_role(actor, Role.manager, action=_("import contacts"))
    with open_table(stored) as table:
        proposed = mapping.propose(table.header, custom_definitions(session))
    record = ContactImport(
        filename=Path(filename).name[:255],
        stored_path=str(stored),
        status=ImportStatus.mapping,
        mapping=mapping.to_stored(proposed),
        started_by_id=actor.id,
    )
    session.add(record)
    session.flush()
    return record


@dataclass(frozen=True)
class Column:
    """A column of the mapping page: its header, a few values and its current target."""

    index: int
    header: str
    samples: list[str]
    target: str | None


def preview(session: Session, *, record: ContactImport) -> list[Column]:
    """Return the columns of an import's file with sample values and their mapping."""
    from propulse.kit.spreadsheets import restore

    with open_table(Path(record.stored_path)) as table:
        header = table.header
        samples: list[list[str]] = [[] for _ in header]
        for row in islice(table.rows, PREVIEW_ROWS):
            for index, value in enumerate(row.values[: len(header)]):
                text = restore(value).strip()
                if text and len(samples[index]) < SAMPLES:
                    samples[index].append(text)
    targets = mapping.from_stored(record.mapping, len(header))
    return [
        Column(index, text or _("(no header)"), samples[index], targets[index])
        for index, text in enumerate(header)
    ]


def get_import(session: Session, *, import_id: int) -> ContactImport:
    record = session.get(ContactImport, import_id)
    if record is None:
        raise NotFound(_("There is no import %(id)s.", id=import_id))
    return record


def recent_imports(session: Session, *, limit: int = 20) -> list[ContactImport]:
    """Return the latest imports, newest first."""
    return list(
        session.scalars(select(ContactImport).order_by(ContactImport.id.desc()).limit(limit))
    )


def start_import(
    session: Session,
    *,
    actor: User,
    import_id: int,
    targets: Sequence[str | None],
    rule: UpdateRule,
    dry_run: bool,
) -> ContactImport:
    """Save the mapping and the choices, and queue the job (once)."""
    ensure_role(actor, Role.manager, action=_("import contacts"))
    record = get_import(session, import_id=import_id)
    if record.status != ImportStatus.mapping:
        return record  # already started: a second click changes nothing
    with open_table(Path(record.stored_path)) as table:
        chosen = resolve_targets(session, table.header, targets=targets)
    record.mapping = mapping.to_stored(chosen)
    record.update_rule = rule.value
    record.dry_run = dry_run
    record.status = ImportStatus.queued
    record.started_by_id = actor.id
    session.flush()
    _enqueue(session, record.id)
    return record


def run_for_real(session: Session, *, actor: User, import_id: int) -> ContactImport:
    """Queue the import a finished dry run described, with the same file and mapping."""
    ensure_role(actor, Role.manager, action=_("import contacts"))
    dry = get_import(session, import_id=import_id)
    if not dry.dry_run or dry.status != ImportStatus.done:
        raise InvalidInput(_("Only a finished dry run can be run for real."))
    record = ContactImport(
        filename=dry.filename,
        stored_path=dry.stored_path,
        status=ImportStatus.queued,
        mapping=dict(dry.mapping),
        update_rule=dry.update_rule,
        dry_run=False,
        started_by_id=actor.id,
    )
    session.add(record)
    session.flush()
    _enqueue(session, record.id)
    return record


def retry_import(session: Session, *, actor: User, import_id: int) -> ContactImport:
    """Queue a failed import again: rows already imported come out unchanged."""
    ensure_role(actor, Role.manager, action=_("import contacts"))
    record = get_import(session, import_id=import_id)
    if record.status != ImportStatus.failed:
        raise InvalidInput(_("Only a failed import can be tried again."))
    record.status = ImportStatus.queued
    record.error = None
    record.finished_at = None
    record.started_by_id = actor.id
    session.flush()
    _enqueue(session, record.id)
    return record


def _enqueue(session: Session, import_id: int) -> None:
    after_commit(session, lambda: jobs.enqueue(IMPORT_JOB, import_id))


def run_import(session: Session, *, import_id: int) -> None:
    """Run a queued import (the job); an import already running or finished is left alone."""
    record = session.get(ContactImport, import_id)
    if record is None or record.status != ImportStatus.queued:
        return
    record.status = ImportStatus.running
    session.commit()
    actor = record.started_by
    language = (actor.ui_language if actor else None) or "en"
    with use_locale(language):
        try:
            if actor is None or not actor.is_active:
                raise InvalidInput(_("The person who started this import can no longer import."))
            _run(session, record, actor)
        except DomainError as error:
            _failed(session, import_id, error.message)
        except Exception:
            logger.exception("contact import %s failed", import_id)
            _failed(session, import_id, _("The import stopped on an unexpected error."))


def _run(session: Session, record: ContactImport, actor: User) -> None:
    width = max((int(index) for index in record.mapping), default=-1) + 1
    options = ImportOptions(
        rule=UpdateRule(record.update_rule),
        dry_run=record.dry_run,
        targets=mapping.from_stored(record.mapping, width),
        rejects_path=imports_dir() / f"{record.id}.rejects.csv",
        import_id=record.id,
    )

    def on_batch(progress: ImportProgress) -> None:
        _count(record, progress)
        record.total_rows = progress.estimated_total()
        session.commit()

    summary = import_file(
        session, actor=actor, path=Path(record.stored_path), options=options, on_batch=on_batch
    )
    record.created, record.updated = summary.created, summary.updated
    record.unchanged, record.rejected = summary.unchanged, summary.rejected
    record.processed_rows = record.total_rows = summary.rows
    record.rejects_path = str(summary.rejects_file) if summary.rejects_file else None
    record.status = ImportStatus.done
    record.finished_at = utcnow()
    session.commit()


def _count(record: ContactImport, progress: ImportProgress) -> None:
    record.processed_rows = progress.rows
    record.created, record.updated = progress.created, progress.updated
    record.unchanged, record.rejected = progress.unchanged, progress.rejected


def _failed(session: Session, import_id: int, message: str) -> None:
    session.rollback()
    record = session.get(ContactImport, import_id)
    if record is None:
        return
    record.status = ImportStatus.failed
    record.error = message
    record.finished_at = utcnow()
    session.commit()
