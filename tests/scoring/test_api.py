"""The scoring API: rules, settings, rescoring; roles and token scopes."""

from __future__ import annotations

from propulse import jobs
from propulse.auth import service as auth
from propulse.auth.models import TokenScope
from propulse.scoring.models import ScoringRule
from tests.scoring.factories import add_event, make_contact


def token(session, user, scope=TokenScope.write):
    _record, secret = auth.create_token(session, actor=user, owner=user, name="test", scope=scope)
    session.commit()
    return {"Authorization": f"Bearer {secret}"}


CLICKED = {"name": "Clicked", "kind": "engagement", "event_type": "email_clicked", "points": 5}


def test_a_manager_manages_rules_through_the_api(client, session, cast):
    headers = token(session, cast.manager)
    created = client.post(
        "/api/v1/scoring-rules",
        json={**CLICKED, "cap": 20, "decay": "half_life", "decay_days": 30, "group": "email"},
        headers=headers,
    )
    assert created.status_code == 201, created.text
    rule = created.json()
    assert (rule["group"], rule["cap"], rule["decay"], rule["decay_days"]) == (
        "email",
        20,
        "half_life",
        30,
    )
    fit = client.post(
        "/api/v1/scoring-rules",
        json={
            "name": "France",
            "kind": "fit",
            "points": 10,
            "condition": {"field": "country", "op": "eq", "value": "FR"},
        },
        headers=headers,
    ).json()
    listed = client.get("/api/v1/scoring-rules?limit=1", headers=headers).json()
    assert [item["id"] for item in listed["items"]] == [rule["id"]] and listed["next_cursor"]
    second = client.get(
        f"/api/v1/scoring-rules?limit=1&cursor={listed['next_cursor']}", headers=headers
    )
    assert [item["id"] for item in second.json()["items"]] == [fit["id"]]
    only_fit = client.get("/api/v1/scoring-rules?kind=fit", headers=headers).json()["items"]
    assert [item["name"] for item in only_fit] == ["France"]

    patched = client.patch(
        f"/api/v1/scoring-rules/{rule['id']}",
        json={"points": 7, "cap": None, "version": rule["version"]},
        headers=headers,
    )
    assert patched.status_code == 200
    assert (patched.json()["points"], patched.json()["cap"]) == (7, None)
    stale = client.patch(
        f"/api/v1/scoring-rules/{rule['id']}",
        json={"points": 1, "version": rule["version"]},
        headers=headers,
    )
    assert stale.status_code == 409
    assert client.get(f"/api/v1/scoring-rules/{rule['id']}", headers=headers).json()["points"] == 7
    assert client.delete(f"/api/v1/scoring-rules/{rule['id']}", headers=headers).status_code == 204
    assert client.get(f"/api/v1/scoring-rules/{rule['id']}", headers=headers).status_code == 404


def test_bad_rules_are_refused_with_the_field(client, session, cast):
    headers = token(session, cast.manager)
    response = client.post(
        "/api/v1/scoring-rules", json={**CLICKED, "points": 5000}, headers=headers
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["errors"][0]["field"] == "points"
    response = client.post(
        "/api/v1/scoring-rules",
        json={
            "name": "Event",
            "kind": "fit",
            "points": 5,
            "condition": {"any": [{"event": "meeting"}]},
        },
        headers=headers,
    )
    assert response.status_code == 422
    (problem,) = response.json()["errors"]
    assert problem["field"] == "condition" and problem["detail"].startswith("any[0]")


def test_viewers_read_and_managers_write(client, session, cast):
    reader = token(session, cast.salesperson)
    assert client.get("/api/v1/scoring-rules", headers=reader).status_code == 200
    assert client.get("/api/v1/scoring-settings", headers=reader).json()["mql_threshold"] == 60
    assert client.post("/api/v1/scoring-rules", json=CLICKED, headers=reader).status_code == 403
    read_only = token(session, cast.manager, TokenScope.read)
    assert client.post("/api/v1/scoring/rescore", headers=read_only).status_code == 403


def test_settings_are_replaced_and_a_rescore_follows(client, session, cast):
    contact = make_contact(session)
    add_event(session, contact, "meeting")
    session.add(
        ScoringRule(
            name="Meeting", kind="engagement", event_type="meeting", points=30, condition={}
        )
    )
    session.commit()
    headers = token(session, cast.manager)
    current = client.get("/api/v1/scoring-settings", headers=headers).json()
    replaced = client.put(
        "/api/v1/scoring-settings",
        json={
            "total_limit": 25,
            "group_caps": {"email": 10},
            "mql_threshold": 20,
            "version": current["version"],
        },
        headers=headers,
    )
    assert replaced.status_code == 200, replaced.text
    body = replaced.json()
    assert (body["total_limit"], body["group_caps"], body["rules_version"]) == (
        25,
        {"email": 10},
        current["rules_version"] + 1,
    )
    assert jobs.run_pending() >= 1
    session.refresh(contact)
    assert contact.score == 25 and contact.mql_at is not None
    bad = client.put(
        "/api/v1/scoring-settings", json={"fit_grade_a": 5, "fit_grade_b": 10}, headers=headers
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "fit_grade_b"
    queued = client.post("/api/v1/scoring/rescore", headers=headers)
    assert queued.status_code == 202 and queued.json()["queued"] is True
