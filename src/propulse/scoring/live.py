"""Scores of a handful of contacts computed in Python: the event path and "why this score".

It loads only what the rules need (the contacts' fields when fit rules exist, their events of
the types the rules count, through the (contact_id, type, occurred_at) index), computes with
``arithmetic`` — the same code the explanation uses —, and writes only what changed.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import BindParameter

from propulse.contacts.models import Company, Contact, ContactEvent
from propulse.scoring import arithmetic, config
from propulse.scoring.arithmetic import Describer, Plan
from propulse.scoring.explanation import ScoreExplanation

if TYPE_CHECKING:
    from propulse.segments.snapshot import Snapshot

# Contact columns a fit condition may name (see the condition JSON in docs/segments.md).
FIELD_COLUMNS = (
    "email",
    "first_name",
    "last_name",
    "job_title",
    "phone",
    "sector",
    "company_size",
    "maturity",
    "country",
    "language",
    "timezone",
    "lifecycle_stage",
    "owner_id",
    "source",
    "email_consent",
    "do_not_contact",
    "created_at",
    "last_activity_at",
    "score",
    "fit_score",
    "engagement_score",
    "grade",
)
STORED_COLUMNS = ("id", "score", "fit_score", "engagement_score", "grade", "mql_at", "owner_id")
SCORE_ATTRIBUTES = ["score", "fit_score", "engagement_score", "grade", "score_updated_at"]


@dataclass(frozen=True)
class Scored:
    """A contact's stored figures and the new ones."""

    contact_id: int
    owner_id: int | None
    mql_at: datetime | None
    old_score: int
    old: tuple[int, int, int, str | None]
    new: ScoreExplanation

    @property
    def changed(self) -> bool:
        new = self.new
        return self.old != (new.score, new.fit_score, new.engagement_score, new.grade)

    @property
    def score_changed(self) -> bool:
        return self.old_score != self.new.score


def contact_fields(row: Mapping[str, Any]) -> dict[str, Any]:
    """Return a contact as the segments evaluator reads it: fields by name, custom values."""
    fields = {name: row[name] for name in FIELD_COLUMNS}
    fields["company"] = row["company"]
    fields["custom"] = dict(row["custom"] or {})
    return fields


# Built once (with expanding parameters): the event path runs them for every event.
_IDS: BindParameter[list[int]] = bindparam("ids", expanding=True)
_TYPES: BindParameter[list[str]] = bindparam("types", expanding=True)
_STORED_QUERY = select(*(getattr(Contact, name) for name in STORED_COLUMNS)).where(
    Contact.id.in_(_IDS)
)
_FIELDS_QUERY = (
    _STORED_QUERY.add_columns(
        *(getattr(Contact, name) for name in FIELD_COLUMNS if name not in STORED_COLUMNS),
        Contact.custom,
        Company.name.label("company"),
    )
).outerjoin(Company, Company.id == Contact.company_id)
_EVENTS_QUERY = select(
    ContactEvent.contact_id, ContactEvent.type, ContactEvent.occurred_at, ContactEvent.properties
).where(ContactEvent.contact_id.in_(_IDS), ContactEvent.type.in_(_TYPES))


def _load_contacts(session: Session, plan: Plan, ids: Sequence[int]) -> list[Mapping[str, Any]]:
    statement = _FIELDS_QUERY if plan.fit else _STORED_QUERY
    found = config.core(session).execute(statement, {"ids": list(ids)})
    return [dict(row._mapping) for row in found]


def _load_events(
    session: Session, plan: Plan, ids: Sequence[int]
) -> dict[int, list[arithmetic.Event]]:
    events: dict[int, list[arithmetic.Event]] = defaultdict(list)
    if not plan.engagement:
        return events
    parameters = {"ids": list(ids), "types": sorted(plan.event_types)}
    found = config.core(session).execute(_EVENTS_QUERY, parameters)
    for contact_id, kind, occurred_at, properties in found:
        events[contact_id].append(arithmetic.Event(kind, occurred_at, properties))
    return events


@lru_cache(maxsize=256)
def _parsed(condition_json: str) -> Any:
    """Parse a fit condition once (the JSON text is the key): the event path reuses it."""
    from propulse.segments.definition import parse_condition

    return parse_condition(json.loads(condition_json))


# The parsed fit conditions of a plan, by the plan's identity (plans are cached by config, so
# the event path parses nothing); the plan is kept in the value so that its id stays its own.
_fit_conditions: dict[int, tuple[Plan, list[tuple[int, Any]]]] = {}


def _fit_tests(plan: Plan) -> list[tuple[int, Any]]:
    cached = _fit_conditions.get(id(plan))
    if cached is not None and cached[0] is plan:
        return cached[1]
    tests = [
        (rule.id, _parsed(json.dumps(rule.condition, sort_keys=True))) for rule in plan.fit_rules
    ]
    if len(_fit_conditions) >= 32:
        _fit_conditions.clear()
    _fit_conditions[id(plan)] = (plan, tests)
    return tests


def _fit_matched(plan: Plan, row: Mapping[str, Any], now: datetime) -> set[int]:
    if not plan.fit:
        return set()
    from propulse.segments.evaluator import evaluate

    fields = contact_fields(row)
    return {
        rule_id
        for rule_id, condition in _fit_tests(plan)
        if evaluate(condition, fields, events=[], memberships=set(), now=now)
    }


def _shared_events(
    plan: Plan, snapshot: Snapshot, ids: Sequence[int]
) -> dict[int, list[arithmetic.Event]]:
    """The snapshot's events the rules count, as the arithmetic reads them."""
    counted = plan.event_types
    return {
        contact_id: [
            arithmetic.Event(event["type"], event["occurred_at"], event["properties"])
            for event in snapshot.events.get(contact_id, ())
            if event["type"] in counted
        ]
        for contact_id in ids
    }


def score_contacts(
    session: Session,
    plan: Plan,
    *,
    contact_ids: Sequence[int],
    now: datetime,
    describe: Describer = arithmetic.describe_plainly,
    snapshot: Snapshot | None = None,
) -> list[Scored]:
    """Compute the scores of these contacts (unknown ids are skipped), writing nothing.

    ``snapshot``: the contacts and events already loaded (it must hold the rules' event types).
    """
    ids = sorted(set(contact_ids))
    if snapshot is not None:
        rows: list[Mapping[str, Any]] = [
            snapshot.contacts[i] for i in ids if i in snapshot.contacts
        ]
        events = _shared_events(plan, snapshot, ids)
    else:
        rows = _load_contacts(session, plan, ids)
        events = _load_events(session, plan, ids)
    scored = []
    for row in rows:
        explanation = arithmetic.compute(
            plan,
            fit_matched=_fit_matched(plan, row, now),
            events=events.get(row["id"], []),
            now=now,
            describe=describe,
        )
        scored.append(
            Scored(
                contact_id=row["id"],
                owner_id=row["owner_id"],
                mql_at=row["mql_at"],
                old_score=row["score"],
                old=(row["score"], row["fit_score"], row["engagement_score"], row["grade"]),
                new=explanation,
            )
        )
    return scored
