"""The sequences API: define, switch, enrol by e-mail or segment, list who is where, figures."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from propulse.auth import service as auth
from propulse.auth.models import TokenScope
from propulse.segments.models import Segment, SegmentKind, SegmentMember
from tests.nurture.factories import make_contact, make_template


def token(session: Session, user: Any, scope: TokenScope = TokenScope.write) -> dict[str, str]:
    _record, secret = auth.create_token(session, actor=user, owner=user, name="test", scope=scope)
    session.commit()
    return {"Authorization": f"Bearer {secret}"}


def body(template_id: int, **values: Any) -> dict[str, Any]:
    return {
        "name": "E-book follow-up",
        "exit_goals": ["became_sql"],
        "steps": [
            {"key": "hello", "kind": "send_email", "config": {"template_id": template_id}},
            {"key": "pause", "kind": "wait", "config": {"days": 3}},
            {"key": "stage", "kind": "set_stage", "config": {"stage": "lead"}},
        ],
        **values,
    }


def test_define_activate_enrol_and_read(client: Any, session: Session, cast: Any) -> None:
    template_id = make_template(session, cast.manager)
    people = [make_contact(session) for _ in range(3)]
    segment = Segment(name="Readers", kind=SegmentKind.static)
    session.add(segment)
    session.flush()
    session.add_all([SegmentMember(segment_id=segment.id, contact_id=p.id) for p in people[:2]])
    headers = token(session, cast.manager)

    created = client.post("/api/v1/sequences", json=body(template_id), headers=headers)
    assert created.status_code == 201, created.text
    sequence = created.json()
    assert sequence["status"] == "draft" and [s["key"] for s in sequence["steps"]] == [
        "hello",
        "pause",
        "stage",
    ]
    url = f"/api/v1/sequences/{sequence['id']}"
    refused = client.post(f"{url}/enrolments", json={"segment_id": segment.id}, headers=headers)
    assert refused.status_code == 409 and "draft" in refused.json()["detail"]
    assert client.post(f"{url}/activate", headers=headers).json()["status"] == "active"

    by_segment = client.post(f"{url}/enrolments", json={"segment_id": segment.id}, headers=headers)
    assert by_segment.json()["enrolled"] == 2
    by_email = client.post(
        f"{url}/enrolments",
        json={"emails": [people[2].email, people[0].email, "ghost@example.org"]},
        headers=headers,
    ).json()
    assert by_email["enrolled"] == 1 and by_email["already_enrolled"] == 1
    assert {r["reason"] for r in by_email["rejects"]} == {"already_enrolled", "unknown"}

    page = client.get(f"{url}/enrolments?limit=2", headers=headers).json()
    rest = client.get(
        f"{url}/enrolments?limit=2&cursor={page['next_cursor']}", headers=headers
    ).json()
    assert len(page["items"]) + len(rest["items"]) == 3 and rest["next_cursor"] is None
    assert page["items"][0]["step_key"] == "hello"

    listed = client.get("/api/v1/sequences", headers=headers).json()
    assert listed["items"][0]["active_enrolments"] == 3 and listed["next_cursor"] is None
    stats = client.get(f"{url}/stats", headers=headers).json()
    assert stats["active"] == 3 and stats["steps"][0]["at_step"] == 3

    assert client.post(f"{url}/pause", headers=headers).json()["status"] == "paused"
    resumed = client.post(f"{url}/resume", headers=headers).json()
    assert resumed["status"] == "active"
    replaced = client.put(
        url, json=body(template_id, name="Renamed", version=resumed["version"]), headers=headers
    )
    assert replaced.status_code == 200 and replaced.json()["name"] == "Renamed"
    assert [s["id"] for s in replaced.json()["steps"]] == [s["id"] for s in sequence["steps"]]
    stale = client.put(url, json=body(template_id, version=resumed["version"]), headers=headers)
    assert stale.status_code == 409


def test_bad_input_names_the_field(client: Any, session: Session, cast: Any) -> None:
    headers = token(session, cast.manager)
    response = client.post(
        "/api/v1/sequences",
        json=body(99999, steps=[{"key": "w", "kind": "wait", "config": {"days": 0}}]),
        headers=headers,
    )
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    fields = {problem["field"] for problem in response.json()["errors"]}
    assert "steps.0.config" in fields
    missing_template = client.post("/api/v1/sequences", json=body(99999), headers=headers)
    assert missing_template.status_code == 422
    assert "template" in missing_template.text
    assert client.get("/api/v1/sequences/424242", headers=headers).status_code == 404
    enrol = client.post("/api/v1/sequences/1/enrolments", json={}, headers=headers)
    assert enrol.status_code == 422


def test_roles_and_scopes(client: Any, session: Session, cast: Any) -> None:
    template_id = make_template(session, cast.manager)
    member = token(session, cast.intern)
    forbidden = client.post("/api/v1/sequences", json=body(template_id), headers=member)
    assert forbidden.status_code == 403
    reader = token(session, cast.manager, TokenScope.read)
    assert (
        client.post("/api/v1/sequences", json=body(template_id), headers=reader).status_code == 403
    )
    assert client.get("/api/v1/sequences", headers=reader).status_code == 200
    assert client.get("/api/v1/sequences").status_code == 401
