"""The segments API: definitions, members with cursors, static lists, rebuilds, the count."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from propulse.auth import service as auth
from propulse.auth.models import TokenScope
from tests.segments.factories import make_contact

FRENCH = {"field": "country", "op": "eq", "value": "FR"}


def token(session: Session, user: Any, scope: TokenScope = TokenScope.write) -> dict[str, str]:
    _record, secret = auth.create_token(session, actor=user, owner=user, name="test", scope=scope)
    session.commit()
    return {"Authorization": f"Bearer {secret}"}


def test_define_read_change_and_delete(client: Any, cast: Any, session: Session) -> None:
    people = [make_contact(session, country="FR") for _ in range(3)]
    session.commit()
    headers = token(session, cast.manager)
    created = client.post(
        "/api/v1/segments", json={"name": "French", "definition": FRENCH}, headers=headers
    )
    assert created.status_code == 201, created.text
    segment = created.json()
    assert segment["member_count"] == 3 and segment["kind"] == "dynamic"

    listed = client.get("/api/v1/segments", headers=headers).json()
    assert [item["name"] for item in listed["items"]] == ["French"]
    first = client.get(f"/api/v1/segments/{segment['id']}/members?limit=2", headers=headers).json()
    second = client.get(
        f"/api/v1/segments/{segment['id']}/members?limit=2&cursor={first['next_cursor']}",
        headers=headers,
    ).json()
    seen = [item["id"] for item in first["items"] + second["items"]]
    assert seen == sorted((p.id for p in people), reverse=True) and second["next_cursor"] is None
    assert first["items"][0]["added_at"] is not None

    stale = client.patch(
        f"/api/v1/segments/{segment['id']}", json={"name": "Gaul", "version": 99}, headers=headers
    )
    assert stale.status_code == 409
    renamed = client.patch(
        f"/api/v1/segments/{segment['id']}",
        json={"name": "France", "version": segment["version"]},
        headers=headers,
    )
    assert renamed.status_code == 200 and renamed.json()["name"] == "France"

    rebuilt = client.post(f"/api/v1/segments/{segment['id']}/rebuild", headers=headers).json()
    assert rebuilt == {**rebuilt, "entered": 0, "left": 0, "members": 3}
    assert client.delete(f"/api/v1/segments/{segment['id']}", headers=headers).status_code == 204
    assert client.get(f"/api/v1/segments/{segment['id']}", headers=headers).status_code == 404


def test_a_bad_definition_is_a_problem_naming_its_path(
    client: Any, cast: Any, session: Session
) -> None:
    headers = token(session, cast.manager)
    refused = client.post(
        "/api/v1/segments",
        json={
            "name": "Bad",
            "definition": {"all": [{"field": "score", "op": "between", "value": 5}]},
        },
        headers=headers,
    )
    assert refused.status_code == 422
    body = refused.json()
    assert body["detail"] == 'all[0].value: a list [low, high] is expected for "between"'
    assert body["errors"][0]["field"] == "definition"
    count = client.post(
        "/api/v1/segments/count", json={"definition": {"segment": 42}}, headers=headers
    )
    assert count.status_code == 422 and "segment 42 does not exist" in count.json()["detail"]


def test_the_count(client: Any, cast: Any, session: Session) -> None:
    make_contact(session, country="FR", score=80)
    make_contact(session, country="FR", score=10)
    session.commit()
    headers = token(session, cast.intern)
    answer = client.post(
        "/api/v1/segments/count",
        json={"definition": {"all": [FRENCH, {"field": "score", "op": "gte", "value": 50}]}},
        headers=headers,
    )
    assert answer.json() == {"count": 1}


def test_static_list_members(client: Any, cast: Any, session: Session) -> None:
    anne = make_contact(session, email="anne@example.org")
    bob = make_contact(session, email="bob@example.org")
    session.commit()
    manager = token(session, cast.manager)
    listed = client.post(
        "/api/v1/segments", json={"name": "VIP", "kind": "static"}, headers=manager
    ).json()
    intern = token(session, cast.intern)
    url = f"/api/v1/segments/{listed['id']}/members"
    added = client.post(
        url, json={"emails": ["Anne@Example.org", "nobody@example.org"]}, headers=intern
    )
    assert added.json() == {
        "changed": 1,
        "unknown_emails": ["nobody@example.org"],
        "unknown_contact_ids": [],
    }
    added = client.post(url, json={"contact_ids": [bob.id, 999999]}, headers=intern)
    assert added.json() == {"changed": 1, "unknown_emails": [], "unknown_contact_ids": [999999]}
    both = client.post(url, json={"contact_ids": [bob.id], "emails": ["a@b.org"]}, headers=intern)
    assert both.status_code == 422
    removed = client.request("DELETE", url, json={"contact_ids": [anne.id]}, headers=intern)
    assert removed.json()["changed"] == 1
    assert [item["email"] for item in client.get(url, headers=intern).json()["items"]] == [
        "bob@example.org"
    ]


def test_roles_and_scopes(client: Any, cast: Any, session: Session) -> None:
    viewer = token(session, cast.salesperson)
    refused = client.post(
        "/api/v1/segments", json={"name": "X", "definition": FRENCH}, headers=viewer
    )
    assert refused.status_code == 403
    reader = token(session, cast.manager, scope=TokenScope.read)
    assert (
        client.post(
            "/api/v1/segments", json={"name": "X", "definition": FRENCH}, headers=reader
        ).status_code
        == 403
    )
    assert client.get("/api/v1/segments", headers=reader).status_code == 200
    assert client.get("/api/v1/segments").status_code == 401
