"""Jobs of nurturing: run due enrolments when woken, and every minute in case a wake was lost.

The enrolments in the database are the truth (``next_run_at``); a job only wakes the run,
so a lost job delays a step by a minute at most.
"""

from __future__ import annotations

import time
from datetime import datetime

from huey import crontab

from propulse import jobs
from propulse.audit import service as audit
from propulse.db import reading, unit_of_work, utcnow
from propulse.nurture import figures
from propulse.nurture.enrolment import WAKE_JOB
from propulse.nurture.models import Sequence
from propulse.nurture.scheduler import run_due
from propulse.nurture.schemas import SequenceFigures


@jobs.task(WAKE_JOB)
def run_sequences() -> int:
    """Run the steps that are due now; return how many enrolments were processed."""
    audit.set_channel("job")
    return run_due().processed


@jobs.periodic_task("propulse.sweep_sequences", crontab(minute="*"))
def sweep_sequences() -> int:
    """Every minute, run the steps that came due (waits ending, sending windows opening)."""
    audit.set_channel("job")
    return run_due().processed


@jobs.periodic_task("propulse.count_sequence_figures", crontab(minute="*"))
def count_sequence_figures() -> int:
    """Every minute, count the figures of the big sequences whose count is out of date."""
    audit.set_channel("job")
    return count_due_figures(now=utcnow())


def count_due_figures(*, now: datetime) -> int:
    """Count each sequence whose stored figures are due; return how many were counted."""
    with reading() as session:
        wanted = figures.due_for_count(session, now=now)
    for sequence_id in wanted:
        recount_figures(sequence_id=sequence_id, now=now)
    return len(wanted)


def recount_figures(*, sequence_id: int, now: datetime) -> SequenceFigures:
    """Count one sequence in a reading transaction, then store the count in a short one.

    On SQLite the count (seconds for a million step runs) then holds no write lock: the
    scheduler, the delivery worker and the pages go on meanwhile.
    """
    started = time.perf_counter()
    with reading() as session:
        found = figures.count_figures(session, sequence_id=sequence_id)
    elapsed_ms = round((time.perf_counter() - started) * 1000)
    with unit_of_work() as session:
        if session.get(Sequence, sequence_id) is not None:  # not deleted meanwhile
            figures.store(
                session, sequence_id=sequence_id, found=found, counted_at=now, ms=elapsed_ms
            )
    return found
