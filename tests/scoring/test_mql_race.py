"""Two events crossing the MQL threshold at once, in two transactions: the owner is told once.

On a database of its own, so that the two connections see each other's commits. On PostgreSQL
the second transaction reads the contact before the first commits, then waits for the row
lock the first holds to write the score; on SQLite, BEGIN IMMEDIATE makes it wait before it
reads anything.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session, sessionmaker

from propulse.contacts import service as contacts
from propulse.contacts.models import Contact
from propulse.contacts.schemas import EventIn
from propulse.db import make_engine, utcnow
from propulse.notifications.models import Notification
from propulse.scoring import config
from propulse.scoring.models import ScoringRule
from propulse.workspace import service as workspace
from propulse.workspace.models import Role
from propulse.workspace.schemas import UserCreate


@pytest.fixture
def committed_engine(committed_database: str) -> Iterator[Engine]:
    """An engine on a database of its own, whose commits other connections see."""
    engine = make_engine(committed_database)
    yield engine
    engine.dispose()


def seed(factory: sessionmaker[Session]) -> tuple[int, int]:
    """A lead owned by a salesperson, a meeting worth the threshold; return their ids."""
    with factory() as session:
        workspace.ensure_workspace(session)
        owner = workspace.create_user(
            session,
            actor=None,
            data=UserCreate(email="sales@example.org", name="Sam Sales", role=Role.member),
        )
        session.add(ScoringRule(name="Meeting", kind="engagement", points=25, event_type="meeting"))
        settings = config.get_settings(session)
        settings.mql_threshold, settings.mql_notify_owner = 20, True
        lead = Contact(email="lead@example.org", custom={}, owner_id=owner.id)
        session.add(lead)
        session.commit()
        return lead.id, owner.id


def meeting() -> list[EventIn]:
    return [EventIn(email="lead@example.org", type="meeting", occurred_at=utcnow())]


def wait_until_blocked(engine: Engine, racer: threading.Thread, seconds: float = 30.0) -> None:
    """Return once a session of this database waits for a lock (PostgreSQL), or after a pause."""
    if engine.dialect.name != "postgresql":
        time.sleep(0.5)
        return
    deadline = time.monotonic() + seconds
    query = text(
        "SELECT count(*) FROM pg_stat_activity "
        "WHERE datname = current_database() AND wait_event_type = 'Lock'"
    )
    with engine.connect() as watcher:
        while time.monotonic() < deadline and racer.is_alive():
            if watcher.execute(query).scalar_one():
                return
            time.sleep(0.02)


def test_two_events_crossing_at_once_tell_the_owner_once(committed_engine: Engine) -> None:
    factory = sessionmaker(bind=committed_engine, expire_on_commit=False)
    lead_id, owner_id = seed(factory)
    first = factory()
    contacts.record_events(first, events=meeting())
    crossed = select(Contact.score, Contact.mql_at).where(Contact.id == lead_id)
    score, stamped = first.execute(crossed).one()
    assert score == 25 and stamped is not None  # crossed, not committed yet
    failures: list[BaseException] = []

    def second_event() -> None:
        try:
            with factory() as second:
                contacts.record_events(second, events=meeting())
                second.commit()
        except BaseException as error:  # reported by the test, not lost in the thread
            failures.append(error)

    racer = threading.Thread(target=second_event)
    racer.start()
    wait_until_blocked(committed_engine, racer)
    assert racer.is_alive() and failures == [], "the second event did not wait for the first"
    first.commit()
    first.close()
    racer.join(timeout=30)
    assert not racer.is_alive() and failures == []
    with factory() as session:
        told = select(func.count()).where(Notification.user_id == owner_id)
        assert session.scalar(told) == 1
        assert session.execute(crossed).one().mql_at == stamped
