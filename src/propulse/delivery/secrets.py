"""Secrets of the sending settings, encrypted at rest (Fernet) with a key derived from the
installation's secret key (HKDF/SHA-256): a database dump alone does not reveal them.
"""

from __future__ import annotations

import base64
from functools import lru_cache
from typing import Any

HKDF_INFO = b"propulse delivery settings secrets"


class SecretUnreadable(ValueError):
    """A stored secret cannot be decrypted (the secret key changed, or the value was altered)."""


@lru_cache(maxsize=4)
def _fernet(secret_key: str) -> Any:
    from cryptography.fernet import Fernet
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=HKDF_INFO).derive(
        secret_key.encode("utf-8")
    )
    return Fernet(base64.urlsafe_b64encode(derived))


def encrypt_secret(secret_key: str, plain: str) -> str:
    """Return the encrypted form of ``plain`` (a different text on each call)."""
    token: bytes = _fernet(secret_key).encrypt(plain.encode("utf-8"))
    return token.decode("ascii")


def decrypt_secret(secret_key: str, stored: str) -> str:
    """Return the plain secret; refused when the key changed or the value was altered."""
    from cryptography.fernet import InvalidToken

    try:
        plain: bytes = _fernet(secret_key).decrypt(stored.encode("ascii"))
    except (InvalidToken, UnicodeEncodeError, ValueError):
        raise SecretUnreadable(
            "a stored secret cannot be decrypted: was PROPULSE_SECRET_KEY changed?"
        ) from None
    return plain.decode("utf-8")
