"""The e-mail templates API: CRUD with problem+json errors, and the preview for a contact."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from propulse.auth import service as auth
from propulse.auth.models import TokenScope
from tests.email_templates.factories import template_data
from tests.segments.factories import make_contact

BASE = "/api/v1/email-templates"


def token(session: Session, user: Any, scope: TokenScope = TokenScope.write) -> dict[str, str]:
    _record, secret = auth.create_token(session, actor=user, owner=user, name="test", scope=scope)
    session.commit()
    return {"Authorization": f"Bearer {secret}"}


def test_create_read_replace_preview_and_delete(client: Any, cast: Any, session: Session) -> None:
    make_contact(session, email="anne@client.example", first_name="Anne", language="fr")
    session.commit()
    headers = token(session, cast.intern)
    created = client.post(BASE, json=template_data(), headers=headers)
    assert created.status_code == 201, created.text
    template = created.json()
    assert [variant["language"] for variant in template["variants"]] == ["en", "fr"]

    listed = client.get(BASE, headers=headers).json()
    assert [item["name"] for item in listed["items"]] == ["Guide follow-up"]
    assert listed["next_cursor"] is None
    path = f"{BASE}/{template['id']}"
    assert client.get(path, headers=headers).json()["default_language"] == "en"

    for_anne = client.post(
        f"{path}/preview", json={"contact_email": "anne@client.example"}, headers=headers
    )
    assert for_anne.status_code == 200, for_anne.text
    assert for_anne.json()["language"] == "fr"
    assert "Bonjour Anne," in for_anne.json()["text_body"]
    sample = client.post(f"{path}/preview", json={"language": "en"}, headers=headers).json()
    assert sample["subject"] == "Your guide, Camille"
    unknown = client.post(
        f"{path}/preview", json={"contact_email": "x@nowhere.example"}, headers=headers
    )
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["field"] == "contact_email"

    replaced = client.put(
        path,
        json=template_data(
            "Renamed",
            version=template["version"],
            variants=[{"language": "en", "subject": "Only English", "body": "Hi"}],
        ),
        headers=headers,
    )
    assert replaced.status_code == 200, replaced.text
    assert [v["language"] for v in replaced.json()["variants"]] == ["en"]
    stale = client.put(path, json=template_data(version=template["version"]), headers=headers)
    assert stale.status_code == 409

    assert client.delete(path, headers=headers).status_code == 204
    assert client.get(path, headers=headers).status_code == 404


def test_invalid_input_is_a_problem_with_fields(client: Any, cast: Any, session: Session) -> None:
    headers = token(session, cast.intern)
    broken = template_data(
        variants=[{"language": "en", "subject": "Hi", "body": "one\n{{ ''.__class__ }}"}]
    )
    response = client.post(BASE, json=broken, headers=headers)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert "line 2" in response.text and "variants.en.body" in response.text
    missing = client.post(BASE, json={"name": "x", "variants": []}, headers=headers)
    assert missing.status_code == 422


def test_roles_and_scopes(client: Any, cast: Any, session: Session) -> None:
    viewer = token(session, cast.salesperson)
    assert client.get(BASE, headers=viewer).status_code == 200
    assert client.get(f"{BASE}?limit=0", headers=viewer).status_code == 422
    assert client.post(BASE, json=template_data(), headers=viewer).status_code == 403
    reader = token(session, cast.intern, TokenScope.read)
    assert client.post(BASE, json=template_data(), headers=reader).status_code == 403
