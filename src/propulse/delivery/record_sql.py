"""The worker's hot path: record a server's acceptance with one UPDATE and one COMMIT.

Straight on the DBAPI connection the lane holds, with the statement compiled once for the
dialect: SQLAlchemy's execute and commit cost about as much CPU as the database's own work,
and this runs once per message. Same statement and same values as ``outbox.record_sent``
(the UTC timestamp goes through the column type's own bind processor); the lane falls back
on that function when it holds no connection of its own (tests).
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
        self._record = _Compiled(_RECORD_SENT, connection, ("message_pk", "owner", "reply", "now"))
        self._duplicate = _Compiled(_MARK_DUPLICATE, connection, ("message_pk",))
        processor = UTCDateTime().dialect_impl(dialect).bind_processor(dialect)
        self._time: Callable[[datetime], Any] = (
            processor if processor is not None else (lambda value: value)
        )

    def record(
        self, connection: Connection, *, message_pk: int, owner: str, reply: str, now: datetime
    ) -> bool:
        """Record one acceptance in its own commit; False when the lease was lost meanwhile."""
        raw = connection.connection.dbapi_connection
        assert raw is not None
        cursor = raw.cursor()
        try:
            if self._sqlite:
                cursor.execute("BEGIN IMMEDIATE")
            values = {
                "message_pk": message_pk,
                "owner": owner,
                "reply": reply[:500],
                "now": self._time(now),
            }
            cursor.execute(self._record.sql, self._record.arguments(values))
            settled = cursor.rowcount == 1
            if not settled:  # sent after the lease expired: another worker may send it too
                cursor.execute(
                    self._duplicate.sql, self._duplicate.arguments({"message_pk": message_pk})
                )
            if self._sqlite:
                cursor.execute("COMMIT")
            else:
                raw.commit()
        except BaseException:
            if self._sqlite:
                if getattr(raw, "in_transaction", False):
                    cursor.execute("ROLLBACK")
            else:
                raw.rollback()
            raise
        finally:
            cursor.close()
        return settled
