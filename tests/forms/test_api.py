"""The forms API: create, read, replace, delete, submissions by pages, problems by field."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from propulse.auth import service as auth
from propulse.auth.models import TokenScope
from propulse.db import utcnow
from propulse.forms.models import FormSubmission

BODY = {
    "name": "Cold chain e-book",
    "slug": "cold-chain-ebook",
    "language": "en",
    "title": "Download the cold chain e-book",
    "fields": [{"key": "first_name", "required": True}, {"key": "job_title", "label": "Role"}],
    "consent_wording": "I agree to receive marketing e-mails from Alpinea.",
    "wording_version": "2026-11",
    "download_url": "https://alpinea.example/ebook.pdf",
}


def token(session: Session, user: Any, scope: TokenScope = TokenScope.write) -> dict[str, str]:
    _record, secret = auth.create_token(session, actor=user, owner=user, name="test", scope=scope)
    session.commit()
    return {"Authorization": f"Bearer {secret}"}


def test_create_read_replace_and_delete(client: Any, cast: Any, session: Session) -> None:
    headers = token(session, cast.intern)
    created = client.post("/api/v1/forms", json=BODY, headers=headers)
    assert created.status_code == 201, created.text
    form = created.json()
    assert form["hosted_url"] == "http://testserver/f/cold-chain-ebook"
    assert form["fields"] == [
        {"key": "first_name", "label": "First name", "required": True},
        {"key": "job_title", "label": "Role", "required": False},
    ]
    assert form["double_opt_in"] is True and form["active"] is True

    listed = client.get("/api/v1/forms", headers=headers).json()
    assert [item["slug"] for item in listed["items"]] == ["cold-chain-ebook"]
    assert listed["next_cursor"] is None
    assert (
        client.get(f"/api/v1/forms/{form['id']}", headers=headers).json()["title"] == BODY["title"]
    )

    replaced = client.put(
        f"/api/v1/forms/{form['id']}",
        json={**BODY, "double_opt_in": False, "version": form["version"]},
        headers=headers,
    )
    assert replaced.status_code == 200, replaced.text
    assert replaced.json()["double_opt_in"] is False
    stale = client.put(
        f"/api/v1/forms/{form['id']}", json={**BODY, "version": form["version"]}, headers=headers
    )
    assert stale.status_code == 409

    assert client.delete(f"/api/v1/forms/{form['id']}", headers=headers).status_code == 204
    missing = client.get(f"/api/v1/forms/{form['id']}", headers=headers)
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"


def test_bad_input_is_named_field_by_field(client: Any, cast: Any, session: Session) -> None:
    headers = token(session, cast.intern)
    response = client.post(
        "/api/v1/forms",
        json={**BODY, "slug": "Bad Slug", "fields": [{"key": "salary"}], "language": "de"},
        headers=headers,
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    fields = {problem["field"] for problem in response.json()["errors"]}
    assert {"slug", "language"} <= fields
    unknown = client.post(
        "/api/v1/forms", json={**BODY, "fields": [{"key": "salary"}]}, headers=headers
    )
    assert unknown.status_code == 422
    assert unknown.json()["errors"] == [
        {"field": "fields.0.key", "detail": "salary is neither a contact field nor a custom field."}
    ]
    client.post("/api/v1/forms", json=BODY, headers=headers)
    taken = client.post("/api/v1/forms", json={**BODY, "name": "Another"}, headers=headers)
    assert taken.status_code == 422 and taken.json()["errors"][0]["field"] == "slug"


def test_submissions_come_newest_first_by_pages(client: Any, cast: Any, session: Session) -> None:
    headers = token(session, cast.salesperson, TokenScope.read)
    writer = token(session, cast.intern)
    form = client.post("/api/v1/forms", json=BODY, headers=writer).json()
    for index in range(3):
        session.add(
            FormSubmission(
                form_id=form["id"],
                email=f"person{index}@client.example",
                data={"first_name": f"P{index}"},
                submitted_at=utcnow(),
                confirmed_at=utcnow() if index == 0 else None,
            )
        )
    session.commit()
    first = client.get(f"/api/v1/forms/{form['id']}/submissions?limit=2", headers=headers).json()
    assert [item["email"] for item in first["items"]] == [
        "person2@client.example",
        "person1@client.example",
    ]
    assert first["items"][0]["status"] == "pending"
    second = client.get(
        f"/api/v1/forms/{form['id']}/submissions?limit=2&cursor={first['next_cursor']}",
        headers=headers,
    ).json()
    assert [item["status"] for item in second["items"]] == ["confirmed"]
    assert second["next_cursor"] is None


def test_a_viewer_may_read_but_not_write(client: Any, cast: Any, session: Session) -> None:
    headers = token(session, cast.salesperson)
    refused = client.post("/api/v1/forms", json=BODY, headers=headers)
    assert refused.status_code == 403
    assert client.get("/api/v1/forms", headers=headers).status_code == 200
