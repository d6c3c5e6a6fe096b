"""VERP return paths: ``bounces+<id>-<signature>@<bounce domain>`` names the message bounced.

The envelope sender (MAIL FROM) of each message carries the message row's id in base 36 and
a short signature (HMAC-SHA256 with a key derived from the installation's secret, 64 bits,
lowercase hex: some servers change the case of local parts). A bounce sent back to that
address tells which message failed, whatever the bounce looks like; a forged or altered
address names nothing. The local part stays under 40 characters (64 is the limit).
"""

from __future__ import annotations

import hashlib
import hmac
import re

from itsdangerous import Signer

VERP_SALT = "delivery-verp"
PREFIX = "bounces+"
_SIGNATURE_BYTES = 8
_VERP = re.compile(r"bounces\+([0-9a-z]{1,13})-([0-9a-f]{16})@", re.IGNORECASE)


class VerpSigner:
    """Make and read VERP addresses with one installation's secret."""

    def __init__(self, secret_key: str) -> None:
        self._key = Signer(secret_key, salt=VERP_SALT).derive_key()

    def _signature(self, pk_text: str) -> str:
        mac = hmac.new(self._key, pk_text.encode("ascii"), hashlib.sha256)
        return mac.hexdigest()[: 2 * _SIGNATURE_BYTES]

    def address(self, *, message_pk: int, domain: str) -> str:
        """Return the return path of one message."""
        pk_text = base36(message_pk)
        return f"{PREFIX}{pk_text}-{self._signature(pk_text)}@{domain}"

    def read(self, text: str) -> int | None:
        """Return the message row id of the first valid VERP address in ``text``, or None."""
        for match in _VERP.finditer(text or ""):
            pk_text, signature = match.group(1).lower(), match.group(2).lower()
            if hmac.compare_digest(signature, self._signature(pk_text)):
                return int(pk_text, 36)
        return None


def base36(number: int) -> str:
    """Return a non-negative integer in lowercase base 36."""
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        number, rest = divmod(number, 36)
        out = digits[rest] + out
        if not number:
            return out
