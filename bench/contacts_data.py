"""Build a benchmark database: the sample base (1M contacts, 10M events at --scale 1.0), the
benchmark's scoring rules and 20 typical segments; print how long each step took.

The database is migrated by Alembic like any other, then loaded as fast as each engine allows:
SQLite with executemany in big transactions (synchronous=OFF during the load), PostgreSQL with
COPY (both through ``propulse.contacts.sample_load``, as the demo). The secondary indexes of
contact_events (the big table) are dropped before the load and built again after it, which is
faster than keeping them current row by row (on PostgreSQL its foreign key too, checked once
when added back); the other tables keep theirs. The other benchmarks import ``build_database``.

Run: `.venv/bin/python bench/contacts_data.py [--scale 0.01] [--database sqlite|postgresql]`
"""

from __future__ import annotations

import re
import time as clock
from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from contacts_common import (
    EVENTS_PER_CONTACT,
    contacts_at,
    header,
    options,
    scratch_database,
    timed,
)
from sqlalchemy import Engine, Index, func, select, text
from sqlalchemy.orm import Session

from propulse.contacts import sample_load
from propulse.contacts.models import CustomField
from propulse.contacts.sample import CUSTOM_FIELDS, SampleBatch, generate
from propulse.db import Base, make_engine, utcnow
from propulse.kit.security import hash_password
from propulse.ops import migrate
from propulse.scoring import config as scoring_config
from propulse.scoring.models import ScoringRule
from propulse.segments.definition import check_definition, is_time_dependent
from propulse.segments.models import Segment
from propulse.workspace import service as workspace
from propulse.workspace.models import Role, User
from propulse.workspace.schemas import UserCreate

# The sample's year ends today, so that "in the last 30 days" means what it says.
TODAY = date.today()
NOW = datetime.combine(TODAY, time(9), UTC)
BENCH_EMAIL = "bench@propulse.example"
BENCH_PASSWORD = "bench-password"  # noqa: S105 - a throw-away database
SQLITE_TRANSACTION_ROWS = 1_000_000
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def sign_in(client: Any) -> None:
    """Sign the bench admin in through the login form of a TestClient (pages need a session)."""
    page = client.get("/login")
    match = _CSRF.search(page.text)
    assert match, "no CSRF field on the login page"
    response = client.post(
        "/login",
        data={"email": BENCH_EMAIL, "password": BENCH_PASSWORD, "csrf_token": match.group(1)},
    )
    assert response.status_code == 303, response.text[:500]


# The benchmark's rules: bench/rescore_baseline_*.sql computes exactly these, by hand.
GROUP_CAPS = {"Profile": 30, "E-mail": 25}
MQL_THRESHOLD = 60
RULES: list[dict[str, Any]] = [
    {"name": "Target sector", "kind": "fit", "group_name": "Profile", "points": 15,
     "condition": {"field": "sector", "op": "in",
                   "value": ["Industry", "Retail", "Banking & insurance", "Software"]}},
    {"name": "Company of 200+ people", "kind": "fit", "group_name": "Profile", "points": 10,
     "condition": {"field": "company_size", "op": "in", "value": ["201-500", "501-1000", "1000+"]}},
    {"name": "Marketing maturity 3+", "kind": "fit", "group_name": "Profile", "points": 10,
     "condition": {"field": "maturity", "op": "gte", "value": 3}},
    {"name": "Works in marketing", "kind": "fit", "points": 15,
     "condition": {"field": "job_title", "op": "contains", "value": "marketing"}},
    {"name": "Decision maker", "kind": "fit", "points": 10,
     "condition": {"any": [{"field": "job_title", "op": "contains", "value": word}
                           for word in ("direct", "head of", "cmo", "dsi", "cio", "ceo")]}},
    {"name": "Core market", "kind": "fit", "points": 10,
     "condition": {"field": "country", "op": "in", "value": ["FR", "BE", "CH", "DE"]}},
    {"name": "Personal address", "kind": "fit", "points": -10, "cap": 10,
     "condition": {"field": "email", "op": "contains", "value": "@mail."}},
    {"name": "Opened an e-mail", "kind": "engagement", "group_name": "E-mail", "points": 1,
     "event_type": "email_opened", "cap": 10, "decay": "half_life", "decay_days": 30},
    {"name": "Clicked an e-mail", "kind": "engagement", "group_name": "E-mail", "points": 5,
     "event_type": "email_clicked", "cap": 20, "decay": "half_life", "decay_days": 30},
    {"name": "Attended a webinar", "kind": "engagement", "points": 15,
     "event_type": "webinar_attended", "decay": "expiry", "decay_days": 180},
    {"name": "Downloaded content", "kind": "engagement", "points": 8,
     "event_type": "content_downloaded", "cap": 24},
    {"name": "Submitted a form", "kind": "engagement", "points": 10,
     "event_type": "form_submitted"},
    {"name": "Had a meeting", "kind": "engagement", "points": 25, "event_type": "meeting",
     "decay": "expiry", "decay_days": 365},
    {"name": "Visited the pricing page", "kind": "engagement", "points": 3, "cap": 9,
     "event_type": "page_visited", "condition": {"where": {"path": "/tarifs"}},
     "decay": "half_life", "decay_days": 14},
]  # fmt: skip

