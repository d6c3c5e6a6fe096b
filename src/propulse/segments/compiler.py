"""Compile a condition into a WHERE clause over contacts (nobody types SQL).

Every test compiles to a clause that is never NULL: a missing value makes a test false, and
``not`` turns that false into true, exactly as the Python evaluator does. Events are EXISTS
(or a correlated COUNT for ``min_count`` > 1) on the index (contact_id, type, occurred_at);
membership of another segment is EXISTS on segment_members.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Float, and_, false, func, literal, not_, or_, select, true
from sqlalchemy.orm import InstrumentedAttribute

from propulse.contacts.models import Company, Contact, ContactEvent
from propulse.segments.definition import (
    Condition,
    ConsentTest,
    EventTest,
    FieldTest,
    Group,
    MembershipTest,
    Not,
    as_condition,
)
from propulse.segments.fields import (
    BUILT_IN_FIELDS,
    Kind,
    custom_key,
    day_start,
    fold,
    is_custom,
)
from propulse.segments.models import SegmentMember
from propulse.segments.sqljson import fold_case, read_flag, read_kind, read_number, read_text


def compile_condition(
    condition: Condition | Mapping[str, Any], *, now: datetime
) -> ColumnElement[bool]:
    """Return the WHERE clause selecting the contacts for which ``condition`` holds at ``now``.

    Every subquery is correlated to the contact and runs on an index (events, memberships):
    the cost grows with the number of contacts tested, whatever plan the database picks.
    """
    return _compile(as_condition(condition), now)


def _compile(node: Condition, now: datetime) -> ColumnElement[bool]:
    if isinstance(node, Group):
        children = [_compile(child, now) for child in node.children]
        if node.kind == "all":
            return and_(*children) if children else true()
        return or_(*children) if children else false()
    if isinstance(node, Not):
        return not_(_compile(node.child, now))
    if isinstance(node, FieldTest):
        return _field(node, now)
    if isinstance(node, EventTest):
        return _event(node, now)
    if isinstance(node, ConsentTest):
        return and_(Contact.email_consent.is_not(None), Contact.email_consent.in_(node.bases))
    if isinstance(node, MembershipTest):
        found = (
            select(literal(1))
            .select_from(SegmentMember)
            .where(SegmentMember.segment_id == node.segment_id)
            .where(SegmentMember.contact_id == Contact.id)
            .exists()
        )
        return found if node.member else not_(found)
    raise TypeError(f"not a condition: {node!r}")  # pragma: no cover - parse refuses it


def _field(node: FieldTest, now: datetime) -> ColumnElement[bool]:
    if is_custom(node.field):
        return _custom(node, now)
    spec = BUILT_IN_FIELDS[node.field]
    if node.field == "company":
        # EXISTS lets the database join companies once instead of a lookup per contact.
        if node.op == "is_empty":
            named = _compare(Company.name, _with_op(node, "is_not_empty"), now)
            return not_(_company_exists(named))
        return _company_exists(_compare(Company.name, node, now))
    column = getattr(Contact, node.field)
    return _compare(
        column,
        node,
        now,
        can_be_missing=spec.can_be_missing,
        normalise=spec.normalise,
    )


def _with_op(node: FieldTest, op: str) -> FieldTest:
    return FieldTest(node.field, op, None, node.kind, path=node.path)


def _company_exists(name_test: ColumnElement[bool]) -> ColumnElement[bool]:
    return (
        select(literal(1))
        .select_from(Company)
        .where(Company.id == Contact.company_id)
        .where(name_test)
        .exists()
    )


def _custom(node: FieldTest, now: datetime) -> ColumnElement[bool]:
    key = custom_key(node.field)
    if node.op in ("is_empty", "is_not_empty"):
        kind = read_kind(Contact.custom, key)
        text = read_text(Contact.custom, key)
        empty = or_(kind.is_(None), kind == "null", and_(text.is_not(None), text == ""))
        return empty if node.op == "is_empty" else not_(empty)
    if node.kind == Kind.number:
        return _compare(read_number(Contact.custom, key), node, now)
    return _compare(read_text(Contact.custom, key), node, now)


Expression = ColumnElement[Any] | InstrumentedAttribute[Any]


def _clause(expression: Any) -> ColumnElement[bool]:
    """Type a comparison: SQLAlchemy's operators are typed loosely."""
    clause: ColumnElement[bool] = expression
    return clause


def _compare(
    value: Expression,
    node: FieldTest,
    now: datetime,
    *,
    can_be_missing: bool = True,
    normalise: Any = None,
) -> ColumnElement[bool]:
    """Compare a value expression as the node says; missing values make every test false."""
    kind, op, wanted = node.kind, node.op, node.value
    textual = kind in (Kind.text, Kind.choice, Kind.day)
    if not can_be_missing:
        present: ColumnElement[bool] = true()
    elif textual:
        present = and_(value.is_not(None), value != "")
    else:
        present = value.is_not(None)
    if op == "is_empty":
        return not_(present)
    if op == "is_not_empty":
        return present
    if kind == Kind.moment:
        test = _moment(value, op, wanted, now)
    elif kind == Kind.day and isinstance(wanted, date | tuple | int):
        test = _day(value, op, wanted, now)
    elif textual:
        test = _text(value, op, wanted, normalise)
    else:
        test = _plain(value, op, wanted)
    return test if not can_be_missing else and_(present, test)


