"""Unsubscribing through the signed link: RFC 8058 one-click, the confirm page, forged tokens."""

from __future__ import annotations

import re

from sqlalchemy import select

from propulse.contacts import service as contacts
from propulse.contacts.models import ContactEvent
from propulse.contacts.schemas import ConsentIn, ContactIn
from propulse.delivery import service
from propulse.delivery.models import DeliveryMessage, DeliveryStatus
from propulse.delivery.tokens import unsubscribe_token
from propulse.kit.security import LinkSigner


def sent_link(session, cast, smtp, deliver, email: str) -> tuple[str, int]:
    """Send a message to a new opted-in contact; return its unsubscribe path and the contact."""
    contact = contacts.create_contact(session, actor=cast.cmo, data=ContactIn(email=email))
    contacts.record_consent(
        session, actor=cast.cmo, contact_id=contact.id, data=ConsentIn(basis="opt_in")
    )
    service.enqueue_message(
        session,
        to_address=email,
        contact_id=contact.id,
        subject="Our news",
        html_body="<p>News</p>",
        text_body="News",
        stream="sequence:3",
    )
    deliver()
    header = smtp.messages[-1]["List-Unsubscribe"]
    url = re.fullmatch(r"<http://testserver(/u/[\w.-]+)>", header).group(1)
    return url, contact.id


def unsubscribed_events(session, contact_id: int) -> list[ContactEvent]:
    return list(
        session.scalars(
            select(ContactEvent).where(
                ContactEvent.contact_id == contact_id, ContactEvent.type == "unsubscribed"
            )
        )
    )


def test_one_click_unsubscribes_at_once_without_a_session(client, session, cast, smtp, deliver):
    path, contact_id = sent_link(session, cast, smtp, deliver, "marie@client.example")
    # What a mail provider sends (RFC 8058): a POST with this body, no cookie, no CSRF token.
    response = client.post(
        path,
        content=b"List-Unsubscribe=One-Click",
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 200
    assert "You are unsubscribed" in response.text
    assert "m••••@client.example" in response.text  # the address, masked

    session.expire_all()
    assert contacts.is_suppressed(session, email="marie@client.example")
    contact = contacts.get_contact(session, contact_id=contact_id)
    assert contact.email_consent == "withdrawn"
    history = contacts.consent_history(session, contact_id=contact_id)
    assert history[0].basis == "withdrawn"
    assert history[0].source == "one-click unsubscribe"
    [event] = unsubscribed_events(session, contact_id)
    assert event.properties == {"source": "one-click unsubscribe", "stream": "sequence:3"}
    # The message that carried the link counts it (the figures of its sequence step).
    [sent] = session.scalars(
        select(DeliveryMessage).where(DeliveryMessage.contact_id == contact_id)
    )
    assert sent.unsubscribed_at is not None

    # Twice is harmless: nothing new is recorded.
    again = client.post(path, data={"List-Unsubscribe": "One-Click"})
    assert again.status_code == 200
    session.expire_all()
    assert len(unsubscribed_events(session, contact_id)) == 1
    assert len(contacts.consent_history(session, contact_id=contact_id)) == 2

    # A message queued before the unsubscribe is not sent.
    session.add(
        DeliveryMessage(
            message_id="<late@alpinea.example>",
            to_address="marie@client.example",
            contact_id=contact_id,
            stream="sequence:3",
            subject="Late",
        )
    )
    assert deliver()["suppressed"] == 1
    assert len(smtp.messages) == 1


def test_the_link_opens_a_confirm_page_and_a_get_changes_nothing(
    client, session, cast, smtp, deliver
):
    path, contact_id = sent_link(session, cast, smtp, deliver, "paul@client.example")
    page = client.get(path)
    assert page.status_code == 200
    assert "Stop all marketing e-mail to p•••@client.example?" in page.text
    assert f'<form method="post" action="{path}">' in page.text
    session.expire_all()
    assert not contacts.is_suppressed(session, email="paul@client.example")

    done = client.post(path)  # the confirm button
    assert done.status_code == 200
    assert "You are unsubscribed" in done.text
    session.expire_all()
    [event] = unsubscribed_events(session, contact_id)
    assert event.properties["source"] == "unsubscribe page"
    assert "You are unsubscribed" in client.get(path).text


def test_an_altered_or_foreign_token_is_refused(client, session, cast, smtp, deliver):
    path, _contact_id = sent_link(session, cast, smtp, deliver, "lea@client.example")
    altered = path[:-3] + ("AAA" if not path.endswith("AAA") else "BBB")
    foreign = "/u/" + unsubscribe_token(
        LinkSigner("another-installation-key-" + "y" * 30), message_pk=1, contact_id=None
    )
    for bad in (altered, foreign, "/u/not-a-token"):
        for response in (client.get(bad), client.post(bad, data={"List-Unsubscribe": "One-Click"})):
            assert response.status_code == 400
            assert "This unsubscribe link is damaged" in response.text
    session.expire_all()
    assert not contacts.is_suppressed(session, email="lea@client.example")


def test_an_address_without_a_contact_is_suppressed(client, session, smtp, deliver):
    message = service.enqueue_message(
        session,
        to_address="anonymous@client.example",
        subject="Hello",
        html_body="",
        text_body="Hello",
        stream="campaign",
    )
    deliver()
    session.refresh(message)
    assert message.status == DeliveryStatus.sent
    received = smtp.messages[0]
    assert received.get_content_type() == "text/plain"  # no HTML body: a single part
    path = re.fullmatch(r"<http://testserver(/u/[\w.-]+)>", received["List-Unsubscribe"]).group(1)
    assert client.post(path, data={"List-Unsubscribe": "One-Click"}).status_code == 200
    session.expire_all()
    assert contacts.is_suppressed(session, email="anonymous@client.example")
