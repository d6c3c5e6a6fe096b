"""Jobs of nurturing: run due enrolments when woken, and every minute in case a wake was lost.

The enrolments in the database are the truth (``next_run_at``); a job only wakes the run,
so a lost job delays a step by a minute at most.
"""

from __future__ import annotations

from huey import crontab

from propulse import jobs
from propulse.audit import service as audit
from propulse.nurture.enrolment import WAKE_JOB
from propulse.nurture.scheduler import run_due


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
