"""Requests that only read take a reading session: it never holds SQLite's write lock, and it
refuses to write, so a GET endpoint that writes has to say so (``writes_on_get``)."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from typing import Any

import pytest
from fastapi import Depends, FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import insert, select, text
from sqlalchemy.orm import Session, sessionmaker

from propulse import db
from propulse.web import get_db, writes_on_get
from propulse.workspace.models import User


def test_a_reading_transaction_does_not_stop_a_writer_on_sqlite(tmp_path: Path) -> None:
    engine = db.make_engine(f"sqlite:///{tmp_path / 'locks.db'}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE counter (value INTEGER)"))
        connection.execute(text("INSERT INTO counter VALUES (1)"))
    reading = sessionmaker(bind=engine.execution_options(**{db.READ_ONLY: True}))
    writing = sessionmaker(bind=engine)
    with reading() as reader:
        assert reader.scalar(text("SELECT value FROM counter")) == 1  # a long page, say
        started = time.perf_counter()
        with writing() as writer:
            writer.execute(text("UPDATE counter SET value = 2"))
            writer.commit()
        assert time.perf_counter() - started < 1.0  # no wait for the reader (busy_timeout 10 s)
        # The reader goes on with the snapshot it began with.
        assert reader.scalar(text("SELECT value FROM counter")) == 1
    engine.dispose()


def test_an_ordinary_transaction_takes_the_write_lock_at_once_on_sqlite(tmp_path: Path) -> None:
    engine = db.make_engine(f"sqlite:///{tmp_path / 'locks.db'}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE counter (value INTEGER)"))
    with sessionmaker(bind=engine)() as first:
        first.execute(text("SELECT count(*) FROM counter"))  # BEGIN IMMEDIATE
        second = sqlite3.connect(tmp_path / "locks.db", timeout=0.05, isolation_level=None)
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            second.execute("BEGIN IMMEDIATE")
        second.close()
    engine.dispose()


def test_a_reading_session_refuses_to_write(session_factory: Any) -> None:
    with db.reading() as reader:
        reader.scalar(select(User.id).limit(1))
        reader.add(User(email="someone@example.com", name="Someone", password_hash="x"))
        with pytest.raises(db.ReadOnlyViolation):
            reader.flush()
    with db.reading() as reader, pytest.raises(db.ReadOnlyViolation):
        reader.execute(insert(User).values(email="b@example.com", name="B", password_hash="x"))


def _app() -> FastAPI:
    app = FastAPI()

    @app.get("/reads")
    def reads(session: Session = Depends(get_db)) -> dict[str, bool]:
        return {"read_only": bool(session.info.get(db.READ_ONLY))}

    @app.get("/writes")
    @writes_on_get
    def writes(session: Session = Depends(get_db)) -> dict[str, bool]:
        return {"read_only": bool(session.info.get(db.READ_ONLY))}

    @app.post("/reads")
    def posts(session: Session = Depends(get_db)) -> dict[str, bool]:
        return {"read_only": bool(session.info.get(db.READ_ONLY))}

    return app


def test_get_requests_read_unless_their_endpoint_says_it_writes(session_factory: Any) -> None:
    with TestClient(_app()) as client:
        assert client.get("/reads").json() == {"read_only": True}
        assert client.get("/writes").json() == {"read_only": False}
        assert client.post("/reads").json() == {"read_only": False}
