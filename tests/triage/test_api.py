"""The requests API: listing with filters and cursors, submitting, triage, suggestions, scopes."""

from __future__ import annotations

import pytest

from propulse.auth import service as auth
from propulse.auth.models import TokenScope
from propulse.okrs import service as okrs
from propulse.triage import api as triage_api
from propulse.triage import service
from propulse.triage.schemas import RequestCreate
from tests.support.factories import TODAY, make_quarter


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    monkeypatch.setattr(triage_api, "today", lambda: TODAY)


@pytest.fixture
def objectives(session, cast):
    period = make_quarter(session, cast)
    session.commit()
    return okrs.active_objectives(session, period_id=period.id)


def token(session, user, scope=TokenScope.read):
    _record, secret = auth.create_token(session, actor=user, owner=user, name="test", scope=scope)
    session.commit()
    return {"Authorization": f"Bearer {secret}"}


def submit(session, actor, title, description="", department="Sales"):
    data = RequestCreate(title=title, description=description, department=department)
    created = service.submit(session, actor=actor, data=data)
    session.commit()
    return created


def test_list_filters_and_paginates_oldest_first(client, cast, session):
    for index in range(5):
        submit(session, cast.salesperson, f"Sales idea {index}")
    submit(session, cast.manager, "Keynote", department="Executive")
    headers = token(session, cast.intern)
    first = client.get("/api/v1/requests?limit=2&department=Sales", headers=headers).json()
    assert [item["title"] for item in first["items"]] == ["Sales idea 0", "Sales idea 1"]
    second = client.get(
        f"/api/v1/requests?limit=2&department=Sales&cursor={first['next_cursor']}",
        headers=headers,
    ).json()
    assert [item["title"] for item in second["items"]] == ["Sales idea 2", "Sales idea 3"]
    mine = client.get(f"/api/v1/requests?requester_id={cast.manager.id}", headers=headers).json()
    assert [item["title"] for item in mine["items"]] == ["Keynote"] and mine["next_cursor"] is None
    assert client.get("/api/v1/requests?state=new", headers=headers).json()["items"][0][
        "state"
    ] == ("new")
    wrong = client.get("/api/v1/requests?state=maybe", headers=headers)
    assert wrong.status_code == 422 and wrong.json()["errors"][0]["field"] == "state"


def test_submitting_answers_201_and_a_read_token_may_not(client, cast, session):
    payload = {
        "title": "Trade show in Munich",
        "description": "The automotive fair.",
        "department": "Sales",
        "impact": 8,
        "confidence": 6,
        "ease": 4,
        "effort_days": 12,
        "link": "https://fair.example",
    }
    refused = client.post(
        "/api/v1/requests", json=payload, headers=token(session, cast.salesperson)
    )
    assert refused.status_code == 403 and "may only read" in refused.json()["detail"]
    headers = token(session, cast.salesperson, TokenScope.write)
    created = client.post("/api/v1/requests", json=payload, headers=headers)
    assert created.status_code == 201
    body = created.json()
    assert body["requester_id"] == cast.salesperson.id and body["state"] == "new"
    assert body["ice_score"] == 6.0 and body["version"] == 1
    invalid = client.post(
        "/api/v1/requests", json={"title": "", "department": "Sales", "impact": 0}, headers=headers
    )
    assert invalid.status_code == 422
    assert {error["field"] for error in invalid.json()["errors"]} == {"title", "impact"}


def test_triage_through_the_api_with_history(client, cast, session, objectives):
    request = submit(session, cast.salesperson, "Trade show in Munich")
    headers = token(session, cast.manager, TokenScope.write)
    path = f"/api/v1/requests/{request.id}/triage"
    refused = client.post(path, json={"action": "accept"}, headers=headers)
    assert refused.status_code == 422
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["errors"][0]["field"] == "objective_id"
    key_result = objectives[2].key_results[0]
    accepted = client.post(
        path,
        json={"action": "accept", "key_result_id": key_result.id, "version": 1},
        headers=headers,
    )
    assert accepted.status_code == 200
    assert accepted.json()["state"] == "accepted"
    assert accepted.json()["objective_id"] == objectives[2].id
    stale = client.post(
        path, json={"action": "decline", "reason": "No", "version": 1}, headers=headers
    )
    assert stale.status_code == 409
    detail = client.get(f"/api/v1/requests/{request.id}", headers=headers).json()
    assert [(t["from_state"], t["to_state"]) for t in detail["transitions"]] == [
        (None, "new"),
        ("new", "accepted"),
    ]
    assert detail["transitions"][1]["actor_id"] == cast.manager.id
    viewer = token(session, cast.salesperson, TokenScope.write)
    forbidden = client.post(path, json={"action": "reopen"}, headers=viewer)
    assert forbidden.status_code == 403


def test_suggestions_are_ranked_with_their_reasons(client, cast, session, objectives):
    request = submit(
        session,
        cast.salesperson,
        "Webinars for German industry",
        "Generate enterprise pipeline with webinars in Germany.",
    )
    plants = submit(session, cast.salesperson, "Office plants", "Green plants at the reception.")
    headers = token(session, cast.manager)
    ranked = client.get(f"/api/v1/requests/{request.id}/suggestions", headers=headers).json()
    assert ranked["serves_none"] is False
    assert ranked["items"][0]["objective_id"] == objectives[0].id
    scores = [item["score"] for item in ranked["items"]]
    assert scores == sorted(scores, reverse=True) and scores[0] > scores[-1]
    assert "Germany" in ranked["items"][0]["terms"]
    unrelated = client.get(f"/api/v1/requests/{plants.id}/suggestions", headers=headers).json()
    assert unrelated["serves_none"] is True and len(unrelated["items"]) == 3
    missing = client.get("/api/v1/requests/999999/suggestions", headers=headers)
    assert missing.status_code == 404
