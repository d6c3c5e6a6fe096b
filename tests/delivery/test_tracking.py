"""Body links, open and click tracking, VERP return paths: what a recipient's client sees."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from email.message import Message

import pytest
from sqlalchemy import select

from propulse.contacts import service as contacts
from propulse.contacts.models import ContactEvent
from propulse.contacts.schemas import ConsentIn, ContactIn
from propulse.db import utcnow
from propulse.delivery import service
from propulse.delivery.models import DeliveryMessage
from propulse.delivery.placeholders import PREFERENCES_URL, UNSUBSCRIBE_URL
from propulse.delivery.tracking_links import TrackingSigner
from propulse.delivery.verp import VerpSigner
from tests.delivery.conftest import configure

BROWSER = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
SECRET = "test-secret-key-" + "x" * 32


@pytest.fixture(autouse=True)
def fresh_settings() -> Iterator[None]:
    """Forget the settings cached with this test's environment once it is restored."""
    from propulse.config import get_settings

    yield
    get_settings.cache_clear()


HTML = (
    "<html><body><p>Bonjour Marie</p>"
    '<p><a href="https://alpinea.example/guide?c=1&amp;lang=fr">Le guide</a> '
    "<a class='b' href='http://alpinea.example/blog'>Le blog</a> "
    '<a href="mailto:hello@alpinea.example">Écrire</a></p>'
    f'<p><a href="{UNSUBSCRIBE_URL}">Se désabonner</a> · '
    f'<a href="{PREFERENCES_URL}">Préférences</a></p></body></html>'
)
TEXT = f"Bonjour Marie\nLe guide : https://alpinea.example/guide\nSe désabonner : {UNSUBSCRIBE_URL}"


@pytest.fixture
def tracking_on(monkeypatch):
    configure(monkeypatch, delivery_tracking="true")


def send_to_marie(session, cast, deliver) -> DeliveryMessage:
    marie = contacts.create_contact(
        session, actor=cast.cmo, data=ContactIn(email="marie@client.example")
    )
    contacts.record_consent(
        session, actor=cast.cmo, contact_id=marie.id, data=ConsentIn(basis="opt_in")
    )
    message = service.enqueue_message(
        session,
        to_address="marie@client.example",
        contact_id=marie.id,
        subject="Le guide",
        html_body=HTML,
        text_body=TEXT,
        stream="sequence:7",
    )
    assert deliver()["sent"] == 1
    return message


def parts(received: Message) -> tuple[str, str]:
    html = text = ""
    for part in received.walk():
        payload = part.get_payload(decode=True)
        if isinstance(payload, bytes):
            if part.get_content_type() == "text/html":
                html = payload.decode("utf-8")
            elif part.get_content_type() == "text/plain":
                text = payload.decode("utf-8")
    return html, text


def events(session, contact_id: int, kind: str) -> list[ContactEvent]:
    return list(
        session.scalars(
            select(ContactEvent)
            .where(ContactEvent.contact_id == contact_id, ContactEvent.type == kind)
            .order_by(ContactEvent.id)
        )
    )


def age(session, message: DeliveryMessage, seconds: float = 60) -> None:
    """Pretend the message was delivered a while ago (clicks right after delivery are bots)."""
    message.sent_at = utcnow() - timedelta(seconds=seconds)
    session.commit()


def test_markers_become_the_messages_own_links_and_nothing_is_tracked_by_default(
    session, cast, smtp, deliver
):
    message = send_to_marie(session, cast, deliver)
    html, text = parts(smtp.messages[0])
    unsubscribe = re.fullmatch(r"<(.+)>", smtp.messages[0]["List-Unsubscribe"]).group(1)
    assert f'href="{unsubscribe}"' in html
    assert text.endswith(f"Se désabonner : {unsubscribe}")
    assert re.search(r'href="http://testserver/preferences/[\w.-]+"', html)
    assert "%%PROPULSE" not in html + text
    # Tracking off: links and body as written, no pixel.
    assert 'href="https://alpinea.example/guide?c=1&amp;lang=fr"' in html
    assert "/t/" not in html
    assert message.opened_at is None


