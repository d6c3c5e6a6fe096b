"""The rows of a file, converted and handed over in batches; a big file in a second process.

Reading, ``restore`` and ``ContactIn`` are pure Python and take about as long as writing the
batch (SQL, scores, segments). For a big file a child process converts the next batches while
this one writes, so the two halves run on two cores (threads would share one interpreter
lock). The pipe between them holds at most a batch or so, so memory stays bounded. A small
file is converted here: starting a process costs a second or two.
"""

from __future__ import annotations

import json
import pickle
import subprocess
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, cast

from propulse.contacts.importing.mapping import CustomDefinition
from propulse.contacts.importing.reader import Row, Table, open_table
from propulse.contacts.importing.rows import MERGED_FIELDS, Record, Rejected, RowConverter
from propulse.kit.i18n import current_language, use_locale

# Files above this many bytes are converted in a child process (about 40,000 rows).
PROCESS_THRESHOLD_BYTES = 8 * 1024 * 1024
CHILD_MODULE = "propulse.contacts.importing.child"
PIPE_BYTES = 1024 * 1024


@dataclass(frozen=True)
class Batch:
    """Rows of the file in order, each with its record or the reason it is rejected."""

    entries: list[tuple[Row, Record | str]]
    position: int  # how far the file was read (bytes, or rows of a sheet)
    # From a child process, the values of the rows with a record, as JSON (same order as
    # ``entries``, None for a rejected row, whose Row keeps its values): only a record
    # refused later (a suppressed address) needs them back. See ``values_of``.
    encoded: list[str | None] | None = None

    def values_of(self, index: int) -> list[str]:
        """Return the original values of the ``index``-th row."""
        if self.encoded is not None:
            text = self.encoded[index]
            if text is not None:
                return cast(list[str], json.loads(text))
        return self.entries[index][0].values


@dataclass(frozen=True)
class Conversion:
    """What converting a file takes: plain data, so a child process can receive it."""

    targets: Sequence[str | None]
    custom_fields: Sequence[CustomDefinition]
    owners: dict[str, int]
    batch_size: int


class ConversionFailed(Exception):
    """The child process converting the rows stopped on an unexpected error."""


def convert_rows(table: Table, converter: RowConverter) -> Iterator[tuple[Row, Record | str]]:
    """Yield each row that is not empty with its record or its reason; empty rows are skipped."""
    for row in table.rows:
        if row.problem is not None:
            yield row, row.problem
            continue
        if not any(value.strip() for value in row.values):
            continue  # an empty line: nothing to import, nothing to report
        try:
            yield row, converter.convert(row.values)
        except Rejected as rejected:
            yield row, rejected.reason


def batches_of(table: Table, conversion: Conversion) -> Iterator[Batch]:
    """Yield the converted rows of an opened file, ``batch_size`` at a time."""
    converter = RowConverter(
        headers=table.header,
        targets=conversion.targets,
        custom_fields=conversion.custom_fields,
        owners=conversion.owners,
    )
    entries: list[tuple[Row, Record | str]] = []
    for entry in convert_rows(table, converter):
        entries.append(entry)
        if len(entries) >= conversion.batch_size:
            yield Batch(entries, table.position())
            entries = []
    if entries:
        yield Batch(entries, table.position())


@contextmanager
def converted_batches(
    table: Table, path: Path, conversion: Conversion
) -> Iterator[Iterator[Batch]]:
    """Give the batches of a file: converted here, or in a child process for a big file."""
    child = _start_child() if path.stat().st_size >= PROCESS_THRESHOLD_BYTES else None
    if child is None:
        yield batches_of(table, conversion)
        return
    # Both exist: they were asked for as pipes.
    stdin, stdout = cast(IO[bytes], child.stdin), cast(IO[bytes], child.stdout)
    _widen(stdout)
    try:
        pickle.dump((str(path), conversion, current_language()), stdin)
        stdin.close()
        yield _received(stdout)
    finally:
        stdout.close()  # a child still writing gets a broken pipe and ends
        try:
            child.wait(timeout=5)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