# Twenty segments a marketing team keeps; the last one tests membership of the first.
FIRST_SEGMENT = "the first segment's id"
SEGMENTS: list[tuple[str, dict[str, Any]]] = [
    ("Engaged this month", {"event": "email_clicked", "within_days": 30}),
    ("Industry, maturity 3+", {"all": [{"field": "sector", "op": "eq", "value": "Industry"},
                                       {"field": "maturity", "op": "gte", "value": 3}]}),
    ("Webinar attendees, retail", {"event": "webinar_attended", "where": {"sector": "Retail"}}),
    ("MQL not yet SQL", {"field": "lifecycle_stage", "op": "eq", "value": "mql"}),
    ("France, opt-in", {"all": [{"field": "country", "op": "eq", "value": "FR"},
                                {"consent": "email", "in": ["opt_in"]}]}),
    ("Germany", {"field": "country", "op": "eq", "value": "DE"}),
    ("Dormant 90 days", {"any": [{"field": "last_activity_at", "op": "before_days", "value": 90},
                                 {"field": "last_activity_at", "op": "is_empty"}]}),
    ("Score 50+", {"field": "score", "op": "gte", "value": 50}),
    ("Grade A1 or A2", {"field": "grade", "op": "in", "value": ["A1", "A2"]}),
    ("French marketing directors", {"all": [
        {"field": "country", "op": "eq", "value": "FR"},
        {"any": [{"field": "job_title", "op": "starts_with", "value": "directeur marketing"},
                 {"field": "job_title", "op": "starts_with", "value": "directrice marketing"}]}]}),
    ("E-book readers, 90 days", {"event": "content_downloaded", "within_days": 90}),
    ("Opened 3+ e-mails in 30 days", {"event": "email_opened", "within_days": 30, "min_count": 3}),
    ("Pricing page, 14 days", {"event": "page_visited", "within_days": 14,
                               "where": {"path": "/tarifs"}}),
    ("Customers renewing soon", {"all": [
        {"field": "lifecycle_stage", "op": "eq", "value": "customer"},
        {"field": "custom.renewal_date", "op": "between",
         "value": [TODAY.isoformat(), (TODAY + timedelta(days=90)).isoformat()]}]}),
    ("Strategic accounts", {"field": "custom.tier", "op": "eq", "value": "Strategic"}),
    ("Large DACH companies", {"all": [
        {"field": "country", "op": "in", "value": ["DE", "AT", "CH"]},
        {"field": "company_size", "op": "in", "value": ["501-1000", "1000+"]}]}),
    ("New this quarter", {"field": "created_at", "op": "within_days", "value": 90}),
    ("Health and public sector, reachable", {"all": [
        {"field": "sector", "op": "in", "value": ["Healthcare", "Public sector"]},
        {"consent": "email", "in": ["opt_in", "legitimate_interest"]},
        {"field": "do_not_contact", "op": "eq", "value": False}]}),
    ("Registered, did not attend", {"all": [
        {"event": "webinar_registered", "within_days": 180},
        {"not": {"event": "webinar_attended", "within_days": 180}}]}),
    ("Almost MQL and engaged", {"all": [
        {"field": "score", "op": "between", "value": [40, 59]},
        {"segment": FIRST_SEGMENT, "member": True}]}),
]  # fmt: skip


