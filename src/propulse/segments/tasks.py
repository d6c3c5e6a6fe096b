"""Jobs of segments: a rebuild after a definition change, and the hourly sweep for time."""

from __future__ import annotations

import logging
from datetime import datetime

from huey import crontab

from propulse import jobs
from propulse.audit import service as audit
from propulse.db import unit_of_work, utcnow
from propulse.kit.errors import DomainError
from propulse.segments import membership
from propulse.segments.plan import sweep_plan, with_dependents

logger = logging.getLogger(__name__)


@jobs.task("propulse.rebuild_segment")
def rebuild_segment(segment_id: int) -> int:
    """Rebuild a segment and those testing its membership; return how many (idempotent)."""
    audit.set_channel("job")
    with unit_of_work() as session:
        plan = with_dependents(session, [segment_id])
        now = utcnow()
        for item in plan:
            membership.rebuild(session, segment_id=item.id, now=now)
        return len(plan)


def sweep(*, now: datetime | None = None) -> list[membership.RebuildResult]:
    """Rebuild what time alone changes ("in the last 30 days", fading scores) at ``now``.

    Also rebuilds segments whose rebuild job was lost, and segments testing any of those,
    after them. Each segment commits on its own: one failure does not undo the others.
    """
    with unit_of_work() as session:
        targets = [item.id for item in sweep_plan(session)]
    moment = now or utcnow()
    results: list[membership.RebuildResult] = []
    for segment_id in targets:
        try:
            with unit_of_work() as session:
                results.append(membership.rebuild(session, segment_id=segment_id, now=moment))
        except DomainError:
            logger.warning("segment %s could not be rebuilt by the sweep", segment_id)
    return results


@jobs.periodic_task("propulse.sweep_segments", crontab(minute="10"))
def sweep_segments() -> int:
    """Every hour (at minute 10), sweep the segments time can change; idempotent."""
    audit.set_channel("job")
    return len(sweep())
