"""Lead scores: kept current as contacts change, explained rule by rule, rescored in bulk.

A few contacts (an event, an edit) are scored in Python by ``live``; many (an import batch)
by the set-based SQL of ``sql``. Both follow ``arithmetic``, so they store the same integers.
Rules and settings are managed in ``rules``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from propulse.contacts import events as contact_events
from propulse.contacts.models import Contact
from propulse.db import utcnow
from propulse.kit.errors import NotFound
from propulse.kit.i18n import gettext as _
from propulse.kit.i18n import ngettext
from propulse.scoring import arithmetic, config, live, mql, runs, sql, writes
from propulse.scoring.explanation import ScoreExplanation
from propulse.scoring.models import Decay, ScoreCause, ScoreChange
from propulse.scoring.statements import Scope

if TYPE_CHECKING:
    from propulse.segments.snapshot import Snapshot

# Up to this many contacts, Python on their own rows; beyond, SQL restricted to their ids.
PYTHON_PATH_LIMIT = 200
SQL_ID_CHUNK = 1000

# What caused a change, as the contacts hooks say it, to what the score history records.
HISTORY_CAUSES = {
    "event": ScoreCause.event,
    "segment": ScoreCause.event,
    "edit": ScoreCause.edit,
    "import": ScoreCause.edit,
    "rescore": ScoreCause.rescore,
    "decay": ScoreCause.decay,
}


def describe(rule: arithmetic.Rule, count: int) -> str:
    """Say in words what a rule counted, in the current language."""
    if rule.kind == arithmetic.FIT:
        return _("matches the rule's condition")
    from propulse.contacts.labels import event_label

    what = ngettext(
        "%(num)s × %(event)s",
        "%(num)s × %(event)s",
        count,
        event=event_label(rule.event_type or ""),
    )
    if rule.decay == Decay.half_life:
        return _("%(what)s, half-life %(days)s days", what=what, days=rule.decay_days)
    if rule.decay == Decay.expiry:
        return _("%(what)s, counted for %(days)s days", what=what, days=rule.decay_days)
    return what


def refresh_scores(
    session: Session,
    *,
    contact_ids: Sequence[int],
    cause: str,
    now: datetime | None = None,
    plan: arithmetic.Plan | None = None,
    snapshot: Snapshot | None = None,
    activity: Mapping[int, datetime] | None = None,
) -> list[int]:
    """Recompute and store these contacts' scores; run the MQL actions of those crossing up.

    Returns the ids of the contacts whose score changed. ``plan``: the rules, if already loaded;
    ``snapshot``: the contacts and their events, if already loaded (its scores are updated);
    ``activity``: new last_activity_at values not yet written (contacts.events), written here
    with the scores, and seen by the fit rules.
    """
    ids = sorted(set(contact_ids))
    if activity and (snapshot is None or len(ids) > PYTHON_PATH_LIMIT):
        # Rows read from the database must hold the new activity: write it first.
        contact_events.touch_activity(session, activity)
        activity = None
    if not ids:
        return []
    now = now or utcnow()
    history_cause = HISTORY_CAUSES.get(cause, ScoreCause.edit)
    plan = plan or config.load_plan(session)
    if len(ids) > PYTHON_PATH_LIMIT:
        changed: list[int] = []
        for start in range(0, len(ids), SQL_ID_CHUNK):
            scope = Scope(ids=ids[start : start + SQL_ID_CHUNK])
            changed += sql.rescore(
                session, scope=scope, cause=history_cause, now=now, plan=plan, want_ids=True
            ).ids
        return changed
    if snapshot is not None and activity:
        _patch_activity(snapshot, activity)
    scored = live.score_contacts(session, plan, contact_ids=ids, now=now, snapshot=snapshot)
    threshold = plan.limits.mql_threshold
    crossing = [s.contact_id for s in scored if s.mql_at is None and s.new.score >= threshold]
    new = writes.write(
        session,
        scored,
        now=now,
        cause=history_cause,
        activity=activity or {},
        crossing=crossing,
    )
    if snapshot is not None:
        for item in scored:
            row = snapshot.contacts[item.contact_id]
            row["score"], row["fit_score"] = item.new.score, item.new.fit_score
            row["engagement_score"], row["grade"] = item.new.engagement_score, item.new.grade
    if crossing and new != []:  # [] : the write stamped nobody (another transaction did)
        settings = config.mql_settings(session)
        if new is None:
            new = mql.mark(session, scope=Scope(ids=crossing), settings=settings, now=now)
        changed_contacts = mql.run_actions(session, new=new, settings=settings, now=now)
        if snapshot is not None and changed_contacts:
            # An action changed the stage, a list's members...: segments reads afresh.
            from propulse.segments.snapshot import drop

            drop(session)
        elif snapshot is not None:
            for marked in new:
                snapshot.contacts[marked.contact_id]["mql_at"] = now
    return [item.contact_id for item in scored if item.score_changed]


def _patch_activity(snapshot: Snapshot, activity: Mapping[int, datetime]) -> None:
    """Give the snapshot's rows their new last_activity_at, not yet written: rules test it."""
    later = contact_events.later_activity
    for contact_id, moment in activity.items():
        row = snapshot.contacts.get(contact_id)
        if row is not None:
            row["last_activity_at"] = later(row["last_activity_at"], moment)


def explain(session: Session, *, contact_id: int, now: datetime | None = None) -> ScoreExplanation:
    """Return what a contact's score is made of now: each contributing rule and its points."""
    plan = config.load_plan(session)
    scored = live.score_contacts(
        session, plan, contact_ids=[contact_id], now=now or utcnow(), describe=describe
    )
    if not scored:
        raise NotFound(_("This contact does not exist."))
    return scored[0].new


def score_history(session: Session, *, contact_id: int, limit: int = 50) -> list[ScoreChange]:
    """Return the contact's score after each change, newest first.

    A rescore of everyone or a decay sweep stores no row per contact (see ``sql``): when one
    changed the score since the newest row, the current score leads the list as an unsaved
    entry dated when that run computed it, with the run's cause.
    """
    statement = (
        select(ScoreChange)
        .where(ScoreChange.contact_id == contact_id)
        .order_by(ScoreChange.changed_at.desc(), ScoreChange.id.desc())
        .limit(limit)
    )
    found = list(session.scalars(statement))
    current = session.execute(
        select(
            Contact.score, Contact.fit_score, Contact.engagement_score, Contact.score_updated_at
        ).where(Contact.id == contact_id)
    ).first()
    if current is None or current.score_updated_at is None or limit < 1:
        return found
    newest = found[0] if found else None
    if newest is not None and (
        newest.changed_at >= current.score_updated_at or newest.score == current.score
    ):
        return found
    if newest is None and current.score == 0:
        return found
    cause = runs.cause_of_run(session, started_at=current.score_updated_at)
    latest = ScoreChange(
        contact_id=contact_id,
        changed_at=current.score_updated_at,
        score=current.score,
        fit_score=current.fit_score,
        engagement_score=current.engagement_score,
        cause=cause or ScoreCause.rescore,
    )
    return [latest, *found[: limit - 1]]


def rescore_all(session: Session, *, now: datetime | None = None) -> int:
    """Rescore every contact in one pass; return how many scores changed."""
    return sql.rescore_all(session, now=now)


def contact_count(session: Session) -> int:
    from sqlalchemy import func

    return int(session.scalar(select(func.count()).select_from(Contact)) or 0)
