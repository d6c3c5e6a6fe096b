"""E-mail addresses: one normal form (so case never makes two contacts) and its hash."""

from __future__ import annotations

import hashlib
import re

# Deliberately practical rather than RFC 5322 complete: one @, a dotted domain, no spaces.
_ADDRESS = re.compile(
    r"^[^\s@<>(),;:\"\[\]]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$"
)
MAX_LENGTH = 320


def normalise_email(raw: str) -> str | None:
    """Return the address trimmed and lower-cased, or None when it is not a usable address."""
    address = raw.strip().strip("<>").strip()
    if address.lower().startswith("mailto:"):
        address = address[7:]
    if not address or len(address) > MAX_LENGTH or not _ADDRESS.match(address):
        return None
    local, _, domain = address.rpartition("@")
    if len(local) > 64 or ".." in address or local.startswith(".") or local.endswith("."):
        return None
    try:
        domain = domain.encode("idna").decode("ascii")
    except UnicodeError:
        return None
    return f"{local.lower()}@{domain.lower()}"


def email_hash(normalised: str) -> str:
    """Return the SHA-256 of a normalised address: what a suppression keeps of it."""
    return hashlib.sha256(normalised.encode("utf-8")).hexdigest()