def _owner_of(owners: Sequence[int]) -> sample_load.Owner:
    def owner(contact: dict[str, Any]) -> int | None:
        """Give leads further down the funnel an owner, the way sales territories do."""
        if contact["lifecycle_stage"] == "subscriber" or contact["id"] % 3 == 0:
            return None
        return owners[int(contact["id"]) % len(owners)]

    return owner


def _load_sqlite(engine: Engine, batches: Iterator[SampleBatch], owners: Sequence[int]) -> int:
    """executemany in transactions of about a million rows, without waiting for the disk."""
    raw = engine.raw_connection()
    owner, now, events = _owner_of(owners), utcnow(), 0
    try:
        cursor = raw.cursor()
        cursor.execute("PRAGMA synchronous=OFF")
        cursor.execute("PRAGMA cache_size=-262144")  # 256 MB while loading
        cursor.execute("BEGIN")
        pending = 0
        for batch in batches:
            sample_load.insert_sqlite(cursor, batch, owner=owner, now=now)
            pending += len(batch.events) + len(batch.contacts)
            events += len(batch.events)
            if pending >= SQLITE_TRANSACTION_ROWS:
                cursor.execute("COMMIT")
                cursor.execute("BEGIN")
                pending = 0
        cursor.execute("COMMIT")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()
    finally:
        raw.close()
    return events


# Checked once when added back, rather than once per event row during the COPY.
EVENTS_FOREIGN_KEY = "fk_contact_events_contact_id_contacts"


def _load_postgresql(engine: Engine, batches: Iterator[SampleBatch], owners: Sequence[int]) -> int:
    """COPY each table from the generated rows (psycopg's ``cursor.copy``)."""
    raw = engine.raw_connection()
    owner, now, events = _owner_of(owners), utcnow(), 0
    try:
        connection: Any = raw.driver_connection
        with connection.cursor() as cursor:
            cursor.execute(f"ALTER TABLE contact_events DROP CONSTRAINT {EVENTS_FOREIGN_KEY}")
            for batch in batches:
                sample_load.copy_postgresql(cursor, batch, owner=owner, now=now)
                events += len(batch.events)
            sample_load.after_postgresql_load(cursor)
            cursor.execute(
                f"ALTER TABLE contact_events ADD CONSTRAINT {EVENTS_FOREIGN_KEY} "
                "FOREIGN KEY (contact_id) REFERENCES contacts (id) ON DELETE CASCADE"
            )
        connection.commit()
    finally:
        raw.close()
    return events


def _event_indexes() -> list[Index]:
    return list(Base.metadata.tables["contact_events"].indexes)


def setup_workspace(session: Session) -> list[int]:
    """Create the workspace, the people owning contacts and the custom fields; return owner ids."""
    workspace.ensure_workspace(session, name="Bench", country="FR", language="en")
    admin = workspace.create_user(
        session,
        actor=None,
        data=UserCreate(email=BENCH_EMAIL, name="Bench Admin", role=Role.admin),
        password_hash=hash_password(BENCH_PASSWORD),
    )
    owners = [admin]
    for number in range(1, 5):
        data = UserCreate(
            email=f"owner{number}@propulse.example", name=f"Owner {number}", role=Role.member
        )
        owners.append(workspace.create_user(session, actor=admin, data=data))
    for position, (key, label, kind, choices) in enumerate(CUSTOM_FIELDS):
        session.add(
            CustomField(key=key, label=label, kind=kind, choices=list(choices), position=position)
        )
    session.flush()
    return [owner.id for owner in owners]


