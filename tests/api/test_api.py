"""The API: Bearer tokens and scopes, problem+json errors, cursor pagination, OpenAPI."""

from __future__ import annotations

from propulse.auth import service as auth
from propulse.auth.models import TokenScope
from propulse.kit.security import hash_api_token
from tests.support.web import sign_in


def _token(session, user, scope=TokenScope.read):
    _record, secret = auth.create_token(session, actor=user, owner=user, name="test", scope=scope)
    session.commit()
    return {"Authorization": f"Bearer {secret}"}


def test_without_a_token_the_api_answers_401_problem(client, cast):
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["www-authenticate"].startswith("Bearer")
    body = response.json()
    assert body["status"] == 401 and body["type"].endswith("/unauthorized")


def test_a_wrong_or_revoked_token_is_401(client, cast, session):
    assert client.get("/api/v1/me", headers={"Authorization": "Bearer ppl_nope"}).status_code == 401
    headers = _token(session, cast.intern)
    token_id = auth.list_tokens(session, actor=cast.intern, owner=cast.intern)[0].id
    auth.revoke_token(session, actor=cast.intern, token_id=token_id)
    session.commit()
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_me_returns_the_tokens_user_and_tokens_are_stored_hashed(client, cast, session):
    headers = _token(session, cast.manager)
    body = client.get("/api/v1/me", headers=headers).json()
    assert body["email"] == cast.manager.email and body["role"] == "manager"
    secret = headers["Authorization"].split()[1]
    stored = auth.list_tokens(session, actor=cast.manager, owner=cast.manager)[0]
    assert stored.token_hash == hash_api_token(secret) and secret not in stored.token_hash


def test_a_read_token_cannot_write_and_a_write_token_can(client, cast, session):
    payload = {"name": "Events", "description": "Trade shows"}
    read = client.post("/api/v1/teams", json=payload, headers=_token(session, cast.manager))
    assert read.status_code == 403
    assert "may only read" in read.json()["detail"]
    write = client.post(
        "/api/v1/teams", json=payload, headers=_token(session, cast.manager, TokenScope.write)
    )
    assert write.status_code == 201
    assert write.json()["name"] == "Events"


def test_role_refusals_are_403_problems_with_the_reason(client, cast, session):
    headers = _token(session, cast.intern, TokenScope.write)
    response = client.post(
        "/api/v1/users", json={"email": "a@b.example", "name": "A"}, headers=headers
    )
    assert response.status_code == 403
    assert "may not add people" in response.json()["detail"]


def test_validation_errors_have_field_level_details(client, cast, session):
    headers = _token(session, cast.cmo, TokenScope.write)
    response = client.post(
        "/api/v1/users", json={"email": "nope", "name": "", "country": "ZZ"}, headers=headers
    )
    assert response.status_code == 422
    body = response.json()
    assert response.headers["content-type"] == "application/problem+json"
    fields = {error["field"] for error in body["errors"]}
    assert {"email", "name", "country"} <= fields


def test_a_stale_update_through_the_api_is_409(client, cast, session):
    headers = _token(session, cast.cmo, TokenScope.write)
    person = client.get(f"/api/v1/users/{cast.intern.id}", headers=headers).json()
    update = {
        k: person[k]
        for k in ("name", "role", "country", "languages", "weekly_capacity_hours", "manager_id")
    }
    first = client.put(
        f"/api/v1/users/{cast.intern.id}",
        json={**update, "weekly_capacity_hours": 21, "version": person["version"]},
        headers=headers,
    )
    assert first.status_code == 200
    stale = client.put(
        f"/api/v1/users/{cast.intern.id}",
        json={**update, "name": "Other", "version": person["version"]},
        headers=headers,
    )
    assert stale.status_code == 409
    assert "changed meanwhile" in stale.json()["detail"]


def test_lists_are_paginated_by_cursor(client, cast, session):
    headers = _token(session, cast.cmo)
    first = client.get("/api/v1/users?limit=3", headers=headers).json()
    assert len(first["items"]) == 3 and first["next_cursor"]
    second = client.get(
        f"/api/v1/users?limit=3&cursor={first['next_cursor']}", headers=headers
    ).json()
    assert [u["email"] for u in second["items"]] == [cast.salesperson.email]
    assert second["next_cursor"] is None
    bad = client.get("/api/v1/users?cursor=%%%", headers=headers)
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "cursor"
    too_many = client.get("/api/v1/users?limit=9999", headers=headers)
    assert too_many.status_code == 422


def test_openapi_and_its_docs_page_need_a_signed_in_user(client, cast, session):
    assert client.get("/api/v1/openapi.json").status_code == 401
    spec = client.get("/api/v1/openapi.json", headers=_token(session, cast.intern)).json()
    assert "/me" in spec["paths"] and "/users" in spec["paths"]
    assert client.get("/api/v1/docs").status_code == 303
    sign_in(client, cast.intern.email)
    docs = client.get("/api/v1/docs")
    assert docs.status_code == 200 and "swagger-ui" in docs.text
    assert client.get("/api/v1/openapi.json").status_code == 200


def test_the_api_does_not_accept_the_session_cookie_for_data(client, cast):
    sign_in(client, cast.cmo.email)
    assert client.get("/api/v1/me").status_code == 401  # no cookie auth: no CSRF hole


def test_healthz_is_public(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json()["status"] == "ok"


def test_unknown_pages_are_translated_404s(client, cast):
    sign_in(client, cast.cmo.email)
    page = client.get("/nowhere", headers={"Accept-Language": "en"})
    assert page.status_code == 404 and "There is nothing at this address." in page.text
    assert client.get("/api/v1/nowhere").headers["content-type"] == "application/problem+json"
