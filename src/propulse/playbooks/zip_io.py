"""A playbook folder as a .zip: packed for download, unpacked safely from an upload.

Unpacking trusts nothing in the archive: no absolute path, no ``..``, no link, only the
Markdown files of the format, and sizes checked on the bytes really read, not on the sizes
the archive announces (a zip bomb lies about them).
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path, PurePosixPath

from propulse.kit.errors import InvalidInput
from propulse.kit.i18n import gettext as _
from propulse.playbooks.files import PLAYBOOK_FILE

MAX_ZIP_BYTES = 5 * 1024 * 1024
MAX_UNPACKED_BYTES = 20 * 1024 * 1024
MAX_FILES = 500
_LINK = 0o120000
_FILE_TYPE_MASK = 0o170000


def zip_folder(folder: Path) -> bytes:
    """Return a .zip holding ``folder`` itself (``webinar.en/playbook.md`` ...)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, PurePosixPath(folder.name, *path.relative_to(folder).parts))
    return buffer.getvalue()


def _refuse(message: str) -> InvalidInput:
    return InvalidInput.on_field("file", message)


def _safe_parts(name: str) -> tuple[str, ...] | None:
    """Return the path parts of an entry, or None for anything that could leave the folder."""
    if name.startswith(("/", "\\")) or "\\" in name or ":" in name or "\x00" in name:
        return None
    parts = PurePosixPath(name).parts
    if not parts or any(part in ("", ".", "..") for part in parts):
        return None
    return parts


def unpack_playbook(data: bytes, into: Path) -> Path:
    """Unpack an uploaded .zip into ``into`` and return the playbook folder it holds."""
    if len(data) > MAX_ZIP_BYTES:
        raise _refuse(_("The archive is larger than %(n)s MB.", n=MAX_ZIP_BYTES // 1024 // 1024))
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError) as exc:
        raise _refuse(_("This file is not a .zip archive.")) from exc
    root = into.resolve()
    written = 0
    with archive:
        entries = [info for info in archive.infolist() if not info.is_dir()]
        if len(entries) > MAX_FILES:
            raise _refuse(_("The archive holds more than %(n)s files.", n=MAX_FILES))
        for info in entries:
            parts = _safe_parts(info.filename)
            if parts is None or (info.external_attr >> 16) & _FILE_TYPE_MASK == _LINK:
                raise _refuse(_("%(name)s: this path is not allowed.", name=info.filename))
            if parts[0] == "__MACOSX" or not parts[-1].endswith(".md"):
                continue  # the format holds Markdown files only
            target = root.joinpath(*parts).resolve()
            if not target.is_relative_to(root):
                raise _refuse(_("%(name)s: this path is not allowed.", name=info.filename))
            try:
                with archive.open(info) as source:
                    content = source.read(MAX_UNPACKED_BYTES - written + 1)
            except (zipfile.BadZipFile, OSError, RuntimeError, ValueError) as exc:
                raise _refuse(_("%(name)s: this file cannot be read.", name=info.filename)) from exc
            written += len(content)
            if written > MAX_UNPACKED_BYTES:
                raise _refuse(
                    _(
                        "Unpacked, the archive is larger than %(n)s MB.",
                        n=MAX_UNPACKED_BYTES // 1024 // 1024,
                    )
                )
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
    folders = sorted(path.parent for path in root.rglob(PLAYBOOK_FILE))
    if not folders:
        raise _refuse(_("The archive holds no %(file)s.", file=PLAYBOOK_FILE))
    if len(folders) > 1:
        raise _refuse(_("The archive holds several playbooks: import them one by one."))
    return folders[0]
