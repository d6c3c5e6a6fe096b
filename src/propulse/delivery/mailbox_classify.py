"""Sort a message of the reply mailbox: a bounce, a mailto unsubscribe, a reply, or other.

Pure: it reads the message and says what it is; ``mailbox_actions`` records it. In order:

1. an **unsubscribe**: the subject holds ``unsubscribe <token>`` (what the ``mailto:`` of
   ``List-Unsubscribe`` writes);
2. a **bounce**: a delivery status report, or a message sent to a VERP return path that
   looks like a bounce (its sender or subject, or a status code in its text);
3. an **automatic reply** (out of office, ``Auto-Submitted``...): not a reply, ignored;
4. a **reply**: the rest; matched later to the message it answers (``In-Reply-To`` and
   ``References``) or to the contact who wrote.
"""

from __future__ import annotations

import email
import re
from dataclasses import dataclass, field
from email import policy
from email.message import Message
from email.utils import getaddresses, parseaddr
from enum import StrEnum

from propulse.delivery.bounces import (
    Bounce,
    is_report,
    looks_like_bounce,
    read_plain_bounce,
    read_report,
)
from propulse.delivery.verp import VerpSigner

_UNSUBSCRIBE = re.compile(r"\bunsubscribe\s+([A-Za-z0-9_\-.]{20,})", re.IGNORECASE)
_MESSAGE_ID = re.compile(r"<[^<>\s]+@[^<>\s]+>")
_AUTO_SUBJECT = re.compile(
    r"^\s*(automatic reply|auto(matic)?[- ]?reply|out of (the )?office|réponse automatique|"
    r"absence|abwesenheit|autoreply)",
    re.IGNORECASE,
)
# Where a bounce keeps the address it was sent to (the VERP return path).
ADDRESS_HEADERS = ("To", "Delivered-To", "X-Original-To", "Envelope-To", "Cc")


class Kind(StrEnum):
    bounce = "bounce"
    unsubscribe = "unsubscribe"
    reply = "reply"
    auto_reply = "auto_reply"
    other = "other"


@dataclass(frozen=True)
class Classified:
    kind: Kind
    verp_message_pk: int | None = None
    bounce: Bounce | None = None
    unsubscribe_token: str | None = None
    sender: str | None = None
    references: list[str] = field(default_factory=list)
    subject: str = ""


def parse(raw: bytes) -> Message:
    return email.message_from_bytes(raw, policy=policy.compat32)


def _header(message: Message, name: str) -> str:
    values = message.get_all(name) or []
    return " ".join(str(value) for value in values)


def _verp_pk(message: Message, verp: VerpSigner | None) -> int | None:
    if verp is None:
        return None
    for name in ADDRESS_HEADERS:
        found = verp.read(_header(message, name))
        if found is not None:
            return found
    return None


def is_automatic(message: Message) -> bool:
    """Say whether a message was written by a program (RFC 3834 and common habits)."""
    auto = str(message.get("Auto-Submitted", "")).strip().lower()
    precedence = str(message.get("Precedence", "")).strip().lower()
    return (
        (bool(auto) and auto != "no")
        or precedence in ("bulk", "junk", "list", "auto_reply")
        or any(
            message.get(name)
            for name in ("X-Autoreply", "X-Autorespond", "X-Auto-Response-Suppress")
        )
        or bool(_AUTO_SUBJECT.match(str(message.get("Subject", ""))))
    )


def classify(raw: bytes, *, verp: VerpSigner | None) -> Classified:
    """Say what a raw message of the mailbox is."""
    message = parse(raw)
    subject = " ".join(str(message.get("Subject", "")).split())
    sender = parseaddr(str(message.get("From", "")))[1].lower() or None
    unsubscribe = _UNSUBSCRIBE.search(subject)
    if unsubscribe:
        return Classified(
            Kind.unsubscribe, unsubscribe_token=unsubscribe.group(1), sender=sender, subject=subject
        )
    verp_pk = _verp_pk(message, verp)
    if is_report(message):
        report = read_report(message)
        if report is None:  # a delay or a success notice: nothing to record
            return Classified(Kind.other, verp_message_pk=verp_pk, subject=subject)
        return Classified(Kind.bounce, verp_message_pk=verp_pk, bounce=report, subject=subject)
    if is_automatic(message) and not looks_like_bounce(message):
        return Classified(Kind.auto_reply, sender=sender, subject=subject)
    if verp_pk is not None or looks_like_bounce(message):
        plain = read_plain_bounce(message)
        if verp_pk is not None or plain.status is not None:
            return Classified(Kind.bounce, verp_message_pk=verp_pk, bounce=plain, subject=subject)
    references = _MESSAGE_ID.findall(
        _header(message, "In-Reply-To") + " " + _header(message, "References")
    )
    recipients = [address for _name, address in getaddresses(message.get_all("From", []))]
    return Classified(
        Kind.reply,
        sender=sender or (recipients[0].lower() if recipients else None),
        references=references,
        subject=subject,
    )
