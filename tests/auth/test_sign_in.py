"""Sign-in, sign-out, throttling, invitations and password resets, through the pages."""

from __future__ import annotations

import re

from propulse.auth import service
from propulse.db import utcnow
from tests.support.factories import PASSWORD
from tests.support.web import csrf_from, post_form, sign_in


def test_a_page_without_sign_in_redirects_to_the_sign_in_page(client, cast):
    response = client.get("/people?cursor=")
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/people%3Fcursor%3D"


def test_the_cmo_signs_in_sees_the_home_page_and_signs_out(client, cast):
    sign_in(client, cast.cmo.email)
    home = client.get("/")
    assert home.status_code == 200
    assert "Claire (CMO)" in home.text
    assert 'href="/audit"' in home.text  # admins see the audit log in the navigation

    signed_out = post_form(client, "/", "/logout", {})
    assert signed_out.status_code == 303
    assert client.get("/").status_code == 303


def test_a_wrong_password_is_refused_with_a_message(client, cast):
    page = client.get("/login")
    response = client.post(
        "/login",
        data={"email": cast.cmo.email, "password": "nope", "csrf_token": csrf_from(page)},
    )
    assert response.status_code == 401
    assert "do not match an active account" in response.text
    assert client.get("/").status_code == 303


def test_repeated_failures_slow_down_the_next_attempts(client, cast, session):
    page = client.get("/login")
    token = csrf_from(page)
    for _attempt in range(service.FREE_FAILED_SIGN_INS):
        client.post(
            "/login", data={"email": cast.intern.email, "password": "x", "csrf_token": token}
        )
    blocked = client.post(
        "/login", data={"email": cast.intern.email, "password": PASSWORD, "csrf_token": token}
    )
    assert blocked.status_code == 429
    assert "Too many failed attempts" in blocked.text
    session.refresh(cast.intern)
    assert cast.intern.sign_in_blocked_until is not None
    assert cast.intern.sign_in_blocked_until > utcnow()


def test_sign_in_follows_only_local_next_addresses(client, cast):
    page = client.get("/login")
    response = client.post(
        "/login",
        data={
            "email": cast.cmo.email,
            "password": PASSWORD,
            "csrf_token": csrf_from(page),
            "next": "https://evil.example/",
        },
    )
    assert response.headers["location"] == "/"


def test_the_session_cookie_is_httponly_and_samesite(client, cast):
    response = sign_in(client, cast.cmo.email)
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie
    assert "samesite=lax" in cookie


def test_a_form_without_csrf_token_is_refused(client, cast):
    sign_in(client, cast.cmo.email)
    response = client.post("/teams", data={"name": "Growth"})
    assert response.status_code == 403
    assert "did not come from Propulse" in response.text
    assert "Growth" not in client.get("/teams").text


def test_an_invitation_by_email_lets_the_person_choose_a_password(
    client, cast, smtp_server, session
):
    from propulse import jobs

    sign_in(client, cast.cmo.email)
    response = post_form(
        client,
        "/people/new",
        "/people/new",
        {
            "email": "Nora@Alpinea.example",
            "name": "Nora",
            "role": "member",
            "weekly_capacity_hours": "30",
            "is_active": "on",
        },
    )
    assert response.status_code == 303, response.text
    assert jobs.run_pending() >= 1
    message = smtp_server.wait_for(1)[0]
    assert message["To"] == "nora@alpinea.example"
    body = message.get_payload(decode=True).decode()
    link = re.search(r"http://testserver(/invitation/\S+)", body).group(1)

    post_form(client, "/", "/logout", {})
    page = client.get(link)
    assert page.status_code == 200
    too_short = client.post(
        link, data={"password": "short", "confirmation": "short", "csrf_token": csrf_from(page)}
    )
    assert too_short.status_code == 422
    assert "at least 10 characters" in too_short.text
    accepted = client.post(
        link,
        data={
            "password": "a long new password",
            "confirmation": "a long new password",
            "csrf_token": csrf_from(page),
        },
    )
    assert accepted.status_code == 303
    assert "Nora" in client.get("/").text
    assert client.get(link).status_code == 404  # a used link is dead


def test_a_password_reset_by_email(client, cast, smtp_server):
    from propulse import jobs

    page = client.get("/password/forgot")
    sent = client.post(
        "/password/forgot", data={"email": cast.intern.email, "csrf_token": csrf_from(page)}
    )
    assert sent.status_code == 200
    assert "on its way" in sent.text
    unknown = client.post(
        "/password/forgot", data={"email": "nobody@x.example", "csrf_token": csrf_from(page)}
    )
    assert unknown.text.count("on its way") == 1  # the same answer: no account enumeration
    jobs.run_pending()
    messages = smtp_server.wait_for(1)
    assert len(messages) == 1
    link = re.search(
        r"http://testserver(/password/reset/\S+)", messages[0].get_payload(decode=True).decode()
    ).group(1)
    form = client.get(link)
    differ = client.post(
        link,
        data={"password": "new password 1", "confirmation": "other", "csrf_token": csrf_from(form)},
    )
    assert differ.status_code == 422
    assert "The two passwords differ" in differ.text
    done = client.post(
        link,
        data={
            "password": "new password 1",
            "confirmation": "new password 1",
            "csrf_token": csrf_from(form),
        },
    )
    assert done.status_code == 303
    post_form(client, "/", "/logout", {})
    sign_in(client, cast.intern.email, "new password 1")


def test_an_altered_link_is_refused(client, cast):
    response = client.get("/password/reset/not-a-real-token")
    assert response.status_code == 404
    assert "not valid any more" in response.text
