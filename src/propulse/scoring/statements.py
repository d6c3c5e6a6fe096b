"""The plan of ``arithmetic.py`` compiled to SQL: the queries that score many contacts at once.

One pass over the events of the types the rules count (GROUP BY contact), the fit conditions
compiled by the segments compiler, then the same operations in the same order as the Python
path, down to the contacts whose fit, engagement, score or grade would change.
"""

from __future__ import annotations

import typing
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Float,
    FromClause,
    Integer,
    Select,
    String,
    Subquery,
    Table,
    and_,
    case,
    cast,
    column,
    func,
    literal,
    null,
    or_,
    select,
    text,
)
from sqlalchemy.orm import InstrumentedAttribute, Session
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.visitors import replacement_traverse

from propulse.contacts.models import Contact, ContactEvent
from propulse.scoring import arithmetic
from propulse.scoring.arithmetic import SECONDS_PER_DAY, Plan, Rule, Unit
from propulse.scoring.models import ScoreChange

Expression = ColumnElement[Any]
# The tables behind the models, for Core statements that bypass the ORM on purpose.
CONTACTS = typing.cast(Table, Contact.__table__)
HISTORY = typing.cast(Table, ScoreChange.__table__)
EVENTS = typing.cast(Table, ContactEvent.__table__)


@dataclass(frozen=True)
class Scope:
    """Which contacts to score: all of them, an id range (inclusive), or a list of ids."""

    first_id: int | None = None
    last_id: int | None = None
    ids: Sequence[int] | None = None

    def on(
        self, id_column: ColumnElement[int] | InstrumentedAttribute[int]
    ) -> list[ColumnElement[bool]]:
        clauses: list[ColumnElement[bool]] = []
        if self.ids is not None:
            clauses.append(id_column.in_(list(self.ids)))
        if self.first_id is not None:
            clauses.append(id_column >= self.first_id)
        if self.last_id is not None:
            clauses.append(id_column <= self.last_id)
        return clauses


def _float(value: float) -> Expression:
    """Bind a double: PostgreSQL must not pick numeric, SQLite must not divide integers."""
    return cast(literal(float(value), Float), Float)


def _events_source(dialect: str) -> FromClause:
    """The events table, read on SQLite through its (contact_id, type, occurred_at) index.

    SQLite without statistics (no ANALYZE) would pick the (type, ...) index, then sort a
    fraction of all events by contact; in contact order the groups come as they are read and
    the type is checked in the index, before the row is fetched.
    """
    if dialect != "sqlite":
        return EVENTS
    read = text(
        "SELECT contact_id, type, occurred_at, properties "
        "FROM contact_events INDEXED BY ix_contact_events_contact"
    ).columns(
        column("contact_id", Integer),
        column("type", String),
        column("occurred_at", String),
        column("properties", JSON),
    )
    events: FromClause = read.subquery("events")
    return events


def _event_epoch(dialect: str, occurred_at: Expression) -> Expression:
    """Whole seconds since 1970 of ``occurred_at``, truncated as ``arithmetic.epoch_seconds``."""
    if dialect == "sqlite":
        # Stored as "YYYY-MM-DD HH:MM:SS.ffffff" in UTC: the first 19 characters drop the
        # fraction (unixepoch() would round it to the millisecond, then to a second).
        return func.unixepoch(func.substr(occurred_at, 1, 19))
    return func.floor(func.date_part("epoch", occurred_at))


def _property_equals(
    properties: Expression, key: str, expected: Any, dialect: str
) -> ColumnElement[bool]:
    """Compare one event property as ``arithmetic.property_matches`` (segments' SQL readers)."""
    from propulse.segments.sqljson import fold_case, read_flag, read_number, read_text

    if isinstance(expected, bool):
        return read_flag(properties, key) == ("true" if expected else "false")
    if isinstance(expected, int | float):
        return read_number(properties, key) == float(expected)
    test = fold_case(read_text(properties, key)) == arithmetic.fold(str(expected))
    rewritten: ColumnElement[bool] = replacement_traverse(test, {}, _ascii_lower_for(dialect))
    return rewritten


