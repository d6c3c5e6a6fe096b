"""The SQL compiler against the Python evaluator: random definitions on random stored contacts.

For every example, a small population (companies, contacts with custom values, events with
properties, two static lists) is written in a savepoint of the real database, then each random
definition selects the same contacts in SQL as the evaluator does in Python.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session

from propulse.contacts.models import Company, Contact, ContactEvent, LifecycleStage
from propulse.segments.compiler import compile_condition
from propulse.segments.definition import parse_condition
from propulse.segments.evaluator import evaluate
from propulse.segments.models import Segment, SegmentMember
from propulse.segments.refresh import contact_facts
from tests.segments.factories import NOW

WORDS = ["fr", "FR", "Be", "alpha", "Alpha beta", "École", "école", "50%", "x_y", "ACME", "acme sa"]
MAYBE_TEXT = st.one_of(st.none(), st.just(""), st.sampled_from(WORDS))
EVENT_TYPES = ["email_clicked", "webinar_attended", "page_visited"]
PROPERTY_VALUES = st.one_of(
    st.none(),
    st.sampled_from(["Industry", "industry", "Retail", ""]),
    st.integers(0, 3),
    st.booleans(),
)
DAYS = st.integers(0, 60)
STAGES = [stage.value for stage in LifecycleStage]


def moment(days: int, half: bool) -> Any:
    return NOW - timedelta(days=days, hours=12 if half else 0)


def a_day() -> st.SearchStrategy[str]:
    return st.integers(-5, 65).map(lambda d: (NOW.date() - timedelta(days=d)).isoformat())


CUSTOM = st.fixed_dictionaries(
    {},
    optional={
        "budget": st.one_of(
            st.none(),
            st.integers(-10, 100),
            st.sampled_from([12.5, 3.0]),
            st.just("12"),
            st.booleans(),
        ),
        "renewal": st.one_of(st.none(), st.just(""), a_day(), st.just(7)),
        "plan": st.one_of(st.none(), st.sampled_from(["Basic", "premium", "PREMIUM", ""])),
        "note": MAYBE_TEXT,
    },
)

EVENT = st.fixed_dictionaries(
    {
        "type": st.sampled_from(EVENT_TYPES),
        "days": DAYS,
        "half": st.booleans(),
        "properties": st.one_of(
            st.none(),
            st.fixed_dictionaries({}, optional={"sector": PROPERTY_VALUES, "n": PROPERTY_VALUES}),
        ),
    }
)

CONTACT = st.fixed_dictionaries(
    {
        "first_name": st.sampled_from(["", "Alpha", "école", "Zoé"]),
        "job_title": MAYBE_TEXT,
        "sector": MAYBE_TEXT,
        "country": st.sampled_from([None, "", "FR", "BE", "fr", "DE"]),
        "language": st.sampled_from([None, "fr", "EN"]),
        "lifecycle_stage": st.sampled_from([*STAGES, "MQL"]),
        "grade": st.sampled_from([None, "A1", "b2", "C3"]),
        "email_consent": st.sampled_from([None, "opt_in", "withdrawn", "legitimate_interest"]),
        "score": st.integers(-5, 100),
        "engagement_score": st.integers(0, 50),
        "maturity": st.one_of(st.none(), st.integers(1, 5)),
        "do_not_contact": st.booleans(),
        "created_days": DAYS,
        "created_half": st.booleans(),
        "last_activity_days": st.one_of(st.none(), DAYS),
        "company": st.sampled_from([None, 0, 1, 2]),
        "owner": st.sampled_from([None, 0, 1]),
        "custom": CUSTOM,
        "events": st.lists(EVENT, max_size=4),
        "lists": st.sets(st.sampled_from([0, 1])),
    }
)

# Definitions


def field_tests() -> st.SearchStrategy[dict[str, Any]]:
    text_fields = st.sampled_from(
        [
            "first_name",
            "job_title",
            "sector",
            "company",
            "country",
            "language",
            "custom.note",
            "custom.plan",
        ]
    )
    words = st.sampled_from([*WORDS, "premium", "A", "é"])
    text = st.one_of(
        st.tuples(
            text_fields,
            st.sampled_from(["eq", "ne", "contains", "not_contains", "starts_with"]),
            words,
        ),
        st.tuples(
            text_fields, st.sampled_from(["in", "not_in"]), st.lists(words, min_size=1, max_size=3)
        ),
        st.tuples(text_fields, st.sampled_from(["is_empty", "is_not_empty"]), st.none()),
    )
    choice = st.one_of(
        st.tuples(
            st.just("lifecycle_stage"),
            st.sampled_from(["eq", "ne"]),
            st.sampled_from([*STAGES, "MQL"]),
        ),
        st.tuples(
            st.just("grade"),
            st.sampled_from(["in", "not_in"]),
            st.lists(st.sampled_from(["A1", "b2", "c3"]), min_size=1),
        ),
        st.tuples(
            st.just("email_consent"), st.sampled_from(["eq", "ne", "is_empty"]), st.just("opt_in")
        ),
    )
    number_fields = st.sampled_from(["score", "engagement_score", "maturity", "custom.budget"])
    numbers = st.one_of(st.integers(-5, 100), st.sampled_from([12.5, 3.0]))
    number = st.one_of(
        st.tuples(number_fields, st.sampled_from(["eq", "ne", "gt", "gte", "lt", "lte"]), numbers),
        st.tuples(
            number_fields,
            st.sampled_from(["in", "not_in"]),
            st.lists(numbers, min_size=1, max_size=3),
        ),
        st.tuples(
            number_fields, st.just("between"), st.lists(numbers, min_size=2, max_size=2).map(sorted)
        ),
        st.tuples(
            st.sampled_from(["maturity", "custom.budget"]),
            st.sampled_from(["is_empty", "is_not_empty"]),
            st.none(),
        ),
    )
    days = st.one_of(
        st.tuples(
            st.sampled_from(["created_at", "last_activity_at", "custom.renewal"]),
            st.sampled_from(["within_days", "before_days"]),
            st.integers(1, 60),
        ),
        st.tuples(
            st.sampled_from(["created_at", "last_activity_at", "custom.renewal"]),
            st.sampled_from(["eq", "gt", "gte", "lt", "lte"]),
            a_day(),
        ),
        st.tuples(
            st.sampled_from(["created_at", "custom.renewal"]),
            st.just("between"),
            st.lists(a_day(), min_size=2, max_size=2).map(sorted),
        ),
        st.tuples(
            st.sampled_from(["last_activity_at", "custom.renewal"]), st.just("is_empty"), st.none()
        ),
    )
    other = st.one_of(
        st.tuples(st.just("do_not_contact"), st.sampled_from(["eq", "ne"]), st.booleans()),
        st.tuples(
            st.just("owner_id"), st.sampled_from(["eq", "ne", "is_empty"]), st.sampled_from([0, 1])
        ),
    )

    def node(parts: tuple[str, str, Any]) -> dict[str, Any]:
        name, op, value = parts
        found: dict[str, Any] = {"field": name, "op": op}
        if op not in ("is_empty", "is_not_empty"):
            found["value"] = value
        return found

    return st.one_of(text, choice, number, days, other).map(node)


def event_tests() -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(
        {"event": st.sampled_from(EVENT_TYPES)},
        optional={
            "within_days": st.integers(1, 60),
            "min_count": st.integers(1, 3),
            "where": st.dictionaries(
                st.sampled_from(["sector", "n"]),
                st.one_of(
                    st.sampled_from(["industry", "RETAIL"]), st.integers(0, 3), st.booleans()
                ),
                max_size=2,
            ),
        },
    )


LEAVES = st.one_of(
    field_tests(),
    field_tests(),
    event_tests(),
    st.fixed_dictionaries(
        {
            "consent": st.just("email"),
            "in": st.lists(
                st.sampled_from(["opt_in", "legitimate_interest", "withdrawn"]),
                min_size=1,
                max_size=2,
            ),
        }
    ),
    st.fixed_dictionaries({"segment": st.sampled_from([0, 1]), "member": st.booleans()}),
)
DEFINITIONS = st.recursive(
    LEAVES,
    lambda children: st.one_of(
        st.fixed_dictionaries({"all": st.lists(children, max_size=3)}),
        st.fixed_dictionaries({"any": st.lists(children, max_size=3)}),
        st.fixed_dictionaries({"not": children}),
    ),
    max_leaves=6,
)


def resolve(raw: Any, lists: list[int], owners: list[int]) -> Any:
    """Put real ids (static lists, owners) in place of the strategy's 0 and 1."""
    if isinstance(raw, list):
        return [resolve(item, lists, owners) for item in raw]
    if not isinstance(raw, dict):
        return raw
    resolved = {key: resolve(value, lists, owners) for key, value in raw.items()}
    if "segment" in raw:
        resolved["segment"] = lists[raw["segment"]]
    if raw.get("field") == "owner_id" and "value" in raw:
        resolved["value"] = owners[raw["value"]]
    return resolved


