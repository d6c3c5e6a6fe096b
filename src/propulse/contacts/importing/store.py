"""Where an import reads and writes contacts: SQLAlchemy Core on the tables, one batch at a time.

Per batch: one query loads the contacts of the batch's e-mails, one the suppressed addresses,
one the companies not cached yet; then one bulk INSERT (RETURNING the ids, on SQLite and
PostgreSQL alike) and one executemany UPDATE. A dry run reads the same way but keeps what it
would write in a scratch SQLite file, so that later batches see it and memory stays bounded.
"""

from __future__ import annotations

import importlib
import json
import os
import sqlite3
import tempfile
from collections.abc import Callable, Collection, Iterable, Sequence
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Table
from sqlalchemy.orm import Session

from propulse.contacts.emails import email_hash
from propulse.contacts.importing.batch import Existing, Pending
from propulse.contacts.importing.bulk import BulkSql
from propulse.contacts.importing.rows import MERGED_FIELDS
from propulse.contacts.models import Company, Contact, LifecycleStage, Suppression
from propulse.db import utcnow

contacts = cast(Table, Contact.__table__)
companies = cast(Table, Company.__table__)
suppressions = cast(Table, Suppression.__table__)
COMPANY_CACHE_SIZE = 200_000
COLUMNS = [name for name in MERGED_FIELDS if name not in ("company",)]
# The columns an import sets, in the order of ``ContactStore._values``.
WRITTEN = (
    "first_name",
    "last_name",
    "phone",
    "job_title",
    "company_id",
    "sector",
    "company_size",
    "maturity",
    "country",
    "language",
    "timezone",
    "lifecycle_stage",
    "owner_id",
    "source",
    "custom",
)
# Bound once per batch (the same time), or taken as is by both drivers.
TIMESTAMPS = frozenset({"created_at", "updated_at", "score_updated_at"})
# Bound by ContactStore.write itself (most contacts have no custom value: one JSON for all).
BOUND = TIMESTAMPS | {"do_not_contact", "custom"}
INSERTED = (
    "email",
    *WRITTEN,
    "do_not_contact",
    "score",
    "fit_score",
    "engagement_score",
    "version",
    "grade",
    "score_updated_at",
    "created_at",
    "updated_at",
)
UPDATED = (*WRITTEN, "updated_at")


class ContactStore:
    """Read and write contacts of an import in the session's transaction."""

    def __init__(self, session: Session) -> None:
        self.session = session
        # Company.name_key → id; the few thousand companies of a big file stay cached.
        self.company_ids: dict[str, int] = {}

    def existing(self, emails: Collection[str]) -> dict[str, Existing]:
        """Return the stored contacts of these e-mails, by e-mail."""
        if not emails:
            return {}
        sql = self._sql()
        names = ", ".join(f"c.{sql.quote(name)}" for name in COLUMNS)
        query = (
            f"SELECT c.id, c.email, co.name_key, {names} FROM contacts c "  # noqa: S608
            "LEFT OUTER JOIN companies co ON co.id = c.company_id WHERE"
        )
        custom = sql.result_processor("custom")
        custom_index = COLUMNS.index("custom")
        found: dict[str, Existing] = {}
        for row in sql.select_where_in(query, "c.email", list(emails)):
            fields = dict(zip(COLUMNS, row[3:], strict=True))
            value = row[3 + custom_index]
            fields["custom"] = (custom(value) if custom else value) or {}
            fields["company"] = row[2]
            found[row[1]] = Existing(row[0], fields)
        return found

    def suppressed(self, emails: Iterable[str]) -> dict[str, str]:
        """Return the reason each suppressed address among ``emails`` is suppressed, by e-mail."""
        by_hash = {email_hash(email): email for email in emails}
        if not by_hash:
            return {}
        query = "SELECT email_hash, reason FROM suppressions WHERE"
        sql = BulkSql(self.session.connection(), suppressions)
        rows = sql.select_where_in(query, "email_hash", list(by_hash))
        return {by_hash[digest]: reason for digest, reason in rows}

    def _sql(self) -> BulkSql:
        return BulkSql(self.session.connection(), contacts)

    def write(self, pending: Sequence[tuple[str, Pending]]) -> list[int]:
        """Create and update these contacts; return the ids of all of them."""
        if not pending:
            return []
        writer = self._sql()
        now = writer.bind("updated_at", utcnow())
        self._resolve_companies(pending)
        ids: list[int] = []
        new_rows: list[tuple[Any, ...]] = []
        changed_rows: list[tuple[Any, ...]] = []
        to_json = writer.processor("custom") or (lambda value: value)
        no_custom = to_json({})
        grade = _zero_grade(self.session)
        for email, item in pending:
            values = self._values(item.fields, to_json, no_custom)
            if item.id is None:
                new_rows.append((email, *values, False, 0, 0, 0, 1, grade, now, now, now))
            else:
                changed_rows.append((*values, now, item.id))
                ids.append(item.id)
        if new_rows:
            ids += [row[0] for row in writer.insert_returning(INSERTED, new_rows, raw=BOUND)]
        writer.update_by_id(UPDATED, changed_rows, bump_version=True, raw=BOUND)
        return ids

    def close(self) -> None:
        """Release what the store holds (nothing for a real import)."""

    def _resolve_companies(self, pending: Sequence[tuple[str, Pending]]) -> None:
        if len(self.company_ids) > COMPANY_CACHE_SIZE:
            self.company_ids.clear()  # bounded memory, whatever the number of companies
        names: dict[str, str] = {}
        for _email, item in pending:
            key = item.fields.get("company")
            if key and key not in self.company_ids:
                names.setdefault(key, item.company_name or key)
        if not names:
            return
        if len(self.company_ids) > COMPANY_CACHE_SIZE:
            self.company_ids.clear()  # bounded memory, whatever the number of companies
        sql = BulkSql(self.session.connection(), companies)
        query = "SELECT name_key, id FROM companies WHERE"
        self.company_ids.update(sql.select_where_in(query, "name_key", list(names)))
        missing = [key for key in names if key not in self.company_ids]
        if missing:
            now = sql.bind("created_at", utcnow())
            rows = [(" ".join(names[key].split())[:200], key, 1, now, now) for key in missing]
            created = sql.insert_returning(
                ("name", "name_key", "version", "created_at", "updated_at"),
                rows,
                returning=("name_key", "id"),
                raw=TIMESTAMPS,
            )
            self.company_ids.update(created)

    def _values(
        self, fields: dict[str, Any], to_json: Callable[[Any], Any], no_custom: Any
    ) -> tuple[Any, ...]:
        """Return the written columns (``WRITTEN``) of a contact's merged fields, bound."""
        key = fields["company"]
        custom = fields["custom"]
        return (
            fields["first_name"] or "",
            fields["last_name"] or "",
            fields["phone"],
            fields["job_title"],
            self.company_ids[key] if key else None,
            fields["sector"],
            fields["company_size"],
            fields["maturity"],
            fields["country"],
            fields["language"],
            fields["timezone"],
            fields["lifecycle_stage"] or LifecycleStage.subscriber.value,
            fields["owner_id"],
            fields["source"],
            to_json(custom) if custom else no_custom,
        )


