"""A persistent SMTP connection per worker lane, and what each attempt to send came to.

The SMTP dialogue is driven step by step (MAIL, RCPT, DATA, content) so that a failure is
known by its stage: a 5xx to RCPT or to the content is the recipient's permanent failure,
a connection lost after the content went out leaves the message in doubt (it may have been
accepted), anything before that was certainly not delivered.
"""

from __future__ import annotations

import re
import smtplib
from dataclasses import dataclass
from enum import StrEnum

from propulse.kit.mail import SmtpSettings, open_connection

# A plain dot-atom address (what the outbox keeps): ``smtplib.quoteaddr`` would return it
# as ``<address>`` after a full RFC 5322 parse, which costs more than the rest of the command.
_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_PLAIN_ADDRESS = re.compile(rf"{_ATOM}(?:\.{_ATOM})*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*")


class Outcome(StrEnum):
    accepted = "accepted"
    temporary = "temporary"  # try again later (4xx, a lost connection, a server refusal)
    permanent = "permanent"  # the recipient is refused for good (5xx to RCPT or the content)


class Stage(StrEnum):
    compose = "compose"
    connect = "connect"
    mail = "mail"
    rcpt = "rcpt"
    data = "data"
    content = "content"


@dataclass(frozen=True)
class SendResult:
    outcome: Outcome
    stage: Stage
    code: int | None = None
    reply: str = ""
    # True when the connection was lost after the content was sent: the server may have
    # accepted the message, so sending it again may deliver it twice.
    in_doubt: bool = False

    @property
    def recipient_failure(self) -> bool:
        """Whether the server answered about this message (what counts against a stream)."""
        return self.code is not None and self.stage in (Stage.rcpt, Stage.data, Stage.content)

    def describe(self) -> str:
        """Return a short technical line for the outbox and the logs."""
        if self.code is None:
            return f"{self.stage}: {self.reply}"[:1000]
        return f"{self.code} {self.reply} ({self.stage})"[:1000]


def classify(code: int, reply: str, stage: Stage) -> SendResult:
    """Turn a server reply into an outcome; only recipient stages can fail for good."""
    if 200 <= code < 300:
        return SendResult(Outcome.accepted, stage, code, reply)
    permanent = 500 <= code < 600 and stage in (Stage.rcpt, Stage.content)
    return SendResult(Outcome.permanent if permanent else Outcome.temporary, stage, code, reply)


def _text(reply: bytes | str) -> str:
    if isinstance(reply, bytes):
        reply = reply.decode("utf-8", "replace")
    return " ".join(reply.split())[:480]


class SmtpConnection:
    """One connection kept open across messages, opened again when it was lost."""

    def __init__(self, settings: SmtpSettings) -> None:
        self.settings = settings
        self._smtp: smtplib.SMTP | None = None

    @property
    def is_open(self) -> bool:
        return self._smtp is not None

    def send(self, *, sender: str, recipient: str, payload: bytes) -> SendResult:
        """Send one message; never raises for a network or SMTP problem."""
        stage = Stage.connect
        try:
            smtp = self._open()
            stage = Stage.mail
            smtp.putcmd("mail", "FROM:" + envelope_address(sender))
            code, reply = smtp.getreply()
            if code != 250:
                return self._refused(code, reply, stage)
            stage = Stage.rcpt
            smtp.putcmd("rcpt", "TO:" + envelope_address(recipient))
            code, reply = smtp.getreply()
            if code not in (250, 251):
                return self._refused(code, reply, stage)
            stage = Stage.data
            smtp.putcmd("data")
            code, reply = smtp.getreply()
            if code != 354:
                return self._refused(code, reply, stage)
            stage = Stage.content
            smtp.send(_dot_stuffed(payload))
            code, reply = smtp.getreply()
        except smtplib.SMTPResponseException as error:
            self.close(quit=False)
            return classify(error.smtp_code, _text(error.smtp_error), stage)
        except (OSError, smtplib.SMTPException) as error:
            self.close(quit=False)
            detail = _text(str(error) or type(error).__name__)
            return SendResult(Outcome.temporary, stage, None, detail, stage == Stage.content)
        except ValueError as error:  # e.g. a non-ASCII address the server cannot take
            self.close(quit=False)
            return SendResult(Outcome.permanent, stage, None, _text(str(error)))
        result = classify(code, _text(reply), stage)
        if code == 421:
            self.close(quit=False)  # the server is closing this connection
        return result

    def _open(self) -> smtplib.SMTP:
        if self._smtp is None:
            smtp = open_connection(self.settings)
            smtp.ehlo_or_helo_if_needed()
            self._smtp = smtp
        return self._smtp

    def _refused(self, code: int, reply: bytes, stage: Stage) -> SendResult:
        """Record a refusal before the content; reset the transaction to reuse the connection."""
        result = classify(code, _text(reply), stage)
        if code == 421 or self._smtp is None:
            self.close(quit=False)
            return result
        try:
            self._smtp.rset()
        except (OSError, smtplib.SMTPException):
            self.close(quit=False)
        return result

    def close(self, *, quit: bool = True) -> None:
        """Close the connection (politely with QUIT when it still works)."""
        smtp, self._smtp = self._smtp, None
        if smtp is None:
            return
        try:
            if quit:
                smtp.quit()
            else:
                smtp.close()
        except (OSError, smtplib.SMTPException):
            smtp.close()


def envelope_address(address: str) -> str:
    """Return an address as MAIL FROM and RCPT TO carry it: ``<local@domain>``.

    The same as ``smtplib.quoteaddr`` (used for anything but a plain address).
    """
    if _PLAIN_ADDRESS.fullmatch(address):
        return f"<{address}>"
    return smtplib.quoteaddr(address)


def _dot_stuffed(payload: bytes) -> bytes:
    """Return the DATA content: leading dots doubled, ended by CRLF.CRLF (RFC 5321 4.5.2)."""
    # A line starts at the beginning or after a line feed: one plain replace does what a
    # multi-line regular expression would, several times faster (CSS rules start lines
    # with dots, so this runs on most HTML messages).
    stuffed = payload.replace(b"\n.", b"\n..")
    if stuffed.startswith(b"."):
        stuffed = b"." + stuffed
    if not stuffed.endswith(b"\r\n"):
        stuffed += b"\r\n"
    return stuffed + b".\r\n"
