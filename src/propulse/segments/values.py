"""Read the values of field tests and event properties, refusing a bad one with its path."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from propulse.kit.i18n import gettext as _
from propulse.segments.fields import (
    BUILT_IN_FIELDS,
    DAY_COUNT_OPERATORS,
    EMPTINESS,
    LIST_OPERATORS,
    OPERATORS,
    TEXT_MATCH_OPERATORS,
    Kind,
)
from propulse.segments.nodes import Scalar

MAX_DAYS = 36_500
MAX_LIST = 500
ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class DefinitionError(Exception):
    """A bad node: where it is and what is wrong, already in the user's language."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}" if path else message)
        self.path = path
        self.detail = message


def join(path: str, part: str) -> str:
    """Return the path of a part of a node: ``all[2]`` + ``value`` is ``all[2].value``."""
    if part.startswith("["):
        return path + part
    return f"{path}.{part}" if path else part


def is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and value == value


def parse_day(value: Any, path: str) -> date:
    if isinstance(value, str) and ISO_DAY.match(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise DefinitionError(path, _("a date as YYYY-MM-DD is expected"))


def parse_text(value: Any, path: str) -> str:
    if not isinstance(value, str):
        raise DefinitionError(path, _("a text is expected"))
    if not value.strip():
        raise DefinitionError(path, _('the text is empty: use "is_empty" to find missing values'))
    return value.strip()


def parse_days(value: Any, path: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= MAX_DAYS:
        raise DefinitionError(
            path, _("a whole number of days from 1 to %(max)s is expected", max=MAX_DAYS)
        )
    return value


def custom_kind(op: str, value: Any, op_path: str) -> Kind:
    """Tell how a custom field compares from its operator and value (its definition says later)."""
    if op in DAY_COUNT_OPERATORS:
        return Kind.day
    if op in TEXT_MATCH_OPERATORS:
        return Kind.text
    if op in EMPTINESS:
        return Kind.text
    if op not in OPERATORS[Kind.number] and op not in OPERATORS[Kind.day]:
        raise DefinitionError(op_path, _('unknown operator "%(op)s"', op=op))
    sample = value[0] if isinstance(value, list) and value else value
    if is_number(sample):
        return Kind.number
    if op in ("gt", "gte", "lt", "lte", "between"):
        return Kind.day
    return Kind.text


def field_value(name: str, kind: Kind, op: str, raw: Any, path: str) -> Any:
    if op in DAY_COUNT_OPERATORS:
        return parse_days(raw, path)
    if op in LIST_OPERATORS:
        if not isinstance(raw, list):
            raise DefinitionError(path, _('a list is expected for "%(op)s"', op=op))
        if not raw or len(raw) > MAX_LIST:
            raise DefinitionError(
                path, _("a list of 1 to %(max)s values is expected", max=MAX_LIST)
            )
        values = [
            single(name, kind, item, join(path, f"[{index}]")) for index, item in enumerate(raw)
        ]
        return tuple(dict.fromkeys(values))
    if op == "between":
        if not isinstance(raw, list) or len(raw) != 2:
            raise DefinitionError(path, _('a list [low, high] is expected for "between"'))
        low = single(name, kind, raw[0], join(path, "[0]"))
        high = single(name, kind, raw[1], join(path, "[1]"))
        if low > high:
            raise DefinitionError(
                path, _('the first value of "between" must not be greater than the second')
            )
        return (low, high)
    return single(name, kind, raw, path)


def single(name: str, kind: Kind, raw: Any, path: str) -> Any:
    if kind == Kind.number:
        if not is_number(raw) or abs(raw) > 1e15:
            raise DefinitionError(path, _("a number is expected"))
        return raw
    if kind == Kind.reference:
        if not isinstance(raw, int) or isinstance(raw, bool):
            raise DefinitionError(path, _("an id is expected"))
        return raw
    if kind in (Kind.moment, Kind.day):
        return parse_day(raw, path)
    if kind == Kind.flag:
        if not isinstance(raw, bool):
            raise DefinitionError(path, _("true or false is expected"))
        return raw
    text = parse_text(raw, path)
    spec = BUILT_IN_FIELDS.get(name)
    if kind == Kind.choice and spec is not None and spec.choices:
        wanted = spec.normalise(text) if spec.normalise else text
        if wanted not in spec.choices:
            raise DefinitionError(
                path,
                _(
                    '"%(value)s" is not one of: %(choices)s',
                    value=text,
                    choices=", ".join(spec.choices),
                ),
            )
    return text


def where_value(value: Any, path: str) -> Scalar:
    if isinstance(value, bool) or is_number(value):
        return value  # type: ignore[no-any-return]
    if isinstance(value, str):
        return parse_text(value, path)
    raise DefinitionError(path, _("a text, a number, true or false is expected"))
