"""Engine, session factory and the unit of work that the edges (request, CLI, job) own."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import DateTime, Engine, MetaData, create_engine, event, inspect
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker
from sqlalchemy.types import TypeDecorator

from propulse.config import get_settings

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """Return the current time, timezone-aware in UTC."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Store aware datetimes as UTC; SQLite forgets the zone, so it is put back on load."""

    impl = DateTime(timezone=True)
    cache_ok = True

    @property
    def python_type(self) -> type[datetime]:
        # TypeDecorator would answer ``object``: cursors need to know a key is a datetime.
        return datetime

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    """The declarative base of every table."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime()}


class Timestamped:
    """Creation and update times, set by the application so both databases agree."""

    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


# An engine execution option, and a session ``info`` key, for work that only reads.
READ_ONLY = "propulse_read_only"


class ReadOnlyViolation(RuntimeError):
    """A session opened for reading tried to write (a GET endpoint not marked as writing)."""


def _configure_sqlite(engine: Engine) -> None:
    """Turn on WAL and foreign keys, and let SQLAlchemy (not pysqlite) own transactions.

    pysqlite's own transaction handling breaks SAVEPOINT; the documented recipe is to set
    ``isolation_level = None`` and emit BEGIN ourselves. BEGIN IMMEDIATE takes the write lock
    up front, so the web process and a worker wait for each other (busy_timeout) instead of
    failing with "database is locked" when a read transaction later writes.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # A reading session begins DEFERRED: in WAL mode it reads a snapshot and never takes
        # the write lock, so a slow page does not stop the scheduler or the delivery worker.
        if connection.get_execution_options().get(READ_ONLY):
            connection.exec_driver_sql("BEGIN DEFERRED")
        else:
            connection.exec_driver_sql("BEGIN IMMEDIATE")


def make_engine(url: str) -> Engine:
    """Create an engine for a SQLite file or PostgreSQL URL, with our connection settings."""
    if url.startswith("postgresql://"):
        url = url.replace("postgresql://", "postgresql+psycopg://", 1)
    if url.startswith("sqlite"):
        if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
            Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 10})
        _configure_sqlite(engine)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10)


@lru_cache
def get_engine() -> Engine:
    """Return the process-wide engine, creating the data directory for SQLite."""
    settings = get_settings()
    if settings.sqlite_path is not None:
        settings.sqlite_path.parent.mkdir(parents=True, exist_ok=True)
    return make_engine(settings.effective_database_url)


@lru_cache
def get_session_factory() -> sessionmaker[Session]:
    return sessionmaker(bind=get_engine(), expire_on_commit=False)


@lru_cache
def get_read_session_factory() -> sessionmaker[Session]:
    """Sessions for requests and jobs that only read (on SQLite they never hold the write lock).

    Such a session refuses to write (``ReadOnlyViolation``): on SQLite a DEFERRED transaction
    that read and then writes fails at once if another connection wrote meanwhile, so a
    reading edge that writes must say so and take an ordinary session.
    """
    engine = get_engine().execution_options(**{READ_ONLY: True})
    return sessionmaker(bind=engine, expire_on_commit=False, info={READ_ONLY: True})


@contextmanager
def reading() -> Iterator[Session]:
    """Open a reading session for a job or command that only reads (closed, never committed)."""
    session = get_read_session_factory()()
    try:
        yield session
    finally:
        session.close()


def is_reading(session: Session) -> bool:
    """Tell whether a session only reads (see ``get_read_session_factory``)."""
    return bool(session.info.get(READ_ONLY))


@event.listens_for(Session, "before_flush")
def _refuse_flush_when_reading(session: Session, _context: Any, _instances: Any) -> None:
    if is_reading(session) and (
        session.new or session.deleted or any(session.is_modified(item) for item in session.dirty)
    ):
        raise ReadOnlyViolation("a reading session tried to write: mark the endpoint as writing")


@event.listens_for(Session, "do_orm_execute")
def _refuse_dml_when_reading(state: Any) -> None:
    if is_reading(state.session) and (state.is_insert or state.is_update or state.is_delete):
        raise ReadOnlyViolation("a reading session tried to write: mark the endpoint as writing")


Row = TypeVar("Row", bound=Base)


def with_column_defaults(row: Row) -> Row:
    """Fill a new row's unset attributes with their columns' defaults, as an INSERT would.

    A reading request that finds no settings row shows this unsaved row instead of creating
    one: the defaults stay declared once, on the model.
    """
    mapper = inspect(type(row))
    for column in mapper.columns:
        key = mapper.get_property_by_column(column).key
        default = column.default
        if getattr(row, key) is not None or default is None:
            continue
        if getattr(default, "is_scalar", False):
            setattr(row, key, default.arg)  # type: ignore[attr-defined]
        elif getattr(default, "is_callable", False):
            setattr(row, key, default.arg(None))  # type: ignore[attr-defined]
    return row


AFTER_COMMIT_KEY = "propulse_after_commit"


def after_commit(session: Session, callback: Callable[[], None]) -> None:
    """Run ``callback`` once the session's transaction commits; drop it on rollback."""
    session.info.setdefault(AFTER_COMMIT_KEY, []).append(callback)


@event.listens_for(Session, "after_commit")
def _run_after_commit(session: Session) -> None:
    callbacks = session.info.pop(AFTER_COMMIT_KEY, [])
    for callback in callbacks:
        callback()


@event.listens_for(Session, "after_soft_rollback")
def _drop_after_commit(session: Session, _previous_transaction: Any) -> None:
    if not session.in_transaction():
        session.info.pop(AFTER_COMMIT_KEY, None)


@contextmanager
def unit_of_work() -> Iterator[Session]:
    """Open a session for a CLI command or a job: commit on success, roll back on error."""
    session = get_session_factory()()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
