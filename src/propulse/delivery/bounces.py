"""Read bounces: delivery status notifications (RFC 3464) and plainer bounce messages.

A DSN is a ``multipart/report; report-type=delivery-status``: its ``message/delivery-status``
part holds, per recipient, an ``Action`` (``failed``, ``delayed``...), a ``Status``
(``5.1.1``: the first digit says permanent 5 or temporary 4) and the ``Final-Recipient``;
the original message (or its headers) follows, with its ``Message-ID``. Older servers send
a plain text bounce: the status is then looked for in its text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.message import Message
from email.parser import BytesHeaderParser, HeaderParser

_STATUS = re.compile(r"\b([245])\.(\d{1,3})\.(\d{1,3})\b")
_MESSAGE_ID = re.compile(r"<[^<>\s]+@[^<>\s]+>")
_BOUNCE_SENDER = re.compile(r"mailer-daemon|postmaster|mail delivery", re.IGNORECASE)
_BOUNCE_SUBJECT = re.compile(
    r"undeliver|undelivered|delivery status|delivery fail|failure notice|returned mail|"
    r"non remis|non distribu|échec de (la )?remise",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Bounce:
    """What a bounce says about one failed recipient."""

    status: str | None  # e.g. "5.1.1"
    recipient: str | None
    original_message_id: str | None
    diagnostic: str = ""
    is_report: bool = True

    @property
    def permanent(self) -> bool:
        return self.status is not None and self.status.startswith("5")


def _recipient(value: str | None) -> str | None:
    if not value:
        return None
    _kind, _semicolon, address = value.partition(";")
    address = (address or value).strip().strip("<>").strip()
    return address.lower() or None


def _original_message_id(report: Message) -> str | None:
    for part in report.walk():
        kind = part.get_content_type()
        if kind == "message/rfc822":
            payload = part.get_payload()
            inner = payload[0] if isinstance(payload, list) and payload else None
            if isinstance(inner, Message) and inner.get("Message-ID"):
                return str(inner["Message-ID"]).strip()
        elif kind == "text/rfc822-headers":
            raw = part.get_payload(decode=True)
            if isinstance(raw, bytes):
                headers = BytesHeaderParser().parsebytes(raw)
            else:
                headers = HeaderParser().parsestr(str(part.get_payload()))
            if headers.get("Message-ID"):
                return str(headers["Message-ID"]).strip()
    return None


def _status_blocks(report: Message) -> list[Message]:
    for part in report.walk():
        if part.get_content_type() == "message/delivery-status":
            payload = part.get_payload()
            if isinstance(payload, list):
                return [block for block in payload if isinstance(block, Message)]
    return []


def is_report(message: Message) -> bool:
    return message.get_content_type() == "multipart/report"


def read_report(message: Message) -> Bounce | None:
    """Return the failure a DSN reports; None when it reports no failure (a delay, a success)."""
    blocks = _status_blocks(message)
    original = _original_message_id(message)
    for block in blocks[1:] or blocks:
        action = str(block.get("Action", "")).strip().lower()
        status_match = _STATUS.search(str(block.get("Status", "")))
        status = status_match.group(0) if status_match else None
        if action == "failed" or (not action and status and status[0] in "45"):
            return Bounce(
                status=status,
                recipient=_recipient(block.get("Final-Recipient"))
                or _recipient(block.get("Original-Recipient")),
                original_message_id=original,
                diagnostic=" ".join(str(block.get("Diagnostic-Code", "")).split())[:300],
            )
    if not blocks:  # a report without a readable status part: read its text as a bounce
        return read_plain_bounce(message)
    return None


def _text_of(message: Message) -> str:
    texts: list[str] = []
    for part in message.walk():
        if part.get_content_maintype() == "text":
            payload = part.get_payload(decode=True)
            if isinstance(payload, bytes):
                texts.append(payload.decode(part.get_content_charset() or "utf-8", "replace"))
    return "\n".join(texts)


def looks_like_bounce(message: Message) -> bool:
    """Say whether a plain message is a bounce by its sender or subject."""
    return bool(
        _BOUNCE_SENDER.search(str(message.get("From", "")))
        or _BOUNCE_SUBJECT.search(str(message.get("Subject", "")))
        or message.get("X-Failed-Recipients")
    )


def read_plain_bounce(message: Message) -> Bounce:
    """Read a bounce that is no DSN: its status and Message-ID are looked for in its text."""
    text = _text_of(message)
    statuses = [match.group(0) for match in _STATUS.finditer(text)]
    failing = [status for status in statuses if status[0] in "45"]
    ids = [found for found in _MESSAGE_ID.findall(text) if found != message.get("Message-ID")]
    return Bounce(
        status=failing[0] if failing else None,
        recipient=_recipient(message.get("X-Failed-Recipients")),
        original_message_id=ids[0] if ids else None,
        is_report=False,
    )
