"""In-app notifications and transactional e-mail through a real SMTP server."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import select

from propulse import jobs
from propulse.db import utcnow
from propulse.notifications import service
from propulse.notifications.models import EmailStatus, OutboundEmail
from tests.support.smtp import RecordingSmtpServer
from tests.support.web import post_form, sign_in


def test_a_notification_appears_in_the_app_and_arrives_by_email(client, cast, session, smtp_server):
    service.notify(
        session,
        user=cast.intern,
        title="Your request was accepted",
        body="It serves **objective 2**.",
        link="/people",
    )
    session.commit()
    assert jobs.run_pending() == 1
    message = smtp_server.wait_for(1)[0]
    assert message["Subject"] == "Your request was accepted"
    assert message["To"] == cast.intern.email
    assert message["Message-ID"].endswith("@localhost>")  # PROPULSE_MAIL_FROM's domain
    assert "http://testserver/people" in message.get_payload(decode=True).decode()

    sign_in(client, cast.intern.email)
    home = client.get("/")
    assert '<span class="badge">1</span>' in home.text
    page = client.get("/notifications")
    assert "<strong>objective 2</strong>" in page.text  # the body's Markdown, sanitised
    post_form(client, "/notifications", "/notifications/read", {})
    assert '<span class="badge">' not in client.get("/").text


def test_a_sent_email_is_never_sent_twice(session, cast, smtp_server):
    service.notify(session, user=cast.manager, title="Hello")
    session.commit()
    email_id = session.scalars(select(OutboundEmail.id)).one()
    assert service.deliver_outbound_email(session, email_id=email_id) == EmailStatus.sent
    assert service.deliver_outbound_email(session, email_id=email_id) == EmailStatus.sent
    session.commit()
    assert len(smtp_server.wait_for(1)) == 1


def test_an_unreachable_server_leaves_the_email_pending_for_the_sweep(
    session, cast, smtp_server, monkeypatch
):
    from propulse.config import get_settings

    service.notify(session, user=cast.manager, title="Retry me")
    session.commit()
    email = session.scalars(select(OutboundEmail)).one()
    monkeypatch.setenv("PROPULSE_SMTP_URL", "smtp://127.0.0.1:1")  # nothing listens there
    get_settings.cache_clear()
    assert service.deliver_outbound_email(session, email_id=email.id) == EmailStatus.pending
    assert email.attempts == 1 and email.last_error
    assert email.next_attempt_at > utcnow()
    email.next_attempt_at = utcnow() - timedelta(minutes=5)
    session.commit()
    assert service.due_outbound_email_ids(session) == [email.id]


def test_without_smtp_no_email_is_queued(session, cast):
    service.notify(session, user=cast.manager, title="Quiet")
    session.commit()
    assert session.scalars(select(OutboundEmail)).all() == []
    assert service.unread_count(session, user=cast.manager) == 1


def save_sending_settings(client, cast, values: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    """Save the sending settings page as the CMO (an admin) would."""
    import re

    from tests.support.web import csrf_from

    sign_in(client, cast.cmo.email)
    page = client.get("/sending/settings")
    version = re.search(r'name="version" value="(\d*)"', page.text).group(1)  # type: ignore[union-attr]
    form = {"version": version, "csrf_token": csrf_from(page), **values}
    assert client.post("/sending/settings", data=form).status_code == 303


@pytest.fixture
def page_smtp_server() -> Iterator[RecordingSmtpServer]:
    """An SMTP server that only the sending settings page names (not PROPULSE_SMTP_URL)."""
    server = RecordingSmtpServer()
    server.start()
    yield server
    server.stop()


def test_notification_email_goes_through_the_server_saved_on_the_page(
    client, cast, session, page_smtp_server
):
    save_sending_settings(
        client,
        cast,
        {
            "smtp_url": f"smtp://127.0.0.1:{page_smtp_server.port}",
            "mail_from": "Alpinea <news@Alpinea.example>",
        },
    )
    service.notify(session, user=cast.intern, title="Your request was accepted")
    session.commit()
    email = session.scalars(select(OutboundEmail)).one()  # queued: the page names a server
    jobs.run_pending()
    [message] = page_smtp_server.wait_for(1)
    assert message["Subject"] == "Your request was accepted"
    assert message["From"] == "Alpinea <news@Alpinea.example>"
    assert message["Message-ID"] == email.message_id
    assert message["Message-ID"].endswith("@alpinea.example>")
    session.refresh(email)
    assert email.status == EmailStatus.sent


def test_the_page_wins_over_the_environment(client, cast, session, smtp_server, page_smtp_server):
    save_sending_settings(client, cast, {"smtp_url": f"smtp://127.0.0.1:{page_smtp_server.port}"})
    service.notify(session, user=cast.manager, title="Which server?")
    session.commit()
    jobs.run_pending()
    [message] = page_smtp_server.wait_for(1)
    assert message["Subject"] == "Which server?"
    # No page sender: PROPULSE_MAIL_FROM's, and a Message-ID in its domain.
    assert message["Message-ID"].endswith("@localhost>")
    assert smtp_server.messages == []  # PROPULSE_SMTP_URL's server got nothing


@pytest.fixture
def settings_restored(monkeypatch) -> Iterator[None]:
    """Forget the settings read from an environment a test changed."""
    from propulse.config import get_settings

    yield
    monkeypatch.undo()
    get_settings.cache_clear()


def test_an_unreadable_page_password_queues_the_email_and_delivery_says_why(
    client, cast, session, page_smtp_server, monkeypatch, settings_restored
):
    from propulse.config import get_settings

    save_sending_settings(
        client,
        cast,
        {
            "smtp_url": f"smtp://news:s3cret@127.0.0.1:{page_smtp_server.port}",
            "mail_from": "Alpinea <news@alpinea.example>",
        },
    )
    monkeypatch.setenv("PROPULSE_SECRET_KEY", "another-secret-key-" + "z" * 32)
    get_settings.cache_clear()
    service.notify(session, user=cast.manager, title="The key changed")
    session.commit()
    email = session.scalars(select(OutboundEmail)).one()
    assert email.message_id.endswith("@alpinea.example>")
    assert service.deliver_outbound_email(session, email_id=email.id) == EmailStatus.pending
    assert "cannot be decrypted" in email.last_error
    assert email.attempts == 1 and email.next_attempt_at > utcnow()
    assert page_smtp_server.messages == []
