"""The scoring settings (one row, created on first read) and the active rules as a plan."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from types import SimpleNamespace
from typing import Any, cast

from sqlalchemy import Connection, Select, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.sql.selectable import ScalarSelect

from propulse.db import is_reading, with_column_defaults
from propulse.scoring import arithmetic
from propulse.scoring.models import ScoringRule, ScoringSettings

SETTINGS_ID = 1


def get_settings(session: Session) -> ScoringSettings:
    """Return the workspace's scoring settings, creating the row with the defaults if needed."""
    found = session.get(ScoringSettings, SETTINGS_ID)
    if found is not None:
        return found
    if is_reading(session):  # a page only shows the defaults
        return with_column_defaults(ScoringSettings(id=SETTINGS_ID, group_caps={}))
    try:
        with session.begin_nested():
            created = ScoringSettings(id=SETTINGS_ID, group_caps={})
            session.add(created)
    except IntegrityError:  # another transaction created it meanwhile
        existing = session.get(ScoringSettings, SETTINGS_ID)
        assert existing is not None
        return existing
    return created


def limits_of(settings: Any) -> arithmetic.Limits:
    """Turn the settings (the row or its columns) into the arithmetic's limits."""
    return arithmetic.Limits(
        total_limit=settings.total_limit,
        group_caps={str(k): int(v) for k, v in (settings.group_caps or {}).items()},
        fit_grade_a=settings.fit_grade_a,
        fit_grade_b=settings.fit_grade_b,
        engagement_grade_1=settings.engagement_grade_1,
        engagement_grade_2=settings.engagement_grade_2,
        mql_threshold=settings.mql_threshold,
    )


# Built once: the event path runs these on every event, and building costs more than running.
LIMITS_QUERY = select(
    ScoringSettings.total_limit,
    ScoringSettings.group_caps,
    ScoringSettings.fit_grade_a,
    ScoringSettings.fit_grade_b,
    ScoringSettings.engagement_grade_1,
    ScoringSettings.engagement_grade_2,
    ScoringSettings.mql_threshold,
).where(ScoringSettings.id == SETTINGS_ID)


def rule_of(row: Any) -> arithmetic.Rule:
    """Turn a rule (a ScoringRule or a row with its columns) into the arithmetic's plain data."""
    condition = dict(row.condition or {})
    engagement = row.kind == arithmetic.ENGAGEMENT
    return arithmetic.Rule(
        id=row.id,
        name=row.name,
        kind=row.kind,
        points=row.points,
        group=row.group_name or "",
        cap=row.cap,
        decay=row.decay,
        decay_days=row.decay_days,
        event_type=row.event_type if engagement else None,
        where=dict(condition.get("where") or {}) if engagement else {},
        condition={} if engagement else condition,
    )


RULE_COLUMNS = (
    ScoringRule.id,
    ScoringRule.name,
    ScoringRule.kind,
    ScoringRule.points,
    ScoringRule.group_name,
    ScoringRule.cap,
    ScoringRule.decay,
    ScoringRule.decay_days,
    ScoringRule.event_type,
    ScoringRule.condition,
)


ACTIVE_RULES_QUERY = (
    select(*RULE_COLUMNS)
    .where(ScoringRule.active.is_(True))
    .order_by(ScoringRule.position, ScoringRule.id)
)


def core(session: Session) -> Connection:
    """Return the session's connection for plain Core statements, pending changes written.

    The event path runs a few small statements per event: through the connection they skip
    the ORM's result machinery, which costs more than the queries themselves.
    """
    if session.new or session.dirty or session.deleted:
        session.flush()
    return session.connection()


def active_rules(session: Session) -> list[arithmetic.Rule]:
    """Return the active rules in their order (position, then id), as plain data."""
    return [rule_of(row) for row in core(session).execute(ACTIVE_RULES_QUERY)]


