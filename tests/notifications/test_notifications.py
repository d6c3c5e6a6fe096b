"""In-app notifications and transactional e-mail through a real SMTP server."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from propulse import jobs
from propulse.db import utcnow
from propulse.notifications import service
from propulse.notifications.models import EmailStatus, OutboundEmail
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
    assert message["Message-ID"]
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