def _start_child() -> subprocess.Popen[bytes] | None:
    """Start the converting process, or return None where processes cannot be started."""
    # A fresh interpreter running the child module: neither a fork (it would share the
    # database connections) nor multiprocessing's spawn (it would run the caller's script
    # again, as its __main__).
    try:
        return subprocess.Popen(  # noqa: S603 - our own module, with this interpreter
            [sys.executable, "-m", CHILD_MODULE], stdin=subprocess.PIPE, stdout=subprocess.PIPE
        )
    except OSError:
        return None


def _widen(pipe: IO[bytes]) -> None:
    """Let the pipe hold a whole batch (Linux: 64 KB by default, about 200 rows).

    With a small pipe the two processes take turns every few rows instead of working side by
    side: measured on 100,000 rows on a busy machine, the import in two processes then took
    about 40 % longer than in one; with a wide pipe, no longer.
    """
    try:
        import fcntl
    except ImportError:  # Windows
        return
    set_size = getattr(fcntl, "F_SETPIPE_SZ", None)  # Linux only
    if set_size is None:
        return
    for size in (PIPE_BYTES, PIPE_BYTES // 4):
        try:
            fcntl.fcntl(pipe.fileno(), set_size, size)
            return
        except OSError:  # above /proc/sys/fs/pipe-max-size
            continue


def _received(stream: IO[bytes]) -> Iterator[Batch]:
    """Yield the batches the child writes; the pipe's buffer is the only one (bounded)."""
    while True:
        try:
            item = pickle.load(stream)  # noqa: S301 - written by our own child process
        except EOFError:
            raise ConversionFailed("the process reading the file stopped") from None
        if item is None:
            return
        if isinstance(item, str):
            raise ConversionFailed(item)
        yield _from_wire(item)


def convert_in_child() -> None:
    """Read the file named on stdin and write its batches to stdout (the child's whole work)."""
    path, conversion, language = pickle.load(sys.stdin.buffer)  # noqa: S301 - from our parent
    out = sys.stdout.buffer
    try:
        with use_locale(language), open_table(Path(path)) as table:
            for batch in batches_of(table, conversion):
                pickle.dump(_to_wire(batch), out, protocol=pickle.HIGHEST_PROTOCOL)
        pickle.dump(None, out)
        out.flush()
    except BrokenPipeError:
        return  # the parent stopped reading: it failed or was interrupted
    except Exception as error:  # told to the parent, which raises it
        pickle.dump(f"{type(error).__name__}: {error}", out)
        out.flush()


# Between the processes a batch travels as plain tuples: unpickling named tuples and dicts
# took twice as long (measured: 18 µs a row against 8). The values of a row with a record go
# as one JSON string, not a list of strings: unpickled per row in the writing process, the
# list cost more than decoding the few that are needed (rows refused for a suppressed address).
WireEntry = tuple[int, list[str] | str, str | None, tuple[Any, ...] | None]
Wire = tuple[int, list[WireEntry]]


def _to_wire(batch: Batch) -> Wire:
    entries: list[WireEntry] = []
    dumps = json.dumps
    for row, entry in batch.entries:
        if isinstance(entry, str):
            entries.append((row.number, row.values, entry, None))
        else:
            fields = tuple(entry.fields[name] for name in MERGED_FIELDS)
            entries.append(
                (row.number, dumps(row.values), None, (entry.email, entry.company_name, fields))
            )
    return batch.position, entries


def _from_wire(wire: Wire) -> Batch:
    position, entries = wire
    # tuple.__new__ builds the named tuples without their Python-level __new__: this runs for
    # every row of the file, in the process that also writes.
    new = tuple.__new__
    batch: list[tuple[Row, Record | str]] = []
    encoded: list[str | None] = []
    append, keep = batch.append, encoded.append
    no_values: list[str] = []
    for number, values, reason, record in entries:
        if record is None:
            append((new(Row, (number, values, None)), reason or ""))
            keep(None)
        else:
            email, company_name, fields = record
            merged = dict(zip(MERGED_FIELDS, fields, strict=True))
            append(
                (new(Row, (number, no_values, None)), new(Record, (email, merged, company_name)))
            )
            keep(cast(str, values))
    return Batch(batch, position, encoded)
