"""Password hashes (argon2), API tokens (random, stored as SHA-256) and signed links."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from functools import cache
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

_password_hasher = PasswordHasher()


@cache
def _dummy_hash() -> str:
    """Return a hash verified against when the account does not exist (same time both ways).

    Made on first use: hashing costs about half a second, which every command would pay.
    """
    return _password_hasher.hash("propulse-timing-equaliser")


API_TOKEN_PREFIX = "ppl_"  # noqa: S105 - a prefix, not a secret
MIN_PASSWORD_LENGTH = 10


def hash_password(password: str) -> str:
    return _password_hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Check a password; spends the same time when there is no hash to check against."""
    try:
        return _password_hasher.verify(password_hash or _dummy_hash(), password) and bool(
            password_hash
        )
    except (VerificationError, InvalidHashError):
        return False


def new_api_token() -> str:
    """Return a new API token: 256 random bits, recognisable by its prefix."""
    return API_TOKEN_PREFIX + secrets.token_urlsafe(32)


def hash_api_token(token: str) -> str:
    """Hash a token for storage; SHA-256 suffices because tokens carry 256 random bits."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_csrf_token() -> str:
    return secrets.token_urlsafe(32)


def tokens_match(expected: str | None, given: str | None) -> bool:
    if not expected or not given:
        return False
    return hmac.compare_digest(expected.encode(), given.encode())


class LinkSigner:
    """Sign and check the tokens of links sent by e-mail (invitations, resets, unsubscribes)."""

    def __init__(self, secret_key: str) -> None:
        self._secret_key = secret_key

    def sign(self, purpose: str, payload: Any) -> str:
        return URLSafeTimedSerializer(self._secret_key, salt=purpose).dumps(payload)

    def load(self, purpose: str, token: str, max_age_seconds: int | None = None) -> Any | None:
        """Return the payload, or None when the token is altered, foreign or expired."""
        try:
            return URLSafeTimedSerializer(self._secret_key, salt=purpose).loads(
                token, max_age=max_age_seconds
            )
        except (BadSignature, SignatureExpired):
            return None
