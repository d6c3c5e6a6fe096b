"""The suppression list as CSV: reading a column of addresses or of SHA-256 hashes, writing it.

Reading is pure: text in, entries out (each with its line number), so that every rejected
row can be named. A file exported here reads back unchanged (formulas neutralised on the
way out are restored on the way in).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import TextIO

from propulse.kit.errors import InvalidInput
from propulse.kit.i18n import gettext as _
from propulse.kit.spreadsheets import neutralise, restore

EMAIL_HEADERS = {"email", "e-mail", "mail", "address", "email address", "adresse", "courriel"}
HASH_HEADERS = {"sha256", "sha-256", "hash", "email_hash", "email_sha256"}
REASON_HEADERS = {"reason", "motif", "raison"}
EXPORT_COLUMNS = ("email", "sha256", "reason", "created_at")


@dataclass(frozen=True)
class Entry:
    """One value to suppress: an address or a SHA-256 hash, where it came from, its reason."""

    line: int
    value: str
    reason: str | None = None


def decode(content: bytes) -> str:
    """Return the text of an uploaded file (UTF-8, with or without a byte-order mark)."""
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput.on_field(
            "file", _("This file is not UTF-8 text: save it as CSV UTF-8 and try again.")
        ) from None


def _dialect(sample: str) -> type[csv.Dialect] | csv.Dialect:
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        return csv.excel


def _columns(header: list[str]) -> tuple[int | None, int | None, int | None] | None:
    """Return the email, hash and reason columns of a header row, or None when not a header."""
    names = [cell.strip().lower() for cell in header]
    email = next((i for i, name in enumerate(names) if name in EMAIL_HEADERS), None)
    digest = next((i for i, name in enumerate(names) if name in HASH_HEADERS), None)
    reason = next((i for i, name in enumerate(names) if name in REASON_HEADERS), None)
    if email is None and digest is None:
        return None
    return email, digest, reason


def _cell(row: list[str], index: int | None) -> str:
    if index is None or index >= len(row):
        return ""
    return restore(row[index].strip())


def read_entries(text: str) -> Iterator[Entry]:
    """Yield the values of a CSV (with a header naming its columns, or one bare column)."""
    reader = csv.reader(io.StringIO(text), _dialect(text[:4096]))
    columns: tuple[int | None, int | None, int | None] | None = (0, None, None)
    first = True
    for row in reader:
        if not any(cell.strip() for cell in row):
            continue
        if first:
            first = False
            header = _columns(row)
            if header is not None:
                columns = header
                continue
        email_column, hash_column, reason_column = columns or (0, None, None)
        value = _cell(row, email_column) or _cell(row, hash_column)
        reason = _cell(row, reason_column) or None
        yield Entry(line=reader.line_num, value=value, reason=reason)


def read_lines(text: str) -> Iterator[Entry]:
    """Yield one entry per non-blank line of a text box (addresses or hashes)."""
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            yield Entry(line=number, value=line.strip())


def export_row(email: str | None, digest: str, reason: str, created_at: datetime) -> list[str]:
    return [
        neutralise(email or ""),
        digest,
        neutralise(reason),
        created_at.replace(microsecond=0).isoformat(),
    ]


def write_csv(rows: Iterable[list[str]], out: TextIO) -> int:
    """Write the header and the rows; return how many rows were written."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(EXPORT_COLUMNS)
    count = 0
    for row in rows:
        writer.writerow(row)
        count += 1
    return count
