"""``propulse contacts events import``: a CSV file of events recorded 1,000 at a time."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from pydantic import ValidationError
from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn

from propulse.cli_support import acting_user
from propulse.contacts import service
from propulse.contacts.event_csv import EventFileError, EventLine, read_events
from propulse.contacts.schemas import EventIn
from propulse.db import unit_of_work
from propulse.kit.cli import stderr
from propulse.kit.errors import InvalidInput
from propulse.kit.forms import problems_from
from propulse.kit.i18n import gettext as _

BATCH = service.MAX_EVENTS
SAMPLE_BYTES = 64 * 1024


def _encoding(path: Path) -> str:
    """Return utf-8-sig for UTF-8 (with or without BOM), else Windows-1252."""
    with path.open("rb") as raw:
        sample = raw.read(SAMPLE_BYTES)
    try:
        # A sample may end inside a multi-byte character: ignore an incomplete tail only.
        sample.decode("utf-8")
    except UnicodeDecodeError as error:
        if error.start < len(sample) - 3:
            return "cp1252"
    return "utf-8-sig"


def _lines(handle: IO[str], progress: Progress | None, task: Any) -> Iterator[str]:
    for line in handle:
        if progress is not None:
            progress.advance(task, len(line.encode("utf-8", "replace")))
        yield line


def _record(
    batch: list[tuple[int, EventIn]], summary: dict[str, Any], rejected: list[dict[str, Any]]
) -> None:
    """Record one batch in its own transaction: a re-run skips what was already stored."""
    with unit_of_work() as session:
        actor = acting_user(session)
        result = service.record_events(session, actor=actor, events=[e for _l, e in batch])
    summary["accepted"] += result.accepted
    summary["duplicates"] += result.duplicates
    rejected.extend(
        {"line": batch[index][0], "reason": reason} for index, reason in result.rejected
    )


def import_events(path: Path, *, progress: bool) -> dict[str, Any]:
    """Read the file, record its events, and return {"accepted", "duplicates", "rejected"}."""
    if not path.is_file():
        raise InvalidInput.on_field("file", _("There is no file at %(path)s.", path=str(path)))
    with unit_of_work() as session:
        acting_user(session)  # refuse an unknown --as before reading anything
    summary: dict[str, Any] = {"accepted": 0, "duplicates": 0}
    rejected: list[dict[str, Any]] = []
    bar = (
        Progress(BarColumn(), DownloadColumn(), TimeRemainingColumn(), console=stderr)
        if progress
        else None
    )
    with path.open(encoding=_encoding(path), newline="") as handle:
        sample = handle.read(SAMPLE_BYTES // 4)
        handle.seek(0)
        task = bar.add_task("events", total=path.stat().st_size) if bar else None
        if bar:
            bar.start()
        try:
            batch: list[tuple[int, EventIn]] = []
            for item in read_events(_lines(handle, bar, task), sample=sample):
                event = _checked(item, rejected)
                if event is not None:
                    batch.append((item.line, event))
                if len(batch) >= BATCH:
                    _record(batch, summary, rejected)
                    batch = []
            if batch:
                _record(batch, summary, rejected)
        except EventFileError as error:
            raise InvalidInput.on_field("file", str(error)) from None
        finally:
            if bar:
                bar.stop()
    summary["rejected"] = sorted(rejected, key=lambda reject: int(reject["line"]))
    return summary


def _checked(item: EventLine, rejected: list[dict[str, Any]]) -> EventIn | None:
    if item.data is None:
        rejected.append({"line": item.line, "reason": item.reason})
        return None
    try:
        return EventIn.model_validate(item.data)
    except ValidationError as error:
        reason = "; ".join(f"{p.field}: {p.message}" for p in problems_from(error))
        rejected.append({"line": item.line, "reason": reason})
        return None
