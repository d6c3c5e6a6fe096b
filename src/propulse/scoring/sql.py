"""Set-based scoring: write the scores of many contacts (all, an id range, a list) in SQL.

Only the contacts whose figures change are written. An import batch also gets a history row
for each contact whose score changed: PostgreSQL chains the update and the insert in one
statement (data-modifying CTEs); SQLite, which cannot feed an UPDATE's rows to an INSERT, goes
through a temporary table of the changes. A rescore of everyone (rules changed) or a decay
sweep writes no history row per contact, only a ``ScoreRun``: at a million contacts those rows
would cost about half as much again as the scores themselves on PostgreSQL.

``rescore_all`` and ``rescore_range`` are what the jobs, the CLI and the benchmarks call.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Integer, Select, String, column, func, insert, literal, select, table, text
from sqlalchemy import update as sql_update
from sqlalchemy.orm import Session

from propulse.contacts.models import Contact
from propulse.db import utcnow
from propulse.scoring import config, mql, runs
from propulse.scoring.arithmetic import Plan
from propulse.scoring.live import SCORE_ATTRIBUTES
from propulse.scoring.models import ScoreCause, ScoreChange
from propulse.scoring.statements import CONTACTS, HISTORY, Scope, changes_select

HISTORY_COLUMNS = ["contact_id", "changed_at", "score", "fit_score", "engagement_score", "cause"]
# Causes of runs over everyone: no history row per contact (a ScoreRun records the run).
BULK_CAUSES = frozenset({ScoreCause.rescore.value, ScoreCause.decay.value})
# A chunk of the sweep: small enough that SQLite's other writers wait a fraction of a second.
CHUNK_SIZE = 20_000


@dataclass(frozen=True)
class Written:
    """How many contacts' scores changed, and which when asked (a bounded list of ids)."""

    changed: int
    ids: list[int]


def write_scores(
    session: Session,
    plan: Plan,
    *,
    now: datetime,
    scope: Scope,
    cause: str,
    history: bool = True,
    want_ids: bool = False,
) -> Written:
    """Compute and write the scores of the contacts in scope (no MQL actions: see ``rescore``).

    With ``history``, a history row per changed score, and ``changed`` counts changed scores;
    without, ``changed`` counts the contacts written (a score, a part or a grade changed).
    """
    changes = changes_select(session, plan, now=now, scope=scope)
    if not history:
        found = changes.subquery("changes")
        statement = (
            sql_update(CONTACTS).where(CONTACTS.c.id == found.c.id).values(_new_values(found, now))
        )
        written = session.execute(statement.execution_options(preserve_rowcount=True))
        return Written(int(getattr(written, "rowcount", 0) or 0), [])
    if session.get_bind().dialect.name == "postgresql":
        return _write_postgresql(session, changes, now=now, cause=cause, want_ids=want_ids)
    return _write_sqlite(session, changes, now=now, cause=cause, want_ids=want_ids)


def _history_row(source: Any, now: datetime, cause: str) -> Select[Any]:
    return select(
        source.c.id,
        literal(now, ScoreChange.changed_at.type),
        source.c.score,
        source.c.fit,
        source.c.engagement,
        literal(cause, String),
    ).where(source.c.score != source.c.old_score)


def _new_values(source: Any, now: datetime) -> dict[str, Any]:
    return {
        "fit_score": source.c.fit,
        "engagement_score": source.c.engagement,
        "score": source.c.score,
        "grade": source.c.grade,
        "score_updated_at": now,
    }


def _write_postgresql(
    session: Session, changes: Select[Any], *, now: datetime, cause: str, want_ids: bool
) -> Written:
    changed = changes.cte("changed")
    updated = (
        sql_update(CONTACTS)
        .where(CONTACTS.c.id == changed.c.id)
        .values(_new_values(changed, now))
        .returning(
            CONTACTS.c.id,
            changed.c.old_score,
            changed.c.score,
            changed.c.fit,
            changed.c.engagement,
        )
        .cte("updated")
    )
    history = insert(HISTORY).from_select(HISTORY_COLUMNS, _history_row(updated, now, cause))
    if want_ids:
        ids = list(session.scalars(history.returning(HISTORY.c.contact_id)))
        return Written(len(ids), ids)
    # The UPDATE in a CTE hides from SQLAlchemy that this is DML: keep the row count.
    result = session.execute(history.execution_options(preserve_rowcount=True))
    return Written(int(getattr(result, "rowcount", 0) or 0), [])