def test_tracked_links_redirect_only_inside_their_signature(
    session, cast, smtp, deliver, client, tracking_on
):
    message = send_to_marie(session, cast, deliver)
    html, text = parts(smtp.messages[0])
    clicks = re.findall(r"""href=["'](http://testserver/t/c/[\w.-]+)["']""", html)
    assert len(clicks) == 2  # the two web links; not mailto, unsubscribe or preferences
    assert all(len(link) < 200 for link in clicks)
    assert 'href="mailto:hello@alpinea.example"' in html
    assert re.search(r'href="http://testserver/u/[\w.-]+"', html)
    assert re.search(r'<img src="http://testserver/t/o/[\w.-]+\.gif"[^>]*></body>', html)
    assert "https://alpinea.example/guide" in text  # the text part is left as written
    age(session, message)

    response = client.get(
        clicks[0].removeprefix("http://testserver"), headers={"user-agent": BROWSER}
    )
    assert response.status_code == 302
    assert response.headers["location"] == "https://alpinea.example/guide?c=1&lang=fr"
    assert "no-store" in response.headers["cache-control"]
    session.expire_all()
    assert message.clicked_at is not None and message.opened_at is not None
    [clicked] = events(session, message.contact_id, "email_clicked")
    assert clicked.properties == {
        "message": message.id,
        "message_id": message.message_id,
        "stream": "sequence:7",
        "url": "https://alpinea.example/guide?c=1&lang=fr",
    }
    [opened] = events(session, message.contact_id, "email_opened")  # a click implies an open
    assert opened.properties["implied_by"] == "click"

    token = clicks[1].rsplit("/", 1)[1]
    value, signature = token.rsplit(".", 1)
    forged_value = value.split(".")[0] + ".aHR0cHM6Ly9ldmlsLmV4YW1wbGU"  # https://evil.example
    opener = TrackingSigner(SECRET).open_token(message_pk=message.id)
    for bad in (
        f"{forged_value}.{signature}",  # another URL under the old signature
        f"{value}.{signature[:-2]}xx",  # an altered signature
        forged_value,  # no signature at all
        opener,  # an open token is no click token
        "nonsense",
    ):
        refused = client.get(f"/t/c/{bad}", headers={"user-agent": BROWSER})
        assert refused.status_code == 400, bad
        assert "location" not in refused.headers
        assert "damaged" in refused.text
    other = TrackingSigner("another-installation-secret-" + "y" * 20)
    foreign = other.click_token(message_pk=message.id, url="https://evil.example")
    assert client.get(f"/t/c/{foreign}").status_code == 400


def test_the_pixel_is_always_a_gif_and_records_opens(
    session, cast, smtp, deliver, client, tracking_on
):
    message = send_to_marie(session, cast, deliver)
    html, _text = parts(smtp.messages[0])
    pixel = re.search(r'<img src="http://testserver(/t/o/[\w.-]+\.gif)"', html).group(1)

    response = client.get(pixel, headers={"user-agent": BROWSER})
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/gif"
    assert response.content.startswith(b"GIF89a")
    assert "no-store" in response.headers["cache-control"]
    session.expire_all()
    first_open = message.opened_at
    assert first_open is not None
    client.get(pixel, headers={"user-agent": BROWSER})  # each open is an event
    session.expire_all()
    assert message.opened_at == first_open
    opened = events(session, message.contact_id, "email_opened")
    assert [event.properties["message"] for event in opened] == [message.id, message.id]

    for bad in ("/t/o/nonsense.gif", pixel.replace(".gif", "x.gif")):
        refused = client.get(bad, headers={"user-agent": BROWSER})
        assert refused.status_code == 200
        assert refused.headers["content-type"] == "image/gif"
    assert len(events(session, message.contact_id, "email_opened")) == 2


