"""The sending settings page: values over PROPULSE_*, secrets encrypted, DKIM from the page."""

from __future__ import annotations

import base64
import re
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from propulse.audit.models import AuditEntry
from propulse.delivery import service
from propulse.delivery.models import DeliverySettings
from propulse.delivery.settings import effective_settings
from tests.delivery.conftest import configure
from tests.delivery.smtp_faults import FaultySmtpServer
from tests.support.web import csrf_from, sign_in


def rsa_pem(bits: int = 2048) -> tuple[str, str]:
    """Return a new RSA private key (PEM, PKCS#1) and its DNS record value."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    ).decode()
    public = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return pem, "v=DKIM1; k=rsa; p=" + base64.b64encode(public).decode()


@pytest.fixture(autouse=True)
def fresh_settings(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Forget the environment a test set, and the settings read from it."""
    from propulse.config import get_settings

    yield
    monkeypatch.undo()
    get_settings.cache_clear()


@pytest.fixture
def page_smtp() -> Iterator[FaultySmtpServer]:
    """An SMTP server that only the settings page names (not PROPULSE_SMTP_URL)."""
    server = FaultySmtpServer()
    server.start()
    yield server
    server.stop()


def save(client, data: dict[str, str], files: dict | None = None):  # type: ignore[no-untyped-def]
    page = client.get("/sending/settings")
    assert page.status_code == 200
    version = re.search(r'name="version" value="(\d*)"', page.text).group(1)
    form = {"version": version, "csrf_token": csrf_from(page), **data}
    return client.post("/sending/settings", data=form, files=files)


def test_secrets_are_encrypted_at_rest_and_never_shown(client, session, cast):
    sign_in(client, cast.cmo.email)
    pem, dns_value = rsa_pem()
    response = save(
        client,
        {
            "smtp_url": "smtp+starttls://news:typed-in-url@mail.alpinea.example:587",
            "mail_from": "Alpinea <news@alpinea.example>",
            "dkim_domain": "Alpinea.example",
            "dkim_selector": "mail2026",
            "dkim_private_key": pem,
            "imap_url": "imaps://replies@mail.alpinea.example/INBOX",
            "imap_password": "imap-secret-7",
        },
    )
    assert response.status_code == 303, response.text
    session.expire_all()
    row = session.scalar(select(DeliverySettings))
    # The password typed in the URL is kept apart, encrypted; the URL keeps the user only.
    assert row.smtp_url == "smtp+starttls://news@mail.alpinea.example:587"
    assert row.smtp_password_encrypted and "typed-in-url" not in row.smtp_password_encrypted
    assert row.imap_password_encrypted and "imap-secret-7" not in row.imap_password_encrypted
    assert row.dkim_private_key_encrypted and "PRIVATE KEY" not in row.dkim_private_key_encrypted
    assert row.dkim_domain == "alpinea.example"

    effective = effective_settings(session)
    assert effective.smtp_url == "smtp+starttls://news:typed-in-url@mail.alpinea.example:587"
    assert effective.imap_url == "imaps://replies:imap-secret-7@mail.alpinea.example/INBOX"
    assert "BEGIN PRIVATE KEY" in (effective.dkim_private_key or "")

    page = client.get("/sending/settings")
    for secret in ("typed-in-url", "imap-secret-7", "PRIVATE KEY-----\nMII"):
        assert secret not in page.text
    assert page.text.count(">set<") == 3  # the three secrets: "set", with a replace field
    assert dns_value in page.text
    assert "mail2026._domainkey.alpinea.example" in page.text

    [entry] = session.scalars(
        select(AuditEntry).where(AuditEntry.object_type == "delivery_settings")
    )
    text = str(entry.details) + entry.summary
    assert "typed-in-url" not in text and "imap-secret-7" not in text and "PRIVATE" not in text
    assert entry.details["secrets"] == {
        "smtp_password": "replaced",
        "imap_password": "replaced",
        "dkim_private_key": "replaced",
    }

    # Saving again without typing the secrets keeps them; the box removes one.
    kept = save(
        client,
        {
            "smtp_url": "smtp+starttls://news@mail.alpinea.example:587",
            "imap_url": "imaps://replies@mail.alpinea.example/INBOX",
            "clear_imap_password": "1",
        },
    )
    assert kept.status_code == 303
    session.expire_all()
    row = session.scalar(select(DeliverySettings))
    assert row.smtp_password_encrypted and row.dkim_private_key_encrypted
    assert row.imap_password_encrypted is None
    assert row.mail_from is None  # blank: back to PROPULSE_MAIL_FROM
    assert effective_settings(session).mail_from == "Propulse <propulse@localhost>"


