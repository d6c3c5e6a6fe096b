"""The reply and bounce mailbox, read by IMAP from a real (small) server on loopback."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from propulse.contacts import service as contacts
from propulse.contacts.models import ContactEvent
from propulse.contacts.schemas import ConsentIn, ContactIn
from propulse.delivery import service
from propulse.delivery.models import DeliveryMessage
from propulse.delivery.verp import VerpSigner
from tests.delivery.conftest import configure
from tests.support.imap import ImapServer

SECRET = "test-secret-key-" + "x" * 32


@pytest.fixture(autouse=True)
def fresh_settings() -> Iterator[None]:
    """Forget the settings cached with this test's environment once it is restored."""
    from propulse.config import get_settings

    yield
    get_settings.cache_clear()


@pytest.fixture
def imap(monkeypatch) -> Iterator[ImapServer]:
    server = ImapServer()
    server.start()
    configure(
        monkeypatch,
        imap_url=server.url,
        reply_address="replies@alpinea.example",
        bounce_domain="bounces.alpinea.example",
    )
    yield server
    server.stop()


def sent(session, cast, email: str, *, stream: str = "sequence:4") -> DeliveryMessage:
    """A message already accepted by the server, to a new opted-in contact."""
    contact = contacts.create_contact(session, actor=cast.cmo, data=ContactIn(email=email))
    contacts.record_consent(
        session, actor=cast.cmo, contact_id=contact.id, data=ConsentIn(basis="opt_in")
    )
    message = service.enqueue_message(
        session,
        to_address=email,
        contact_id=contact.id,
        subject="Le guide",
        html_body="<p>Le guide</p>",
        text_body="Le guide",
        stream=stream,
    )
    message.status = "sent"
    session.commit()
    return message


def events(session, contact_id: int, kind: str) -> list[ContactEvent]:
    session.expire_all()
    return list(
        session.scalars(
            select(ContactEvent).where(
                ContactEvent.contact_id == contact_id, ContactEvent.type == kind
            )
        )
    )


def dsn(
    *, to: str, recipient: str, status: str, action: str = "failed", original: str = ""
) -> bytes:
    return f"""From: Mail Delivery System <MAILER-DAEMON@mx.client.example>
To: {to}
Subject: Undelivered Mail Returned to Sender
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="B"

--B
Content-Type: text/plain

This is the mail system. Your message could not be delivered.

--B
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.client.example

Final-Recipient: rfc822; {recipient}
Original-Recipient: rfc822;{recipient}
Action: {action}
Status: {status}
Diagnostic-Code: smtp; 550 {status} User unknown

--B
Content-Type: text/rfc822-headers

From: Alpinea <news@alpinea.example>
To: {recipient}
Subject: Le guide
{original}

--B--
""".encode()


def test_a_permanent_dsn_to_the_verp_address_bounces_and_suppresses(session, cast, imap, run):
    message = sent(session, cast, "gone@client.example")
    verp = VerpSigner(SECRET).address(message_pk=message.id, domain="bounces.alpinea.example")
    imap.deliver(dsn(to=verp, recipient="gone@client.example", status="5.1.1"))

    code, out, err = run("delivery", "mailbox", "poll", "--json")
    assert code == 0, err
    assert json.loads(out) == {
        "read": 1,
        "bounces": 1,
        "unsubscribes": 0,
        "replies": 0,
        "ignored": 0,
        "errors": 0,
    }
    session.expire_all()
    assert message.bounced_at is not None
    assert contacts.is_suppressed(session, email="gone@client.example")
    [event] = events(session, message.contact_id, "email_bounced")
    assert event.properties["status"] == "5.1.1"
    assert event.properties["message"] == message.id
    assert imap.seen() == [True]
    assert "STORE" in imap.commands

    # A second poll does nothing: the message is read.
    code, out, _err = run("delivery", "mailbox", "poll", "--json")
    assert json.loads(out)["read"] == 0


def test_late_bounces_found_by_message_id_temporary_ones_do_not_suppress(session, cast, imap):
    from propulse.delivery.mailbox_tasks import poll_delivery_mailbox

    full = sent(session, cast, "full@client.example")
    delayed = sent(session, cast, "slow@client.example")
    # No VERP address (a forwarding server rewrote it): the original Message-ID names it.
    imap.deliver(
        dsn(
            to="news@alpinea.example",
            recipient="full@client.example",
            status="4.2.2",
            original=f"Message-ID: {full.message_id}",
        )
    )
    imap.deliver(
        dsn(
            to="news@alpinea.example",
            recipient="slow@client.example",
            status="4.4.7",
            action="delayed",
            original=f"Message-ID: {delayed.message_id}",
        )
    )
    tally = poll_delivery_mailbox.call_local()  # the periodic job
    assert tally["bounces"] == 1 and tally["ignored"] == 1
    session.expire_all()
    assert full.bounced_at is not None
    assert not contacts.is_suppressed(session, email="full@client.example")  # 4.x.x: temporary
    assert delayed.bounced_at is None  # a delay is no bounce
    [event] = events(session, full.contact_id, "email_bounced")
    assert event.properties["permanent"] is False
    assert imap.seen() == [True, True]


