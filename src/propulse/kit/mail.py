"""SMTP delivery from a URL: ``smtp://`` (plain), ``smtp+starttls://`` or ``smtps://`` (TLS)."""

from __future__ import annotations

import smtplib
import ssl
import uuid
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, parseaddr
from urllib.parse import parse_qs, unquote, urlsplit

SCHEMES = {"smtp": "plain", "smtp+starttls": "starttls", "smtps": "tls"}


class SmtpUrlError(ValueError):
    """The SMTP URL cannot be understood."""


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    security: str
    username: str | None
    password: str | None
    timeout: float = 20.0

    @classmethod
    def from_url(cls, url: str) -> SmtpSettings:
        """Parse ``smtp[s|+starttls]://[user:password@]host[:port][?timeout=S]``."""
        parts = urlsplit(url)
        if parts.scheme not in SCHEMES:
            raise SmtpUrlError(f"unknown scheme {parts.scheme!r}: use smtp, smtp+starttls or smtps")
        if not parts.hostname:
            raise SmtpUrlError("the SMTP URL names no host")
        security = SCHEMES[parts.scheme]
        default_port = {"plain": 25, "starttls": 587, "tls": 465}[security]
        query = parse_qs(parts.query)
        return cls(
            host=parts.hostname,
            port=parts.port or default_port,
            security=security,
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            timeout=float(query.get("timeout", ["20"])[0]),
        )


def domain_of(address: str) -> str:
    """Return the domain of an address written ``Name <local@domain>`` or ``local@domain``."""
    _name, plain = parseaddr(address)
    local, at, domain = plain.rpartition("@")
    return domain.strip().lower() if at and local and domain.strip() else "localhost"


def new_message_id(domain: str) -> str:
    """Return a unique Message-ID in the sender's domain (spam filters score a foreign one)."""
    return f"<{uuid.uuid4().hex}@{domain}>"


def build_message(
    *,
    sender: str,
    to: str,
    subject: str,
    text_body: str,
    html_body: str | None = None,
    message_id: str | None = None,
    headers: dict[str, str] | None = None,
) -> EmailMessage:
    """Build a multipart/alternative message (text first, then HTML when given).

    Without ``message_id``, one is made in the sender's domain.
    """
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = message_id or new_message_id(domain_of(sender))
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(text_body)
    if html_body:
        message.add_alternative(html_body, subtype="html")
    return message


def open_connection(settings: SmtpSettings) -> smtplib.SMTP:
    """Open and authenticate an SMTP connection."""
    connection: smtplib.SMTP
    if settings.security == "tls":
        connection = smtplib.SMTP_SSL(
            settings.host,
            settings.port,
            timeout=settings.timeout,
            context=ssl.create_default_context(),
        )
    else:
        connection = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
        if settings.security == "starttls":
            connection.starttls(context=ssl.create_default_context())
    if settings.username:
        connection.login(settings.username, settings.password or "")
    return connection


def send_message(settings: SmtpSettings, message: EmailMessage) -> None:
    """Send one message on its own connection (transactional mail is low volume)."""
    with open_connection(settings) as connection:
        connection.send_message(message)
