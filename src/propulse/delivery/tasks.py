"""Jobs that wake delivery: the outbox is the truth, a lost job only delays a message.

``propulse.deliver_outbox`` sends what is due on one connection (the embedded worker of
``propulse serve`` delivers this way); ``propulse delivery worker`` is the process for volume.
The sweep runs every minute: it reclaims dead workers' leases and wakes delivery when
messages are due, so a message whose wake-up job was lost still goes out.
"""

from __future__ import annotations

from huey import crontab

from propulse import jobs
from propulse.db import unit_of_work, utcnow
from propulse.delivery import outbox
from propulse.delivery.service import WAKE_JOB
from propulse.delivery.settings import effective_settings, load_effective_settings

JOB_BUDGET_SECONDS = 50.0  # leave the job worker to other jobs; the sweep comes back


@jobs.task(WAKE_JOB)
def deliver_outbox() -> int:
    """Send the due messages on one connection, for at most 50 seconds; return how many."""
    from propulse.delivery.worker import DeliveryWorker

    settings = load_effective_settings()
    if not settings.smtp_url:
        return 0
    worker = DeliveryWorker.from_settings(
        settings, connections=1, until_idle=True, max_seconds=JOB_BUDGET_SECONDS
    )
    return worker.run().sent


@jobs.periodic_task("propulse.sweep_delivery_outbox", crontab(minute="*"))
def sweep_delivery_outbox() -> int:
    """Reclaim expired leases and wake delivery when messages are due."""
    with unit_of_work() as session:
        if not effective_settings(session).smtp_url:
            return 0
        outbox.reclaim_expired(session, now=utcnow())
        due = outbox.due_count(session, now=utcnow())
    if due:
        jobs.enqueue(WAKE_JOB)
    return due
