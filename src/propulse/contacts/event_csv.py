"""Read activity events from a CSV file: one event per line, streamed, with its line number.

Columns: ``id``, ``email``, ``type``, ``occurred_at`` (ISO 8601, empty = now), ``properties``
(a JSON object); any other column becomes a property of the event. Pure: lines in, dicts out.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from propulse.kit.i18n import gettext as _

KNOWN_COLUMNS = ("id", "email", "type", "occurred_at", "properties")
REQUIRED_COLUMNS = ("email", "type")


class EventFileError(ValueError):
    """The file cannot be read as events at all (no header, a required column missing)."""


@dataclass(frozen=True)
class EventLine:
    """An event as read, or the reason it cannot be one; ``line`` counts the header as 1."""

    line: int
    data: dict[str, Any] | None
    reason: str | None = None


def _dialect(sample: str) -> type[csv.Dialect] | csv.Dialect:
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        return csv.excel


def read_events(lines: Iterable[str], *, sample: str) -> Iterator[EventLine]:
    """Yield each non-empty line of the file as event data, or with the reason it is refused."""
    reader = csv.reader(lines, dialect=_dialect(sample))
    header = next(reader, None)
    if header is None:
        raise EventFileError(_("The file is empty: a header line is expected."))
    columns = [column.strip().lower() for column in header]
    missing = [name for name in REQUIRED_COLUMNS if name not in columns]
    if missing:
        raise EventFileError(
            _(
                "The file has no %(columns)s column: expected a header such as "
                "id,email,type,occurred_at,properties.",
                columns=", ".join(missing),
            )
        )
    for values in reader:
        line = reader.line_num
        if not any(value.strip() for value in values):
            continue
        if len(values) > len(columns):
            yield EventLine(line, None, _("This line has more values than the header."))
            continue
        row = dict(zip(columns, values, strict=False))
        yield _event(line, row)


def _event(line: int, row: dict[str, str]) -> EventLine:
    data: dict[str, Any] = {
        "email": row.get("email", ""),
        "type": row.get("type", "").strip(),
    }
    if row.get("id", "").strip():
        data["id"] = row["id"].strip()
    if row.get("occurred_at", "").strip():
        data["occurred_at"] = row["occurred_at"].strip()
    properties: dict[str, Any] = {}
    raw = row.get("properties", "").strip()
    if raw:
        try:
            parsed = json.loads(raw)
        except json.JSONDecodeError:
            parsed = None
        if not isinstance(parsed, dict):
            return EventLine(line, None, _("properties: a JSON object is expected."))
        properties.update(parsed)
    for column, value in row.items():
        if column not in KNOWN_COLUMNS and column and value.strip():
            properties[column] = value.strip()
    if properties:
        data["properties"] = properties
    return EventLine(line, data)
