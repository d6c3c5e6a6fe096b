"""Jobs of request triage."""

from __future__ import annotations

from datetime import date

from huey import crontab

from propulse import jobs
from propulse.audit import service as audit
from propulse.db import unit_of_work
from propulse.triage import service


@jobs.periodic_task("propulse.requeue_parked_requests", crontab(minute="5"))
def requeue_parked_requests() -> int:
    """Every hour, put back in the queue the parked requests whose date has come (idempotent)."""
    audit.set_channel("job")
    with unit_of_work() as session:
        return len(service.requeue_parked(session, today=date.today()))
