"""Fixtures of the delivery tests: a faulty SMTP server, a DKIM key, the worker run inline."""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.delivery.smtp_faults import FaultySmtpServer


def configure(monkeypatch: pytest.MonkeyPatch, **values: str) -> None:
    """Set PROPULSE_* settings for one test."""
    from propulse.config import get_settings

    for name, value in values.items():
        monkeypatch.setenv(f"PROPULSE_{name.upper()}", value)
    get_settings.cache_clear()


@pytest.fixture
def smtp(monkeypatch: pytest.MonkeyPatch) -> Iterator[FaultySmtpServer]:
    """An SMTP server on loopback (faults planned per recipient); PROPULSE_SMTP_URL points to it."""
    from propulse.config import get_settings

    server = FaultySmtpServer()
    server.start()
    configure(monkeypatch, smtp_url=f"smtp://127.0.0.1:{server.port}")
    yield server
    server.stop()
    monkeypatch.delenv("PROPULSE_SMTP_URL")
    get_settings.cache_clear()


@dataclass(frozen=True)
class DkimKey:
    domain: str
    selector: str
    dns_record: bytes

    def dnsfunc(self, name: bytes, timeout: int = 5) -> bytes:
        assert name == f"{self.selector}._domainkey.{self.domain}.".encode()
        return self.dns_record


@pytest.fixture
def dkim_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[DkimKey]:
    """A fresh RSA key configured for signing; its public half as the DNS record would hold it."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    from propulse.config import get_settings

    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    key_path = tmp_path / "dkim.pem"
    key_path.write_bytes(
        private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    public = private.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    configure(
        monkeypatch,
        dkim_domain="alpinea.example",
        dkim_selector="mail2026",
        dkim_private_key_path=str(key_path),
        mail_from="Alpinea <news@alpinea.example>",
    )
    yield DkimKey("alpinea.example", "mail2026", b"v=DKIM1; k=rsa; p=" + base64.b64encode(public))
    for name in ("DKIM_DOMAIN", "DKIM_SELECTOR", "DKIM_PRIVATE_KEY_PATH", "MAIL_FROM"):
        monkeypatch.delenv(f"PROPULSE_{name}")
    get_settings.cache_clear()


@pytest.fixture
def deliver(session) -> Callable[..., dict[str, int]]:  # type: ignore[no-untyped-def]
    """Send what is due on one connection, in this thread, as `propulse delivery run` does."""
    from propulse.config import get_settings
    from propulse.delivery.worker import DeliveryWorker

    def run() -> dict[str, int]:
        session.commit()
        worker = DeliveryWorker.from_settings(get_settings(), connections=1, until_idle=True)
        tally = worker.run().as_dict()
        session.expire_all()
        return tally

    return run
