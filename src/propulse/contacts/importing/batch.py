"""Merge a batch of records into the contacts they concern, row by row, in the file's order.

Pure: the existing contacts come in, the contacts to create and to update come out. Every row
counts once: ``created`` (it made a contact), ``updated`` (it changed one, possibly one an
earlier row of the file made) or ``unchanged``. A duplicate e-mail inside the file is merged
into the same contact with the same rule, so importing a file twice changes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from propulse.contacts.importing.rows import Record
from propulse.contacts.merge import UpdateRule, merge_fields


@dataclass
class Existing:
    """A contact as stored: its id and its merged fields (company as a name key)."""

    id: int
    fields: dict[str, Any]


@dataclass
class Pending:
    """A contact the batch creates or changes, with the company name to create if needed."""

    fields: dict[str, Any]
    company_name: str | None
    id: int | None = None  # None: to create


@dataclass
class BatchPlan:
    """What a batch writes and how each row counts."""

    created: dict[str, Pending] = field(default_factory=dict)
    updated: dict[str, Pending] = field(default_factory=dict)
    created_rows: int = 0
    updated_rows: int = 0
    unchanged_rows: int = 0

    def pending(self) -> list[tuple[str, Pending]]:
        return [*self.created.items(), *self.updated.items()]


def plan_batch(
    records: Sequence[Record], existing: Mapping[str, Existing], rule: UpdateRule
) -> BatchPlan:
    """Return the contacts to create and update for these records, merged in order."""
    plan = BatchPlan()
    for record in records:
        email = record.email
        pending = plan.created.get(email) or plan.updated.get(email)
        if pending is None and email not in existing:
            # The record is not used again: its fields become the new contact's.
            plan.created[email] = Pending(record.fields, record.company_name)
            plan.created_rows += 1
            continue
        if pending is None:
            stored = existing[email]
            current: Mapping[str, Any] = stored.fields
        else:
            current = pending.fields
        changes = merge_fields(current, record.fields, rule)
        if not changes:
            plan.unchanged_rows += 1
            continue
        plan.updated_rows += 1
        if pending is None:
            pending = Pending(dict(current), None, existing[email].id)
            plan.updated[email] = pending
        pending.fields.update(changes)
        if "company" in changes:
            pending.company_name = record.company_name
    return plan
