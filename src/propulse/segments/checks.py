"""What only the database can tell about a definition: its custom fields and other segments."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from propulse.contacts import fields as contact_fields
from propulse.contacts.models import CustomField, FieldKind
from propulse.kit.i18n import gettext as _
from propulse.segments.definition import (
    Condition,
    FieldTest,
    MembershipTest,
    custom_fields,
    invalid,
    walk,
)
from propulse.segments.fields import CUSTOM_KINDS, EMPTINESS, OPERATORS, Kind, custom_key
from propulse.segments.models import Segment
from propulse.segments.order import path_back
from propulse.segments.plan import graph_of
from propulse.segments.values import ISO_DAY


def _join(path: str, part: str) -> str:
    return f"{path}.{part}" if path else part


def _check_custom(node: FieldTest, definition: CustomField) -> None:
    kind = CUSTOM_KINDS[FieldKind(definition.kind)]
    allowed = OPERATORS[kind]
    if node.op not in allowed:
        raise invalid(
            _join(node.path, "op"),
            _(
                '"%(op)s" does not apply to %(field)s (use one of: %(ops)s)',
                op=node.op,
                field=node.field,
                ops=", ".join(allowed),
            ),
        )
    if node.op in EMPTINESS:
        return
    value_path = _join(node.path, "value")
    values = node.value if isinstance(node.value, tuple) else (node.value,)
    if kind == Kind.number and node.kind != Kind.number:
        raise invalid(value_path, _("a number is expected"))
    if kind == Kind.day:
        day_valued = node.kind == Kind.day or (
            node.kind == Kind.text and all(ISO_DAY.match(str(value)) for value in values)
        )
        if not day_valued:
            raise invalid(value_path, _("a date as YYYY-MM-DD is expected"))
    if kind in (Kind.text, Kind.choice) and node.kind != Kind.text:
        raise invalid(value_path, _("a text is expected"))
    if kind == Kind.choice:
        choices = {choice.casefold() for choice in definition.choices}
        for value in values:
            if str(value).casefold() not in choices:
                raise invalid(
                    value_path,
                    _(
                        '"%(value)s" is not one of: %(choices)s',
                        value=value,
                        choices=", ".join(definition.choices),
                    ),
                )


def check_against_database(
    session: Session, condition: Condition, *, segment_id: int | None = None
) -> None:
    """Refuse unknown custom fields, values that do not fit them, and bad segment references."""
    if custom_fields(condition):
        definitions = contact_fields.definitions_by_key(session)
        for node in walk(condition):
            if isinstance(node, FieldTest) and node.field.startswith("custom."):
                definition = definitions.get(custom_key(node.field))
                if definition is None:
                    raise invalid(
                        _join(node.path, "field"),
                        _('there is no custom field "%(key)s"', key=custom_key(node.field)),
                    )
                _check_custom(node, definition)
    tests = [node for node in walk(condition) if isinstance(node, MembershipTest)]
    if not tests:
        return
    rows = session.execute(select(Segment.id, Segment.name, Segment.definition)).all()
    names = {row.id: row.name for row in rows}
    for node in tests:
        where = _join(node.path, "segment")
        if node.segment_id == segment_id:
            raise invalid(where, _("a segment cannot depend on itself"))
        if node.segment_id not in names:
            raise invalid(where, _("segment %(id)s does not exist", id=node.segment_id))
    if segment_id is None:
        return  # a new segment: nothing can depend on it yet
    graph = graph_of({row.id: row.definition for row in rows if row.id != segment_id})
    for node in tests:
        chain = path_back(graph, start=[node.segment_id], target=segment_id)
        if chain is not None:
            raise invalid(
                _join(node.path, "segment"),
                _(
                    "segment %(name)s depends on this one (through: %(chain)s): "
                    "a segment cannot depend on itself",
                    name=names[node.segment_id],
                    chain=" → ".join(names.get(step, str(step)) for step in chain),
                ),
            )