def test_invalid_values_are_refused_beside_their_field(client, session, cast):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    sign_in(client, cast.cmo.email)
    ec_pem = (
        ec.generate_private_key(ec.SECP256R1())
        .private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        .decode()
    )
    cases = {
        "smtp_url": ("ftp://mail.example", "unknown scheme"),
        "mail_from": ("not an address", "Enter an address"),
        "dkim_domain": ("not a domain!", "Enter a domain name"),
        "connections": ("100", "at most 64"),
        "max_per_second": ("fast", "Enter a number."),
        "imap_url": ("pop3://mail.example", "imap://"),
    }
    for name, (value, message) in cases.items():
        response = save(client, {name: value})
        assert response.status_code == 422, name
        assert f'id="e-{name}"' in response.text and message in response.text, name
    for pem, message in (
        ("-----BEGIN PRIVATE KEY-----\nnot base64\n-----END PRIVATE KEY-----", "not a PEM"),
        (ec_pem, "RSA"),
    ):
        response = save(client, {"dkim_private_key": pem})
        assert response.status_code == 422
        assert message in response.text
    # An uploaded key file works like the text box.
    pem, dns_value = rsa_pem()
    response = save(client, {}, files={"dkim_key_file": ("dkim.pem", pem.encode(), "text/plain")})
    assert response.status_code == 303
    assert dns_value in client.get("/sending/settings").text
    session.expire_all()
    assert session.scalar(select(DeliverySettings)).dkim_private_key_encrypted


def test_only_admins_see_the_settings(client, cast):
    sign_in(client, cast.manager.email)
    assert client.get("/sending/settings").status_code == 403


def test_the_worker_uses_the_page_over_the_environment(
    client, session, cast, run, page_smtp, monkeypatch
):
    from tests.support.smtp import free_port

    configure(monkeypatch, smtp_url=f"smtp://127.0.0.1:{free_port()}")  # nobody listens there
    sign_in(client, cast.cmo.email)
    pem, dns_value = rsa_pem()
    response = save(
        client,
        {
            "smtp_url": f"smtp://127.0.0.1:{page_smtp.port}",
            "mail_from": "Alpinea <news@alpinea.example>",
            "dkim_domain": "alpinea.example",
            "dkim_selector": "page2026",
            "dkim_private_key": pem,
            "connections": "2",
        },
    )
    assert response.status_code == 303
    service.enqueue_message(
        session,
        to_address="marie@client.example",
        subject="Our news",
        html_body="<p>News</p>",
        text_body="News",
        stream="sequence:1",
    )
    session.commit()
    code, out, err = run("delivery", "run", "--json")
    assert code == 0, err
    assert '"sent": 1' in out
    [raw] = page_smtp.raw

    import dkim

    def dnsfunc(name: bytes, timeout: int = 5) -> bytes:
        assert name == b"page2026._domainkey.alpinea.example."
        return dns_value.encode()

    assert dkim.verify(raw, dnsfunc=dnsfunc)
    assert b"From: Alpinea <news@alpinea.example>" in raw


def test_the_test_button_sends_to_the_admin(client, session, cast, page_smtp):
    sign_in(client, cast.cmo.email)
    assert save(client, {"smtp_url": f"smtp://127.0.0.1:{page_smtp.port}"}).status_code == 303
    page = client.get("/sending/settings")
    assert "Send a test message to me" in page.text
    response = client.post("/sending/settings/test", data={"csrf_token": csrf_from(page)})
    assert response.status_code == 303
    [message] = page_smtp.messages
    assert message["To"] == cast.cmo.email
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "A test message went to" in client.get("/sending/settings").text


def test_mail_test_command_reads_the_page(run, session, cast, page_smtp, client):
    sign_in(client, cast.cmo.email)
    assert save(client, {"smtp_url": f"smtp://127.0.0.1:{page_smtp.port}"}).status_code == 303
    code, out, err = run("mail", "test", "someone@client.example", "--json")
    assert code == 0, err
    assert '"accepted": true' in out
    assert page_smtp.messages[0]["To"] == "someone@client.example"


def test_a_changed_secret_key_is_reported_not_crashed(client, session, cast, monkeypatch):
    sign_in(client, cast.cmo.email)
    assert save(client, {"smtp_url": "smtp://u:p@mail.example"}).status_code == 303
    configure(monkeypatch, secret_key="another-secret-key-" + "z" * 32)
    from propulse.delivery.errors import NotConfigured

    with pytest.raises(NotConfigured, match="cannot be decrypted"):
        effective_settings(session)


def test_a_stale_form_is_refused_and_ids_are_unique(client, session, cast):
    from tests.support.web import assert_unique_ids

    sign_in(client, cast.cmo.email)
    assert save(client, {"mail_from": "news@alpinea.example"}).status_code == 303
    page = client.get("/sending/settings")
    assert_unique_ids(page.text)
    stale = {"version": "1", "csrf_token": csrf_from(page), "mail_from": "old@alpinea.example"}
    assert save(client, {"mail_from": "new@alpinea.example"}).status_code == 303
    refused = client.post("/sending/settings", data=stale)
    assert refused.status_code == 409
    assert "Someone changed these settings meanwhile" in refused.text
    session.expire_all()
    assert session.scalar(select(DeliverySettings)).mail_from == "new@alpinea.example"
    assert_unique_ids(client.get("/suppressions").text)
