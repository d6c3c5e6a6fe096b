"""Benchmark: one new event, and the contact's score and segment memberships are current.

Each of 1,000 events goes to a random contact through `contacts.service.record_events` (one
event per call, as the API receives them one by one), and the transaction is committed: the
time measured is record + score + segments + COMMIT, what a client of POST /api/v1/events/batch
waits for. Target: p95 under 10 ms. Baseline in the same run: a bare INSERT of one event row,
committed, on random contacts of the same database. On PostgreSQL the tables an event touches
are vacuumed first, with a checkpoint (not timed), as autovacuum would have done after the load
and the first rescore (the CI server runs with autovacuum off).

Run: `.venv/bin/python bench/contacts_event_latency.py [--scale 0.01] [--database ...]`
"""

from __future__ import annotations

import random
import secrets
import time
from datetime import timedelta
from typing import Any

from contacts_common import (
    header,
    latency_summary,
    markdown_row,
    options,
    percentile,
    scratch_database,
    vacuum_postgresql,
    verdict,
)
from contacts_data import build_database
from sqlalchemy import Engine, insert, select
from sqlalchemy import event as sa_event
from sqlalchemy.orm import Session

from propulse.contacts import service as contacts
from propulse.contacts.models import Contact, ContactEvent
from propulse.contacts.schemas import EventIn
from propulse.db import make_engine, utcnow
from propulse.segments.models import Segment, SegmentMember

# What an event reads and writes (vacuumed before the timed part on PostgreSQL).
TOUCHED_TABLES = ("contacts", "contact_events", "segment_members", "score_history", "segments")
EVENTS = 1000
WARM_UP = 20
TARGET_MS = 10.0
# What arrives one at a time: clicks, visits, a form, a webinar, a download.
KINDS = (
    ("email_clicked", None),
    ("email_opened", None),
    ("page_visited", {"path": "/tarifs"}),
    ("form_submitted", {"form": "Demande de démo"}),
    ("webinar_attended", {"webinar": "Omnichannel retail in 2026", "sector": "Retail"}),
    ("content_downloaded", {"ebook": "Le guide du lead scoring B2B"}),
)


def _count_statements(engine: Engine) -> list[str]:
    """Return a list that receives every statement the engine runs (a cursor execute each)."""
    seen: list[str] = []

    def count(_connection: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    sa_event.listen(engine, "before_cursor_execute", count)
    return seen


def main() -> None:
    args = options(__doc__)
    header("One new event: score and segments current", args)
    with scratch_database(args.database) as url:
        build_database(url, args.scale, args.seed)
        if args.database == "postgresql":
            vacuum_postgresql(url, TOUCHED_TABLES)
        engine = make_engine(url)
        rng = random.Random(args.seed)
        with Session(engine) as session:
            people = list(session.execute(select(Contact.id, Contact.email)))
            picked = [rng.choice(people) for _ in range(WARM_UP + EVENTS)]
            before = {
                contact_id: session.scalar(select(Contact.score).where(Contact.id == contact_id))
                for contact_id, _email in picked[WARM_UP : WARM_UP + 50]
            }
            engaged = session.scalar(select(Segment.id).where(Segment.name == "Engaged this month"))
            clicked: set[int] = set()
            run = secrets.token_hex(4)
            service_seconds: list[float] = []
            statements = _count_statements(engine)
            for number, (contact_id, email) in enumerate(picked):
                kind, properties = KINDS[number % len(KINDS)]
                event = EventIn(
                    id=f"bench-{run}-{number}",  # unique in a reused base too
                    email=email,
                    type=kind,
                    occurred_at=utcnow() - timedelta(seconds=1),
                    properties=properties or {},
                )
                started = time.perf_counter()
                result = contacts.record_events(session, events=[event])
                session.commit()
                elapsed = time.perf_counter() - started
                assert result.accepted == 1, result
                if kind == "email_clicked":
                    clicked.add(contact_id)
                if number >= WARM_UP:
                    service_seconds.append(elapsed)
                else:
                    statements.clear()
            per_event = len(statements) / len(service_seconds)
            changed = sum(
                1
                for contact_id, score in before.items()
                if session.scalar(select(Contact.score).where(Contact.id == contact_id)) != score
            )
            baseline_seconds: list[float] = []
            for number in range(WARM_UP + EVENTS):
                contact_id = rng.choice(people)[0]
                started = time.perf_counter()
                session.execute(
                    insert(ContactEvent).values(
                        contact_id=contact_id, type="page_visited", occurred_at=utcnow()
                    )
                )
                session.commit()
                elapsed = time.perf_counter() - started
                if number >= WARM_UP:
                    baseline_seconds.append(elapsed)
            in_segment = set(
                session.scalars(
                    select(SegmentMember.contact_id).where(
                        SegmentMember.segment_id == engaged,
                        SegmentMember.contact_id.in_(sorted(clicked)),
                    )
                )
            )
        engine.dispose()
    p95 = percentile(service_seconds, 0.95) * 1000
    print(f"  record_events + score + segments + commit: {latency_summary(service_seconds)}")
    print(f"  baseline, a bare INSERT + commit: {latency_summary(baseline_seconds)}")
    print(f"  target p95 < {TARGET_MS:.0f} ms: {verdict(p95, TARGET_MS)}")
    # On PostgreSQL each is a round trip, as are BEGIN, COMMIT and the pool's pre-ping.
    print(f"  statements per event (COMMIT aside): {per_event:.2f}")
    print(
        f"  check: {changed} of {len(before)} sampled contacts changed score after their event; "
        f"{len(in_segment)} of {len(clicked)} who clicked are in 'Engaged this month'"
    )
    print(
        markdown_row(
            [
                args.database,
                f"{args.scale:g}",
                f"{percentile(service_seconds, 0.5) * 1000:.1f} ms",
                f"**{p95:.1f} ms**",
                f"{percentile(service_seconds, 0.99) * 1000:.1f} ms",
                f"{percentile(baseline_seconds, 0.95) * 1000:.1f} ms",
            ]
        )
    )


if __name__ == "__main__":
    main()