def store(
    session: Session, people: list[dict[str, Any]], owners: list[int]
) -> tuple[list[int], list[int]]:
    companies = [
        Company(name=name, name_key=f"prop-{index}")
        for index, name in enumerate(["ACME SA", "École Alpha", ""])
    ]
    session.add_all(companies)
    lists = [Segment(name="List A", kind="static"), Segment(name="List B", kind="static")]
    session.add_all(lists)
    session.flush()
    ids: list[int] = []
    for index, person in enumerate(people):
        contact = Contact(
            email=f"p{index}@example.org",
            first_name=person["first_name"],
            job_title=person["job_title"],
            sector=person["sector"],
            country=person["country"],
            language=person["language"],
            lifecycle_stage=person["lifecycle_stage"],
            grade=person["grade"],
            email_consent=person["email_consent"],
            score=person["score"],
            engagement_score=person["engagement_score"],
            maturity=person["maturity"],
            do_not_contact=person["do_not_contact"],
            do_not_contact_reason="asked" if person["do_not_contact"] else None,
            created_at=moment(person["created_days"], person["created_half"]),
            last_activity_at=None
            if person["last_activity_days"] is None
            else moment(person["last_activity_days"], False),
            company_id=None if person["company"] is None else companies[person["company"]].id,
            owner_id=None if person["owner"] is None else owners[person["owner"]],
            custom=person["custom"],
        )
        session.add(contact)
        session.flush()
        ids.append(contact.id)
        for event in person["events"]:
            session.add(
                ContactEvent(
                    contact_id=contact.id,
                    type=event["type"],
                    occurred_at=moment(event["days"], event["half"]),
                    properties=event["properties"],
                )
            )
        for which in person["lists"]:
            session.add(
                SegmentMember(segment_id=lists[which].id, contact_id=contact.id, added_at=NOW)
            )
    session.flush()
    return ids, [segment.id for segment in lists]


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    people=st.lists(CONTACT, min_size=1, max_size=8),
    definitions=st.lists(DEFINITIONS, min_size=4, max_size=4),
)
def test_sql_and_python_select_the_same_contacts(
    session: Session, cast: Any, people: list[dict[str, Any]], definitions: list[Any]
) -> None:
    owners = [cast.manager.id, cast.intern.id]
    savepoint = session.begin_nested()
    try:
        ids, lists = store(session, people, owners)
        facts = contact_facts(session, ids)
        events: dict[int, list[dict[str, Any]]] = {contact_id: [] for contact_id in ids}
        columns = (
            ContactEvent.contact_id,
            ContactEvent.type,
            ContactEvent.occurred_at,
            ContactEvent.properties,
        )
        for row in session.execute(select(*columns).where(ContactEvent.contact_id.in_(ids))):
            events[row.contact_id].append(
                {"type": row.type, "occurred_at": row.occurred_at, "properties": row.properties}
            )
        memberships: dict[int, set[int]] = {contact_id: set() for contact_id in ids}
        for contact_id, segment_id in session.execute(
            select(SegmentMember.contact_id, SegmentMember.segment_id).where(
                SegmentMember.contact_id.in_(ids)
            )
        ):
            memberships[contact_id].add(segment_id)
        for raw in definitions:
            condition = parse_condition(resolve(raw, lists, owners))
            in_sql = set(
                session.scalars(
                    select(Contact.id).where(
                        Contact.id.in_(ids), compile_condition(condition, now=NOW)
                    )
                )
            )
            in_python = {
                contact_id
                for contact_id in ids
                if evaluate(
                    condition,
                    facts[contact_id],
                    events=events[contact_id],
                    memberships=memberships[contact_id],
                    now=NOW,
                )
            }
            assert in_sql == in_python, (raw, facts)
    finally:
        savepoint.rollback()
        session.expunge_all()


