"""Error pages say what happened, in the user's language; never a traceback."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.support.web import sign_in


def test_an_unexpected_error_is_a_translated_500_page(app, cast):
    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("a bug")

    with TestClient(app, raise_server_exceptions=False, follow_redirects=False) as client:
        sign_in(client, cast.cmo.email)
        page = client.get("/boom", headers={"Accept-Language": "fr"})
        assert page.status_code == 500
        assert "Traceback" not in page.text and "a bug" not in page.text
        english = client.get("/boom", headers={"Accept-Language": "en"})
        assert "An unexpected error happened" in english.text


def test_an_htmx_error_comes_back_as_a_fragment_for_the_messages_area(client, cast):
    from tests.support.web import csrf_from

    sign_in(client, cast.intern.email)
    page = client.get("/teams")
    response = client.post(
        "/teams/1/members",
        data={"user_id": "1"},
        headers={"HX-Request": "true", "X-CSRF-Token": csrf_from(page)},
    )
    assert response.status_code == 403
    assert response.headers["HX-Retarget"] == "#messages"
    assert response.text.lstrip().startswith('<p class="flash flash-error"')


def test_every_unsafe_page_route_checks_csrf(app):
    from propulse.web import verify_csrf
    from tests.support.routes import walk

    # RFC 8058: a mail client posts the one-click unsubscribe with no page and no cookie; the
    # signed token in the URL is what authorises it.
    # Sign-up forms are embedded on other sites (no Propulse session to hold a token): a
    # honeypot, a rate limit per IP and the signed confirmation link stand in for it.
    # The preference centre: its signed token authorises it (e-mail readers may keep no cookie).
    without_csrf = {"/u/{token}", "/f/{slug}", "/f/confirm/{token}", "/preferences/{token}"}
    unsafe = [route for route in walk(app.routes) if route.methods - {"GET", "HEAD"}]
    assert len(unsafe) > 20
    for route in unsafe:
        if route.path in without_csrf:
            continue
        assert verify_csrf in route.dependency_calls, f"{route.path} has no CSRF check"
