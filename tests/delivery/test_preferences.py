"""The preference centre: signed links, leaving and coming back, never for bounces."""

from __future__ import annotations

from sqlalchemy import select

from propulse.config import get_settings
from propulse.contacts import service as contacts
from propulse.contacts.models import ContactEvent, SuppressionReason
from propulse.contacts.schemas import ConsentIn, ContactIn
from propulse.delivery import service
from propulse.delivery.models import DeliveryMessage
from propulse.delivery.preferences import (
    PURPOSE,
    preference_token,
    preferences_url,
    read_preference_token,
)
from propulse.delivery.tokens import MessageLinkSigner, unsubscribe_token
from propulse.kit.security import LinkSigner


def signer() -> LinkSigner:
    return LinkSigner(get_settings().effective_secret_key())


def queued(session, cast, email: str, *, language: str | None = None) -> tuple[str, int, int]:  # type: ignore[no-untyped-def]
    """Queue a message to a new opted-in contact; return its preferences path and ids."""
    contact = contacts.create_contact(
        session, actor=cast.cmo, data=ContactIn(email=email, language=language)
    )
    contacts.record_consent(
        session, actor=cast.cmo, contact_id=contact.id, data=ConsentIn(basis="opt_in")
    )
    message = service.enqueue_message(
        session,
        to_address=email,
        contact_id=contact.id,
        subject="News",
        html_body="<p>News</p>",
        text_body="News",
        stream="sequence:4",
    )
    session.commit()
    token = preference_token(signer(), message_pk=message.id, contact_id=contact.id)
    return f"/preferences/{token}", contact.id, message.id


def events(session, contact_id: int, kind: str) -> list[ContactEvent]:  # type: ignore[no-untyped-def]
    session.expire_all()
    return list(
        session.scalars(
            select(ContactEvent).where(
                ContactEvent.contact_id == contact_id, ContactEvent.type == kind
            )
        )
    )


def test_tokens_and_url_for_the_composer():
    fast = MessageLinkSigner(get_settings().effective_secret_key(), PURPOSE)
    token = fast.token(message_pk=12, contact_id=None)
    assert token == preference_token(signer(), message_pk=12, contact_id=None)
    assert read_preference_token(signer(), token).message_pk == 12
    assert preferences_url("https://mail.example/", token) == (
        f"https://mail.example/preferences/{token}"
    )


def test_leave_then_come_back(client, session, cast):
    path, contact_id, message_pk = queued(session, cast, "marie@client.example")
    page = client.get(path)
    assert page.status_code == 200
    assert "You receive our marketing e-mail." in page.text
    assert "m••••@client.example" in page.text
    assert "marie@client.example" not in page.text

    left = client.post(path, data={"action": "unsubscribe"})
    assert left.status_code == 200
    assert "you will receive no more marketing e-mail" in left.text
    assert "Subscribe again" in left.text
    session.expire_all()
    assert contacts.is_suppressed(session, email="marie@client.example")
    contact = contacts.get_contact(session, contact_id=contact_id)
    assert contact.email_consent == "withdrawn"
    assert contacts.consent_history(session, contact_id=contact_id)[0].source == (
        "preference-centre"
    )
    [event] = events(session, contact_id, "unsubscribed")
    assert event.properties == {"source": "preference-centre", "stream": "sequence:4"}
    assert session.get(DeliveryMessage, message_pk).unsubscribed_at is not None
    client.post(path, data={"action": "unsubscribe"})  # twice: nothing more
    assert len(events(session, contact_id, "unsubscribed")) == 1

    back = client.post(path, data={"action": "resubscribe"})
    assert back.status_code == 200
    assert "Welcome back" in back.text
    session.expire_all()
    assert not contacts.is_suppressed(session, email="marie@client.example")
    latest = contacts.consent_history(session, contact_id=contact_id)[0]
    assert (latest.basis, latest.source) == ("opt_in", "preference-centre")
    assert contacts.get_contact(session, contact_id=contact_id).email_consent == "opt_in"
    assert len(events(session, contact_id, "resubscribed")) == 1


def test_the_page_speaks_the_contacts_language(client, session, cast):
    path, _contact_id, _message_pk = queued(session, cast, "jean@client.example", language="fr")
    page = client.get(path, headers={"Accept-Language": "en"})
    assert '<html lang="fr"' in page.text