def _event_match(events: FromClause, rule: Rule, dialect: str) -> ColumnElement[bool]:
    clauses = [events.c.type == rule.event_type]
    clauses += [_property_equals(events.c.properties, k, v, dialect) for k, v in rule.where.items()]
    return and_(*clauses)


def _rule_aggregate(events: FromClause, rule: Rule, age: Expression, dialect: str) -> Expression:
    """Σ factor over the rule's matching events, as ``arithmetic.rule_total``."""
    match = _event_match(events, rule, dialect)
    if rule.decay == arithmetic.HALF_LIFE and rule.decay_days:
        # The age is read once per event; an event in the future counts fully (age 0).
        past = func.max(age, 0) if dialect == "sqlite" else func.greatest(age, 0)
        factor = func.power(_float(0.5), past / _float(rule.decay_days * SECONDS_PER_DAY))
        return func.sum(case((match, factor), else_=null()))
    if rule.decay == arithmetic.EXPIRY and rule.decay_days:
        within = age <= rule.decay_days * SECONDS_PER_DAY
        return func.count(case((and_(match, within), 1), else_=null()))
    return func.count(case((match, 1), else_=null()))


def engagement_subquery(session: Session, plan: Plan, *, now: datetime, scope: Scope) -> Subquery:
    """One pass over the events the rules count, grouped by contact: ``e<rule id>``, each
    engagement rule's capped points."""
    dialect = session.get_bind().dialect.name
    events = _events_source(dialect)
    age = literal(arithmetic.epoch_seconds(now), Integer) - _event_epoch(
        dialect, events.c.occurred_at
    )
    columns = []
    for rule in plan.engagement_rules:
        total = func.coalesce(_rule_aggregate(events, rule, age, dialect), 0)
        columns.append(_cap(literal(rule.points) * total, rule.cap).label(f"e{rule.id}"))
    statement = (
        select(events.c.contact_id, *columns)
        .where(events.c.type.in_(sorted(plan.event_types)), *scope.on(events.c.contact_id))
        .group_by(events.c.contact_id)
    )
    return statement.subquery("engagement")


def _cap(value: Expression, cap: int | None) -> Expression:
    """Bound the absolute value, as ``arithmetic.cap_value``."""
    if cap is None:
        return value
    return case((value > cap, literal(cap)), (value < -cap, literal(-cap)), else_=value)


def _add(values: Sequence[Expression]) -> Expression:
    """Add left to right, as ``arithmetic._sum``; nothing adds up to 0."""
    if not values:
        return literal(0)
    total = values[0]
    for value in values[1:]:
        total = total + value
    return total


def _kind_total(units: Sequence[Unit], capped: Callable[[Rule], Expression]) -> Expression:
    """Add the capped rule values by unit, each group under its cap, as ``arithmetic``."""
    values = []
    for unit in units:
        inner = _add([capped(rule) for rule in unit.rules])
        values.append(_cap(inner, unit.cap) if unit.group else inner)
    return _add(values)


def _round(value: Expression) -> Expression:
    """Round half up, as ``arithmetic.round_half_up``."""
    return cast(func.floor(value + _float(0.5)), Integer)


def _ascii_lower_for(dialect: str) -> Callable[..., Any]:
    """Return a rewriter of the segments' A-Z folding into its fast form on PostgreSQL.

    ``lower(x COLLATE "C")`` folds A-Z only, exactly as ``translate(x, 'A..Z', 'a..z')`` does,
    but about 6 times faster on PostgreSQL 15 (translate costs ~10 µs a call; a rescore of a
    million contacts makes millions). Other databases keep the segments' SQL as it is.
    """
    from propulse.segments.sqljson import fold_case

    def rewrite(element: Any, **_options: Any) -> Any:
        if dialect == "postgresql" and isinstance(element, fold_case):
            (folded,) = element.clauses
            return func.lower(folded.collate("C"))
        return None

    return rewrite


