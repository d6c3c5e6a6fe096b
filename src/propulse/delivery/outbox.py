"""The outbox's moves: claim due rows with a lease, record each answer, reclaim dead leases.

Each function runs inside the caller's transaction (the worker commits after each one).

How a crash stays bounded: a lane (one SMTP connection) owns the rows it claimed under a
lease owner of its own, sends them in id order, and commits each answer before sending the
next row. So when a worker dies, each of its lanes has at most one row that may have reached
the server unrecorded: the lowest id it still holds in ``sending``. Reclaiming an expired
lease marks that row ``possible_duplicate`` and simply requeues the others.

The claim updates the small ``delivery_messages`` rows only; the bodies of the batch are
then read from ``delivery_message_bodies`` in one query (never rewritten).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Connection, Integer, String, Table, bindparam, func, select, update
from sqlalchemy.orm import Session

from propulse.db import UTCDateTime
from propulse.delivery.models import (
    DeliveryMessage,
    DeliveryMessageBody,
    DeliveryStatus,
    DeliveryStream,
)

M = DeliveryMessage
T = cast(Table, DeliveryMessage.__table__)
BODIES = cast(Table, DeliveryMessageBody.__table__)
SENDING = DeliveryStatus.sending.value
CHUNK = 500


@dataclass(slots=True)
class Claimed:
    """A claimed row, as plain data for the lane that sends it (not to be changed).

    Not ``frozen``: a frozen dataclass sets each field through ``object.__setattr__``, four
    times the cost, and the claim builds one per message.
    """

    id: int
    message_id: str
    to_address: str
    contact_id: int | None
    stream: str
    subject: str
    preheader: str
    html_body: str
    text_body: str
    headers: dict[str, Any] | None
    attempts: int
    possible_duplicate: bool


_CLAIMED_COLUMNS = (
    M.id,
    M.message_id,
    M.to_address,
    M.contact_id,
    M.stream,
    M.subject,
    M.attempts,
    M.possible_duplicate,
)
_BODIES = select(
    BODIES.c.message_pk,
    BODIES.c.preheader,
    BODIES.c.html_body,
    BODIES.c.text_body,
    BODIES.c.headers,
).where(BODIES.c.message_pk.in_(bindparam("ids", expanding=True)))


def _with_bodies(connection: Connection, rows: Sequence[Any]) -> list[Claimed]:
    """Join the claimed rows with their bodies (one query); a row without one has empty parts."""
    if not rows:
        return []
    bodies = {
        row[0]: row[1:] for row in connection.execute(_BODIES, {"ids": [row[0] for row in rows]})
    }
    claimed = []
    for row in rows:
        preheader, html_body, text_body, headers = bodies.get(row[0], ("", "", "", None))
        (pk, message_id, to_address, contact_id, stream, subject, attempts, duplicate) = row
        claimed.append(
            Claimed(
                id=pk,
                message_id=message_id,
                to_address=to_address,
                contact_id=contact_id,
                stream=stream,
                subject=subject,
                preheader=preheader,
                html_body=html_body,
                text_body=text_body,
                headers=headers,
                attempts=attempts,
                possible_duplicate=duplicate,
            )
        )
    return sorted(claimed, key=lambda message: message.id)


def _paused_streams() -> Any:
    return select(DeliveryStream.name).where(DeliveryStream.paused.is_(True))


def _claim_statement() -> Any:
    due = (
        select(T.c.id)
        .where(
            T.c.status == DeliveryStatus.queued.value,
            T.c.next_attempt_at <= bindparam("now", type_=UTCDateTime()),
            T.c.stream.not_in(_paused_streams()),
        )
        .order_by(T.c.next_attempt_at, T.c.id)
        .limit(bindparam("limit", type_=Integer()))
        .with_for_update(skip_locked=True)
    )
    return (
        update(T)
        .where(T.c.id.in_(due.scalar_subquery()))
        .values(
            status=SENDING,
            lease_owner=bindparam("owner", type_=String()),
            lease_until=bindparam("until", type_=UTCDateTime()),
        )
        .returning(*(T.c[column.key] for column in _CLAIMED_COLUMNS))
    )


_CLAIM = _claim_statement()


def claim(
    session: Session, *, owner: str, limit: int, lease_seconds: float, now: datetime
) -> list[Claimed]:
    """Lease up to ``limit`` due rows of unpaused streams to ``owner``; return them by id.

    PostgreSQL skips rows another worker is claiming (FOR UPDATE SKIP LOCKED); SQLite has no
    row locks but the transaction began with BEGIN IMMEDIATE, so claims take turns.
    """
    until = now + timedelta(seconds=lease_seconds)
    parameters = {"now": now, "limit": limit, "owner": owner, "until": until}
    # Straight on the connection: the ORM session adds nothing to a prepared Core statement.
    connection = session.connection()
    return _with_bodies(connection, connection.execute(_CLAIM, parameters).all())


def claim_one(
    session: Session, *, message_pk: int, owner: str, lease_seconds: float, now: datetime
) -> Claimed | None:
    """Lease one queued row whatever its time (a test send); None when it is not queued."""
    statement = (
        update(M)
        .where(M.id == message_pk, M.status == DeliveryStatus.queued)
        .values(
            status=DeliveryStatus.sending,
            lease_owner=owner,
            lease_until=now + timedelta(seconds=lease_seconds),
        )
        .returning(*_CLAIMED_COLUMNS)
        .execution_options(synchronize_session=False)
    )
    row = session.execute(statement).first()
    if row is None:
        return None
    return _with_bodies(session.connection(), [row])[0]


def _settle(session: Session, *, message_pk: int, owner: str, **values: Any) -> bool:
    """Change a row this owner still holds; False when its lease was lost meanwhile."""
    statement = (
        update(T)
        .where(T.c.id == message_pk, T.c.lease_owner == owner, T.c.status == SENDING)
        .values(lease_owner=None, lease_until=None, **values)
    )
    return bool(getattr(session.execute(statement), "rowcount", 0))


# The hot path (one per message sent) is built once: only the values change.
_RECORD_SENT = (
    update(T)
    .where(
        T.c.id == bindparam("message_pk"),
        T.c.lease_owner == bindparam("owner"),
        T.c.status == SENDING,
    )
    .values(
        status=DeliveryStatus.sent.value,
        sent_at=bindparam("now", type_=UTCDateTime()),
        smtp_reply=bindparam("reply", type_=String()),
        last_error=None,
        attempts=T.c.attempts + 1,
        lease_owner=None,
        lease_until=None,
    )
)


def record_sent(
    session: Session, *, message_pk: int, owner: str, reply: str, now: datetime
) -> bool:
    """Record the server's acceptance; False when another worker had taken the row back."""
    return record_sent_on(
        session.connection(), message_pk=message_pk, owner=owner, reply=reply, now=now
    )


