"""Consistent copies of a SQLite workspace (database and secret key) and their rotation."""

from __future__ import annotations

import io
import json
import sqlite3
import tarfile
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from propulse import __version__
from propulse.config import SECRET_KEY_FILE, Settings
from propulse.kit.errors import DomainError, InvalidInput
from propulse.kit.i18n import gettext as _

DATABASE_MEMBER = "propulse.db"
SECRET_MEMBER = "secret_key"  # noqa: S105 - a file name
MANIFEST_MEMBER = "manifest.json"
AUTOMATIC_PREFIX = "auto-backup-"


@dataclass(frozen=True)
class BackupResult:
    path: Path
    size_bytes: int
    created_at: datetime


def _require_sqlite(settings: Settings) -> Path:
    database = settings.sqlite_path
    if database is None:
        raise DomainError(
            _(
                "This workspace runs on PostgreSQL: back it up with pg_dump and restore it "
                "with pg_restore, as docs/getting-started.md explains."
            ),
            status_code=400,
        )
    return database


def backup(settings: Settings, destination: Path) -> BackupResult:
    """Write a .tar.gz with a consistent copy of the database (SQLite backup API) and the key."""
    database = _require_sqlite(settings)
    if not database.exists():
        raise InvalidInput.on_field("database", _("There is no database to back up yet."))
    destination.parent.mkdir(parents=True, exist_ok=True)
    created_at = datetime.now(UTC)
    with tempfile.TemporaryDirectory() as workdir:
        copy = Path(workdir) / DATABASE_MEMBER
        source = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
        target = sqlite3.connect(copy)
        try:
            source.backup(target)
        finally:
            target.close()
            source.close()
        manifest = {"version": __version__, "created_at": created_at.isoformat()}
        partial = destination.with_name(destination.name + ".partial")
        with tarfile.open(partial, "w:gz") as archive:
            archive.add(copy, arcname=DATABASE_MEMBER)
            _add_bytes(archive, SECRET_MEMBER, settings.effective_secret_key().encode())
            _add_bytes(archive, MANIFEST_MEMBER, json.dumps(manifest).encode())
        partial.replace(destination)  # never leave a half-written backup under the final name
    return BackupResult(destination, destination.stat().st_size, created_at)


def _add_bytes(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = 0o600
    archive.addfile(info, io.BytesIO(data))


def restore(settings: Settings, source: Path) -> Path:
    """Replace the workspace's database and secret key by those of a backup archive."""
    database = _require_sqlite(settings)
    if not source.is_file():
        raise InvalidInput.on_field("path", _("No backup file at %(path)s.", path=str(source)))
    try:
        with tarfile.open(source, "r:gz") as archive:
            names = set(archive.getnames())
            if not {DATABASE_MEMBER, SECRET_MEMBER} <= names:
                raise InvalidInput.on_field("path", _("This file is not a Propulse backup."))
            database_bytes = _read_member(archive, DATABASE_MEMBER)
            secret = _read_member(archive, SECRET_MEMBER).decode().strip()
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise InvalidInput.on_field("path", _("This file is not a Propulse backup.")) from exc
    with tempfile.NamedTemporaryFile(dir=database.parent, delete=False) as staged:
        staged.write(database_bytes)
    staged_path = Path(staged.name)
    try:
        check = sqlite3.connect(staged_path)
        try:
            if check.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise InvalidInput.on_field("path", _("The database in this backup is damaged."))
        finally:
            check.close()
    except sqlite3.DatabaseError as exc:
        staged_path.unlink(missing_ok=True)
        raise InvalidInput.on_field("path", _("The database in this backup is damaged.")) from exc
    for suffix in ("-wal", "-shm"):
        Path(str(database) + suffix).unlink(missing_ok=True)
    staged_path.replace(database)
    key_file = settings.data_dir / SECRET_KEY_FILE
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    key_file.write_text(secret)
    key_file.chmod(0o600)
    return database


def _read_member(archive: tarfile.TarFile, name: str) -> bytes:
    handle = archive.extractfile(name)
    if handle is None:
        raise InvalidInput.on_field("path", _("This file is not a Propulse backup."))
    return handle.read()


def automatic_backup(settings: Settings, now: datetime) -> tuple[BackupResult, list[Path]]:
    """Take the daily backup in the data directory and delete all but the newest ones."""
    folder = settings.data_dir / "backups"
    result = backup(settings, folder / f"{AUTOMATIC_PREFIX}{now:%Y%m%d-%H%M%S}.tar.gz")
    return result, rotate(folder, keep=settings.backups_kept)


def rotate(folder: Path, *, keep: int) -> list[Path]:
    """Delete the oldest automatic backups beyond ``keep``; return the deleted paths."""
    backups = sorted(folder.glob(f"{AUTOMATIC_PREFIX}*.tar.gz"))
    doomed = backups[: max(0, len(backups) - keep)]
    for path in doomed:
        path.unlink()
    return doomed
