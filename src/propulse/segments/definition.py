"""Read a segment's condition JSON into typed nodes, refusing a bad node with its path.

The format is documented in docs/segments.md. ``parse_condition`` needs no database; the
session-aware ``check_definition`` adds what only the database knows (custom fields, other
segments and cycles between them).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from propulse.contacts.models import ConsentBasis
from propulse.kit.errors import FieldProblem, InvalidInput
from propulse.kit.i18n import gettext as _
from propulse.segments.fields import (
    BUILT_IN_FIELDS,
    CUSTOM_PREFIX,
    DAY_COUNT_OPERATORS,
    DECAYING_FIELDS,
    EMPTINESS,
    custom_key,
    is_custom,
)
from propulse.segments.nodes import (
    Condition,
    ConsentTest,
    EventTest,
    FieldTest,
    Group,
    MembershipTest,
    Not,
    Scalar,
    walk,
)
from propulse.segments.values import (
    DefinitionError,
    custom_kind,
    field_value,
    join,
    parse_days,
    where_value,
)

MAX_DEPTH = 5
MAX_NODES = 100
MAX_COUNT = 10_000
EVENT_TYPE = re.compile(r"^[a-z][a-z0-9_]{1,39}$")
# Keys end up in JSON paths ('$."key"'): nothing that could close the quotes.
PROPERTY_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_-]{0,63}$")
CUSTOM_KEY = re.compile(r"^[a-z][a-z0-9_]{1,39}$")

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

# The nodes are re-exported: other domains (scoring's fit rules) read them from here.
__all__ = [
    "Condition",
    "ConsentTest",
    "EventTest",
    "FieldTest",
    "Group",
    "MembershipTest",
    "Not",
    "as_condition",
    "check_definition",
    "is_time_dependent",
    "parse_condition",
    "referenced_segments",
    "walk",
]


def invalid(path: str, message: str) -> InvalidInput:
    """Return the error the edges render for a bad definition (one message naming the path)."""
    text = f"{path}: {message}" if path else message
    return InvalidInput(text, [FieldProblem("definition", text)])


class _Reader:
    """One pass over the raw JSON, counting nodes."""

    def __init__(self) -> None:
        self.nodes = 0

    def read(self, raw: Any, path: str, depth: int) -> Condition:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise DefinitionError(
                path, _("a definition may hold at most %(n)s conditions", n=MAX_NODES)
            )
        if not isinstance(raw, Mapping):
            raise DefinitionError(
                path, _('a condition is expected: an object such as {"field": ...}')
            )
        kinds = [
            key
            for key in ("all", "any", "not", "field", "event", "consent", "segment")
            if key in raw
        ]
        if len(kinds) != 1:
            raise DefinitionError(
                path,
                _("say what to test with one of: all, any, not, field, event, consent, segment"),
            )
        kind = kinds[0]
        if kind in ("all", "any", "not"):
            if depth >= MAX_DEPTH:
                raise DefinitionError(
                    path, _("groups may be nested at most %(n)s levels deep", n=MAX_DEPTH)
                )
            self._only(raw, {kind}, path)
            if kind == "not":
                return Not(self.read(raw["not"], join(path, "not"), depth + 1), path=path)
            children = raw[kind]
            if not isinstance(children, list):
                raise DefinitionError(join(path, kind), _("a list of conditions is expected"))
            return Group(
                kind,
                tuple(
                    self.read(child, join(path, f"{kind}[{index}]"), depth + 1)
                    for index, child in enumerate(children)
                ),
                path=path,
            )
        if kind == "field":
            return self.field_test(raw, path)
        if kind == "event":
            return self.event_test(raw, path)
        if kind == "consent":
            return self.consent_test(raw, path)
        return self.membership_test(raw, path)

    @staticmethod
    def _only(raw: Mapping[str, Any], allowed: set[str], path: str) -> None:
        for key in raw:
            if key not in allowed:
                raise DefinitionError(join(path, str(key)), _('unknown key "%(key)s"', key=key))

    def field_test(self, raw: Mapping[str, Any], path: str) -> FieldTest:
        self._only(raw, {"field", "op", "value"}, path)
        name = raw["field"]
        field_path = join(path, "field")
        if not isinstance(name, str):
            raise DefinitionError(field_path, _("a field name is expected"))
        op = raw.get("op")
        op_path = join(path, "op")
        if not isinstance(op, str):
            raise DefinitionError(op_path, _("an operator is expected, e.g. eq"))
        value_path = join(path, "value")
        if is_custom(name):
            if not CUSTOM_KEY.match(custom_key(name)):
                raise DefinitionError(
                    field_path, _('"%(name)s" is not a custom field key', name=name)
                )
            kind = custom_kind(op, raw.get("value"), op_path)
        else:
            spec = BUILT_IN_FIELDS.get(name)
            if spec is None:
                raise DefinitionError(field_path, _('unknown field "%(name)s"', name=name))
            if op not in spec.operators:
                raise DefinitionError(
                    op_path,
                    _(
                        '"%(op)s" does not apply to %(field)s (use one of: %(ops)s)',
                        op=op,
                        field=name,
                        ops=", ".join(spec.operators),
                    ),
                )
            kind = spec.kind
        if op in EMPTINESS:
            if raw.get("value") is not None:
                raise DefinitionError(value_path, _('"%(op)s" takes no value', op=op))
            return FieldTest(name, op, None, kind, path=path)
        if "value" not in raw:
            raise DefinitionError(value_path, _("a value is expected"))
        value = field_value(name, kind, op, raw["value"], value_path)
        return FieldTest(name, op, value, kind, path=path)

    def event_test(self, raw: Mapping[str, Any], path: str) -> EventTest:
        self._only(raw, {"event", "within_days", "min_count", "where"}, path)
        event_type = raw["event"]
        if not isinstance(event_type, str) or not EVENT_TYPE.match(event_type):
            raise DefinitionError(
                join(path, "event"),
                _("an event type is expected, e.g. email_clicked (lowercase letters, digits, _)"),
            )
        within = raw.get("within_days")
        if within is not None:
            within = parse_days(within, join(path, "within_days"))
        count = raw.get("min_count", 1)
        if not isinstance(count, int) or isinstance(count, bool) or not 1 <= count <= MAX_COUNT:
            raise DefinitionError(
                join(path, "min_count"),
                _("a whole number from 1 to %(max)s is expected", max=MAX_COUNT),
            )
        where = raw.get("where") or {}
        where_path = join(path, "where")
        if not isinstance(where, Mapping):
            raise DefinitionError(where_path, _("an object of property: value pairs is expected"))
        pairs: list[tuple[str, Scalar]] = []
        for name, value in where.items():
            if not isinstance(name, str) or not PROPERTY_NAME.match(name):
                raise DefinitionError(
                    where_path, _('"%(name)s" is not a valid property name', name=name)
                )
            pairs.append((name, where_value(value, join(where_path, name))))
        return EventTest(event_type, within, count, tuple(sorted(pairs)), path=path)

    def consent_test(self, raw: Mapping[str, Any], path: str) -> ConsentTest:
        self._only(raw, {"consent", "in"}, path)
        if raw["consent"] != "email":
            raise DefinitionError(join(path, "consent"), _('only the "email" channel is known'))
        bases = raw.get("in")
        in_path = join(path, "in")
        if not isinstance(bases, list) or not bases:
            raise DefinitionError(in_path, _("a list of consent bases is expected"))
        known = [basis.value for basis in ConsentBasis]
        for index, basis in enumerate(bases):
            if basis not in known:
                raise DefinitionError(
                    join(in_path, f"[{index}]"),
                    _(
                        '"%(value)s" is not a consent basis (one of: %(choices)s)',
                        value=basis,
                        choices=", ".join(known),
                    ),
                )
        return ConsentTest(tuple(dict.fromkeys(bases)), path=path)

    def membership_test(self, raw: Mapping[str, Any], path: str) -> MembershipTest:
        self._only(raw, {"segment", "member"}, path)
        segment_id = raw["segment"]
        if not isinstance(segment_id, int) or isinstance(segment_id, bool) or segment_id < 1:
            raise DefinitionError(join(path, "segment"), _("a segment id is expected"))
        member = raw.get("member", True)
        if not isinstance(member, bool):
            raise DefinitionError(join(path, "member"), _("true or false is expected"))
        return MembershipTest(segment_id, member, path=path)


def parse_condition(raw: Any) -> Condition:
    """Return the typed condition, or raise InvalidInput naming the path of the bad node."""
    try:
        return _Reader().read(raw, "", 0)
    except DefinitionError as error:
        raise invalid(error.path, error.detail) from None


def as_condition(condition: Condition | Mapping[str, Any]) -> Condition:
    """Accept a parsed condition or its JSON."""
    if isinstance(condition, Mapping):
        return parse_condition(condition)
    return condition


def is_time_dependent(condition: Condition | Mapping[str, Any]) -> bool:
    """Tell whether time alone can change the answer (a window in days, a decaying score)."""
    for node in walk(as_condition(condition)):
        if isinstance(node, EventTest) and node.within_days is not None:
            return True
        if isinstance(node, FieldTest) and (
            node.op in DAY_COUNT_OPERATORS or node.field in DECAYING_FIELDS
        ):
            return True
    return False


def referenced_segments(condition: Condition | Mapping[str, Any]) -> set[int]:
    """Return the ids of the segments whose membership the condition tests."""
    return {
        node.segment_id
        for node in walk(as_condition(condition))
        if isinstance(node, MembershipTest)
    }


def event_types(condition: Condition) -> set[str]:
    return {node.type for node in walk(condition) if isinstance(node, EventTest)}


def custom_fields(condition: Condition) -> set[str]:
    return {
        custom_key(node.field)
        for node in walk(condition)
        if isinstance(node, FieldTest) and node.field.startswith(CUSTOM_PREFIX)
    }


def check_definition(session: Session, raw: Any, *, segment_id: int | None = None) -> Condition:
    """Parse a definition and check it against the database (custom fields, other segments).

    ``segment_id`` is the segment being edited: a definition may not lead back to it.
    """
    from propulse.segments.checks import check_against_database

    condition = parse_condition(raw)
    check_against_database(session, condition, segment_id=segment_id)
    return condition
