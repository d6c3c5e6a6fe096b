"""Storing the scores ``live`` computed for a few contacts: the rows, their history, the MQL stamp.

On PostgreSQL each statement is a round trip to the server, and the event path's budget is a
few milliseconds: the scores and the history row go in one statement, and for one contact (one
new event) so does the MQL stamp, which ``mql.mark`` otherwise writes in a second UPDATE of the
same row. SQLite has no round trips and no data-modifying WITH: one statement for each part.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, and_, bindparam, case, insert, select, update
from sqlalchemy.orm import Session

from propulse.contacts import events as contact_events
from propulse.contacts.models import Contact
from propulse.scoring import config
from propulse.scoring.live import SCORE_ATTRIBUTES, Scored
from propulse.scoring.mql import NewMql
from propulse.scoring.statements import CONTACTS, HISTORY

_NOW = bindparam("now", type_=HISTORY.c.changed_at.type)
_SCORE_VALUES: dict[str, Any] = {
    "score": bindparam("new_score"),
    "fit_score": bindparam("new_fit"),
    "engagement_score": bindparam("new_engagement"),
    "grade": bindparam("new_grade"),
    "score_updated_at": _NOW,
    # The event's new activity in the same write of the row (see contacts.events).
    "last_activity_at": contact_events.LATER_ACTIVITY,
    "updated_at": _NOW,
}
_HISTORY_COLUMNS = ["contact_id", "changed_at", "score", "fit_score", "engagement_score", "cause"]
_UPDATE_SCORES = (
    update(CONTACTS).where(CONTACTS.c.id == bindparam("contact_id")).values(**_SCORE_VALUES)
)
_INSERT_HISTORY = insert(HISTORY)


def _history_of(moved: Any) -> Any:
    """INSERT of a history row for the rows ``moved`` returns, when the score changed."""
    return insert(HISTORY).from_select(
        _HISTORY_COLUMNS,
        select(
            moved.c.id,
            _NOW,
            moved.c.score,
            moved.c.fit_score,
            moved.c.engagement_score,
            bindparam("cause", type_=HISTORY.c.cause.type),
        ).where(bindparam("history", type_=Boolean)),
    )


# PostgreSQL, any number of contacts (psycopg pipelines the executemany): scores and history in
# one statement. A data-modifying WITH runs whether or not its rows are read.
_moved = _UPDATE_SCORES.returning(
    CONTACTS.c.id, CONTACTS.c.score, CONTACTS.c.fit_score, CONTACTS.c.engagement_score
).cte("moved")
_UPDATE_WITH_HISTORY = _history_of(_moved)

# PostgreSQL, one contact: the same, and mql_at stamped when the new score reaches the threshold
# for the first time. RETURNING sees only new values; the row locked and read in FROM (the lock
# waits for a concurrent writer, then reads its version) gives the old mql_at, so exactly one
# transaction sees that it stamped the contact, and the actions run once.
_old = (
    select(CONTACTS.c.id, CONTACTS.c.mql_at)
    .where(CONTACTS.c.id == bindparam("contact_id"))
    .with_for_update(key_share=True)  # FOR NO KEY UPDATE, as the UPDATE itself: rows that
    .subquery("locked")  # only refer to the contact (its new events...) need not wait
)
_stamped = (
    update(CONTACTS)
    .where(CONTACTS.c.id == _old.c.id)
    .values(
        **_SCORE_VALUES,
        mql_at=case(
            (and_(bindparam("crossing", type_=Boolean), CONTACTS.c.mql_at.is_(None)), _NOW),
            else_=CONTACTS.c.mql_at,
        ),
    )
    .returning(
        CONTACTS.c.id,
        CONTACTS.c.score,
        CONTACTS.c.fit_score,
        CONTACTS.c.engagement_score,
        CONTACTS.c.owner_id,
        CONTACTS.c.lifecycle_stage,
        and_(_old.c.mql_at.is_(None), CONTACTS.c.mql_at.is_not(None)).label("became_mql"),
    )
    .cte("stamped")
)
_WRITE_ONE_POSTGRESQL = (
    select(_stamped.c.id, _stamped.c.owner_id, _stamped.c.lifecycle_stage)
    .where(_stamped.c.became_mql)
    .add_cte(_history_of(_stamped).cte("history"))
)


def write(
    session: Session,
    scored: Sequence[Scored],
    *,
    now: datetime,
    cause: str,
    activity: Mapping[int, datetime] | None = None,
    crossing: Collection[int] = (),
) -> list[NewMql] | None:
    """Store the changed scores, a history row for each changed score, and refresh the ORM.

    ``activity``: new last_activity_at values (contacts.events), written with the scores, or on
    their own for contacts whose score stays. ``crossing``: contacts whose new score reaches
    the MQL threshold while their mql_at is empty. Returns the contacts this write stamped as
    MQL, or None when it left the stamp to ``mql.mark`` (several contacts, or SQLite).
    """
    activity = activity or {}
    changed = [item for item in scored if item.changed]
    rows = [
        {
            "contact_id": item.contact_id,
            "new_score": item.new.score,
            "new_fit": item.new.fit_score,
            "new_engagement": item.new.engagement_score,
            "new_grade": item.new.grade,
            "now": now,
            "moment": activity.get(item.contact_id),
            "history": item.score_changed,
            "cause": cause,
            "crossing": item.contact_id in crossing,
        }
        for item in changed
    ]
    stamped: list[NewMql] | None = None
    connection = config.core(session) if rows else None
    if connection is None:
        pass
    elif connection.dialect.name != "postgresql":
        _write_in_parts(session, rows, now=now, cause=cause)
    elif len(rows) == 1 and set(crossing) <= {rows[0]["contact_id"]}:
        found = connection.execute(_WRITE_ONE_POSTGRESQL, rows[0])
        stamped = [NewMql(row.id, row.owner_id, row.lifecycle_stage) for row in found]
    else:
        connection.execute(_UPDATE_WITH_HISTORY, rows[0] if len(rows) == 1 else rows)
    written = {item.contact_id for item in changed}
    contact_events.touch_activity(
        session, {key: moment for key, moment in activity.items() if key not in written}
    )
    expired = [*SCORE_ATTRIBUTES, "last_activity_at", "updated_at"]
    if stamped is not None:
        expired.append("mql_at")
    for item in changed:
        loaded = session.identity_map.get(session.identity_key(Contact, item.contact_id))
        if loaded is not None:
            session.expire(loaded, expired)
    return stamped


def _write_in_parts(
    session: Session, rows: list[dict[str, Any]], *, now: datetime, cause: str
) -> None:
    """The scores, then the history rows: two statements (SQLite)."""
    connection = session.connection()
    connection.execute(_UPDATE_SCORES, rows[0] if len(rows) == 1 else rows)
    history = [
        {
            "contact_id": row["contact_id"],
            "changed_at": now,
            "score": row["new_score"],
            "fit_score": row["new_fit"],
            "engagement_score": row["new_engagement"],
            "cause": cause,
        }
        for row in rows
        if row["history"]
    ]
    if history:
        connection.execute(_INSERT_HISTORY, history[0] if len(history) == 1 else history)
