"""Periodic jobs of the installation itself."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from huey import crontab

from propulse import jobs
from propulse.config import get_settings
from propulse.ops import backup

logger = logging.getLogger(__name__)


@jobs.periodic_task("propulse.automatic_backup", crontab(minute="17", hour="3"))
def automatic_backup() -> str | None:
    """Every night at 03:17 UTC, back up a SQLite workspace and keep the newest copies."""
    settings = get_settings()
    if settings.sqlite_path is None:
        return None  # PostgreSQL installations back up with their own tools
    result, deleted = backup.automatic_backup(settings, datetime.now(UTC))
    logger.info(
        "automatic backup %s (%s bytes), %s rotated out",
        result.path,
        result.size_bytes,
        len(deleted),
    )
    return str(result.path)