def test_machines_are_answered_but_not_counted(session, cast, smtp, deliver, client, tracking_on):
    message = send_to_marie(session, cast, deliver)
    html, _text = parts(smtp.messages[0])
    guide, blog = re.findall(r"""href=["']http://testserver(/t/c/[\w.-]+)["']""", html)
    pixel = re.search(r'<img src="http://testserver(/t/o/[\w.-]+\.gif)"', html).group(1)
    contact_id = message.contact_id

    # A click on arrival (a security gateway scanning the message) is not counted.
    assert client.get(guide, headers={"user-agent": BROWSER}).status_code == 302
    assert events(session, contact_id, "email_clicked") == []
    age(session, message)
    for agent in ("", "Mozilla/5.0 (compatible; Barracuda Sentinel)", "python-requests/2.32"):
        assert client.get(guide, headers={"user-agent": agent}).status_code == 302
    assert client.head(guide, headers={"user-agent": BROWSER}).status_code == 302
    # Apple Mail Privacy Protection prefetches images: not an open; Gmail's proxy is one.
    assert client.get(pixel, headers={"user-agent": "Mozilla/5.0"}).status_code == 200
    assert client.head(pixel, headers={"user-agent": BROWSER}).status_code == 200
    session.expire_all()
    assert events(session, contact_id, "email_clicked") == []
    assert events(session, contact_id, "email_opened") == []
    assert message.opened_at is None and message.clicked_at is None
    gmail = (
        "Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)"
    )
    client.get(pixel, headers={"user-agent": gmail})
    assert len(events(session, contact_id, "email_opened")) == 1

    # Every link of a message within one second: a scanner; the second is not counted.
    client.get(guide, headers={"user-agent": BROWSER})
    client.get(blog, headers={"user-agent": BROWSER})
    clicked = events(session, contact_id, "email_clicked")
    assert [event.properties["url"] for event in clicked] == [
        "https://alpinea.example/guide?c=1&lang=fr"
    ]


def test_verp_return_paths_name_the_message(session, cast, smtp_server, deliver, monkeypatch):
    configure(monkeypatch, bounce_domain="bounces.alpinea.example")
    message = service.enqueue_message(
        session,
        to_address="paul@client.example",
        subject="Hello",
        html_body="<p>Hello</p>",
        text_body="Hello",
        stream="test",
    )
    assert deliver()["sent"] == 1
    [(mail_from, recipients)] = smtp_server._recorder.envelopes
    assert recipients == ["paul@client.example"]
    local, domain = mail_from.split("@")
    assert domain == "bounces.alpinea.example"
    assert local.startswith("bounces+") and len(local) <= 64
    signer = VerpSigner(SECRET)
    assert signer.read(mail_from) == message.id
    assert signer.read(mail_from.upper()) == message.id  # servers may change the case
    assert signer.read(mail_from.replace("bounces+", "bounces+1")) is None
    assert VerpSigner("another-secret-" + "z" * 30).read(mail_from) is None


def test_rewriting_is_one_regex_pass_and_leaves_odd_links_alone():
    from propulse.delivery.tracking_links import tracked_html

    signer = TrackingSigner(SECRET)
    body = (
        '<a href="https://a.example/x">x</a><a name="top">t</a><link href="https://css.example">'
        '<a href="#top">up</a><a href="tel:+33">call</a><AREA HREF="https://b.example/map">'
        '<a href="http://testserver/u/abc">unsubscribe</a>'
    )
    tracked = tracked_html(body, message_pk=42, signer=signer, base_url="http://testserver/")
    links = re.findall(r'http://testserver/t/c/([\w.-]+)"', tracked)
    assert [signer.read_click(token).url for token in links] == [
        "https://a.example/x",
        "https://b.example/map",
    ]
    assert {signer.read_click(token).message_pk for token in links} == {42}
    assert '<link href="https://css.example">' in tracked
    assert 'href="http://testserver/u/abc"' in tracked
    assert tracked.endswith('border:0">')  # no </body>: the pixel goes last
    assert signer.read_open(re.search(r"/t/o/([\w.-]+)\.gif", tracked).group(1)) == 42
