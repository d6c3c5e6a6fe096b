"""Poll the reply and bounce mailbox by IMAP: each unread message is sorted, then recorded.

``PROPULSE_IMAP_URL`` (or the sending page) names the mailbox:
``imap://user:password@host:143/FOLDER`` or ``imaps://...:993/FOLDER`` (TLS), the folder
``INBOX`` when left out. Messages are read without marking them (``BODY.PEEK[]``); each one
is recorded in its own commit, then flagged ``\\Seen``, so a second poll does nothing. A
message that cannot be recorded (a bug, the database away) is logged and left unread: the
next poll tries it again; it never stops the others.
"""

from __future__ import annotations

import imaplib
import logging
import ssl
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from propulse.config import Settings
from propulse.db import unit_of_work, utcnow
from propulse.delivery.errors import NotConfigured
from propulse.delivery.mailbox_actions import record
from propulse.delivery.mailbox_classify import Kind, classify
from propulse.delivery.verp import VerpSigner
from propulse.kit.errors import DomainError
from propulse.kit.i18n import gettext as _

logger = logging.getLogger("propulse.delivery.mailbox")
TIMEOUT_SECONDS = 30.0
MAX_PER_POLL = 500  # a huge backlog is read over several polls


@dataclass(frozen=True)
class MailboxServer:
    host: str
    port: int
    tls: bool
    user: str
    password: str
    folder: str


def mailbox_server(url: str | None) -> MailboxServer:
    """Read the mailbox URL; refused clearly when missing or malformed."""
    if not url:
        raise NotConfigured(_("No reply mailbox is configured: set PROPULSE_IMAP_URL."))
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        port = -1
    if parts.scheme not in ("imap", "imaps") or not parts.hostname or port == -1:
        raise NotConfigured(
            _(
                "PROPULSE_IMAP_URL is not valid: write imap://user:password@host:143/INBOX "
                "or imaps://user:password@host:993/INBOX."
            )
        )
    if not parts.username:
        raise NotConfigured(_("PROPULSE_IMAP_URL names no user: write imap://user:password@host."))
    tls = parts.scheme == "imaps"
    return MailboxServer(
        host=parts.hostname,
        port=port or (993 if tls else 143),
        tls=tls,
        user=unquote(parts.username),
        password=unquote(parts.password or ""),
        folder=unquote(parts.path.lstrip("/")) or "INBOX",
    )


class MailboxUnavailable(DomainError):
    def __init__(self, message: str) -> None:
        super().__init__(message, status_code=502, title="Bad gateway", type_slug="mailbox")


@dataclass
class PollTally:
    """What a poll did."""

    read: int = 0
    bounces: int = 0
    unsubscribes: int = 0
    replies: int = 0
    ignored: int = 0
    errors: int = 0

    def as_dict(self) -> dict[str, int]:
        names = ("read", "bounces", "unsubscribes", "replies", "ignored", "errors")
        return {name: getattr(self, name) for name in names}


def _quoted(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


@contextmanager
def _opened(server: MailboxServer) -> Iterator[imaplib.IMAP4]:
    try:
        if server.tls:
            context = ssl.create_default_context()
            imap: imaplib.IMAP4 = imaplib.IMAP4_SSL(
                server.host, server.port, ssl_context=context, timeout=TIMEOUT_SECONDS
            )
        else:
            imap = imaplib.IMAP4(server.host, server.port, timeout=TIMEOUT_SECONDS)
        imap.login(server.user, server.password)
        status, _data = imap.select(_quoted(server.folder))
        if status != "OK":
            raise MailboxUnavailable(
                _("The folder %(folder)s does not exist in the mailbox.", folder=server.folder)
            )
    except (OSError, imaplib.IMAP4.error) as error:
        raise MailboxUnavailable(
            _(
                "Cannot read the mailbox at %(host)s:%(port)s: %(error)s",
                host=server.host,
                port=server.port,
                error=str(error) or type(error).__name__,
            )
        ) from None
    try:
        yield imap
    finally:
        with suppress(OSError, imaplib.IMAP4.error):
            imap.logout()


def _raw(data: list[object]) -> bytes | None:
    for item in data:
        if isinstance(item, tuple) and len(item) == 2 and isinstance(item[1], bytes):
            return item[1]
    return None


def _handle(raw: bytes, verp: VerpSigner | None, tally: PollTally) -> None:
    classified = classify(raw, verp=verp)
    with unit_of_work() as session:
        recorded = record(session, classified=classified, now=utcnow())
    counter = {
        Kind.bounce: "bounces",
        Kind.unsubscribe: "unsubscribes",
        Kind.reply: "replies",
    }.get(classified.kind)
    if recorded and counter:
        setattr(tally, counter, getattr(tally, counter) + 1)
    else:
        tally.ignored += 1
    logger.info(
        "mailbox: %s (%s) %s",
        classified.kind,
        "recorded" if recorded else "ignored",
        classified.subject[:80],
    )


def poll(settings: Settings) -> PollTally:
    """Read the unread messages of the mailbox, record each one, mark it read."""
    server = mailbox_server(settings.imap_url)
    verp = VerpSigner(settings.effective_secret_key())
    tally = PollTally()
    with _opened(server) as imap:
        try:
            status, found = imap.search(None, "UNSEEN")
            numbers = found[0].split() if status == "OK" and found and found[0] else []
            for number in numbers[:MAX_PER_POLL]:
                status, data = imap.fetch(number.decode(), "(BODY.PEEK[])")
                raw = _raw(list(data)) if status == "OK" else None
                if raw is None:
                    tally.errors += 1
                    continue
                tally.read += 1
                try:
                    _handle(raw, verp, tally)
                except Exception:  # one bad message never stops the poll; tried again later
                    tally.errors += 1
                    logger.exception("mailbox: cannot record message %s", number.decode())
                    continue
                imap.store(number.decode(), "+FLAGS", "(\\Seen)")
        except (OSError, imaplib.IMAP4.error) as error:
            raise MailboxUnavailable(
                _("The mailbox stopped answering: %(error)s", error=str(error))
            ) from None
    return tally