# The limits and the active rules in one statement (the event path runs it for every event):
# a row per active rule, the limits repeated; one row with empty rule columns when none is.
_LIMIT_NAMES = [str(column.key) for column in LIMITS_QUERY.selected_columns]
# And what the MQL actions read: an event whose score crosses the threshold reads no more.
_ACTION_COLUMNS = (
    ScoringSettings.mql_notify_owner,
    ScoringSettings.mql_set_stage,
    ScoringSettings.mql_segment_id,
)
_PLAN_QUERY = (
    select(*LIMITS_QUERY.selected_columns, *_ACTION_COLUMNS, *RULE_COLUMNS)
    .select_from(ScoringSettings)
    .outerjoin(ScoringRule, ScoringRule.active.is_(True))
    .where(ScoringSettings.id == SETTINGS_ID)
    .order_by(ScoringRule.position, ScoringRule.id)
)

# Plans by the text of the rows they were built from: reading the rows is cheap, building the
# plan is not (the event path loads it for every event). Any change to a rule or a setting
# changes the rows, hence the key, in whichever process made it.
_plans: dict[str, tuple[arithmetic.Plan, MqlActions]] = {}
_PLANS_KEPT = 16
_MEMO_KEY = "scoring_plan"
_ACTIONS_MEMO_KEY = "scoring_mql_actions"


@dataclass(frozen=True)
class MqlActions:
    """The MQL settings as the plan's statement read them (see ``mql.MqlSettings``)."""

    mql_threshold: int
    mql_notify_owner: bool
    mql_set_stage: bool
    mql_segment_id: int | None


def load_plan(session: Session) -> arithmetic.Plan:
    """Return the plan both scoring paths follow: the active rules and the limits.

    While a batch of events is published, the plan is read once for all its subscribers.
    """
    return load_plan_and(session, None)[0]


@lru_cache(maxsize=8)
def _plan_query_with(rider: ScalarSelect[Any]) -> Select[Any]:
    return _PLAN_QUERY.add_columns(rider.label("rider"))


def load_plan_and(session: Session, rider: ScalarSelect[Any] | None) -> tuple[arithmetic.Plan, Any]:
    """Return the plan, and the value of ``rider`` read in the same statement.

    ``rider``: a scalar subquery built once, that another domain needs on the event path (the
    segments' versions): each statement is a round trip to the server. Its value is None when
    not read (the plan came from the memo, or there is no settings row yet).
    """
    from propulse.contacts.events import memo

    shared = memo(session)
    if shared is not None and _MEMO_KEY in shared:
        return cast(arithmetic.Plan, shared[_MEMO_KEY]), None
    statement = _PLAN_QUERY if rider is None else _plan_query_with(rider)
    rows = core(session).execute(statement).all()
    if not rows:  # no settings row yet: create it, and read the rules on their own
        limits = limits_of(get_settings(session))
        return _remember(shared, arithmetic.make_plan(active_rules(session), limits)), None
    value = None if rider is None else rows[0].rider
    width = len(_PLAN_QUERY.selected_columns)
    key = repr([tuple(row)[:width] for row in rows])
    known = _plans.get(key)
    if known is None:
        first = rows[0]
        settings = SimpleNamespace(**{name: first._mapping[name] for name in _LIMIT_NAMES})
        rules = [rule_of(row) for row in rows if row.id is not None]
        actions = MqlActions(
            first.mql_threshold, first.mql_notify_owner, first.mql_set_stage, first.mql_segment_id
        )
        known = (arithmetic.make_plan(rules, limits_of(settings)), actions)
        if len(_plans) >= _PLANS_KEPT:
            _plans.clear()
        _plans[key] = known
    if shared is not None:
        shared[_ACTIONS_MEMO_KEY] = known[1]
    return _remember(shared, known[0]), value


def mql_settings(session: Session) -> MqlActions | ScoringSettings:
    """Return the MQL settings: as the plan read them while a change is published, else the row."""
    from propulse.contacts.events import memo

    shared = memo(session)
    found = shared.get(_ACTIONS_MEMO_KEY) if shared is not None else None
    return found if isinstance(found, MqlActions) else get_settings(session)


def _remember(shared: dict[str, Any] | None, plan: arithmetic.Plan) -> arithmetic.Plan:
    if shared is not None:
        shared[_MEMO_KEY] = plan
    return plan
