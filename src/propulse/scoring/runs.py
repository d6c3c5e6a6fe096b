"""Runs over every contact (a rescore after a rule change, an hourly decay sweep): their log."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from propulse.db import utcnow
from propulse.scoring import config
from propulse.scoring.models import ScoreCause, ScoreRun, ScoringSettings


def start(session: Session, *, cause: str, now: datetime) -> ScoreRun:
    """Record that a run starts; ``now`` is the time its scores are computed for."""
    run = ScoreRun(
        cause=cause,
        started_at=now,
        rules_version=config.get_settings(session).rules_version,
        contacts=0,
        changed=0,
        completed=False,
    )
    session.add(run)
    session.flush()
    return run


def finish(
    session: Session, run: ScoreRun, *, contacts: int, changed: int, completed: bool
) -> None:
    """Record how a run ended; a complete rescore also records the rules version it computed."""
    run.finished_at = utcnow()
    run.contacts, run.changed, run.completed = contacts, changed, completed
    if completed and run.cause == ScoreCause.rescore:
        # A plain UPDATE: recording the run must not make an open settings form stale.
        session.execute(
            update(ScoringSettings)
            .where(ScoringSettings.rules_version == run.rules_version)
            .values(rescored_version=run.rules_version, rescored_at=run.finished_at)
            .execution_options(synchronize_session=False)
        )
    session.flush()


def cause_of_run(session: Session, *, started_at: datetime) -> str | None:
    """Return the cause of the run that computed scores for this time, if one did."""
    statement = select(ScoreRun.cause).where(ScoreRun.started_at == started_at).limit(1)
    return session.scalar(statement)


def latest(session: Session) -> ScoreRun | None:
    return session.scalar(select(ScoreRun).order_by(ScoreRun.id.desc()).limit(1))
