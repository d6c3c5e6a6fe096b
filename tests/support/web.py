"""Helpers for tests that drive the pages: sign in, read the CSRF token, post forms."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient
from httpx import Response

from tests.support.factories import PASSWORD

_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_from(response: Response) -> str:
    match = _CSRF.search(response.text)
    assert match, "the page carries no CSRF field"
    return match.group(1)


def sign_in(client: TestClient, email: str, password: str = PASSWORD) -> Response:
    page = client.get("/login")
    response = client.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": csrf_from(page), "next": "/"},
    )
    assert response.status_code == 303, response.text
    return response


def post_form(client: TestClient, page_path: str, action: str, data: dict[str, Any]) -> Response:
    """Open a page, then submit a form to ``action`` with that page's CSRF token."""
    page = client.get(page_path)
    return client.post(action, data={**data, "csrf_token": csrf_from(page)})


_ID = re.compile(r'\sid="([^"]+)"')


def assert_unique_ids(html: str) -> None:
    """Fail when two elements share an id (labels would point to the wrong field)."""
    ids = _ID.findall(html)
    duplicates = sorted({value for value in ids if ids.count(value) > 1})
    assert not duplicates, f"duplicate ids: {duplicates}"