def _resolve(node: Any, first_id: int) -> Any:
    """Put the first segment's id where a definition names it."""
    if node == FIRST_SEGMENT:
        return first_id
    if isinstance(node, dict):
        return {key: _resolve(value, first_id) for key, value in node.items()}
    if isinstance(node, list):
        return [_resolve(value, first_id) for value in node]
    return node


def _rules_and_segments(session: Session) -> list[int]:
    """Store the benchmark's rules, settings and segments; return the segment ids in order."""
    for position, rule in enumerate(RULES):
        session.add(ScoringRule(position=position, **{"condition": {}, **rule}))
    settings = scoring_config.get_settings(session)
    settings.total_limit = 100
    settings.group_caps = dict(GROUP_CAPS)
    settings.mql_threshold = MQL_THRESHOLD
    # The rescore measures scores, not notifications to thousands of owners.
    settings.mql_notify_owner = False
    settings.mql_set_stage = False
    creator = session.scalar(select(User).where(User.email == BENCH_EMAIL))
    ids: list[int] = []
    for name, definition in SEGMENTS:
        resolved = _resolve(definition, ids[0] if ids else 0)
        check_definition(session, resolved)
        segment = Segment(
            name=name,
            kind="dynamic",
            definition=resolved,
            time_dependent=is_time_dependent(resolved),
            created_by_id=creator.id if creator else None,
        )
        session.add(segment)
        session.flush()
        ids.append(segment.id)
    return ids


def build_database(url: str, scale: float, seed: int) -> None:
    """Migrate a fresh database and load the sample, rules and segments; print the times."""
    contacts = contacts_at(scale)
    seconds, _ = timed(lambda: migrate.upgrade(url))
    print(f"  migrate: {seconds:.1f} s")
    engine = make_engine(url)
    with engine.connect() as connection:
        existing = connection.execute(text("SELECT count(*) FROM contacts")).scalar_one()
    if existing:
        print(f"  reusing the {existing:,} contacts already loaded (PROPULSE_BENCH_REUSE)")
        engine.dispose()
        return
    with Session(engine) as session:
        owners = setup_workspace(session)
        session.commit()
    dialect = engine.dialect.name
    with engine.begin() as connection:
        for index in _event_indexes():
            index.drop(connection)
    started = clock.perf_counter()
    batches = generate(contacts, EVENTS_PER_CONTACT, seed, TODAY, batch_size=20_000)
    loader = _load_postgresql if dialect == "postgresql" else _load_sqlite
    events = loader(engine, batches, owners)
    load_s = clock.perf_counter() - started
    print(
        f"  generate + load {contacts:,} contacts, {events:,} events: {load_s:.1f} s "
        f"({events / load_s:,.0f} events/s)"
    )
    started = clock.perf_counter()
    with engine.begin() as connection:
        for index in _event_indexes():
            index.create(connection)
        connection.execute(text("ANALYZE"))
    print(f"  event indexes and ANALYZE: {clock.perf_counter() - started:.1f} s")
    from propulse.scoring import service as scoring
    from propulse.segments import service as segments

    with Session(engine) as session:
        segment_ids = _rules_and_segments(session)
        session.commit()
        seconds, changed = timed(lambda: scoring.rescore_all(session, now=NOW))
        session.commit()
        print(f"  first rescore: {seconds:.1f} s ({changed:,} scores changed)")
        started = clock.perf_counter()
        for segment_id in segment_ids:
            segments.rebuild(session, segment_id=segment_id, now=NOW)
        session.commit()
        members = session.scalar(select(func.sum(Segment.member_count)))
        seconds = clock.perf_counter() - started
        print(f"  first rebuild of 20 segments: {seconds:.1f} s ({members or 0:,} memberships)")
    with engine.begin() as connection:
        connection.execute(text("ANALYZE"))
    engine.dispose()


def main() -> None:
    args = options(__doc__)
    header("Benchmark database: load", args)
    with scratch_database(args.database) as url:
        started = clock.perf_counter()
        build_database(url, args.scale, args.seed)
        print(f"  total: {clock.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
