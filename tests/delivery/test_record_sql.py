"""The worker's hot-path record writes exactly what ``outbox.record_sent`` writes."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import Engine, insert, select
from sqlalchemy.orm import Session

from propulse.db import make_engine, utcnow
from propulse.delivery import outbox
from propulse.delivery.models import DeliveryMessage, DeliveryStream
from propulse.delivery.record_sql import SentRecorder


def being_sent(engine: Engine, now: datetime, *, count: int) -> None:
    """Messages 1..count of stream "s", claimed by a lane (as the worker holds them)."""
    with engine.begin() as connection:
        connection.execute(
            insert(DeliveryStream).values(
                name="s", paused=False, consecutive_failures=0, created_at=now
            )
        )
        connection.execute(
            insert(DeliveryMessage),
            [
                {
                    "id": pk,
                    "message_id": f"<{pk}@alpinea.example>",
                    "to_address": "marie@client.example",
                    "stream": "s",
                    "subject": "Le guide",
                    "status": "sending",
                    "attempts": 0,
                    "next_attempt_at": now,
                    "lease_owner": "lane/0.1",
                    "possible_duplicate": False,
                    "created_at": now,
                }
                for pk in range(1, count + 1)
            ],
        )


def test_the_raw_record_matches_the_orm_one(committed_database: str) -> None:
    engine = make_engine(committed_database)
    now = utcnow()
    being_sent(engine, now, count=3)
    with engine.connect() as connection:
        recorder = SentRecorder(connection)
        assert recorder.supported
        assert recorder.record(connection, message_pk=1, owner="lane/0.1", reply="250 OK", now=now)
        # A lease lost meanwhile: nothing recorded, the row flagged as a possible duplicate.
        assert not recorder.record(connection, message_pk=3, owner="lane/9.9", reply="250", now=now)
        assert not connection.in_transaction()
        with Session(bind=connection) as session:
            assert outbox.record_sent(
                session, message_pk=2, owner="lane/0.1", reply="250 OK", now=now
            )
            session.commit()
    with Session(engine) as session:
        rows = {m.id: m for m in session.scalars(select(DeliveryMessage))}
        fields = ("status", "sent_at", "smtp_reply", "attempts", "lease_owner", "lease_until")
        assert [getattr(rows[1], f) for f in fields] == [getattr(rows[2], f) for f in fields]
        assert rows[1].status == "sent" and rows[1].sent_at == now and rows[1].attempts == 1
        assert not rows[1].possible_duplicate
        assert rows[3].status == "sending" and rows[3].possible_duplicate
    engine.dispose()


def test_the_connection_goes_back_to_the_pool_as_it_came(committed_database: str) -> None:
    """On PostgreSQL: the prepared record and ``synchronous_commit = off`` are undone, and a
    statement a crashed lane left behind does not stop the next lane."""
    engine = make_engine(committed_database)
    if engine.dialect.name != "postgresql":
        engine.dispose()
        pytest.skip("PostgreSQL only: SQLite prepares nothing on the server")
    now = utcnow()
    being_sent(engine, now, count=2)
    prepared = "SELECT count(*) FROM pg_prepared_statements WHERE name = 'propulse_record_sent'"
    with engine.connect() as connection:
        left_behind = SentRecorder(connection)  # a lane that died before its release
        assert left_behind.record(connection, message_pk=1, owner="lane/0.1", reply="250", now=now)
        assert connection.exec_driver_sql(prepared).scalar() == 1  # the libpq path ran
        connection.rollback()
        recorder = SentRecorder(connection)
        assert recorder.record(connection, message_pk=2, owner="lane/0.1", reply="250", now=now)
        assert connection.exec_driver_sql("SHOW synchronous_commit").scalar() == "off"
        connection.rollback()
        recorder.release(connection)
        assert connection.exec_driver_sql(prepared).scalar() == 0
        assert connection.exec_driver_sql("SHOW synchronous_commit").scalar() == "on"
        connection.rollback()
    with Session(engine) as session:
        assert set(session.scalars(select(DeliveryMessage.status))) == {"sent"}
    engine.dispose()
