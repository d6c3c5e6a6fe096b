"""Signed unsubscribe tokens: they name the message (and its contact) and cannot be forged."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from itsdangerous import URLSafeTimedSerializer

from propulse.kit.security import LinkSigner

PURPOSE = "delivery-unsubscribe"


@dataclass(frozen=True)
class UnsubscribeTarget:
    message_pk: int
    contact_id: int | None


def unsubscribe_token(signer: LinkSigner, *, message_pk: int, contact_id: int | None) -> str:
    """Return the token of a message's unsubscribe links (no expiry: old e-mails keep working)."""
    return signer.sign(PURPOSE, [message_pk, contact_id or 0])


class UnsubscribeSigner:
    """Sign many tokens with one serializer (the worker signs one per message)."""

    def __init__(self, secret_key: str) -> None:
        # The same serializer LinkSigner builds per call, so its tokens read back with it;
        # its signer is made once here rather than for every token.
        self._serializer = URLSafeTimedSerializer(secret_key, salt=PURPOSE)
        self._signer = self._serializer.make_signer(PURPOSE)

    def token(self, *, message_pk: int, contact_id: int | None) -> str:
        payload = self._serializer.dump_payload([message_pk, contact_id or 0])
        return self._signer.sign(payload).decode("ascii")


def read_unsubscribe_token(signer: LinkSigner, token: str) -> UnsubscribeTarget | None:
    """Return what a token names, or None when it was altered or made with another key."""
    payload = signer.load(PURPOSE, token)
    if (
        not isinstance(payload, list)
        or len(payload) != 2
        or not all(isinstance(item, int) and not isinstance(item, bool) for item in payload)
    ):
        return None
    message_pk, contact_id = payload
    return UnsubscribeTarget(message_pk=message_pk, contact_id=contact_id or None)


def unsubscribe_url(base_url: str, token: str) -> str:
    return f"{base_url.rstrip('/')}/u/{token}"


def unsubscribe_mailto(reply_address: str, token: str) -> str:
    """Return the mailto link a reply mailbox reads: the token travels in the subject."""
    return f"mailto:{reply_address}?subject={quote('unsubscribe ' + token)}"
