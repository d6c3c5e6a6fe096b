"""The reply mailbox's job: every five minutes, when a mailbox is configured, poll it."""

from __future__ import annotations

import logging

from huey import crontab

from propulse import jobs
from propulse.kit.errors import DomainError

logger = logging.getLogger("propulse.delivery.mailbox")


@jobs.periodic_task("propulse.poll_delivery_mailbox", crontab(minute="*/5"))
def poll_delivery_mailbox() -> dict[str, int]:
    """Record the bounces, unsubscribes and replies that reached the mailbox."""
    from propulse.delivery import mailbox
    from propulse.delivery.settings import load_effective_settings

    settings = load_effective_settings()
    if not settings.imap_url:
        return {}
    try:
        return mailbox.poll(settings).as_dict()
    except DomainError as error:  # the mailbox is away: the next poll tries again
        logger.warning("mailbox poll failed: %s", error.message)
        return {}