def _zero_grade(session: Session) -> str:
    """Return the grade scoring gives a contact without points ("C3" with the usual limits).

    A new contact is created with the score scoring would store for it when no rule gives it
    points: the scoring that runs after each batch then writes only the contacts that do get
    points, instead of rewriting every new row (and its score indexes) to set its grade.
    Scoring still recomputes every contact of the batch, so a different grade is corrected.
    """
    # By name, at the call: the contacts domain does not import the domains built on it.
    config = importlib.import_module("propulse.scoring.config")
    arithmetic = importlib.import_module("propulse.scoring.arithmetic")
    return cast(str, arithmetic.grade(0, 0, config.load_plan(session).limits))


def _columns() -> list[Any]:
    return [contacts.c[name] for name in COLUMNS]


class DryRunStore(ContactStore):
    """Read like a real import; keep what would be written in a scratch file, write nothing."""

    def __init__(self, session: Session) -> None:
        super().__init__(session)
        handle, name = tempfile.mkstemp(prefix="propulse-dry-run-", suffix=".db")
        os.close(handle)
        self._path = Path(name)
        self._scratch = sqlite3.connect(self._path)
        self._scratch.execute("PRAGMA journal_mode=OFF")
        self._scratch.execute("PRAGMA synchronous=OFF")
        self._scratch.execute("CREATE TABLE state (email TEXT PRIMARY KEY, id INT, fields TEXT)")
        self._next_id = 0

    def existing(self, emails: Collection[str]) -> dict[str, Existing]:
        found = super().existing(emails)
        wanted = list(emails)
        for start in range(0, len(wanted), 900):
            chunk = wanted[start : start + 900]
            marks = ",".join("?" * len(chunk))
            query = f"SELECT email, id, fields FROM state WHERE email IN ({marks})"  # noqa: S608
            for email, contact_id, fields in self._scratch.execute(query, chunk):
                found[email] = Existing(contact_id, json.loads(fields))
        return found

    def write(self, pending: Sequence[tuple[str, Pending]]) -> list[int]:
        rows = []
        for email, item in pending:
            if item.id is None:
                self._next_id -= 1  # never a real id
                item.id = self._next_id
            rows.append((email, item.id, json.dumps(item.fields, default=str)))
        self._scratch.executemany("INSERT OR REPLACE INTO state VALUES (?, ?, ?)", rows)
        return []

    def close(self) -> None:
        self._scratch.close()
        self._path.unlink(missing_ok=True)
