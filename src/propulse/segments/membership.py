"""Who is in each dynamic segment: a set-based rebuild, and a refresh for a few contacts.

A rebuild evaluates the compiled condition in the database and diffs it with segment_members
there (see diffing.py): INSERT ... SELECT of the new members and their segment_entered events,
DELETE of the departed after their segment_left events; no member ids travel through Python,
whatever the size of the base. A segment's very first build records no segment_entered
events: its first members did not enter it, it was defined around them.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from propulse.contacts.events import settle_activity
from propulse.db import utcnow
from propulse.kit.errors import Conflict, NotFound
from propulse.kit.i18n import gettext as _
from propulse.segments.compiler import compile_condition
from propulse.segments.diffing import Target, diff_postgresql, diff_with_match_table
from propulse.segments.models import Segment, SegmentKind
from propulse.segments.plan import dynamic_plan, parsed
from propulse.segments.refresh import changes_in_python, changes_in_sql
from propulse.segments.snapshot import Snapshot
from propulse.segments.writes import (
    MEMBERS,
    SEGMENTS,
    announce_moves,
    apply_changes,
    forget_counts,
)

logger = logging.getLogger(__name__)

# Up to this many contacts, the Python evaluator (a few queries in all); above, SQL per segment.
PYTHON_REFRESH_LIMIT = 50


@dataclass(frozen=True)
class RebuildResult:
    """What a rebuild did to one segment."""

    segment_id: int
    name: str
    entered: int
    left: int
    members: int
    seconds: float


def rebuild(session: Session, *, segment_id: int, now: datetime | None = None) -> RebuildResult:
    """Recompute a dynamic segment's members from scratch, recording who entered and left."""
    started = time.perf_counter()
    now = now or utcnow()
    session.flush()
    # Two rebuilds of one segment (a sweep, a click) wait for each other (PostgreSQL).
    session.execute(select(Segment.id).where(Segment.id == segment_id).with_for_update())
    segment = session.get(Segment, segment_id, populate_existing=True)
    if segment is None:
        raise NotFound(_("This segment does not exist."))
    if segment.kind != SegmentKind.dynamic or segment.definition is None:
        raise Conflict(_("A static list is not rebuilt: add or remove its members."))
    target = Target(segment.id, segment.name, now, record_entries=segment.rebuilt_at is not None)
    condition = compile_condition(parsed(segment.definition), now=now)
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        diff = diff_postgresql(connection, target, condition)
    else:
        diff = diff_with_match_table(connection, target, condition)
    members = diff.members
    if members is None:
        counted = (
            select(func.count()).select_from(MEMBERS).where(MEMBERS.c.segment_id == segment.id)
        )
        members = int(connection.scalar(counted) or 0)
    connection.execute(
        update(SEGMENTS)
        .where(SEGMENTS.c.id == segment.id)
        .values(
            member_count=members,
            rebuilt_at=now,
            needs_rebuild=False,
            updated_at=SEGMENTS.c.updated_at,
        )
    )
    forget_counts(session, segment.id)
    announce_moves(session, segment.id, left=diff.left_ids, entered=diff.entered_ids)
    return RebuildResult(
        segment_id=segment.id,
        name=segment.name,
        entered=diff.entered,
        left=len(diff.left_ids),
        members=members,
        seconds=round(time.perf_counter() - started, 3),
    )


def refresh_memberships(
    session: Session,
    *,
    contact_ids: Sequence[int],
    now: datetime | None = None,
    snapshot: Snapshot | None = None,
) -> None:
    """Re-evaluate the dynamic segments for these contacts at once; record entries and exits.

    Static lists never change here. Segments testing other segments come after them, so one
    refresh settles everything. ``snapshot``: the contacts and events already loaded.
    """
    ids = sorted(set(contact_ids))
    if not ids:
        return
    # New activity of the event being published, if scoring (which writes it) did not run.
    settle_activity(session)
    now = now or utcnow()
    session.flush()
    plan = dynamic_plan(session)
    if not plan:
        return
    names = {item.id: item.name for item in plan}
    if len(ids) <= PYTHON_REFRESH_LIMIT:
        changes = changes_in_python(session, ids, plan, now, snapshot=snapshot)
        apply_changes(session, changes, names, now)
    else:
        changes = changes_in_sql(session, ids, plan, now)
        apply_changes(session, changes, names, now, rows_written=True)
