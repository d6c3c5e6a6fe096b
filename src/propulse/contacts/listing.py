"""The contacts list: filters, sorts and keyset pages that stay fast at a million contacts.

Pages are cut by key, never by OFFSET. The score sort walks ``ix_contacts_score`` (or
``ix_contacts_country_score`` under a country filter) backwards, and a cursor seeks into that
index with a row-value comparison plus a plain bound on the score: both SQLite and PostgreSQL
turn the bound into an index range, so the page after 100,000 rows costs what the first does.
No list counts its rows: a COUNT(*) over a million contacts is what would make it slow.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, exists, func, or_, select, tuple_
from sqlalchemy.orm import Session

from propulse.contacts.models import Contact
from propulse.kit.errors import InvalidInput
from propulse.kit.i18n import gettext as _
from propulse.kit.pagination import SortKey, check_limit, decode_cursor, encode_cursor
from propulse.segments.models import SegmentMember

SORTS = ("score", "recent", "created")
GRADES = tuple(f"{fit}{engagement}" for fit in "ABC" for engagement in "123")
_LIKE_ESCAPE = "\\"


@dataclass(frozen=True)
class ContactFilters:
    """What the contacts list is narrowed to; None means "any"."""

    country: str | None = None
    lifecycle_stage: str | None = None
    grade: str | None = None
    owner_id: int | None = None
    segment_id: int | None = None
    min_score: int | None = None
    search: str | None = None  # a prefix of the e-mail, the first name, the last name
    company_id: int | None = None


def like_prefix(text: str) -> str:
    """Return a LIKE pattern matching values that start with ``text`` (wildcards escaped)."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return escaped + "%"


def _search_clause(search: str, dialect: str) -> ColumnElement[bool]:
    """Match a case-insensitive prefix of the e-mail, the first, last or full name."""
    text = " ".join(search.lower().split())
    pattern = like_prefix(text)
    # Addresses are stored lower-cased: no lower() needed on the column.
    by_email = Contact.email.like(pattern, escape=_LIKE_ESCAPE)
    if "@" in text:  # no name has an @: test the address only
        if dialect == "sqlite":
            # In byte order (SQLite's BINARY collation) the addresses that start with the text
            # lie in [text, text + U+10FFFF): a range the unique index on e-mails answers.
            # PostgreSQL's collations may ignore punctuation, so there the LIKE stays alone.
            return and_(Contact.email >= text, Contact.email < text + "\U0010ffff", by_email)
        return by_email
    if " " in text:  # "jean dup": the first name then the last name
        full_name = func.lower(Contact.first_name + " " + Contact.last_name)
        return or_(by_email, full_name.like(pattern, escape=_LIKE_ESCAPE))
    return or_(
        by_email,
        func.lower(Contact.first_name).like(pattern, escape=_LIKE_ESCAPE),
        func.lower(Contact.last_name).like(pattern, escape=_LIKE_ESCAPE),
    )


def filter_clauses(filters: ContactFilters, *, dialect: str = "") -> list[ColumnElement[bool]]:
    """Return the WHERE clauses of the filters that are set (``dialect``: the database's)."""
    clauses: list[ColumnElement[bool]] = []
    if filters.country:
        clauses.append(Contact.country == filters.country.upper())
    if filters.lifecycle_stage:
        clauses.append(Contact.lifecycle_stage == filters.lifecycle_stage)
    if filters.grade:
        clauses.append(Contact.grade == filters.grade.upper())
    if filters.owner_id is not None:
        clauses.append(Contact.owner_id == filters.owner_id)
    if filters.company_id is not None:
        clauses.append(Contact.company_id == filters.company_id)
    if filters.min_score is not None:
        clauses.append(Contact.score >= filters.min_score)
    if filters.segment_id is not None:
        member = exists().where(
            SegmentMember.segment_id == filters.segment_id,
            SegmentMember.contact_id == Contact.id,
        )
        clauses.append(member)
    if filters.search and filters.search.strip():
        clauses.append(_search_clause(filters.search, dialect))
    return clauses


def _invalid_cursor() -> InvalidInput:
    return InvalidInput.on_field("cursor", _("This cursor is not valid."))


