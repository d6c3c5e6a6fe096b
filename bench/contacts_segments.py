"""Benchmark: rebuild the 20 typical segments of the benchmark database, one by one.

Each goes through `segments.service.rebuild`. Three rebuilds are timed: from empty (memberships
cleared first, not timed: every member enters, with its segment_entered event, as after twenty
new definitions), again with nothing changed (the hourly sweep's usual case), and a week later
(the clock moved seven days: the segments on time windows, "in the last 30 days", "dormant 90
days", lose and gain members, with their events). Target: under 20 s
for the 20 at 1M contacts on PostgreSQL. Baselines in the same run: a plain `SELECT count(*)` of
each compiled condition (what reading the base costs), and the bare writes of a rebuild from
empty: `INSERT ... SELECT` of the same memberships and of their segment_entered events, in a
transaction rolled back (what writing 2.2M rows into two indexed tables costs). On PostgreSQL
the cleared tables are vacuumed before the timed runs (not timed), as autovacuum would.

Run: `.venv/bin/python bench/contacts_segments.py [--scale 0.01] [--database sqlite|postgresql]`
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from typing import Any

from contacts_common import header, markdown_row, options, scratch_database, verdict
from contacts_data import NOW, build_database
from sqlalchemy import JSON, Engine, delete, func, insert, literal, select, text, update
from sqlalchemy.orm import Session

from propulse.contacts.models import Contact, ContactEvent
from propulse.db import UTCDateTime, make_engine
from propulse.segments import service as segments
from propulse.segments.compiler import compile_condition
from propulse.segments.models import Segment, SegmentMember

TARGET_S = 20.0
WEEK_LATER = NOW + timedelta(days=7)


def _rebuild_all(
    session: Session, ids: list[int], now: datetime = NOW
) -> tuple[float, dict[int, float]]:
    each: dict[int, float] = {}
    started = time.perf_counter()
    for segment_id in ids:
        begun = time.perf_counter()
        segments.rebuild(session, segment_id=segment_id, now=now)
        each[segment_id] = time.perf_counter() - begun
    session.commit()
    return time.perf_counter() - started, each


def _bare_writes(session: Session, listed: list[Any]) -> float:
    """Time INSERT ... SELECT of every membership and its segment_entered event; roll back."""
    session.execute(delete(SegmentMember))
    started = time.perf_counter()
    for segment_id, name, definition in listed:
        matching = select(Contact.id).where(compile_condition(definition, now=NOW))
        session.execute(
            insert(SegmentMember).from_select(
                ["segment_id", "contact_id", "added_at"],
                matching.with_only_columns(
                    literal(segment_id), Contact.id, literal(NOW, UTCDateTime())
                ),
            )
        )
        properties = {"segment_id": segment_id, "segment": name}
        session.execute(
            insert(ContactEvent).from_select(
                ["contact_id", "type", "occurred_at", "properties"],
                select(
                    SegmentMember.contact_id,
                    literal("segment_entered"),
                    literal(NOW, UTCDateTime()),
                    literal(properties, JSON()),
                ).where(SegmentMember.segment_id == segment_id),
            )
        )
    seconds = time.perf_counter() - started
    session.rollback()
    return seconds


def _vacuum(engine: Engine, database: str) -> None:
    if database == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            # A reused base may hold the dead rows of an earlier run's rolled-back baseline.
            for table in ("segment_members", "contact_events"):
                connection.execute(text(f"VACUUM ANALYZE {table}"))


def main() -> None:
    args = options(__doc__)
    header("Rebuild of 20 typical segments", args)
    with scratch_database(args.database) as url:
        build_database(url, args.scale, args.seed)
        engine = make_engine(url)
        with Session(engine) as session:
            listed = list(session.execute(select(Segment.id, Segment.name, Segment.definition)))
            ids = [segment_id for segment_id, _name, _definition in listed]
            session.execute(delete(SegmentMember))
            session.execute(update(Segment).values(member_count=0))
            session.commit()
            _vacuum(engine, args.database)
            empty_s, each = _rebuild_all(session, ids)
            again_s, each_again = _rebuild_all(session, ids)
            moves = select(func.count()).where(
                ContactEvent.type.in_(("segment_entered", "segment_left")),
                ContactEvent.occurred_at == WEEK_LATER,
            )
            week_s, _each_week = _rebuild_all(session, ids, now=WEEK_LATER)
            week_moves = int(session.scalar(moves) or 0)
            counts = {
                row.id: row.member_count
                for row in session.execute(select(Segment.id, Segment.member_count))
            }
            baseline: dict[int, tuple[float, int]] = {}
            for segment_id, _name, definition in listed:
                statement = select(func.count()).select_from(Contact)
                statement = statement.where(compile_condition(definition, now=NOW))
                started = time.perf_counter()
                found = int(session.scalar(statement) or 0)
                baseline[segment_id] = (time.perf_counter() - started, found)
            session.rollback()
            writes_s = _bare_writes(session, listed)
        engine.dispose()
    baseline_s = sum(seconds for seconds, _found in baseline.values())
    print(f"  {'segment':<38} {'members':>9} {'empty':>9} {'again':>9} {'count(*)':>9}")
    for segment_id, name, _definition in listed:
        seconds, found = baseline[segment_id]
        same = "" if found == counts[segment_id] else f"  (count(*) found {found:,})"
        timing = f"{each[segment_id]:>8.2f}s {each_again[segment_id]:>8.2f}s {seconds:>8.2f}s"
        print(f"  {name:<38} {counts[segment_id]:>9,} {timing}{same}")
    print(f"  rebuild of the 20 from empty: {empty_s:.2f} s; target < {TARGET_S:.0f} s: "
          f"{verdict(empty_s, TARGET_S)}")  # fmt: skip
    print(f"  rebuild of the 20 again, nothing changed: {again_s:.2f} s")
    print(f"  rebuild of the 20 a week later: {week_s:.2f} s ({week_moves:,} entries and exits)")
    print(f"  baseline, SELECT count(*) of each condition: {baseline_s:.2f} s")
    print(f"  baseline, bare INSERT ... SELECT of the memberships and events: {writes_s:.2f} s")
    print(
        markdown_row(
            [
                args.database,
                f"{args.scale:g}",
                f"**{empty_s:.1f} s**",
                f"{again_s:.1f} s",
                f"{week_s:.1f} s ({week_moves:,} moves)",
                f"{baseline_s:.1f} s",
                f"{writes_s:.1f} s",
                f"{sum(counts.values()):,}",
            ]
        )
    )


if __name__ == "__main__":
    main()