def test_a_mailto_unsubscribe_unsubscribes_like_one_click(session, cast, imap, smtp, deliver):
    contact = contacts.create_contact(
        session, actor=cast.cmo, data=ContactIn(email="marie@client.example")
    )
    contacts.record_consent(
        session, actor=cast.cmo, contact_id=contact.id, data=ConsentIn(basis="opt_in")
    )
    message = service.enqueue_message(
        session,
        to_address="marie@client.example",
        contact_id=contact.id,
        subject="News",
        html_body="<p>News</p>",
        text_body="News",
        stream="sequence:4",
    )
    deliver()
    header = smtp.messages[0]["List-Unsubscribe"]
    mailto = re.search(r"<mailto:([^?]+)\?subject=([^>]+)>", header)
    assert mailto.group(1) == "replies@alpinea.example"
    from urllib.parse import unquote

    imap.deliver(
        f"From: marie@client.example\nTo: {mailto.group(1)}\n"
        f"Subject: {unquote(mailto.group(2))}\n\nPlease stop.\n".encode()
    )
    imap.deliver(
        b"From: x@evil.example\nTo: replies@alpinea.example\nSubject: unsubscribe "
        b"aaaaaaaaaaaaaaaaaaaaaaaaaaaa.bbbbbb\n\nforged\n"
    )
    from propulse.config import get_settings
    from propulse.delivery.mailbox import poll

    tally = poll(get_settings())
    assert tally.as_dict() == {
        "read": 2,
        "bounces": 0,
        "unsubscribes": 1,
        "replies": 0,
        "ignored": 1,
        "errors": 0,
    }
    session.expire_all()
    assert contacts.is_suppressed(session, email="marie@client.example")
    assert contacts.get_contact(session, contact_id=contact.id).email_consent == "withdrawn"
    [event] = events(session, contact.id, "unsubscribed")
    assert event.properties["source"] == "mailto unsubscribe"
    assert message.unsubscribed_at is not None


def test_replies_are_matched_by_thread_or_sender_and_auto_replies_ignored(session, cast, imap):
    from propulse.config import get_settings
    from propulse.delivery.mailbox import poll

    threaded = sent(session, cast, "marie@client.example")
    by_sender = sent(session, cast, "paul@client.example")
    imap.deliver(
        f"From: Marie <marie@client.example>\nTo: news@alpinea.example\nSubject: Re: Le guide\n"
        f"In-Reply-To: {threaded.message_id}\nReferences: <x@y> {threaded.message_id}\n\n"
        "Merci, appelons-nous.\n".encode()
    )
    imap.deliver(b"From: PAUL@client.example\nTo: news@alpinea.example\nSubject: Question\n\nHi\n")
    imap.deliver(
        b"From: marie@client.example\nTo: news@alpinea.example\nSubject: Absence du bureau\n"
        b"Auto-Submitted: auto-replied\n\nBack Monday.\n"
    )
    imap.deliver(b"From: stranger@nowhere.example\nTo: news@alpinea.example\nSubject: Hi\n\nHi\n")
    tally = poll(get_settings())
    assert tally.as_dict() == {
        "read": 4,
        "bounces": 0,
        "unsubscribes": 0,
        "replies": 2,
        "ignored": 2,
        "errors": 0,
    }
    session.expire_all()
    assert threaded.replied_at is not None and by_sender.replied_at is not None
    [event] = events(session, threaded.contact_id, "email_replied")
    assert event.properties == {
        "message": threaded.id,
        "message_id": threaded.message_id,
        "stream": "sequence:4",
    }
    assert len(events(session, by_sender.contact_id, "email_replied")) == 1
    assert imap.seen() == [True, True, True, True]


def test_one_bad_message_never_stops_the_poll(session, cast, imap, monkeypatch):
    from propulse.config import get_settings
    from propulse.delivery import mailbox_actions
    from propulse.delivery.mailbox import poll

    replied = sent(session, cast, "marie@client.example")
    imap.deliver(b"From: broken@client.example\nSubject: boom\n\nx\n")
    imap.deliver(b"\xff\xfe garbage without headers \x00\n")
    imap.deliver(b"From: marie@client.example\nSubject: Re: Le guide\n\nOui\n")
    real = mailbox_actions.record_reply

    def failing(session, *, classified, now):
        if classified.sender == "broken@client.example":
            raise RuntimeError("a bug")
        return real(session, classified=classified, now=now)

    monkeypatch.setattr(mailbox_actions, "record_reply", failing)
    tally = poll(get_settings())
    assert tally.errors == 1 and tally.replies == 1 and tally.read == 3
    session.expire_all()
    assert replied.replied_at is not None
    assert imap.seen() == [False, True, True]  # the failed one is tried again next time


def test_mailbox_settings_are_checked(run, cast, monkeypatch):
    code, _out, err = run("delivery", "mailbox", "poll")
    assert code == 2 and "PROPULSE_IMAP_URL" in err
    configure(monkeypatch, imap_url="http://host/INBOX")
    code, _out, err = run("delivery", "mailbox", "poll")
    assert code == 2 and "not valid" in err
    server = ImapServer()
    server.start()
    try:
        configure(monkeypatch, imap_url=server.url.replace("s3cret", "wrong"))
        code, _out, err = run("delivery", "mailbox", "poll")
        assert code == 2 and "Cannot read the mailbox" in err
        configure(monkeypatch, imap_url=server.url.replace("/INBOX", "/Bounces"))
        code, _out, err = run("delivery", "mailbox", "poll")
        assert code == 2 and "Bounces" in err
    finally:
        server.stop()
    from propulse.delivery.mailbox_tasks import poll_delivery_mailbox

    assert poll_delivery_mailbox.call_local() == {}  # the job logs and waits for the next poll
