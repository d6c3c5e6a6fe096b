"""The worker's hot path: record a server's acceptance with one UPDATE and one COMMIT.

Straight on the DBAPI connection the lane holds, with the statement compiled once for the
dialect: SQLAlchemy's execute and commit cost about as much CPU as the database's own work,
and this runs once per message. Same statement and same values as ``outbox.record_sent``
(the UTC timestamp goes through the column type's own bind processor); the lane falls back
on that function when it holds no connection of its own (tests). On PostgreSQL the lane's
connection does not wait for the disk at commit (``synchronous_commit = off``, reset before
the connection goes back to the pool).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from propulse.db import UTCDateTime
from propulse.delivery.outbox import _MARK_DUPLICATE, _RECORD_SENT


class _Compiled:
    def __init__(self, statement: Any, connection: Connection, names: tuple[str, ...]) -> None:
        compiled = statement.compile(dialect=connection.dialect)
        self.sql = compiled.string
        self.positional = bool(compiled.positional)
        self.names = list(compiled.positiontup or [])
        # The statement's own values (the new status...); the named ones come per call.
        self.defaults = compiled.construct_params(dict.fromkeys(names))

    def arguments(self, values: dict[str, Any]) -> Any:
        params = {**self.defaults, **values}
        return tuple(params[name] for name in self.names) if self.positional else params


class SentRecorder:
    """Record acceptances on one connection; ``supported`` says whether the dialect is known."""

    def __init__(self, connection: Connection) -> None:
        dialect = connection.dialect
        self.supported = dialect.name in ("sqlite", "postgresql")
        self._sqlite = dialect.name == "sqlite"
        self._prepared = False
        self._record = _Compiled(_RECORD_SENT, connection, ("message_pk", "owner", "reply", "now"))
        self._duplicate = _Compiled(_MARK_DUPLICATE, connection, ("message_pk",))
        processor = UTCDateTime().dialect_impl(dialect).bind_processor(dialect)
        self._time: Callable[[datetime], Any] = (
            processor if processor is not None else (lambda value: value)
        )

    def record(
        self, connection: Connection, *, message_pk: int, owner: str, reply: str, now: datetime
    ) -> bool:
        """Record one acceptance, committed on return; False when the lease was lost meanwhile.

        One statement in autocommit mode: the UPDATE is its own transaction, so the record is
        one round trip. When it changed nothing (the lease was lost), flagging the row is a
        second single statement: there is nothing the two would need to do together.
        """
        raw: Any = connection.connection.dbapi_connection
        assert raw is not None
        if not self._sqlite:
            if not self._prepared:
                # The commit returns once PostgreSQL has the record, without waiting for the
                # disk: a killed worker loses nothing (the server has it); only a crash of
                # the database server itself may forget the last fraction of a second of
                # records, whose messages are then sent again (docs/delivery.md).
                with raw.cursor() as cursor:
                    cursor.execute("SET synchronous_commit = off")
                raw.commit()
                self._prepared = True
            raw.autocommit = True  # SQLite's connections are in autocommit mode already
        cursor = raw.cursor()
        try:
            values = {
                "message_pk": message_pk,
                "owner": owner,
                "reply": reply[:500],
                "now": self._time(now),
            }
            cursor.execute(self._record.sql, self._record.arguments(values))
            settled = bool(cursor.rowcount == 1)
            if not settled:  # sent after the lease expired: another worker may send it too
                cursor.execute(
                    self._duplicate.sql, self._duplicate.arguments({"message_pk": message_pk})
                )
        finally:
            cursor.close()
            if not self._sqlite:
                raw.autocommit = False
        return settled

    def release(self, connection: Connection) -> None:
        """Give the connection's usual durability back before it returns to the pool."""
        if self._prepared and not connection.closed and not connection.invalidated:
            raw: Any = connection.connection.dbapi_connection
            with raw.cursor() as cursor:
                cursor.execute("RESET synchronous_commit")
            raw.commit()
        self._prepared = False
