"""Compose a marketing e-mail as the bytes sent over SMTP: headers, text and HTML parts.

Written by hand rather than with ``email.message.EmailMessage``: the standard builder costs
about ten times more per message, and the worker composes each message on the hot path.
The result is plain RFC 5322 / MIME (CRLF lines, quoted-printable UTF-8 parts) that the
standard parser reads back (the tests check it).
"""

from __future__ import annotations

import binascii
import html
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from email.header import Header
from email.utils import format_datetime, formataddr, parseaddr
from functools import lru_cache

CRLF = b"\r\n"
# Headers the composer writes itself; extra headers may not replace them.
RESERVED_HEADERS = frozenset(
    {
        "from",
        "to",
        "subject",
        "date",
        "message-id",
        "mime-version",
        "content-type",
        "content-transfer-encoding",
        "list-unsubscribe",
        "list-unsubscribe-post",
        "dkim-signature",
        "bcc",
        "cc",
    }
)
_HEADER_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,75}$")
_BODY_TAG = re.compile(r"<body\b[^>]*>", re.IGNORECASE)


@dataclass(frozen=True)
class OutgoingEmail:
    """Everything a message needs, as plain data."""

    sender: str
    to: str
    subject: str
    html_body: str
    text_body: str
    message_id: str
    date: datetime
    preheader: str = ""
    unsubscribe_url: str | None = None
    unsubscribe_mailto: str | None = None
    extra_headers: Mapping[str, str] = field(default_factory=dict)


def domain_of(address: str) -> str:
    """Return the domain of an address written ``Name <local@domain>`` or ``local@domain``."""
    _name, plain = parseaddr(address)
    local, at, domain = plain.rpartition("@")
    return domain.strip().lower() if at and local and domain.strip() else "localhost"


def new_message_id(domain: str) -> str:
    """Return a unique Message-ID in the sender's domain."""
    return f"<{uuid.uuid4().hex}@{domain}>"


def header_problem(name: str, value: str) -> str | None:
    """Say why an extra header cannot be sent (None when it can)."""
    if not _HEADER_NAME.match(name):
        return "name"
    if name.lower() in RESERVED_HEADERS:
        return "reserved"
    if "\r" in value or "\n" in value or len(value) > 900:
        return "value"
    return None


_PLAIN_HEADER = re.compile(r"^[\x20-\x7e]{0,70}$")


def _encoded(value: str) -> bytes:
    """Encode a header value: plain ASCII as is, anything else as RFC 2047 UTF-8 words."""
    if _PLAIN_HEADER.match(value) and "=?" not in value:
        return value.encode("ascii")  # short printable ASCII: nothing to encode or fold
    charset = "us-ascii" if value.isascii() else "utf-8"
    return Header(value, charset, maxlinelen=76).encode(linesep="\r\n").encode("ascii")


@lru_cache(maxsize=64)
def _address(value: str) -> bytes:
    if "<" not in value and "(" not in value and value.isascii():
        return value.strip().encode("ascii")  # a bare address, as the outbox keeps them
    name, plain = parseaddr(value)
    if not name:
        return plain.encode("utf-8")
    return formataddr((name, plain), charset="utf-8").encode("utf-8")


def _quoted_printable(text: str) -> bytes:
    """Encode a body part as quoted-printable with CRLF line ends."""
    normalised = text.replace("\r\n", "\n").replace("\r", "\n").encode("utf-8")
    encoded = binascii.b2a_qp(normalised, quotetabs=False, istext=True, header=False)
    return encoded.replace(b"\n", CRLF)


def with_preheader(html_body: str, preheader: str) -> str:
    """Put the preheader first in the body, hidden: mail clients show it after the subject."""
    if not preheader:
        return html_body
    hidden = (
        '<div style="display:none;max-height:0;overflow:hidden;mso-hide:all" aria-hidden="true">'
        f"{html.escape(preheader)}</div>"
    )
    match = _BODY_TAG.search(html_body)
    if match is None:
        return hidden + html_body
    return html_body[: match.end()] + hidden + html_body[match.end() :]


def list_unsubscribe(url: str | None, mailto: str | None) -> str | None:
    """Return the List-Unsubscribe value: the https link first, then the mailto one."""
    targets = [f"<{target}>" for target in (url, mailto) if target]
    return ", ".join(targets) or None


def header_lines(email: OutgoingEmail) -> list[tuple[str, bytes]]:
    """Return the top-level headers in order, values already encoded."""
    lines: list[tuple[str, bytes]] = [
        ("From", _address(email.sender)),
        ("To", _address(email.to)),
        ("Subject", _encoded(email.subject)),
        ("Date", format_datetime(email.date).encode("ascii")),
        ("Message-ID", email.message_id.encode("ascii")),
        ("MIME-Version", b"1.0"),
    ]
    unsubscribe = list_unsubscribe(email.unsubscribe_url, email.unsubscribe_mailto)
    if unsubscribe:
        lines.append(("List-Unsubscribe", unsubscribe.replace(", ", ",\r\n ").encode("utf-8")))
        if email.unsubscribe_url:
            lines.append(("List-Unsubscribe-Post", b"List-Unsubscribe=One-Click"))
    for name, value in email.extra_headers.items():
        lines.append((name, _encoded(value)))
    return lines


def compose(email: OutgoingEmail) -> bytes:
    """Return the message as bytes: multipart/alternative, the text part first."""
    parts: list[bytes] = [
        name.encode("ascii") + b": " + value for name, value in header_lines(email)
    ]
    if not email.html_body:
        parts.append(b'Content-Type: text/plain; charset="utf-8"')
        parts.append(b"Content-Transfer-Encoding: quoted-printable")
        parts.append(b"")
        parts.append(_quoted_printable(email.text_body))
        return CRLF.join(parts)
    # "=_" never occurs in quoted-printable text ("=" is always encoded), so a fixed boundary
    # cannot collide with the parts (the trick RFC 2045 suggests); no random bytes per message.
    boundary = b"=_propulse_alternative"
    parts.append(b'Content-Type: multipart/alternative; boundary="' + boundary + b'"')
    parts.append(b"")
    for subtype, body in (
        (b"plain", email.text_body),
        (b"html", with_preheader(email.html_body, email.preheader)),
    ):
        parts.append(b"--" + boundary)
        parts.append(b"Content-Type: text/" + subtype + b'; charset="utf-8"')
        parts.append(b"Content-Transfer-Encoding: quoted-printable")
        parts.append(b"")
        parts.append(_quoted_printable(body))
    parts.append(b"--" + boundary + b"--")
    parts.append(b"")
    return CRLF.join(parts)
