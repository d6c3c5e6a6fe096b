"""Record and read the audit log; the edge says through which channel the change came."""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from propulse.audit.models import AuditEntry
from propulse.kit.pagination import SortKey, paginate
from propulse.workspace.models import User

_channel: ContextVar[str] = ContextVar("propulse_audit_channel", default="web")
CHANNELS = ("web", "api", "cli", "job")


def set_channel(channel: str) -> None:
    """Say which edge is acting (web, api, cli, job) for the entries written from now on."""
    _channel.set(channel)


def record(
    session: Session,
    *,
    actor: User | None,
    action: str,
    object_type: str,
    object_id: int | str | None,
    summary: str,
    details: dict[str, Any] | None = None,
) -> AuditEntry:
    """Write one audit entry; bulk operations call this once for the whole operation."""
    entry = AuditEntry(
        actor_id=actor.id if actor else None,
        actor_label=actor.email if actor else "system",
        via=_channel.get(),
        action=action,
        object_type=object_type,
        object_id=str(object_id) if object_id is not None else None,
        summary=summary[:500],
        details=details or {},
    )
    session.add(entry)
    return entry


def list_entries(
    session: Session,
    *,
    object_type: str | None = None,
    actor_id: int | None = None,
    cursor: str | None = None,
    limit: int | None = None,
) -> tuple[list[AuditEntry], str | None]:
    """Return the newest entries first, one page at a time."""
    statement: Select[Any] = select(AuditEntry)
    if object_type:
        statement = statement.where(AuditEntry.object_type == object_type)
    if actor_id:
        statement = statement.where(AuditEntry.actor_id == actor_id)
    keys = [SortKey(AuditEntry.id, descending=True)]
    return paginate(session, statement, keys=keys, cursor=cursor, limit=limit)


def object_types(session: Session) -> list[str]:
    return list(session.scalars(select(AuditEntry.object_type).distinct().order_by("object_type")))