_MARK_DUPLICATE = update(T).where(T.c.id == bindparam("message_pk")).values(possible_duplicate=True)


def record_sent_on(
    connection: Connection, *, message_pk: int, owner: str, reply: str, now: datetime
) -> bool:
    """``record_sent`` on a bare connection (the worker's hot path: no ORM session at all)."""
    result = connection.execute(
        _RECORD_SENT,
        {"message_pk": message_pk, "owner": owner, "now": now, "reply": reply[:500]},
    )
    settled = bool(getattr(result, "rowcount", 0))
    if not settled:
        # Sent by this lane after its lease had expired: another worker may send it too.
        connection.execute(_MARK_DUPLICATE, {"message_pk": message_pk})
    return settled


def record_retry(
    session: Session,
    *,
    message_pk: int,
    owner: str,
    error: str,
    next_attempt_at: datetime,
    in_doubt: bool,
) -> bool:
    """Put the row back in the queue for a later attempt."""
    values: dict[str, Any] = {
        "status": DeliveryStatus.queued,
        "last_error": error[:1000],
        "attempts": T.c.attempts + 1,
        "next_attempt_at": next_attempt_at,
    }
    if in_doubt:
        values["possible_duplicate"] = True
    return _settle(session, message_pk=message_pk, owner=owner, **values)


def record_final(
    session: Session,
    *,
    message_pk: int,
    owner: str,
    status: DeliveryStatus,
    error: str,
    count_attempt: bool = True,
) -> bool:
    """Close the row for good: failed, or suppressed at send time."""
    values: dict[str, Any] = {"status": status, "last_error": error[:1000]}
    if count_attempt:
        values["attempts"] = T.c.attempts + 1
    return _settle(session, message_pk=message_pk, owner=owner, **values)


