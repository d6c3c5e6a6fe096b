"""Every page and endpoint needs a signed-in user or a token, but the few public ones."""

from __future__ import annotations

import re

from starlette.routing import Mount

from tests.support.routes import walk

# Public on purpose: the sign-in pages, links sent by e-mail (signed tokens), health,
# calendar feeds (secret tokens), static files.
PUBLIC_PAGES = {
    "/login",
    "/language",
    "/password/forgot",
    "/password/reset/{token}",
    "/invitation/{token}",
    "/healthz",
    "/calendars/{token}.ics",
    "/u/{token}",  # unsubscribe and RFC 8058 one-click, by signed token
    "/preferences/{token}",  # the preference centre of marketing e-mail, by signed token
    "/f/{slug}",  # public sign-up forms (hosted page, embeds): honeypot + rate limit per IP
    "/f/confirm/{token}",  # double opt-in confirmation, by signed token (7 days)
    "/t/o/{token}.gif",  # open pixel of tracked e-mail: signed token, always a 1x1 GIF
    "/t/c/{token}",  # click redirect of tracked e-mail: only to the URL inside the signature
}


def _concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "1", path)


def test_every_page_sends_an_anonymous_visitor_to_sign_in(app, client):
    checked = 0
    for route in walk(app.routes):
        if route.path in PUBLIC_PAGES:
            continue
        for method in sorted(route.methods - {"HEAD"}):
            response = client.request(method, _concrete(route.path))
            assert response.status_code in (303, 401, 403), (
                method,
                route.path,
                response.status_code,
            )
            if response.status_code == 303:
                assert response.headers["location"].startswith("/login")
            checked += 1
    assert checked > 40


def test_every_api_endpoint_answers_401_without_a_token(app, client):
    api = next(r for r in app.routes if isinstance(r, Mount) and r.path == "/api/v1")
    checked = 0
    for route in walk(api.routes):
        if route.path == "/docs":
            continue
        for method in sorted(route.methods - {"HEAD"}):
            response = client.request(method, "/api/v1" + _concrete(route.path))
            assert response.status_code == 401, (method, route.path, response.status_code)
            assert response.headers["content-type"] == "application/problem+json"
            checked += 1
    assert checked > 30
