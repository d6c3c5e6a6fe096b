"""Read a contacts file as rows of text, streaming: CSV (encoding and delimiter sniffed) or XLSX.

Nothing here holds more than one row and a small sample in memory, whatever the file's size.
Row numbers are the ones a spreadsheet shows: the header is row 1, every record counts (empty
ones too), and a quoted field spanning several lines is still one row.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any, BinaryIO, Literal, NamedTuple

from propulse.kit.errors import InvalidInput
from propulse.kit.i18n import gettext as _

SAMPLE_BYTES = 64 * 1024
DELIMITERS = (",", ";", "\t")
XLSX_SUFFIXES = (".xlsx", ".xlsm")
ZIP_MAGIC = b"PK\x03\x04"
# What ``errors="surrogateescape"`` turns undecodable bytes into: such a row is rejected.
UNDECODABLE = re.compile("[\udc80-\udcff]")


class Row(NamedTuple):
    """A record of the file: its spreadsheet row number, its values, or why it is unreadable.

    A named tuple: a big import sends rows between processes, and tuples unpickle fast.
    """

    number: int
    values: list[str]
    problem: str | None = None


@dataclass
class Table:
    """An opened file: its header, its rows (a one-pass iterator) and how far reading got."""

    kind: Literal["csv", "xlsx"]
    header: list[str]
    rows: Iterator[Row]
    delimiter: str
    encoding: str | None
    # Progress in file units: bytes for CSV, rows for XLSX (0 when the sheet does not say).
    size: int
    position: Callable[[], int] = field(default=lambda: 0)


def unreadable(path: Path, reason: str) -> InvalidInput:
    """Return the refusal of a file that cannot be read at all (the CLI exits with 2)."""
    return InvalidInput.on_field(
        "file", _("%(file)s cannot be read: %(reason)s", file=path.name, reason=reason)
    )


def detect_encoding(sample: bytes) -> str:
    """Return the encoding of a file from its first bytes: BOM, else UTF-8 if valid, else cp1252."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"  # Excel's "Unicode text" export
    try:
        # Not final: the sample may end in the middle of a multi-byte character.
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
    except UnicodeDecodeError:
        return "cp1252"
    return "utf-8"


def sniff_delimiter(sample: str) -> str:
    """Return the delimiter that cuts the sample's lines into the most consistent columns."""
    lines = sample.splitlines(keepends=True)
    if len(sample) >= SAMPLE_BYTES // 2 and len(lines) > 1:
        lines = lines[:-1]  # the last line of a cut sample is partial
    best, best_score = ",", (0.0, 1)
    for delimiter in DELIMITERS:
        records = [r for r in csv.reader(io.StringIO("".join(lines)), delimiter=delimiter) if r]
        if not records or len(records[0]) < 2:
            continue
        width = len(records[0])
        consistent = sum(1 for record in records[:200] if len(record) == width)
        score = (consistent / min(len(records), 200), width)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def cell_text(value: Any) -> str:
    """Return a cell as the text a person reads: no ``.0`` on whole numbers, ISO dates."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        # A phone number or an id typed as a number must not come back as 3.3612345678e10.
        if value.is_integer() and abs(value) < 1e16:
            return str(int(value))
        return repr(value)
    if isinstance(value, datetime):
        if value.time() == time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value)


@contextmanager
def open_table(path: Path) -> Iterator[Table]:
    """Open a CSV or XLSX file for reading, refusing one that cannot be read at all."""
    try:
        with path.open("rb") as probe:
            start = probe.read(SAMPLE_BYTES)
    except OSError as error:
        raise unreadable(path, error.strerror or str(error)) from error
    if path.suffix.lower() in XLSX_SUFFIXES or start.startswith(ZIP_MAGIC):
        with _open_xlsx(path) as table:
            yield table
    else:
        with _open_csv(path, start) as table:
            yield table


@contextmanager
def _open_csv(path: Path, sample: bytes) -> Iterator[Table]:
    if not sample.strip():
        raise unreadable(path, _("the file is empty."))
    if b"\x00" in sample and not sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise unreadable(path, _("this is not a CSV or XLSX file."))
    encoding = detect_encoding(sample)
    text_sample = sample.decode(encoding, errors="replace")
    delimiter = sniff_delimiter(text_sample.removeprefix("\ufeff"))
    raw: BinaryIO = path.open("rb")
    try:
        text = io.TextIOWrapper(raw, encoding=encoding, errors="surrogateescape", newline="")
        records = _numbered(csv.reader(text, delimiter=delimiter))
        header = _header(path, records)
        yield Table(
            kind="csv",
            header=header,
            rows=records,
            delimiter=delimiter,
            encoding=encoding,
            size=path.stat().st_size,
            position=raw.tell,
        )
    finally:
        raw.close()


def _numbered(reader: Iterator[list[str]]) -> Iterator[Row]:
    """Number the records; a record the csv module cannot parse becomes a row with a problem."""
    number = 0
    while True:
        number += 1
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            yield Row(number, [], _("This row cannot be read: %(error)s", error=str(error)))
            continue
        if values and UNDECODABLE.search("".join(values)):
            clean = [UNDECODABLE.sub("\ufffd", value) for value in values]
            yield Row(number, clean, _("This row holds characters that are not valid text."))
            continue
        yield Row(number, values)


def _header(path: Path, rows: Iterator[Row]) -> list[str]:
    """Return the first non-empty row, cleaned of surrounding spaces and a stray BOM."""
    for row in rows:
        if row.problem is None and any(value.strip() for value in row.values):
            return [value.strip().removeprefix("\ufeff").strip() for value in row.values]
        if row.problem is not None:
            raise unreadable(path, row.problem)
    raise unreadable(path, _("the file has no header row."))


@contextmanager
def _open_xlsx(path: Path) -> Iterator[Table]:
    import zipfile

    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, OSError) as error:
        raise unreadable(path, _("this is not a valid XLSX workbook.")) from error
    try:
        if not workbook.worksheets:
            raise unreadable(path, _("the workbook has no sheet."))
        sheet = workbook.worksheets[0]
        done = [0]

        def rows() -> Iterator[Row]:
            first = sheet.min_row or 1
            for offset, cells in enumerate(sheet.iter_rows(values_only=True)):
                done[0] = offset + 1
                yield Row(first + offset, [cell_text(value) for value in cells])

        records = rows()
        header = _header(path, records)
        while header and not header[-1]:
            header.pop()  # a sheet's formatting often reaches beyond the last named column
        yield Table(
            kind="xlsx",
            header=header,
            rows=records,
            delimiter=",",
            encoding=None,
            size=sheet.max_row or 0,
            position=lambda: done[0],
        )
    finally:
        workbook.close()
