"""The worker's hot path: record a server's acceptance with one UPDATE and one COMMIT.

Straight on the DBAPI connection the lane holds, with the statement compiled once for the
dialect: SQLAlchemy's execute and commit cost about as much CPU as the database's own work,
and this runs once per message. Same statement and same values as ``outbox.record_sent``
(the UTC timestamp goes through the column type's own bind processor); the lane falls back
on that function when it holds no connection of its own (tests).

On SQLite the connection is in autocommit mode: the UPDATE is its own transaction. On
PostgreSQL the statement is prepared once on the connection and run through libpq
(``PQexecPrepared``, outside any transaction block, so it commits by itself): psycopg's
cursor machinery cost more CPU than the rest of the record. The lane's connection does not
wait for the disk at commit (``synchronous_commit = off``); both settings are undone before
the connection goes back to the pool.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from propulse.db import UTCDateTime
from propulse.delivery.outbox import _MARK_DUPLICATE, _RECORD_SENT

_VALUES = ("message_pk", "owner", "reply", "now")
_PREPARED_NAME = b"propulse_record_sent"


class _Compiled:
    def __init__(self, statement: Any, dialect: Any, names: tuple[str, ...]) -> None:
        compiled = statement.compile(dialect=dialect)
        self.sql = compiled.string
        self.positional = bool(compiled.positional)
        self.names = list(compiled.positiontup or [])
        # The statement's own values (the new status...); the named ones come per call.
        self.defaults = compiled.construct_params(dict.fromkeys(names))

    def arguments(self, values: dict[str, Any]) -> Any:
        params = {**self.defaults, **values}
        return tuple(params[name] for name in self.names) if self.positional else params


def _as_text(value: Any) -> bytes | None:
    """Return a parameter as PostgreSQL reads it in text format (None is NULL)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return b"t" if value else b"f"
    if isinstance(value, datetime):
        return value.isoformat().encode("ascii")
    return str(value).replace("\x00", "").encode("utf-8")


class _Prepared:
    """The record as a prepared statement of one PostgreSQL connection, run through libpq."""

    def __init__(self) -> None:
        from psycopg import DatabaseError
        from psycopg.pq import ExecStatus, TransactionStatus
        from sqlalchemy.dialects.postgresql.psycopg import PGDialect_psycopg

        # Numbered parameters ($1, $2...), as PREPARE takes them.
        dialect = PGDialect_psycopg(paramstyle="numeric_dollar")  # type: ignore[no-untyped-call]
        compiled = _Compiled(_RECORD_SENT, dialect, _VALUES)
        self.sql = compiled.sql.encode("utf-8")
        self.names = compiled.names
        self.constants = {
            name: _as_text(value)
            for name, value in compiled.defaults.items()
            if name not in _VALUES
        }
        self.ready = False
        self._error = DatabaseError
        self._ok = ExecStatus.COMMAND_OK
        self._idle = TransactionStatus.IDLE

    def usable(self, pgconn: Any) -> bool:
        """Say whether the connection is outside any transaction block (else: the cursor)."""
        return bool(pgconn.transaction_status == self._idle)

    def run(self, pgconn: Any, values: dict[str, Any]) -> int:
        """Run the record; return how many rows it changed."""
        if not self.ready:
            self._prepare(pgconn)
        texts = {name: _as_text(value) for name, value in values.items()}
        arguments = [texts[name] if name in texts else self.constants[name] for name in self.names]
        result = pgconn.exec_prepared(_PREPARED_NAME, arguments)
        if result.status != self._ok:
            raise self._error(result.error_message.decode("utf-8", "replace"))
        return int(result.command_tuples or 0)

    def _prepare(self, pgconn: Any) -> None:
        result = pgconn.prepare(_PREPARED_NAME, self.sql)
        if result.status != self._ok:
            # Left by a lane that could not deallocate it (the pool kept the connection).
            pgconn.exec_(b"DEALLOCATE " + _PREPARED_NAME)
            result = pgconn.prepare(_PREPARED_NAME, self.sql)
            if result.status != self._ok:
                raise self._error(result.error_message.decode("utf-8", "replace"))
        self.ready = True

    def forget(self, pgconn: Any) -> None:
        if self.ready:
            pgconn.exec_(b"DEALLOCATE " + _PREPARED_NAME)
        self.ready = False


class SentRecorder:
    """Record acceptances on one connection; ``supported`` says whether the dialect is known."""

    def __init__(self, connection: Connection) -> None:
        dialect = connection.dialect
        self.supported = dialect.name in ("sqlite", "postgresql")
        self._sqlite = dialect.name == "sqlite"
        self._prepared = False
        self._record = _Compiled(_RECORD_SENT, dialect, _VALUES)
        self._duplicate = _Compiled(_MARK_DUPLICATE, dialect, ("message_pk",))
        self._libpq = _Prepared() if dialect.driver == "psycopg" else None
        processor = UTCDateTime().dialect_impl(dialect).bind_processor(dialect)
        self._time: Callable[[datetime], Any] = (
            processor if processor is not None else (lambda value: value)
        )

    def record(
        self, connection: Connection, *, message_pk: int, owner: str, reply: str, now: datetime
    ) -> bool:
        """Record one acceptance, committed on return; False when the lease was lost meanwhile.

        One statement outside any transaction block: the UPDATE is its own transaction, so
        the record is one round trip. When it changed nothing (the lease was lost), flagging
        the row is a second single statement: there is nothing the two would need to do
        together.
        """
        raw: Any = connection.connection.dbapi_connection
        assert raw is not None
        values = {"message_pk": message_pk, "owner": owner, "reply": reply[:500]}
        values["now"] = self._time(now)
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
            if self._libpq is not None and self._libpq.usable(raw.pgconn):
                settled = self._libpq.run(raw.pgconn, values) == 1
                if not settled:
                    self._mark_duplicate(raw, message_pk)
                return settled
        return self._record_with_cursor(raw, values)

    def _record_with_cursor(self, raw: Any, values: dict[str, Any]) -> bool:
        if not self._sqlite:
            raw.autocommit = True  # SQLite's connections are in autocommit mode already
        cursor = raw.cursor()
        try:
            cursor.execute(self._record.sql, self._record.arguments(values))
            settled = bool(cursor.rowcount == 1)
            if not settled:  # sent after the lease expired: another worker may send it too
                cursor.execute(
                    self._duplicate.sql,
                    self._duplicate.arguments({"message_pk": values["message_pk"]}),
                )
        finally:
            cursor.close()
            if not self._sqlite:
                raw.autocommit = False
        return settled

    def _mark_duplicate(self, raw: Any, message_pk: int) -> None:
        """Flag a row sent after its lease expired: another worker may send it too."""
        raw.autocommit = True
        try:
            with raw.cursor() as cursor:
                cursor.execute(
                    self._duplicate.sql, self._duplicate.arguments({"message_pk": message_pk})
                )
        finally:
            raw.autocommit = False

    def release(self, connection: Connection) -> None:
        """Give the connection its usual state back before it returns to the pool."""
        if self._prepared and not connection.closed and not connection.invalidated:
            raw: Any = connection.connection.dbapi_connection
            if self._libpq is not None:
                self._libpq.forget(raw.pgconn)
            with raw.cursor() as cursor:
                cursor.execute("RESET synchronous_commit")
            raw.commit()
        self._prepared = False
