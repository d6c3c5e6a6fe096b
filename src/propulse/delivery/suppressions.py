"""The suppression list: addresses never written to again, listed, added, removed, imported.

A suppression keeps the SHA-256 of the address's normal form, and the address itself except
for an erased contact (its hash alone remains). Manual and unsubscribe suppressions may be
removed by a manager; bounces, complaints and erasures may not.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from propulse.audit import service as audit
from propulse.contacts.emails import email_hash, normalise_email
from propulse.contacts.models import Suppression, SuppressionReason
from propulse.delivery.suppression_csv import Entry, export_row
from propulse.kit.errors import Conflict, InvalidInput, NotFound
from propulse.kit.i18n import gettext as _
from propulse.kit.pagination import SortKey, paginate
from propulse.workspace.models import Role, User
from propulse.workspace.permissions import ensure_role

SHA256 = re.compile(r"^[0-9a-f]{64}$")
REMOVABLE = frozenset({SuppressionReason.manual, SuppressionReason.unsubscribed})
# What may be added by hand or by API (erasure suppresses through the contact's erasure).
ADDABLE = frozenset(
    {
        SuppressionReason.manual,
        SuppressionReason.unsubscribed,
        SuppressionReason.bounced,
        SuppressionReason.complained,
    }
)
CHUNK = 500
NEWEST_FIRST = (SortKey(Suppression.id, descending=True),)


def suppressions_action() -> str:
    return _("manage suppressions")


def ensure_manager(actor: User) -> None:
    ensure_role(actor, Role.manager, action=suppressions_action())


@dataclass(frozen=True)
class Rejected:
    """A value refused: its line (a file or a text box) or its index (the API), and why."""

    line: int
    value: str
    message: str


@dataclass
class BatchResult:
    added: int = 0
    already: int = 0
    rejected: list[Rejected] = field(default_factory=list)


def parse_reason(value: str | None, *, allowed: Iterable[SuppressionReason] = ADDABLE) -> str:
    """Return a reason's value, refusing one that is unknown or not allowed here."""
    choices = sorted(reason.value for reason in allowed)
    if value is None or value.strip().lower() not in choices:
        raise InvalidInput.on_field(
            "reason", _("Choose one of: %(choices)s.", choices=", ".join(choices))
        )
    return value.strip().lower()


def _target(value: str) -> tuple[str, str | None] | None:
    """Return (hash, address) of an address, (hash, None) of a SHA-256 hash, else None."""
    lowered = value.strip().lower()
    if SHA256.match(lowered):
        return lowered, None
    normalised = normalise_email(value)
    if normalised is None:
        return None
    return email_hash(normalised), normalised


def list_suppressions(
    session: Session,
    *,
    actor: User,
    email: str | None = None,
    reason: str | None = None,
    cursor: str | None = None,
    limit: int | None = None,
) -> tuple[list[Suppression], str | None]:
    """Return a page of suppressions, newest first; ``email`` (or a hash) finds one exactly."""
    ensure_manager(actor)
    statement = select(Suppression)
    if email and email.strip():
        target = _target(email)
        if target is None:
            raise InvalidInput.on_field(
                "email", _("Enter a full e-mail address (or a SHA-256 hash) to search for.")
            )
        statement = statement.where(Suppression.email_hash == target[0])
    if reason:
        statement = statement.where(
            Suppression.reason == parse_reason(reason, allowed=SuppressionReason)
        )
    return paginate(session, statement, keys=NEWEST_FIRST, cursor=cursor, limit=limit)


def _store(session: Session, entries: list[Entry], default: str, result: BatchResult) -> None:
    """Add one chunk of entries: new hashes inserted, known ones counted (their address kept)."""
    wanted: dict[str, tuple[str | None, str]] = {}
    for entry in entries:
        target = _target(entry.value)
        if target is None:
            message = (
                _("This row is empty.")
                if not entry.value
                else _("This is neither an e-mail address nor a SHA-256 hash.")
            )
            result.rejected.append(Rejected(entry.line, entry.value, message))
            continue
        try:
            reason = (
                parse_reason(entry.reason, allowed=SuppressionReason) if entry.reason else default
            )
        except InvalidInput as error:
            result.rejected.append(Rejected(entry.line, entry.reason or "", error.message))
            continue
        digest, address = target
        if digest in wanted:
            result.already += 1
            continue
        # An erased contact's address is never kept, whatever the file says.
        wanted[digest] = (None if reason == SuppressionReason.erased else address, reason)
    if not wanted:
        return
    existing = {
        row.email_hash: row
        for row in session.scalars(
            select(Suppression).where(Suppression.email_hash.in_(list(wanted)))
        )
    }
    for digest, (address, reason) in wanted.items():
        row = existing.get(digest)
        if row is None:
            session.add(Suppression(email_hash=digest, email=address, reason=reason))
            result.added += 1
            continue
        result.already += 1
        if row.email is None and address and row.reason != SuppressionReason.erased:
            row.email = address  # a hashed entry learns its address (exports show it)
    session.flush()


def add_suppressions(
    session: Session,
    *,
    actor: User,
    entries: Iterable[Entry],
    reason: str = SuppressionReason.manual.value,
    source: str = "page",
) -> BatchResult:
    """Suppress addresses or hashes (idempotent); each refused value is named by its line."""
    ensure_manager(actor)
    default = parse_reason(reason, allowed=SuppressionReason)
    result = BatchResult()
    chunk: list[Entry] = []
    for entry in entries:
        chunk.append(entry)
        if len(chunk) >= CHUNK:
            _store(session, chunk, default, result)
            chunk = []
    if chunk:
        _store(session, chunk, default, result)
    if result.added:
        audit.record(
            session,
            actor=actor,
            action="suppressed",
            object_type="suppression",
            object_id=None,
            summary=f"{result.added} addresses suppressed ({source})",
            details={"added": result.added, "already": result.already, "reason": default},
        )
    return result


def remove_suppression(session: Session, *, actor: User, suppression_id: int) -> Suppression:
    """Remove a manual or unsubscribe suppression; bounces, complaints and erasures stay."""
    ensure_manager(actor)
    row = get_suppression(session, suppression_id=suppression_id)
    if row.reason not in REMOVABLE:
        raise Conflict(
            _(
                "Only manual and unsubscribe suppressions can be removed: this one (%(reason)s) "
                "protects an address that bounced, complained or was erased.",
                reason=row.reason,
            )
        )
    session.delete(row)
    audit.record(
        session,
        actor=actor,
        action="unsuppressed",
        object_type="suppression",
        object_id=row.id,
        summary=f"suppression #{row.id} ({row.reason}) removed",
    )
    session.flush()
    return row


def get_suppression(session: Session, *, suppression_id: int) -> Suppression:
    row = session.get(Suppression, suppression_id)
    if row is None:
        raise NotFound(_("This suppression does not exist."))
    return row


def export_rows(session: Session, *, actor: User) -> Iterator[list[str]]:
    """Yield every suppression as a CSV row, oldest first, reading by chunks of ids."""
    ensure_manager(actor)
    last_id = 0
    columns = (
        Suppression.id,
        Suppression.email,
        Suppression.email_hash,
        Suppression.reason,
        Suppression.created_at,
    )
    while True:
        rows = session.execute(
            select(*columns).where(Suppression.id > last_id).order_by(Suppression.id).limit(CHUNK)
        ).all()
        if not rows:
            return
        for _id, email, digest, reason, created_at in rows:
            yield export_row(email, digest, reason, created_at)
        last_id = rows[-1][0]
