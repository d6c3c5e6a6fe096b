"""Rescore everyone in chunks of contact ids, committing each: what the jobs and the CLI run.

On SQLite a writer holds the only write lock, so a chunk is kept short and committed: event
ingestion and page edits wait a fraction of a second, not the length of a full rescore.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from propulse.db import unit_of_work, utcnow
from propulse.scoring import config, runs, sql
from propulse.scoring.models import ScoreCause, ScoreRun

Progress = Callable[[int, int], None]  # (contacts done, contacts in all)


@dataclass(frozen=True)
class RescoreReport:
    contacts: int
    changed: int
    seconds: float
    rules_version: int
    completed: bool  # False when a rule changed meanwhile (a newer rescore is queued)


def rescore_in_chunks(
    *,
    cause: str = ScoreCause.rescore,
    now: datetime | None = None,
    chunk_size: int = sql.CHUNK_SIZE,
    on_progress: Progress | None = None,
) -> RescoreReport:
    """Rescore every contact, one id range per transaction; record the version computed."""
    started = time.perf_counter()
    now = now or utcnow()
    with unit_of_work() as session:
        run = runs.start(session, cause=cause, now=now)
        run_id, version = run.id, run.rules_version
        ranges = list(sql.id_ranges(session, size=chunk_size))
        contacts = sql.contact_count(session)
    done = changed = 0
    completed = True
    for first_id, last_id in ranges:
        with unit_of_work() as session:
            if config.get_settings(session).rules_version != version:
                completed = False  # the rules changed: the rescore they queued redoes it all
                break
            changed += sql.rescore_range(
                session, first_id=first_id, last_id=last_id, now=now, cause=cause
            )
            done += sql.contact_count(session, first_id=first_id, last_id=last_id)
        if on_progress is not None:
            on_progress(done, contacts)
    with unit_of_work() as session:
        finished = session.get(ScoreRun, run_id)
        if finished is not None:
            runs.finish(session, finished, contacts=done, changed=changed, completed=completed)
    return RescoreReport(done, changed, time.perf_counter() - started, version, completed)
