"""Export contacts to CSV or XLSX, streaming by id, in a form the importer takes back losslessly.

Columns are the contact fields under the names the importer maps on its own (``company`` is the
company's name, ``owner`` the owner's e-mail, custom fields are ``custom.<key>``), followed by
what Propulse computes (score, grade, consent...), which an import leaves alone. Every text
cell is neutralised against formula injection (OWASP's CSV-injection rule); the importer
restores it, so "+33 1 23 45 67 89" comes back as it was.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol, cast

from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from propulse.audit import service as audit
from propulse.contacts.models import Company, Contact, CustomField
from propulse.kit.errors import InvalidInput, NotFound
from propulse.kit.i18n import gettext as _
from propulse.kit.spreadsheets import neutralise
from propulse.segments.models import Segment, SegmentMember
from propulse.workspace.models import Role, User
from propulse.workspace.permissions import ensure_role

BATCH_SIZE = 2000
DELIMITERS = {"comma": ",", "semicolon": ";", "tab": "\t"}
# Imported back by the importer, in this order.
FIELD_COLUMNS = (
    "email",
    "first_name",
    "last_name",
    "phone",
    "job_title",
    "company",
    "sector",
    "company_size",
    "maturity",
    "country",
    "language",
    "timezone",
    "lifecycle_stage",
    "owner",
    "source",
)
# Computed or recorded by Propulse: exported for reading, ignored by an import.
COMPUTED_COLUMNS = (
    "email_consent",
    "do_not_contact",
    "do_not_contact_reason",
    "score",
    "fit_score",
    "engagement_score",
    "grade",
    "mql_at",
    "last_activity_at",
    "created_at",
    "updated_at",
)

contacts = cast(Table, Contact.__table__)
companies = cast(Table, Company.__table__)
users = cast(Table, User.__table__)
members = cast(Table, SegmentMember.__table__)


@dataclass(frozen=True)
class ExportResult:
    rows: int
    path: Path

    def as_json(self) -> dict[str, object]:
        return {"exported": self.rows, "file": str(self.path)}


class _Sheet(Protocol):
    def write(self, cells: Sequence[str]) -> None: ...

    def close(self) -> None: ...


def cell(value: Any) -> str:
    """Return a value as the text of a cell, neutralised if a spreadsheet would run it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        text = str(int(value)) if value.is_integer() and abs(value) < 1e16 else repr(value)
    elif isinstance(value, datetime):
        text = value.isoformat(timespec="seconds")
    else:
        text = str(value)
    return neutralise(text)


def export_contacts(
    session: Session,
    *,
    actor: User,
    out: Path,
    segment_id: int | None = None,
    delimiter: str = ",",
    on_rows: Callable[[int], None] | None = None,
) -> ExportResult:
    """Write every contact (or a segment's members) to ``out``: .xlsx or CSV (managers)."""
    ensure_role(actor, Role.manager, action=_("export contacts"))
    segment = None
    if segment_id is not None:
        segment = session.get(Segment, segment_id)
        if segment is None:
            raise NotFound(_("There is no segment %(id)s.", id=segment_id))
    keys = list(
        session.scalars(select(CustomField.key).order_by(CustomField.position, CustomField.id))
    )
    header = [*FIELD_COLUMNS, *(f"custom.{key}" for key in keys), *COMPUTED_COLUMNS, "id"]
    if not out.parent.is_dir():
        raise InvalidInput.on_field(
            "out", _("The folder %(folder)s does not exist.", folder=str(out.parent))
        )
    partial = out.with_name(f".{out.name}.partial")
    sheet = _open_sheet(partial, xlsx=out.suffix.lower() == ".xlsx", delimiter=delimiter)
    count = 0
    try:
        sheet.write([cell(name) for name in header])
        for batch in _batches(session, segment_id):
            for row in batch:
                custom = row.custom or {}
                values = [
                    *(row._mapping[name] for name in FIELD_COLUMNS),
                    *(custom.get(key) for key in keys),
                    *(row._mapping[name] for name in COMPUTED_COLUMNS),
                    row.id,
                ]
                sheet.write([cell(value) for value in values])
            count += len(batch)
            if on_rows is not None:
                on_rows(count)
        sheet.close()
    except BaseException:
        sheet.close()
        partial.unlink(missing_ok=True)
        raise
    os.replace(partial, out)
    audit.record(
        session,
        actor=actor,
        action="exported",
        object_type="contact",
        object_id=None,
        summary=f"{count} contacts exported to {out.name}"
        + (f" from segment {segment_id}" if segment is not None else ""),
        details={"rows": count, "file": out.name, "segment_id": segment_id},
    )
    return ExportResult(rows=count, path=out)


def _batches(session: Session, segment_id: int | None) -> Iterator[list[Any]]:
    """Yield the contacts by id, a batch at a time (keyset: each batch starts after the last id)."""
    columns = [
        contacts.c.id,
        contacts.c.custom,
        *(contacts.c[name] for name in FIELD_COLUMNS if name not in ("company", "owner")),
        companies.c.name.label("company"),
        users.c.email.label("owner"),
        *(contacts.c[name] for name in COMPUTED_COLUMNS),
    ]
    source = contacts.outerjoin(companies, companies.c.id == contacts.c.company_id).outerjoin(
        users, users.c.id == contacts.c.owner_id
    )
    if segment_id is not None:
        source = source.join(
            members, (members.c.contact_id == contacts.c.id) & (members.c.segment_id == segment_id)
        )
    after = 0
    while True:
        statement = (
            select(*columns)
            .select_from(source)
            .where(contacts.c.id > after)
            .order_by(contacts.c.id)
            .limit(BATCH_SIZE)
        )
        batch = list(session.execute(statement))
        if not batch:
            return
        yield batch
        after = batch[-1].id


class _CsvSheet:
    def __init__(self, path: Path, delimiter: str) -> None:
        # UTF-8 with a BOM: Excel then reads the accents right, and the importer skips the BOM.
        self._file = path.open("w", encoding="utf-8-sig", newline="")
        self._writer = csv.writer(self._file, delimiter=delimiter)

    def write(self, cells: Sequence[str]) -> None:
        self._writer.writerow(cells)

    def close(self) -> None:
        self._file.close()


class _XlsxSheet:
    def __init__(self, path: Path) -> None:
        from openpyxl import Workbook

        self._path = path
        self._workbook = Workbook(write_only=True)
        self._sheet = self._workbook.create_sheet(_("Contacts"))
        self._closed = False

    def write(self, cells: Sequence[str]) -> None:
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

        self._sheet.append([ILLEGAL_CHARACTERS_RE.sub("", text) for text in cells])

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self._workbook.save(self._path)


def _open_sheet(path: Path, *, xlsx: bool, delimiter: str) -> _Sheet:
    return _XlsxSheet(path) if xlsx else _CsvSheet(path, delimiter)