def _fit_condition(
    condition: Mapping[str, Any], now: datetime, dialect: str
) -> ColumnElement[bool]:
    from propulse.segments.compiler import compile_condition

    compiled = compile_condition(condition, now=now)
    rewritten: ColumnElement[bool] = replacement_traverse(compiled, {}, _ascii_lower_for(dialect))
    return rewritten


def rule_values(session: Session, plan: Plan, *, now: datetime, scope: Scope) -> Subquery:
    """Select, per contact in scope, its stored figures and each rule's capped points.

    ``f<id>`` for a fit rule, ``e<id>`` for an engagement rule. OFFSET 0 here and in the next
    query keeps both planners from inlining a query into the next one, which would evaluate
    a fit condition once per use of its value instead of once.
    """
    dialect = session.get_bind().dialect.name
    fit_columns: list[Expression] = [
        case(
            (
                _fit_condition(rule.condition, now, dialect),
                literal(arithmetic.cap_value(rule.points, rule.cap)),
            ),
            else_=0,
        ).label(f"f{rule.id}")
        for rule in plan.fit_rules
    ]
    stored: list[Expression] = [
        Contact.id.label("id"),
        Contact.score.label("old_score"),
        Contact.fit_score.label("old_fit"),
        Contact.engagement_score.label("old_engagement"),
        Contact.grade.label("old_grade"),
    ]
    columns = [*stored, *fit_columns]
    source: FromClause = CONTACTS
    if plan.engagement_rules:
        # The events are grouped first (one pass), then joined to the contacts by their id.
        engagement = engagement_subquery(session, plan, now=now, scope=scope)
        source = CONTACTS.outerjoin(engagement, engagement.c.contact_id == Contact.id)
        columns += [
            func.coalesce(engagement.c[f"e{rule.id}"], 0).label(f"e{rule.id}")
            for rule in plan.engagement_rules
        ]
    statement = select(*columns).select_from(source).where(*scope.on(Contact.id))
    return statement.offset(0).subquery("rule_values")


def computed_scores(session: Session, plan: Plan, *, now: datetime, scope: Scope) -> Subquery:
    """Select, per contact in scope, its stored figures and its new rounded fit and engagement."""
    values = rule_values(session, plan, now=now, scope=scope)
    fit = _kind_total(plan.fit, lambda rule: values.c[f"f{rule.id}"])
    engagement = _kind_total(plan.engagement, lambda rule: values.c[f"e{rule.id}"])
    statement = select(
        values.c.id,
        values.c.old_score,
        values.c.old_fit,
        values.c.old_engagement,
        values.c.old_grade,
        _round(fit).label("fit"),
        _round(engagement).label("engagement"),
    )
    return statement.offset(0).subquery("computed")


def _limited(fit: Expression, engagement: Expression, total_limit: int | None) -> Expression:
    if total_limit is None:
        return fit + engagement
    return case((fit + engagement > total_limit, literal(total_limit)), else_=fit + engagement)


def _grade(fit: Expression, engagement: Expression, plan: Plan) -> Expression:
    limits = plan.limits
    letter = case((fit >= limits.fit_grade_a, "A"), (fit >= limits.fit_grade_b, "B"), else_="C")
    digit = case(
        (engagement >= limits.engagement_grade_1, "1"),
        (engagement >= limits.engagement_grade_2, "2"),
        else_="3",
    )
    return letter.concat(digit)


def changes_select(session: Session, plan: Plan, *, now: datetime, scope: Scope) -> Select[Any]:
    """Select the contacts whose fit, engagement, score or grade would change."""
    computed = computed_scores(session, plan, now=now, scope=scope)
    fit, engagement = computed.c.fit, computed.c.engagement
    score = _limited(fit, engagement, plan.limits.total_limit)
    grade = _grade(fit, engagement, plan)
    return select(
        computed.c.id,
        computed.c.old_score,
        fit.label("fit"),
        engagement.label("engagement"),
        score.label("score"),
        grade.label("grade"),
    ).where(
        or_(
            computed.c.old_fit != fit,
            computed.c.old_engagement != engagement,
            computed.c.old_score != score,
            computed.c.old_grade.is_distinct_from(grade),
        )
    )
