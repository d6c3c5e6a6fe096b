"""Jobs that deliver transactional e-mail; the sweep re-enqueues what a lost job left pending."""

from __future__ import annotations

from huey import crontab

from propulse import jobs
from propulse.audit import service as audit
from propulse.db import unit_of_work
from propulse.notifications import service


@jobs.task("propulse.send_outbound_email")
def send_outbound_email(email_id: int) -> str:
    """Send one outbox e-mail (idempotent: a sent e-mail is skipped)."""
    audit.set_channel("job")
    with unit_of_work() as session:
        return str(service.deliver_outbound_email(session, email_id=email_id))


@jobs.periodic_task("propulse.sweep_outbound_email", crontab(minute="*"))
def sweep_outbound_email() -> int:
    """Re-enqueue the pending e-mails whose time has come (every minute)."""
    with unit_of_work() as session:
        due = service.due_outbound_email_ids(session)
    for email_id in due:
        jobs.enqueue("propulse.send_outbound_email", email_id)
    return len(due)
