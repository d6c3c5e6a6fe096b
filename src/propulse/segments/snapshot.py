"""A few contacts as scoring and segments read them, loaded once for both (the event path).

One new event used to load the contact and its events twice, once for its score and once for
its segments. Now the first subscriber loads a snapshot (one statement over two indexes: the
contacts with their fields and memberships, and their events of the types either side tests)
and hands it over to the second through the memo that ``contacts.events`` keeps while it
publishes. Scoring updates the snapshot's scores (and the new last_activity_at and mql_at it
writes with them), so segments testing them see the new values; an MQL action that changes
the contact (its stage, a list) drops the snapshot instead.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import CompoundSelect, bindparam, cast, literal, null, select, union_all
from sqlalchemy.orm import Session

from propulse.contacts.events import memo
from propulse.contacts.hooks import ContactChange
from propulse.contacts.models import Company, Contact, ContactEvent
from propulse.segments.fields import BUILT_IN_FIELDS
from propulse.segments.models import SegmentMember
from propulse.segments.sqljson import id_list

_MEMO_KEY = "snapshot"
# What scoring reads beside the fields a condition may test.
_STORED = ("id", "mql_at")
_NAMES = [*_STORED, *(name for name in BUILT_IN_FIELDS if name not in (*_STORED, "company"))]

_SEGMENT_IDS = (
    select(id_list(SegmentMember.segment_id))
    .where(SegmentMember.contact_id == Contact.id)
    .scalar_subquery()
    .label("segment_ids")
)
_CONTACT_COLUMNS = [
    *(getattr(Contact, name) for name in _NAMES),
    Contact.custom,
    Company.name.label("company"),
    _SEGMENT_IDS,
]
_EVENT_COLUMNS = [ContactEvent.type, ContactEvent.occurred_at, ContactEvent.properties]
# The contacts and their events in one statement (one round trip less on the event path):
# rows of part 0 are contacts, with empty event columns; rows of part 1 are events, with the
# contact's id in ``id`` and empty contact columns. Built once, ids and types bound when run.
SNAPSHOT_QUERY: CompoundSelect[Any] = union_all(
    select(
        literal(0).label("part"),
        *_CONTACT_COLUMNS,
        *(cast(null(), column.type).label(f"event_{column.key}") for column in _EVENT_COLUMNS),
    )
    .outerjoin(Company, Company.id == Contact.company_id)
    .where(Contact.id.in_(bindparam("ids", expanding=True))),
    select(
        literal(1),
        ContactEvent.contact_id,
        *(null() for _column in _CONTACT_COLUMNS[1:]),
        *_EVENT_COLUMNS,
    ).where(
        ContactEvent.contact_id.in_(bindparam("ids", expanding=True)),
        ContactEvent.type.in_(bindparam("types", expanding=True)),
    ),
)
_CONTACT_KEYS = [str(column.key) for column in SNAPSHOT_QUERY.selected_columns][1:-3]


@dataclass
class Snapshot:
    """Contacts by id (fields by name, ``custom``, ``company``, ``segment_ids`` as a set) and
    their events of ``types`` (dicts of ``type``, ``occurred_at``, ``properties``)."""

    contacts: dict[int, dict[str, Any]]
    events: dict[int, list[dict[str, Any]]]
    types: frozenset[str]
    change: ContactChange | None = field(default=None, compare=False)

    def covers(self, contact_ids: Collection[int], types: Collection[str]) -> bool:
        """Tell whether it holds these contacts (those that exist) and events of these types."""
        return set(contact_ids) <= set(self.contacts) and self.types.issuperset(types)


def load(session: Session, contact_ids: Sequence[int], types: Collection[str]) -> Snapshot:
    """Read these contacts and their events of these types from the database."""
    wanted = frozenset(types)
    parameters = {"ids": list(contact_ids), "types": sorted(wanted)}
    contacts: dict[int, dict[str, Any]] = {}
    events: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in session.connection().execute(SNAPSHOT_QUERY, parameters):
        if row[0] == 1:
            events[row[1]].append({"type": row[-3], "occurred_at": row[-2], "properties": row[-1]})
            continue
        found = dict(zip(_CONTACT_KEYS, row[1:-3], strict=True))
        listed = found["segment_ids"] or ""
        found["segment_ids"] = {int(part) for part in listed.split(",") if part}
        contacts[found["id"]] = found
    return Snapshot(contacts, events, wanted)


# The event types a plan's segments test, by the plan's identity (plans are cached).
_types_by_plan: dict[int, tuple[list[Any], frozenset[str]]] = {}


def segment_event_types(session: Session) -> frozenset[str]:
    """Return the event types the dynamic segments test."""
    from propulse.segments.plan import cached_plan

    plan = cached_plan(session)
    known = _types_by_plan.get(id(plan))
    if known is not None and known[0] is plan:
        return known[1]
    types: frozenset[str] = frozenset()
    for item in plan:
        types |= item.event_types
    if len(_types_by_plan) >= 32:
        _types_by_plan.clear()
    _types_by_plan[id(plan)] = (plan, types)
    return types


def worth_sharing(session: Session, change: ContactChange, contact_ids: Sequence[int]) -> bool:
    """Tell whether segments will evaluate this change in Python, so can use a snapshot."""
    from propulse.segments.membership import PYTHON_REFRESH_LIMIT

    return (
        memo(session) is not None
        and change.cause != "segment"
        and 0 < len(contact_ids) <= PYTHON_REFRESH_LIMIT
    )


def keep(session: Session, change: ContactChange, snapshot: Snapshot) -> None:
    """Offer the snapshot to the next subscribers of the same change (if a memo is open)."""
    shared = memo(session)
    if shared is not None:
        snapshot.change = change
        shared[_MEMO_KEY] = snapshot


def take(session: Session, change: ContactChange) -> Snapshot | None:
    """Return (and forget) the snapshot a previous subscriber loaded for this very change."""
    shared = memo(session)
    if shared is None:
        return None
    snapshot = shared.pop(_MEMO_KEY, None)
    if isinstance(snapshot, Snapshot) and snapshot.change is change:
        return snapshot
    return None


def drop(session: Session) -> None:
    """Forget the shared snapshot: something it holds was written behind it."""
    shared = memo(session)
    if shared is not None:
        shared.pop(_MEMO_KEY, None)
