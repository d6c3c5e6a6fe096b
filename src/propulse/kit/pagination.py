"""The one cursor-pagination convention: ``{"items": [...], "next_cursor": str | null}``.

Pages are cut by key (the sort columns, ending with the id), never by OFFSET, so the
thousandth page costs what the first does.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from pydantic import BaseModel
from sqlalchemy import ColumnElement, Select, and_, or_
from sqlalchemy.orm import InstrumentedAttribute, Session

from propulse.kit.errors import InvalidInput
from propulse.kit.i18n import gettext as _

DEFAULT_LIMIT = 50
MAX_LIMIT = 500

ItemT = TypeVar("ItemT")


class Page(BaseModel, Generic[ItemT]):
    """A page of a listing, as every list of the API returns it."""

    items: list[ItemT]
    next_cursor: str | None


@dataclass(frozen=True)
class SortKey:
    """A column of the sort order; the last key must be unique (the id)."""

    column: InstrumentedAttribute[Any]
    descending: bool = False


def encode_cursor(values: Sequence[Any]) -> str:
    plain = [v.isoformat() if isinstance(v, datetime) else v for v in values]
    return base64.urlsafe_b64encode(json.dumps(plain).encode()).decode().rstrip("=")


def decode_cursor(cursor: str, keys: Sequence[SortKey]) -> list[Any]:
    """Decode a cursor, refusing one that was not made for this listing."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise InvalidInput.on_field("cursor", _("This cursor is not valid.")) from exc
    if not isinstance(values, list) or len(values) != len(keys):
        raise InvalidInput.on_field("cursor", _("This cursor is not valid."))
    decoded: list[Any] = []
    for key, value in zip(keys, values, strict=True):
        python_type = key.column.type.python_type
        if python_type is datetime and isinstance(value, str):
            value = datetime.fromisoformat(value)
        decoded.append(value)
    return decoded


def _after(keys: Sequence[SortKey], values: Sequence[Any]) -> ColumnElement[bool]:
    """Build (a, b, c) > (x, y, z) column by column, honouring each key's direction."""
    clauses = []
    for index, key in enumerate(keys):
        equal_before = [keys[i].column == values[i] for i in range(index)]
        beyond = key.column < values[index] if key.descending else key.column > values[index]
        clauses.append(and_(*equal_before, beyond))
    return or_(*clauses)


def check_limit(limit: int | None) -> int:
    if limit is None:
        return DEFAULT_LIMIT
    if limit < 1 or limit > MAX_LIMIT:
        raise InvalidInput.on_field(
            "limit", _("The limit must be between 1 and %(max)s.", max=MAX_LIMIT)
        )
    return limit


def paginate(
    session: Session,
    statement: Select[Any],
    *,
    keys: Sequence[SortKey],
    cursor: str | None,
    limit: int | None,
) -> tuple[list[Any], str | None]:
    """Return one page of ORM objects from ``statement`` and the cursor of the next one."""
    size = check_limit(limit)
    if cursor:
        statement = statement.where(_after(keys, decode_cursor(cursor, keys)))
    order = [key.column.desc() if key.descending else key.column.asc() for key in keys]
    rows = list(session.scalars(statement.order_by(*order).limit(size + 1)))
    next_cursor = None
    if len(rows) > size:
        rows = rows[:size]
        last = rows[-1]
        next_cursor = encode_cursor([getattr(last, key.column.key) for key in keys])
    return rows, next_cursor
