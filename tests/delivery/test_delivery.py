"""Messages go from the outbox to a real SMTP server, signed, with their unsubscribe headers."""

from __future__ import annotations

import re

import dkim
import pytest
from sqlalchemy import select

from propulse import jobs
from propulse.contacts import service as contacts
from propulse.contacts.models import ContactEvent, SuppressionReason
from propulse.contacts.schemas import ConsentIn, ContactIn
from propulse.delivery import service
from propulse.delivery.models import DeliveryMessage, DeliveryStatus
from propulse.kit.errors import InvalidInput

HTML = "<html><body><h1>Bonjour {name}</h1><p>Voici le guide. Café ☕.</p></body></html>"


def queue(session, to: str, **fields):
    values = {
        "subject": "Le guide du SEO B2B",
        "html_body": HTML.format(name="Marie"),
        "text_body": "Bonjour Marie\n\nVoici le guide. Café ☕.\n.\nFin",
        "stream": "sequence:1",
        **fields,
    }
    return service.enqueue_message(session, to_address=to, **values)


def new_contact(session, cast, email: str, **fields):
    return contacts.create_contact(
        session, actor=cast.cmo, data=ContactIn.model_validate({"email": email, **fields})
    )


def test_a_message_arrives_signed_with_its_unsubscribe_headers(
    session, cast, smtp, dkim_key, deliver
):
    marie = new_contact(session, cast, "marie@client.example", first_name="Marie")
    message = queue(session, "Marie@Client.example", contact_id=marie.id, preheader="Un aperçu")
    assert deliver()["sent"] == 1

    raw = smtp.raw[0]
    received = smtp.messages[0]
    assert received["To"] == "marie@client.example"
    assert received["From"] == "Alpinea <news@alpinea.example>"
    assert str(received["Subject"]) == "Le guide du SEO B2B"
    assert received["Message-ID"] == message.message_id
    assert re.fullmatch(r"<[0-9a-f]{32}@alpinea\.example>", message.message_id)
    assert received["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = re.fullmatch(r"<(http://testserver/u/[\w.-]+)>", received["List-Unsubscribe"])
    assert link, received["List-Unsubscribe"]

    # The signature covers the unsubscribe headers and verifies with the published key.
    signature = received["DKIM-Signature"]
    assert "d=alpinea.example" in signature
    assert "s=mail2026" in signature
    signed = re.search(r"h=([^;]+);", signature.replace("\r\n", "").replace("\n", "")).group(1)
    signed_names = {name.strip() for name in signed.split(":")}
    assert {"from", "to", "subject", "date", "message-id"} <= signed_names
    assert {"list-unsubscribe", "list-unsubscribe-post"} <= signed_names
    assert dkim.verify(raw, dnsfunc=dkim_key.dnsfunc)
    assert not dkim.verify(raw.replace(b"One-Click", b"One-Klick"), dnsfunc=dkim_key.dnsfunc)

    # multipart/alternative: the text part first, then the HTML one with its hidden preheader.
    assert received.get_content_type() == "multipart/alternative"
    text, html = received.get_payload()
    assert text.get_content_type() == "text/plain"
    assert html.get_content_type() == "text/html"
    assert text.get_payload(decode=True).decode() == (
        "Bonjour Marie\r\n\r\nVoici le guide. Café ☕.\r\n.\r\nFin"
    )
    body = html.get_payload(decode=True).decode()
    assert body.startswith('<html><body><div style="display:none')
    assert "Un aperçu</div><h1>Bonjour Marie</h1>" in body

    session.refresh(message)
    assert message.status == DeliveryStatus.sent
    assert message.attempts == 1
    assert message.smtp_reply.startswith("250")
    assert message.sent_at is not None
    assert not message.possible_duplicate
    figures = service.stream_figures(session, stream="sequence:1")
    assert figures.counts["sent"] == 1
    assert figures.total == 1


def test_a_mailto_unsubscribe_joins_the_link_when_a_reply_mailbox_is_set(
    session, smtp, deliver, monkeypatch
):
    from tests.delivery.conftest import configure

    configure(monkeypatch, reply_address="replies@alpinea.example")
    queue(session, "paul@client.example", subject="Café crème et «guillemets» " + "x" * 80)
    deliver()
    received = smtp.messages[0]
    targets = [part.strip() for part in received["List-Unsubscribe"].split(",")]
    assert targets[0].startswith("<http://testserver/u/")
    assert targets[1].startswith("<mailto:replies@alpinea.example?subject=unsubscribe%20")
    # A long non-ASCII subject is encoded and folded, and reads back whole.
    from email.header import decode_header, make_header

    assert str(make_header(decode_header(received["Subject"]))) == (
        "Café crème et «guillemets» " + "x" * 80
    )
    assert "DKIM-Signature" not in received  # no key configured: not signed


def test_a_connection_carries_many_messages(session, smtp, deliver):
    for number in range(30):
        queue(session, f"reader{number}@client.example", stream="campaign")
    assert deliver()["sent"] == 30
    ids = {message["Message-ID"] for message in smtp.messages}
    assert len(ids) == 30
    assert service.status_counts(session)["sent"] == 30


def test_a_message_that_cannot_be_composed_fails_alone(session, smtp, deliver):
    """The batch is composed before its first send: one bad row fails, the others go."""
    first, broken, last = (queue(session, f"reader{n}@client.example") for n in range(3))
    broken.message_id = "<défaut@alpinea.example>"  # not ASCII: no header can carry it
    session.flush()
    assert deliver() == {**deliver_counts(), "sent": 2, "failed": 1}
    assert sorted(message["To"] for message in smtp.messages) == [
        "reader0@client.example",
        "reader2@client.example",
    ]
    for message in (first, broken, last):
        session.refresh(message)
    assert (first.status, last.status) == (DeliveryStatus.sent, DeliveryStatus.sent)
    assert broken.status == DeliveryStatus.failed
    assert broken.last_error.startswith("compose:")


@pytest.mark.parametrize(
    ("ahead_bytes", "composed_in_a_row"), [(1_000_000, [4]), (1, [1, 1, 1, 1])]
)
def test_a_batch_is_composed_ahead_within_a_size_bound(
    session, smtp, deliver, monkeypatch, ahead_bytes, composed_in_a_row
):
    from propulse.delivery import lane

    monkeypatch.setattr(lane, "COMPOSE_AHEAD_BYTES", ahead_bytes)
    rows: list[int] = []
    compose = lane.Lane._compose

    def counting(self, messages):  # type: ignore[no-untyped-def]
        composed = compose(self, messages)
        rows.append(len(composed))
        return composed

    monkeypatch.setattr(lane.Lane, "_compose", counting)
    for number in range(4):
        queue(session, f"reader{number}@client.example")
    assert deliver()["sent"] == 4
    assert rows == composed_in_a_row
    assert len(smtp.messages) == 4


def deliver_counts() -> dict[str, int]:
    names = ("sent", "retried", "failed", "suppressed", "reclaimed", "in_doubt")
    return dict.fromkeys(names, 0)


def test_a_suppressed_or_do_not_contact_address_is_refused_at_enqueue(session, cast):
    contacts.suppress(session, email="gone@client.example", reason=SuppressionReason.bounced)
    with pytest.raises(InvalidInput, match="suppressed") as refused:
        queue(session, "GONE@client.example")
    assert refused.value.problems[0].field == "to_address"

    paul = new_contact(session, cast, "paul@client.example")
    contacts.set_do_not_contact(
        session, actor=cast.cmo, contact_id=paul.id, reason="Asked by phone"
    )
    with pytest.raises(InvalidInput, match="do-not-contact"):
        queue(session, "paul@client.example", contact_id=paul.id)

    with pytest.raises(InvalidInput, match="valid e-mail"):
        queue(session, "not an address")
    with pytest.raises(InvalidInput) as bad_header:
        queue(session, "ok@client.example", headers={"Bcc": "spy@evil.example"})
    assert bad_header.value.problems[0].field == "headers.Bcc"
    with pytest.raises(InvalidInput) as bad_stream:
        queue(session, "ok@client.example", stream="Sequence 1")
    assert bad_stream.value.problems[0].field == "stream"


def test_an_address_suppressed_after_enqueue_is_not_sent(session, cast, smtp, deliver):
    lea = new_contact(session, cast, "lea@client.example")
    first = queue(session, "lea@client.example", contact_id=lea.id)
    second = queue(session, "tom@client.example")
    contacts.record_consent(
        session, actor=cast.cmo, contact_id=lea.id, data=ConsentIn(basis="withdrawn")
    )
    contacts.suppress(session, email="tom@client.example", reason=SuppressionReason.manual)
    tally = deliver()
    assert tally["suppressed"] == 2
    assert smtp.messages == []
    for message in (first, second):
        session.refresh(message)
        assert message.status == DeliveryStatus.suppressed
        assert message.attempts == 0


def test_a_message_waits_for_its_time(session, smtp, deliver):
    from datetime import timedelta

    from propulse.db import utcnow

    later = queue(session, "later@client.example", send_after=utcnow() + timedelta(hours=1))
    assert deliver()["sent"] == 0
    later.next_attempt_at = utcnow()
    assert deliver()["sent"] == 1


def test_a_committed_message_wakes_a_job_that_sends_it(session, smtp):
    queue(session, "first@client.example")
    queue(session, "second@client.example")
    session.commit()
    assert jobs.run_pending() == 1  # one wake-up per transaction, not per message
    assert len(smtp.wait_for(2)) == 2


def test_the_sweep_finds_due_messages_whose_wake_up_was_lost(session, smtp):
    from propulse.delivery.tasks import sweep_delivery_outbox

    queue(session, "lost@client.example")
    session.info.pop("propulse_after_commit", None)  # the wake-up job is lost
    session.commit()
    assert jobs.run_pending() == 0
    assert sweep_delivery_outbox.call_local() == 1
    jobs.run_pending()
    assert len(smtp.wait_for(1)) == 1


def test_nothing_is_sent_without_a_server(session):
    from propulse.delivery.tasks import deliver_outbox

    queue(session, "waiting@client.example")
    session.commit()
    assert deliver_outbox.call_local() == 0
    message = session.scalars(select(DeliveryMessage)).one()
    assert message.status == DeliveryStatus.queued


def test_a_bounce_is_on_the_contact_timeline(session, cast, smtp, deliver):
    smtp.plan("nobody", "550")
    ghost = new_contact(session, cast, "nobody@client.example")
    queue(session, "nobody@client.example", contact_id=ghost.id)
    deliver()
    events = session.scalars(select(ContactEvent).where(ContactEvent.contact_id == ghost.id)).all()
    bounce = next(event for event in events if event.type == "email_bounced")
    assert bounce.properties == {"stream": "sequence:1", "code": 550, "stage": "rcpt"}
    assert contacts.is_suppressed(session, email="nobody@client.example")


def test_message_ids_take_the_domain_of_the_sender_in_force(session, session_factory):
    from propulse.config import get_settings
    from propulse.delivery.headers import domain_of
    from propulse.delivery.models import DeliverySettings

    from_environment = queue(session, "one@client.example")
    assert from_environment.message_id.endswith(f"@{domain_of(get_settings().mail_from)}>")
    session.add(DeliverySettings(mail_from="Nordlys <hello@nordlys.example>"))
    session.commit()
    with session_factory() as fresh:  # the next run, a new session, reads the page's sender
        from_the_page = queue(fresh, "two@client.example")
        assert re.fullmatch(r"<[^@<>]+@nordlys\.example>", from_the_page.message_id)