# The sort columns of each sort, the id last so that every row has its own place.
_KEYS: dict[str, tuple[SortKey, ...]] = {
    "score": (SortKey(Contact.score, descending=True), SortKey(Contact.id, descending=True)),
    "recent": (
        SortKey(Contact.last_activity_at, descending=True),
        SortKey(Contact.id, descending=True),
    ),
    "created": (SortKey(Contact.id, descending=True),),
}
# A cursor starts with the name of its sort, so a cursor of another sort is refused.
_TAG = SortKey(Contact.email)


def _int(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _invalid_cursor()
    return value


def _decode(cursor: str, sort: str) -> list[Any]:
    """Return the sort values a cursor holds, refusing one made for another list or sort."""
    try:
        values = decode_cursor(cursor, [_TAG, *_KEYS[sort]])
    except ValueError as exc:  # should the kit parse a date that is not ISO 8601
        raise _invalid_cursor() from exc
    if values[0] != sort:
        raise _invalid_cursor()
    return values[1:]


def _encode(sort: str, contact: Contact) -> str:
    return encode_cursor([sort, *(getattr(contact, key.column.key) for key in _KEYS[sort])])


def _seek(sort: str, values: Sequence[Any]) -> ColumnElement[bool]:
    """Return the condition "after the row whose sort values are ``values``"."""
    if sort == "created":
        return Contact.id < _int(values[0])
    if sort == "score":
        score, contact_id = _int(values[0]), _int(values[1])
        # The plain bound lets both databases seek the index; the row value breaks the ties.
        return and_(
            Contact.score <= score,
            tuple_(Contact.score, Contact.id) < tuple_(score, contact_id),
        )
    activity, contact_id = values[0], _int(values[1])
    if activity is None:  # already among the contacts with no activity, which come last
        return and_(Contact.last_activity_at.is_(None), Contact.id < contact_id)
    if isinstance(activity, str):
        try:
            activity = datetime.fromisoformat(activity)
        except ValueError as exc:
            raise _invalid_cursor() from exc
    if not isinstance(activity, datetime) or activity.tzinfo is None:
        raise _invalid_cursor()
    return or_(
        Contact.last_activity_at < activity,
        and_(Contact.last_activity_at == activity, Contact.id < contact_id),
        Contact.last_activity_at.is_(None),
    )


def _order(sort: str, *, searching: bool = False) -> list[Any]:
    if sort == "recent":
        # NULLS LAST spelled out: PostgreSQL puts them first in a descending order.
        return [Contact.last_activity_at.desc().nulls_last(), Contact.id.desc()]
    if sort == "score" and searching:
        # Walking the score index row by row until 50 match takes seconds at a million
        # contacts for a rare name; "+ 0" hides the index so the database reads the table in
        # one sweep and sorts the few matches: under a second whatever the search.
        return [(Contact.score + 0).desc(), Contact.id.desc()]
    return [key.column.desc() for key in _KEYS[sort]]


def contacts_query(filters: ContactFilters, *, dialect: str = "") -> Select[Contact]:
    """Return the statement of the contacts matching ``filters``, unsorted and uncut."""
    return select(Contact).where(*filter_clauses(filters, dialect=dialect))


def list_contacts(
    session: Session,
    *,
    filters: ContactFilters,
    sort: str = "score",
    cursor: str | None = None,
    limit: int = 50,
) -> tuple[list[Contact], str | None]:
    """Return one page of contacts and the cursor of the next page (None on the last)."""
    if sort not in SORTS:
        raise InvalidInput.on_field(
            "sort", _("Sort by one of: %(choices)s.", choices=", ".join(SORTS))
        )
    size = check_limit(limit)
    statement = contacts_query(filters, dialect=session.get_bind().dialect.name)
    if cursor:
        statement = statement.where(_seek(sort, _decode(cursor, sort)))
    searching = bool(filters.search and filters.search.strip())
    statement = statement.order_by(*_order(sort, searching=searching)).limit(size + 1)
    rows = list(session.scalars(statement))
    if len(rows) <= size:
        return rows, None
    rows = rows[:size]
    return rows, _encode(sort, rows[-1])


def contact_counts(session: Session, *, company_ids: Sequence[int]) -> dict[int, int]:
    """Return how many contacts work for each of these companies (one grouped query)."""
    if not company_ids:
        return {}
    statement = (
        select(Contact.company_id, func.count())
        .where(Contact.company_id.in_(company_ids))
        .group_by(Contact.company_id)
    )
    rows = session.execute(statement)
    return {int(company_id or 0): int(count) for company_id, count in rows}