def release(session: Session, *, message_pks: Sequence[int], owner: str) -> None:
    """Give rows back unsent (no attempt counted): the lane is stopping or cannot connect."""
    for start in range(0, len(message_pks), CHUNK):
        session.execute(
            update(M)
            .where(
                M.id.in_(message_pks[start : start + CHUNK]),
                M.lease_owner == owner,
                M.status == DeliveryStatus.sending,
            )
            .values(status=DeliveryStatus.queued, lease_owner=None, lease_until=None)
            .execution_options(synchronize_session=False)
        )


def renew(
    session: Session, *, message_pks: Sequence[int], owner: str, until: datetime
) -> list[int]:
    """Extend the lease of rows still held; return the ids still held."""
    held: list[int] = []
    for start in range(0, len(message_pks), CHUNK):
        statement = (
            update(M)
            .where(
                M.id.in_(message_pks[start : start + CHUNK]),
                M.lease_owner == owner,
                M.status == DeliveryStatus.sending,
            )
            .values(lease_until=until)
            .returning(M.id)
            .execution_options(synchronize_session=False)
        )
        held.extend(session.scalars(statement))
    return sorted(held)


def mark_possible_duplicate(session: Session, *, message_pks: Sequence[int]) -> None:
    for start in range(0, len(message_pks), CHUNK):
        session.execute(
            update(M)
            .where(M.id.in_(message_pks[start : start + CHUNK]))
            .values(possible_duplicate=True)
            .execution_options(synchronize_session=False)
        )


@dataclass(frozen=True)
class Reclaimed:
    requeued: int
    in_doubt: list[int]


def reclaim_expired(session: Session, *, now: datetime, limit: int = 5000) -> Reclaimed:
    """Requeue the rows of dead workers; each dead lane's first unrecorded row is in doubt."""
    rows = session.execute(
        select(M.id, M.lease_owner)
        .where(M.status == DeliveryStatus.sending, M.lease_until < now)
        .order_by(M.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    if not rows:
        return Reclaimed(0, [])
    first_of_owner: dict[str | None, int] = {}
    for message_pk, owner in rows:
        first_of_owner.setdefault(owner, message_pk)
    in_doubt = sorted(first_of_owner.values())
    ids = [message_pk for message_pk, _owner in rows]
    for start in range(0, len(ids), CHUNK):
        session.execute(
            update(M)
            .where(M.id.in_(ids[start : start + CHUNK]), M.status == DeliveryStatus.sending)
            .values(
                status=DeliveryStatus.queued,
                lease_owner=None,
                lease_until=None,
                next_attempt_at=now,
            )
            .execution_options(synchronize_session=False)
        )
    mark_possible_duplicate(session, message_pks=in_doubt)
    return Reclaimed(len(ids), in_doubt)


STREAMS = cast(Table, DeliveryStream.__table__)
_RESET_FAILURES = (
    update(STREAMS)
    .where(STREAMS.c.name == bindparam("stream"), STREAMS.c.consecutive_failures > 0)
    .values(consecutive_failures=0)
)


def reset_failures(session: Session | Connection, *, stream: str) -> None:
    """A message went through: the stream's run of failures ends."""
    connection = session.connection() if isinstance(session, Session) else session
    connection.execute(_RESET_FAILURES, {"stream": stream})


def count_failure(
    session: Session, *, stream: str, error: str, pause_after: int, now: datetime
) -> bool:
    """Count a failure in a row on the stream; pause it at ``pause_after``; True if paused now."""
    failures = session.scalar(
        update(DeliveryStream)
        .where(DeliveryStream.name == stream)
        .values(consecutive_failures=DeliveryStream.consecutive_failures + 1)
        .returning(DeliveryStream.consecutive_failures)
        .execution_options(synchronize_session=False)
    )
    if failures is None or failures < pause_after:
        return False
    paused = session.execute(
        update(DeliveryStream)
        .where(DeliveryStream.name == stream, DeliveryStream.paused.is_(False))
        .values(paused=True, paused_reason=error[:500], paused_at=now)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(paused, "rowcount", 0))


def due_count(session: Session, *, now: datetime) -> int:
    """Count the rows a worker could claim now."""
    return (
        session.scalar(
            select(func.count())
            .select_from(M)
            .where(
                M.status == DeliveryStatus.queued,
                M.next_attempt_at <= now,
                M.stream.not_in(_paused_streams()),
            )
        )
        or 0
    )