_CHANGES = table(
    "scoring_changes",
    column("id", Integer),
    column("old_score", Integer),
    column("fit", Integer),
    column("engagement", Integer),
    column("score", Integer),
    column("grade", String),
    schema="temp",
)


def _write_sqlite(
    session: Session, changes: Select[Any], *, now: datetime, cause: str, want_ids: bool
) -> Written:
    session.execute(
        text(
            "CREATE TEMP TABLE IF NOT EXISTS scoring_changes (id INTEGER PRIMARY KEY, "
            "old_score INTEGER, fit INTEGER, engagement INTEGER, score INTEGER, grade TEXT)"
        )
    )
    session.execute(_CHANGES.delete())
    names = ["id", "old_score", "fit", "engagement", "score", "grade"]
    session.execute(insert(_CHANGES).from_select(names, changes))
    history = insert(HISTORY).from_select(HISTORY_COLUMNS, _history_row(_CHANGES, now, cause))
    changed = int(getattr(session.execute(history), "rowcount", 0) or 0)
    ids: list[int] = []
    if want_ids:
        statement = select(_CHANGES.c.id).where(_CHANGES.c.score != _CHANGES.c.old_score)
        ids = list(session.scalars(statement))
    session.execute(
        sql_update(CONTACTS)
        .where(CONTACTS.c.id == _CHANGES.c.id)
        .values(_new_values(_CHANGES, now))
    )
    session.execute(_CHANGES.delete())
    return Written(changed, ids)


def _expire_loaded_contacts(session: Session) -> None:
    """Make contacts loaded in this session read their new scores (SQL wrote behind the ORM)."""
    for loaded in list(session.identity_map.values()):
        if isinstance(loaded, Contact):
            session.expire(loaded, [*SCORE_ATTRIBUTES, "updated_at"])


def rescore(
    session: Session,
    *,
    scope: Scope,
    cause: str,
    now: datetime,
    plan: Plan | None = None,
    want_ids: bool = False,
) -> Written:
    """Write the scores of the contacts in scope, then run the MQL actions of new MQLs."""
    plan = plan or config.load_plan(session)
    history = cause not in BULK_CAUSES
    written = write_scores(
        session, plan, now=now, scope=scope, cause=cause, history=history, want_ids=want_ids
    )
    _expire_loaded_contacts(session)
    settings = config.get_settings(session)
    new = mql.mark(session, scope=scope, settings=settings, now=now)
    mql.run_actions(session, new=new, settings=settings, now=now)
    return written


def rescore_all(session: Session, *, now: datetime | None = None) -> int:
    """Rescore every contact in one pass; return how many contacts were written."""
    now = now or utcnow()
    plan = config.load_plan(session)
    run = runs.start(session, cause=ScoreCause.rescore, now=now)
    changed = rescore(session, scope=Scope(), cause=ScoreCause.rescore, now=now, plan=plan).changed
    runs.finish(session, run, contacts=contact_count(session), changed=changed, completed=True)
    return changed


def rescore_range(
    session: Session,
    *,
    first_id: int,
    last_id: int,
    now: datetime | None = None,
    cause: str = ScoreCause.rescore,
    plan: Plan | None = None,
) -> int:
    """Rescore the contacts whose id is in ``first_id..last_id``; return how many changed."""
    scope = Scope(first_id=first_id, last_id=last_id)
    return rescore(session, scope=scope, cause=cause, now=now or utcnow(), plan=plan).changed


def contact_count(
    session: Session, *, first_id: int | None = None, last_id: int | None = None
) -> int:
    """Count the contacts, or those of an id range."""
    statement = select(func.count()).select_from(Contact)
    statement = statement.where(*Scope(first_id=first_id, last_id=last_id).on(Contact.id))
    return int(session.scalar(statement) or 0)


def id_ranges(session: Session, *, size: int = CHUNK_SIZE) -> Iterator[tuple[int, int]]:
    """Cut the contact ids into inclusive ranges of at most ``size`` ids (by value)."""
    low, high = session.execute(select(func.min(Contact.id), func.max(Contact.id))).one()
    if low is None or high is None:
        return
    for start in range(int(low), int(high) + 1, size):
        yield start, min(start + size - 1, int(high))