def test_a_bounced_address_cannot_subscribe_again(client, session, cast):
    path, contact_id, _message_pk = queued(session, cast, "gone@client.example")
    contacts.suppress(session, email="gone@client.example", reason=SuppressionReason.bounced)
    session.commit()
    page = client.get(path)
    assert "Subscribe again" not in page.text
    assert "No marketing e-mail goes to this address" in page.text
    refused = client.post(path, data={"action": "resubscribe"})
    assert refused.status_code == 409
    session.expire_all()
    assert contacts.is_suppressed(session, email="gone@client.example")
    assert contacts.get_contact(session, contact_id=contact_id).email_consent == "opt_in"
    assert client.post(path, data={"action": "dance"}).status_code == 422


def test_altered_and_foreign_tokens_are_refused(client, session, cast):
    path, _contact_id, message_pk = queued(session, cast, "lea@client.example")
    altered = path[:-3] + ("AAA" if not path.endswith("AAA") else "BBB")
    foreign = "/preferences/" + preference_token(
        LinkSigner("another-installation-key-" + "y" * 30), message_pk=message_pk, contact_id=None
    )
    # An unsubscribe token does not open the preference centre (another purpose).
    other_purpose = "/preferences/" + unsubscribe_token(
        signer(), message_pk=message_pk, contact_id=None
    )
    for bad in (altered, foreign, other_purpose, "/preferences/nothing"):
        for response in (client.get(bad), client.post(bad, data={"action": "unsubscribe"})):
            assert response.status_code == 400
            assert "This preferences link is damaged" in response.text
    session.expire_all()
    assert not contacts.is_suppressed(session, email="lea@client.example")


def test_leave_one_sequence_only_and_choose_the_language(client, session, cast):
    from propulse.nurture import service as nurture
    from propulse.nurture.models import Enrolment, EnrolmentSource
    from tests.nurture.factories import TUESDAY, active_sequence, make_template, run_at

    template_id = make_template(session, cast.manager)
    steps = [
        {"key": "hello", "kind": "send_email", "config": {"template_id": template_id}},
        {"key": "pause", "kind": "wait", "config": {"days": 2}},
        {"key": "again", "kind": "send_email", "config": {"template_id": template_id}},
    ]
    sequence = active_sequence(session, cast.manager, steps, name="E-book follow-up")
    contact = contacts.create_contact(
        session, actor=cast.cmo, data=ContactIn(email="paul@client.example", language="en")
    )
    contacts.record_consent(
        session, actor=cast.cmo, contact_id=contact.id, data=ConsentIn(basis="opt_in")
    )
    nurture.enrol_contact(
        session,
        actor=None,
        sequence_id=sequence.id,
        contact_id=contact.id,
        source=EnrolmentSource.api,
    )
    run_at(session, TUESDAY)
    message = session.scalar(
        select(DeliveryMessage).where(DeliveryMessage.contact_id == contact.id)
    )
    session.commit()
    path = "/preferences/" + preference_token(
        signer(), message_pk=message.id, contact_id=contact.id
    )

    page = client.get(path)
    assert "part of the series “E-book follow-up”" in page.text
    left = client.post(path, data={"action": "leave_stream"})
    assert left.status_code == 200
    assert "this series will send you nothing more" in left.text
    session.expire_all()
    enrolment = session.scalar(select(Enrolment).where(Enrolment.contact_id == contact.id))
    assert (enrolment.status, enrolment.exit_reason) == ("exited", "left_by_contact")
    assert len(events(session, contact.id, "left_sequence")) == 1
    # Only the series: the address is not suppressed and the consent stands.
    assert "You receive our marketing e-mail." in left.text
    assert "part of the series" not in left.text
    again = client.post(path, data={"action": "leave_stream"})
    assert again.status_code == 409  # nothing left to stop on this stream

    french = client.post(path, data={"action": "language", "language": "fr"})
    assert french.status_code == 200
    assert "Vous recevez nos e-mails marketing." in french.text  # the page speaks it at once
    session.expire_all()
    assert contacts.get_contact(session, contact_id=contact.id).language == "fr"
    wrong = client.post(path, data={"action": "language", "language": "tlh"})
    assert wrong.status_code == 422
    assert contacts.get_contact(session, contact_id=contact.id).language == "fr"