def test_the_two_agree_on_hand_picked_edges(session: Session) -> None:
    """Boundaries the random search might miss: LIKE wildcards, day edges, window edges."""
    ids, _lists = store(
        session,
        [
            {
                "first_name": "",
                "job_title": "50% off_x",
                "sector": None,
                "country": "fr",
                "language": None,
                "lifecycle_stage": "lead",
                "grade": None,
                "email_consent": None,
                "score": 10,
                "engagement_score": 0,
                "maturity": None,
                "do_not_contact": False,
                "created_days": 3,
                "created_half": True,  # exactly midnight
                "last_activity_days": None,
                "company": None,
                "owner": None,
                "custom": {"renewal": (NOW.date() - timedelta(days=30)).isoformat()},
                "events": [
                    {"type": "email_clicked", "days": 30, "half": False, "properties": None}
                ],
                "lists": set(),
            }
        ],
        [],
    )
    facts = contact_facts(session, ids)[ids[0]]
    event = session.scalars(select(ContactEvent).where(ContactEvent.contact_id == ids[0])).one()
    events = [{"type": event.type, "occurred_at": event.occurred_at, "properties": None}]
    midnight = (NOW - timedelta(days=3, hours=12)).date()
    cases = [
        ({"field": "job_title", "op": "contains", "value": "0%"}, True),
        ({"field": "job_title", "op": "contains", "value": "f_x"}, True),
        ({"field": "job_title", "op": "contains", "value": "5_%"}, False),
        ({"field": "first_name", "op": "is_empty"}, True),
        ({"field": "first_name", "op": "ne", "value": "Anne"}, False),
        ({"not": {"field": "first_name", "op": "eq", "value": "Anne"}}, True),
        ({"field": "country", "op": "eq", "value": "FR"}, False),  # stored "fr": not normalised
        ({"field": "created_at", "op": "eq", "value": midnight.isoformat()}, True),
        (
            {
                "field": "created_at",
                "op": "gt",
                "value": (midnight - timedelta(days=1)).isoformat(),
            },
            True,
        ),
        ({"field": "created_at", "op": "lt", "value": midnight.isoformat()}, False),
        ({"event": "email_clicked", "within_days": 30}, True),
        ({"event": "email_clicked", "within_days": 29}, False),
        ({"field": "custom.renewal", "op": "within_days", "value": 30}, True),
        ({"field": "custom.renewal", "op": "before_days", "value": 29}, True),
        ({"field": "custom.renewal", "op": "eq", "value": date(2027, 1, 16).isoformat()}, True),
    ]
    for raw, expected in cases:
        condition = parse_condition(raw)
        in_sql = bool(
            session.scalar(
                select(Contact.id).where(
                    Contact.id == ids[0], compile_condition(condition, now=NOW)
                )
            )
        )
        in_python = evaluate(condition, facts, events=events, memberships=set(), now=NOW)
        assert (in_sql, in_python) == (expected, expected), raw
