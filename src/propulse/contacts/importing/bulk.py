"""Bulk statements of an import, written from the table's metadata and run as the driver's SQL.

Measured on 100,000 rows: SQLAlchemy's per-row parameter handling of an executemany cost about
twice what SQLite spends inserting the row, and psycopg parses a statement of 20,000
placeholders in Python, uncached. So each column's bind processor (JSON, UTC timestamps) is
taken once from the dialect and applied here, and the statements stay short:
- SQLite: multi-row ``INSERT ... VALUES (?, ...), ... RETURNING id`` and an executemany UPDATE;
- PostgreSQL: one array per column, ``INSERT ... SELECT * FROM unnest(...) RETURNING id`` and
  ``UPDATE ... FROM unnest(...)``, and ``= ANY(array)`` instead of a long ``IN`` list.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from itertools import chain
from typing import Any

from sqlalchemy import Connection, Table

# Below SQLite's limit on the parameters of one statement.
MAX_PARAMETERS = 30_000
MAX_ROWS_PER_INSERT = 1000

Processor = Callable[[Any], Any] | None


class BulkSql:
    """Select, insert and update many rows of one table on one connection."""

    def __init__(self, connection: Connection, table: Table) -> None:
        self.connection = connection
        self.table = table
        self.dialect = connection.dialect
        self.arrays = self.dialect.name == "postgresql"
        self.marker = "?" if self.dialect.paramstyle == "qmark" else "%s"
        self.quote = self.dialect.identifier_preparer.quote

    def result_processor(self, column: str) -> Processor:
        """Return what turns a column's value from the driver into Python (JSON on SQLite)."""
        type_ = self.table.c[column].type
        return type_.dialect_impl(self.dialect).result_processor(self.dialect, None)

    def processor(self, column: str) -> Processor:
        """Return the bind processor of a column (None where the driver takes the value as is)."""
        type_ = self.table.c[column].type
        return type_.dialect_impl(self.dialect).bind_processor(self.dialect)

    def bind(self, column: str, value: Any) -> Any:
        """Return a value as the driver takes it: for a constant, processed once per batch."""
        processor = self.processor(column)
        return value if processor is None else processor(value)

    def select_where_in(self, query: str, column: str, values: Sequence[Any]) -> list[Any]:
        """Return the rows of ``query`` (ending with WHERE) whose ``column`` is among ``values``."""
        if self.arrays:
            return list(
                self.connection.exec_driver_sql(f"{query} {column} = ANY(%s)", (list(values),))
            )
        rows: list[Any] = []
        for start in range(0, len(values), MAX_PARAMETERS):
            chunk = tuple(values[start : start + MAX_PARAMETERS])
            sql = f"{query} {column} IN ({', '.join([self.marker] * len(chunk))})"
            rows += self.connection.exec_driver_sql(sql, chunk).all()
        return rows

    def process(
        self, columns: Sequence[str], rows: Sequence[Sequence[Any]], raw: frozenset[str]
    ) -> list[tuple[Any, ...]]:
        """Return the rows as the driver takes them (``raw`` columns are bound already)."""
        active = [
            (index, processor)
            for index, name in enumerate(columns)
            if name not in raw and (processor := self.processor(name)) is not None
        ]
        if not active:
            return [tuple(row) for row in rows]
        processed = []
        for row in rows:
            values = list(row)
            for index, processor in active:
                values[index] = processor(values[index])
            processed.append(tuple(values))
        return processed

    def insert_returning(
        self,
        columns: Sequence[str],
        rows: Sequence[Sequence[Any]],
        *,
        returning: Sequence[str] = ("id",),
        raw: frozenset[str] = frozenset(),
    ) -> list[Any]:
        """Insert rows (values in ``columns`` order); return their ``returning`` columns."""
        processed = self.process(columns, rows, raw)
        names = ", ".join(self.quote(name) for name in columns)
        table = self.quote(self.table.name)
        back = ", ".join(self.quote(name) for name in returning)
        if self.arrays:
            sql = (
                f"INSERT INTO {table} ({names}) "  # noqa: S608 - names from the metadata
                f"SELECT * FROM unnest({self._arrays(columns)}) RETURNING {back}"
            )
            return list(self.connection.exec_driver_sql(sql, _columns_of(processed)))
        per_statement = max(1, min(MAX_ROWS_PER_INSERT, MAX_PARAMETERS // len(columns)))
        group = "(" + ", ".join([self.marker] * len(columns)) + ")"
        found: list[Any] = []
        for start in range(0, len(processed), per_statement):
            chunk = processed[start : start + per_statement]
            sql = (
                f"INSERT INTO {table} ({names}) "  # noqa: S608 - names from the metadata
                f"VALUES {', '.join([group] * len(chunk))} RETURNING {back}"
            )
            found += self.connection.exec_driver_sql(sql, tuple(chain(*chunk))).all()
        return found

    def update_by_id(
        self,
        columns: Sequence[str],
        rows: Sequence[Sequence[Any]],
        *,
        bump_version: bool,
        raw: frozenset[str] = frozenset(),
    ) -> None:
        """Set ``columns`` of each row whose id is the row's last value."""
        if not rows:
            return
        processed = self.process([*columns, "id"], rows, raw)
        table = self.quote(self.table.name)
        if self.arrays:
            assignments = [f"{self.quote(name)} = v.{self.quote(name)}" for name in columns]
            if bump_version:
                assignments.append("version = t.version + 1")
            names = ", ".join(self.quote(name) for name in [*columns, "id"])
            sql = (
                f"UPDATE {table} AS t SET {', '.join(assignments)} "  # noqa: S608
                f"FROM unnest({self._arrays([*columns, 'id'])}) AS v({names}) WHERE t.id = v.id"
            )
            self.connection.exec_driver_sql(sql, _columns_of(processed))
            return
        assignments = [f"{self.quote(name)} = {self.marker}" for name in columns]
        if bump_version:
            assignments.append("version = version + 1")
        sql = f"UPDATE {table} SET {', '.join(assignments)} WHERE id = {self.marker}"  # noqa: S608
        self.connection.exec_driver_sql(sql, processed)

    def _arrays(self, columns: Sequence[str]) -> str:
        """Return one typed array parameter per column: ``%s::VARCHAR(100)[], ...``."""
        types = (self.table.c[name].type.compile(dialect=self.dialect) for name in columns)
        return ", ".join(f"%b::{type_}[]" for type_ in types)


def _columns_of(rows: Sequence[Sequence[Any]]) -> tuple[list[Any], ...]:
    """Return the rows turned into one list per column."""
    return tuple(list(column) for column in zip(*rows, strict=True))
