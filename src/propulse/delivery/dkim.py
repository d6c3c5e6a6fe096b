"""DKIM signing (dkimpy) with the key named by the settings; the library is imported lazily."""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from propulse.config import Settings

# What a receiver must see unchanged: the addresses, the subject and date, the Message-ID,
# and the unsubscribe headers (RFC 8058 requires them to be covered by the signature).
SIGNED_HEADERS = (
    "From",
    "To",
    "Subject",
    "Date",
    "Message-ID",
    "List-Unsubscribe",
    "List-Unsubscribe-Post",
    "MIME-Version",
    "Content-Type",
)


class DkimKeyError(ValueError):
    """The configured DKIM key cannot be read."""


@dataclass(frozen=True)
class DkimConfig:
    domain: str
    selector: str
    key_path: Path | None = None
    # The PEM text itself (the sending settings page keeps it encrypted): wins over the path.
    key_pem: str | None = field(default=None, repr=False)

    def read_key(self) -> bytes:
        """Return the PEM bytes of the private key, from the text or the file."""
        if self.key_pem:
            return self.key_pem.encode("utf-8")
        if self.key_path is None:
            raise DkimKeyError("no DKIM private key is configured")
        try:
            return self.key_path.read_bytes()
        except OSError as error:
            raise DkimKeyError(f"cannot read the DKIM key {self.key_path}: {error}") from None

    @property
    def key_source(self) -> str:
        return "settings page" if self.key_pem else str(self.key_path)


def dkim_config(settings: Settings) -> DkimConfig | None:
    """Return the DKIM settings when domain, selector and key are set, else None (unsigned)."""
    key_pem = settings.dkim_private_key
    if (
        settings.dkim_domain
        and settings.dkim_selector
        and (key_pem or settings.dkim_private_key_path)
    ):
        return DkimConfig(
            domain=settings.dkim_domain.strip().lower(),
            selector=settings.dkim_selector.strip(),
            key_path=None if key_pem else settings.dkim_private_key_path,
            key_pem=key_pem or None,
        )
    return None


class DkimSigner:
    """Sign composed messages with one domain, selector and private key (PEM)."""

    def __init__(self, config: DkimConfig) -> None:
        self.config = config
        self._key = config.read_key()
        if b"PRIVATE KEY" not in self._key:
            raise DkimKeyError(f"{config.key_source} holds no PEM private key")
        # ~10 MB with dnspython: imported only by installations that sign (and it has no types).
        self._dkim: Any = importlib.import_module("dkim")
        _use_openssl_rsa(self._dkim)

    def signature_header(self, message: bytes) -> bytes:
        """Return the ``DKIM-Signature`` header line (CRLF-terminated) for ``message``."""
        present = _present_headers(message)
        include = [name.encode("ascii") for name in SIGNED_HEADERS if name.lower() in present]
        signature: bytes = self._dkim.sign(
            message,
            self.config.selector.encode("ascii"),
            self.config.domain.encode("ascii"),
            self._key,
            canonicalize=(b"relaxed", b"relaxed"),
            include_headers=include,
            linesep=b"\r\n",
        )
        return signature

    def sign(self, message: bytes) -> bytes:
        """Return the message with its DKIM-Signature header first."""
        return self.signature_header(message) + message


def _present_headers(message: bytes) -> set[str]:
    head = message.split(b"\r\n\r\n", 1)[0]
    names = set()
    for line in head.split(b"\r\n"):
        if line and line[:1] not in (b" ", b"\t"):
            names.add(line.split(b":", 1)[0].decode("ascii", "replace").strip().lower())
    return names


def check_key(settings: Settings) -> str | None:
    """Say what is wrong with the DKIM settings (None when signing works or is not set up)."""
    config = dkim_config(settings)
    if config is None:
        return None
    try:
        DkimSigner(config)
    except DkimKeyError as error:
        return str(error)
    return None


def _use_openssl_rsa(dkim_module: Any) -> None:
    """Let dkimpy compute its RSA signatures with OpenSSL (cryptography) instead of Python.

    dkimpy does the RSA private-key operation with Python integers: 10 to 50 ms a message
    here, which capped a signing worker at a few dozen messages per second. PKCS#1 v1.5 is
    deterministic, so OpenSSL gives the very same signature, about 30 times faster (the
    tests verify the signatures with dkimpy itself). Anything but SHA-256 keeps dkimpy's.
    """
    original = dkim_module.RSASSA_PKCS1_v1_5_sign
    if getattr(original, "openssl", False):
        return
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding, rsa, utils

    keys: dict[int, rsa.RSAPrivateKey] = {}

    def sign(digest: Any, private_key: dict[str, int]) -> bytes:
        if digest.name.lower() != "sha256":
            return bytes(original(digest, private_key))
        modulus = private_key["modulus"]
        key = keys.get(modulus)
        if key is None:
            public = rsa.RSAPublicNumbers(private_key["publicExponent"], modulus)
            key = rsa.RSAPrivateNumbers(
                p=private_key["prime1"],
                q=private_key["prime2"],
                d=private_key["privateExponent"],
                dmp1=private_key["exponent1"],
                dmq1=private_key["exponent2"],
                iqmp=private_key["coefficient"],
                public_numbers=public,
            ).private_key()
            keys[modulus] = key
        return key.sign(digest.digest(), padding.PKCS1v15(), utils.Prehashed(hashes.SHA256()))

    sign.openssl = True  # type: ignore[attr-defined]
    dkim_module.RSASSA_PKCS1_v1_5_sign = sign
