"""The sending page, the commands (`propulse mail test`, `propulse delivery ...`) and the API."""

from __future__ import annotations

import json

import dkim

from propulse.auth import service as auth
from propulse.auth.models import TokenScope
from propulse.delivery import service
from tests.delivery.conftest import configure
from tests.support.web import post_form, sign_in


def queue(session, to: str, stream: str = "sequence:1"):
    return service.enqueue_message(
        session, to_address=to, subject="Hi", html_body="<p>Hi</p>", text_body="Hi", stream=stream
    )


def test_mail_test_sends_a_real_signed_message_and_prints_the_reply(run, cast, smtp, dkim_key):
    code, out, err = run("mail", "test", "claire@alpinea.example", "--json")
    assert code == 0, err
    result = json.loads(out)
    assert result["accepted"] is True
    assert result["reply"].startswith("250 2.0.0 Queued")
    assert result["dkim"] is True
    [received] = smtp.messages
    assert received["Message-ID"] == result["message_id"]
    assert received["Subject"] == "Propulse test message"
    assert received["List-Unsubscribe"].startswith("<http://testserver/u/")
    assert received["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert dkim.verify(smtp.raw[0], dnsfunc=dkim_key.dnsfunc)


def test_mail_test_says_clearly_what_is_wrong(run, cast, smtp, monkeypatch):
    smtp.plan("nobody", "550")
    code, out, err = run("mail", "test", "nobody@alpinea.example")
    assert code == 2
    assert "550 5.1.1 No such mailbox" in out
    code, _out, err = run("mail", "test", "nobody@alpinea.example")
    assert code == 2
    assert "suppressed" in err  # the bounce suppressed the address
    code, _out, err = run("--as", "lea@alpinea.example", "mail", "test", "x@alpinea.example")
    assert code == 2
    assert "may not manage sending" in err
    monkeypatch.delenv("PROPULSE_SMTP_URL")
    configure(monkeypatch, smtp_url="")
    code, _out, err = run("mail", "test", "claire@alpinea.example")
    assert code == 2
    assert "No SMTP server is configured: set PROPULSE_SMTP_URL." in err


def test_delivery_run_status_and_resume(run, session, cast, smtp, monkeypatch):
    configure(monkeypatch, delivery_pause_after_failures="1")
    smtp.plan("bad", "550")
    queue(session, "bad@client.example", stream="sequence:9")
    queue(session, "good@client.example", stream="sequence:9")
    session.commit()
    code, out, err = run("delivery", "run", "--connections", "1", "--json")
    assert code == 0, err
    assert json.loads(out)["failed"] == 1

    code, out, err = run("delivery", "status", "--json")
    status = json.loads(out)
    assert status["counts"]["failed"] == 1
    assert status["counts"]["queued"] == 1
    assert status["streams"] == [
        {
            "name": "sequence:9",
            "paused": True,
            "paused_reason": "550 5.1.1 No such mailbox (rcpt)",
            "consecutive_failures": 1,
        }
    ]
    assert status["possible_duplicates"] == []
    code, out, _err = run("delivery", "status")
    assert "sequence:9" in out
    assert "No possible duplicate." in out

    code, out, err = run("delivery", "resume", "sequence:9", "--json")
    assert code == 0, err
    assert json.loads(out) == {"name": "sequence:9", "paused": False}
    code, out, _err = run("delivery", "run", "--connections", "1", "--json")
    assert json.loads(out)["sent"] == 1
    code, _out, err = run("delivery", "resume", "sequence:404")
    assert code == 2
    assert "There is no stream named sequence:404." in err


def test_the_sending_page_shows_settings_figures_and_paused_streams(
    client, session, cast, monkeypatch, smtp, deliver
):
    configure(
        monkeypatch,
        smtp_url=f"smtp+starttls://mailer:s3cret-pass@127.0.0.1:{smtp.port}",
        delivery_max_per_second="50",
        delivery_pause_after_failures="1",
    )
    sign_in(client, cast.intern.email)
    assert client.get("/sending").status_code == 403
    client.cookies.clear()

    configure(monkeypatch, smtp_url=f"smtp://127.0.0.1:{smtp.port}")
    smtp.plan("bad", "550")
    queue(session, "bad@client.example", stream="sequence:5")
    queue(session, "later@client.example", stream="sequence:5")
    deliver()
    configure(monkeypatch, smtp_url="smtp+starttls://mailer:s3cret-pass@mail.example:587")

    sign_in(client, cast.cmo.email)
    home = client.get("/")
    assert 'href="/sending"' in home.text
    page = client.get("/sending")
    assert page.status_code == 200
    assert "mail.example:587" in page.text
    assert "STARTTLS" in page.text
    assert "mailer" in page.text
    assert "s3cret-pass" not in page.text  # secrets masked
    assert "Messages are not signed" in page.text
    assert "no limit" in page.text  # per window
    assert "sequence:5" in page.text
    assert "Paused" in page.text
    assert "550 5.1.1 No such mailbox" in page.text

    response = post_form(client, "/sending", "/sending/streams/resume", {"name": "sequence:5"})
    assert response.status_code == 303
    page = client.get("/sending")
    assert "The stream sequence:5 sends again." in page.text
    assert not service.stream_figures(session, stream="sequence:5").paused


def test_the_sending_page_shows_the_dkim_key_and_its_problems(client, cast, dkim_key, monkeypatch):
    sign_in(client, cast.cmo.email)
    page = client.get("/sending")
    assert "mail2026._domainkey.alpinea.example" in page.text
    assert "Messages are signed" in page.text
    configure(monkeypatch, dkim_private_key_path="/nonexistent/dkim.pem")
    page = client.get("/sending")
    assert "The key cannot be used" in page.text


def test_the_api_reports_the_outbox_and_resumes_streams(
    client, session, cast, smtp, deliver, monkeypatch
):
    configure(monkeypatch, delivery_pause_after_failures="1")
    smtp.plan("bad", "550")
    queue(session, "bad@client.example", stream="sequence:2")
    deliver()
    _record, secret = auth.create_token(
        session, actor=cast.cmo, owner=cast.cmo, name="ops", scope=TokenScope.write
    )
    _record, intern_secret = auth.create_token(
        session, actor=cast.intern, owner=cast.intern, name="intern", scope=TokenScope.write
    )
    session.commit()
    headers = {"Authorization": f"Bearer {secret}"}
    status = client.get("/api/v1/delivery/status", headers=headers).json()
    assert status["counts"]["failed"] == 1
    assert status["streams"][0]["name"] == "sequence:2"
    assert status["streams"][0]["paused"] is True
    refused = client.get(
        "/api/v1/delivery/status", headers={"Authorization": f"Bearer {intern_secret}"}
    )
    assert refused.status_code == 403
    resumed = client.post("/api/v1/delivery/streams/sequence:2/resume", headers=headers)
    assert resumed.status_code == 200
    assert resumed.json()["paused"] is False
    missing = client.post("/api/v1/delivery/streams/nope/resume", headers=headers)
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"


def test_an_unusable_dkim_key_stops_sending_with_a_clear_line(run, cast, smtp, monkeypatch):
    configure(
        monkeypatch,
        dkim_domain="alpinea.example",
        dkim_selector="mail2026",
        dkim_private_key_path="/nonexistent/dkim.pem",
    )
    code, _out, err = run("delivery", "run", "--connections", "1")
    assert code == 2
    assert "The DKIM key cannot be used: cannot read the DKIM key /nonexistent/dkim.pem" in err
    for name in ("DKIM_DOMAIN", "DKIM_SELECTOR", "DKIM_PRIVATE_KEY_PATH"):
        monkeypatch.delenv(f"PROPULSE_{name}")