def _text(value: Expression, op: str, wanted: Any, normalise: Any) -> ColumnElement[bool]:
    if op in ("eq", "ne", "in", "not_in"):
        if normalise is not None:
            target: Expression = value
            converted = [normalise(item) for item in _listed(wanted)]
        else:
            target = fold_case(value)
            converted = [fold(item) for item in _listed(wanted)]
        if op == "eq":
            return _clause(target == converted[0])
        if op == "ne":
            return _clause(target != converted[0])
        return target.in_(converted) if op == "in" else target.not_in(converted)
    folded = fold_case(value)
    needle = fold(str(wanted))
    if op == "contains":
        return folded.contains(needle, autoescape=True)
    if op == "not_contains":
        return not_(folded.contains(needle, autoescape=True))
    if op == "starts_with":
        return folded.startswith(needle, autoescape=True)
    raise ValueError(op)  # pragma: no cover


def _listed(wanted: Any) -> list[Any]:
    return list(wanted) if isinstance(wanted, tuple) else [wanted]


def _bindable(wanted: Any) -> Any:
    """Bind a fractional number as a float: an INTEGER column's type would round it."""
    if isinstance(wanted, tuple):
        return tuple(_bindable(item) for item in wanted)
    if isinstance(wanted, float):
        return int(wanted) if wanted.is_integer() else literal(wanted, Float())
    return wanted


def _plain(value: Expression, op: str, wanted: Any) -> ColumnElement[bool]:
    """Numbers, ids and flags."""
    wanted = _bindable(wanted)
    if op == "eq":
        return _clause(value == wanted)
    if op == "ne":
        return _clause(value != wanted)
    if op == "in":
        return value.in_(list(wanted))
    if op == "not_in":
        return value.not_in(list(wanted))
    if op == "gt":
        return _clause(value > wanted)
    if op == "gte":
        return _clause(value >= wanted)
    if op == "lt":
        return _clause(value < wanted)
    if op == "lte":
        return _clause(value <= wanted)
    if op == "between":
        return and_(value >= wanted[0], value <= wanted[1])
    raise ValueError(op)  # pragma: no cover


def _moment(value: Expression, op: str, wanted: Any, now: datetime) -> ColumnElement[bool]:
    """A stored date and time against whole days (UTC) or a number of days before ``now``."""
    if op == "within_days":
        return value >= now - timedelta(days=wanted)
    if op == "before_days":
        return value < now - timedelta(days=wanted)
    if op == "between":
        return and_(value >= day_start(wanted[0]), value < day_start(wanted[1] + timedelta(days=1)))
    start, end = day_start(wanted), day_start(wanted + timedelta(days=1))
    if op == "eq":
        return and_(value >= start, value < end)
    if op == "gt":
        return value >= end
    if op == "gte":
        return value >= start
    if op == "lt":
        return value < start
    if op == "lte":
        return value < end
    raise ValueError(op)  # pragma: no cover


def _day(value: Expression, op: str, wanted: Any, now: datetime) -> ColumnElement[bool]:
    """A custom date stored as "YYYY-MM-DD": ISO days compare as text."""
    if op == "within_days":
        return value >= (now - timedelta(days=wanted)).date().isoformat()
    if op == "before_days":
        return value < (now - timedelta(days=wanted)).date().isoformat()
    if op == "between":
        return and_(value >= wanted[0].isoformat(), value <= wanted[1].isoformat())
    return _plain(value, op, wanted.isoformat())


def _event(node: EventTest, now: datetime) -> ColumnElement[bool]:
    tests: list[ColumnElement[bool]] = [
        ContactEvent.contact_id == Contact.id,
        ContactEvent.type == node.type,
    ]
    if node.within_days is not None:
        tests.append(ContactEvent.occurred_at >= now - timedelta(days=node.within_days))
    for name, wanted in node.where:
        if isinstance(wanted, bool):
            tests.append(
                read_flag(ContactEvent.properties, name) == ("true" if wanted else "false")
            )
        elif isinstance(wanted, int | float):
            tests.append(read_number(ContactEvent.properties, name) == wanted)
        else:
            tests.append(fold_case(read_text(ContactEvent.properties, name)) == fold(wanted))
    if node.min_count == 1:
        return select(literal(1)).select_from(ContactEvent).where(*tests).exists()
    counted = select(func.count()).select_from(ContactEvent).where(*tests).scalar_subquery()
    return counted >= node.min_count
