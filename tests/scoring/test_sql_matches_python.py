"""The set-based SQL rescore stores exactly the integers the Python path computes."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from propulse.contacts.models import Contact
from propulse.scoring import config, live, sql
from propulse.scoring.statements import Scope
from tests.scoring.factories import NOW, add_event, make_company, make_contact, make_rule

EVENT_TYPES = ["email_opened", "email_clicked", "webinar_attended", "page_visited", "meeting"]
CAMPAIGNS = ["Spring", "spring", "SPRING", "Autumn", "Été"]
SECTORS = ["Retail", "Industry", "Software", "Health", None]
COUNTRIES = ["FR", "DE", "BE", "GB", None]


def _fit_condition(rng: random.Random) -> dict[str, Any]:
    tests: list[dict[str, Any]] = [
        {"field": "country", "op": "in", "value": rng.sample(["FR", "DE", "BE", "GB"], 2)},
        {"field": "sector", "op": "eq", "value": rng.choice(["retail", "Industry", "software"])},
        {"field": "maturity", "op": "gte", "value": rng.randint(1, 5)},
        {"field": "job_title", "op": "contains", "value": rng.choice(["market", "CEO", "head"])},
        {"field": "company", "op": "starts_with", "value": rng.choice(["Acme", "Bol"])},
        {"field": "custom.budget", "op": "gt", "value": rng.choice([1000, 5000])},
        {"consent": "email", "in": ["opt_in"]},
    ]
    chosen = rng.sample(tests, rng.randint(1, 3))
    shape = rng.choice(["one", "all", "any", "not"])
    if shape == "one" or len(chosen) == 1:
        return chosen[0]
    if shape == "not":
        return {"not": {"all": chosen}}
    return {shape: chosen}


def _rules(session, rng: random.Random) -> None:
    for index in range(rng.randint(1, 4)):
        make_rule(
            session,
            f"Fit {index}",
            kind="fit",
            points=rng.choice([5, 10, 15, -10, 20]),
            condition=_fit_condition(rng),
            group=rng.choice(["", "", "profile"]),
            cap=rng.choice([None, None, 8]),
            position=rng.randint(0, 3),
        )
    for index in range(rng.randint(1, 6)):
        decay = rng.choice(["none", "half_life", "expiry"])
        make_rule(
            session,
            f"Engagement {index}",
            points=rng.choice([1, 3, 5, 7, 10, -5]),
            event_type=rng.choice(EVENT_TYPES),
            condition=rng.choice([{}, {}, {"where": {"campaign": "spring"}}, {"where": {"n": 2}}]),
            group=rng.choice(["", "", "email", "events"]),
            cap=rng.choice([None, 10, 25]),
            decay=decay,
            decay_days=None if decay == "none" else rng.choice([7, 30, 90]),
            position=rng.randint(0, 3),
        )
    settings = config.get_settings(session)
    settings.total_limit = rng.choice([None, 100, 40])
    settings.group_caps = rng.choice(
        [{}, {"email": 12}, {"email": 20, "events": 15, "profile": 10}]
    )
    session.flush()


def _contacts(session, rng: random.Random, how_many: int) -> list[int]:
    companies = [make_company(session, name) for name in ("Acme", "Bolt", "acme labs")]
    ids = []
    for _ in range(how_many):
        contact = make_contact(
            session,
            country=rng.choice(COUNTRIES),
            sector=rng.choice(SECTORS),
            maturity=rng.choice([None, 1, 2, 3, 4, 5]),
            job_title=rng.choice(
                [None, "Head of Marketing", "CEO", "marketing intern", "ÉQUIPE MARKETING"]
            ),
            company_id=rng.choice([None, *[company.id for company in companies]]),
            email_consent=rng.choice([None, "opt_in", "withdrawn"]),
        )
        contact.custom = rng.choice([{}, {"budget": 2000}, {"budget": 9000}, {"budget": "lots"}])
        for _ in range(rng.randint(0, 15)):
            age = timedelta(
                days=rng.choice([rng.uniform(-2, 400), 7, 30, 90]),
                microseconds=rng.randint(0, 999_999),
            )
            properties = rng.choice(
                [None, {"campaign": rng.choice(CAMPAIGNS)}, {"n": rng.choice([2, 2.0, "2", True])}]
            )
            add_event(session, contact, rng.choice(EVENT_TYPES), NOW - age, properties)
        ids.append(contact.id)
    session.flush()
    return ids


def _stored(session, ids: list[int]) -> dict[int, tuple[int, int, int, str | None]]:
    rows = session.execute(
        select(
            Contact.id, Contact.score, Contact.fit_score, Contact.engagement_score, Contact.grade
        )
        .where(Contact.id.in_(ids))
        .execution_options(populate_existing=True)
    )
    return {row.id: (row.score, row.fit_score, row.engagement_score, row.grade) for row in rows}


@pytest.mark.parametrize(("seed", "history"), [(seed, seed % 2 == 0) for seed in range(6)])
def test_sql_rescore_stores_the_integers_python_computes(session, seed, history):
    rng = random.Random(seed)
    _rules(session, rng)
    ids = _contacts(session, rng, 40)
    plan = config.load_plan(session)
    expected = {
        item.contact_id: (
            item.new.score,
            item.new.fit_score,
            item.new.engagement_score,
            item.new.grade,
        )
        for item in live.score_contacts(session, plan, contact_ids=ids, now=NOW)
    }
    sql.write_scores(session, plan, now=NOW, scope=Scope(), cause="rescore", history=history)
    assert _stored(session, ids) == expected
    # Nothing changes the second time: nothing is written.
    again = sql.write_scores(
        session, plan, now=NOW, scope=Scope(), cause="rescore", history=history
    )
    assert again.changed == 0


def test_a_range_and_a_list_of_ids_score_only_their_contacts(session):
    rng = random.Random(42)
    _rules(session, rng)
    ids = _contacts(session, rng, 10)
    plan = config.load_plan(session)
    sql.write_scores(
        session, plan, now=NOW, scope=Scope(first_id=ids[2], last_id=ids[4]), cause="rescore"
    )
    sql.write_scores(session, plan, now=NOW, scope=Scope(ids=[ids[7]]), cause="rescore")
    stored = _stored(session, ids)
    graded = {contact_id for contact_id, values in stored.items() if values[3] is not None}
    assert graded == {ids[2], ids[3], ids[4], ids[7]}
