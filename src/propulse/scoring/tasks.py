"""Jobs of scoring: the full rescore after a rule change, and the hourly decay sweep."""

from __future__ import annotations

import logging

from huey import crontab

from propulse import jobs
from propulse.audit import service as audit
from propulse.db import unit_of_work
from propulse.scoring import config
from propulse.scoring.batches import RescoreReport, rescore_in_chunks
from propulse.scoring.models import ScoreCause

logger = logging.getLogger(__name__)


@jobs.task("propulse.rescore_contacts")
def rescore_contacts(rules_version: int | None = None) -> int:
    """Rescore every contact for the rules of ``rules_version`` (skipped if rules changed since).

    Idempotent: a second run finds nothing to change. Returns how many scores changed.
    """
    audit.set_channel("job")
    with unit_of_work() as session:
        current = config.get_settings(session).rules_version
    if rules_version is not None and rules_version != current:
        return 0  # a newer change queued its own rescore
    report = rescore_in_chunks(cause=ScoreCause.rescore)
    _log("rescore", report)
    return report.changed


@jobs.periodic_task("propulse.rescore_decay", crontab(minute="20"))
def rescore_decay() -> int:
    """Every hour, lower the scores time has faded (only when some rule decays or expires).

    It also catches up on a full rescore that did not run after a rule change (a lost job).
    """
    audit.set_channel("job")
    with unit_of_work() as session:
        settings = config.get_settings(session)
        behind = settings.rescored_version != settings.rules_version
        decays = config.load_plan(session).decays
    if not behind and not decays:
        return 0
    report = rescore_in_chunks(cause=ScoreCause.rescore if behind else ScoreCause.decay)
    _log("decay sweep", report)
    return report.changed


def _log(what: str, report: RescoreReport) -> None:
    logger.info(
        "%s: %s contacts, %s scores changed in %.1f s%s",
        what,
        report.contacts,
        report.changed,
        report.seconds,
        "" if report.completed else " (stopped: the rules changed meanwhile)",
    )
