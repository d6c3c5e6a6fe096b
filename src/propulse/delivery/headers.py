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
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from email.header import Header
from email.utils import format_datetime, formataddr, parseaddr
from functools import lru_cache

# Shared with transactional mail (kit.mail): every Message-ID is in the sender's domain.
from propulse.kit.mail import domain_of as domain_of
from propulse.kit.mail import new_message_id as new_message_id

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


# Quoted-printable encodes each line on its own (soft breaks and trailing blanks are decided
# within the line), so the lines messages share (a template's layout, styles and footer) are
# encoded once and looked up after. A line enters the cache on its second sight: the lines
# of one message only (a greeting, tracked links) never push the shared ones out. Both maps
# are bounded by count and line length, so the worker's memory stays small.
_QP_SHARED: dict[str, bytes] = {}
_QP_SEEN_ONCE: dict[str, None] = {}
QP_CACHE_LINES = 4096
QP_CACHED_LINE_LENGTH = 1000


def _qp_line(line: str) -> bytes:
    raw = binascii.b2a_qp(line.encode("utf-8"), quotetabs=False, istext=True, header=False)
    encoded = raw.replace(b"\n", CRLF)  # the soft line breaks
    if len(line) <= QP_CACHED_LINE_LENGTH:
        if line in _QP_SEEN_ONCE:
            if len(_QP_SHARED) >= QP_CACHE_LINES:
                _QP_SHARED.clear()
            _QP_SHARED[line] = encoded
        else:
            if len(_QP_SEEN_ONCE) >= QP_CACHE_LINES:
                _QP_SEEN_ONCE.clear()
            _QP_SEEN_ONCE[line] = None
    return encoded


def _quoted_printable(text: str) -> bytes:
    """Encode a body part as quoted-printable with CRLF line ends."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    shared = _QP_SHARED  # a hit costs one look-up; a miss (or an empty line) encodes
    return CRLF.join([shared.get(line) or _qp_line(line) for line in text.split("\n")])


@lru_cache(maxsize=256)
def _hidden(preheader: str) -> str:
    return (
        '<div style="display:none;max-height:0;overflow:hidden;mso-hide:all" aria-hidden="true">'
        f"{html.escape(preheader)}</div>"
    )


def with_preheader(html_body: str, preheader: str) -> str:
    """Put the preheader first in the body, hidden: mail clients show it after the subject."""
    if not preheader:
        return html_body
    hidden = _hidden(preheader)
    match = _BODY_TAG.search(html_body)
    if match is None:
        return hidden + html_body
    return html_body[: match.end()] + hidden + html_body[match.end() :]


def list_unsubscribe(url: str | None, mailto: str | None) -> str | None:
    """Return the List-Unsubscribe value: the https link first, then the mailto one."""
    targets = [f"<{target}>" for target in (url, mailto) if target]
    return ", ".join(targets) or None


_last_date: tuple[datetime, object, bytes] | None = None


def _date(moment: datetime) -> bytes:
    """Return the Date header's value; formatted once per second (the header has no finer)."""
    global _last_date
    second = moment.replace(microsecond=0)
    last = _last_date
    if last is not None and last[0] == second and last[1] is second.tzinfo:
        return last[2]
    value = format_datetime(second).encode("ascii")
    _last_date = (second, second.tzinfo, value)
    return value


def header_lines(email: OutgoingEmail) -> list[tuple[str, bytes]]:
    """Return the top-level headers in order, values already encoded."""
    lines: list[tuple[str, bytes]] = [
        ("From", _address(email.sender)),
        ("To", _address(email.to)),
        ("Subject", _encoded(email.subject)),
        ("Date", _date(email.date)),
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
