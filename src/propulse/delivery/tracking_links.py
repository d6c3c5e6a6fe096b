"""Tracked links: signed click and open tokens, and the rewriting of an HTML body.

A click token carries the message row's id and the destination URL, signed (itsdangerous,
the installation's secret, a salt of its own): the redirect goes only to the URL inside a
valid signature, so an altered link cannot send anyone elsewhere (no open redirect). An
open token carries the message row's id alone. Both stay short: the id in base 36, the URL
in URL-safe base64 without padding, a 27-character signature.

Rewriting is one pass of a compiled regular expression over the ``href`` attributes of
``<a>`` and ``<area>`` tags; only ``http(s)`` links are tracked (not ``mailto:``, not the
unsubscribe and preference links, which are still markers when the body is rewritten).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import html
import re
from dataclasses import dataclass

from itsdangerous import BadSignature, Signer
from itsdangerous.encoding import base64_encode

from propulse.delivery.verp import base36

CLICK_SALT = "delivery-tracking-click"
OPEN_SALT = "delivery-tracking-open"
# Longer destinations are left as they are: a link must stay short enough for mail clients.
MAX_TRACKED_URL = 1024

_LINK = re.compile(
    r"""(<(?:a|area)\b[^>]*?\shref\s*=\s*)(["'])(https?://[^"'<>\s]+)\2""", re.IGNORECASE
)
_BODY_END = re.compile(r"</body\s*>", re.IGNORECASE)
_GIF_SUFFIX = ".gif"


@dataclass(frozen=True)
class Click:
    message_pk: int
    url: str


def _read_base36(text: str) -> int | None:
    if not text or len(text) > 13 or not text.isalnum() or not text.isascii():
        return None
    try:
        return int(text, 36)
    except ValueError:
        return None


class TrackingSigner:
    """Sign and read click and open tokens (one per installation secret)."""

    def __init__(self, secret_key: str) -> None:
        self._clicks = Signer(secret_key, salt=CLICK_SALT)
        self._opens = Signer(secret_key, salt=OPEN_SALT)
        # What ``Signer.sign`` computes, its key derived once (the worker signs every link).
        self._click_mac = hmac.new(self._clicks.derive_key(), digestmod=hashlib.sha1)
        self._open_mac = hmac.new(self._opens.derive_key(), digestmod=hashlib.sha1)

    @staticmethod
    def _signed(mac: hmac.HMAC, value: str) -> str:
        raw = value.encode("ascii")
        copy = mac.copy()
        copy.update(raw)
        return value + "." + base64_encode(copy.digest()).decode("ascii")

    def click_token(self, *, message_pk: int, url: str) -> str:
        encoded = base64.urlsafe_b64encode(url.encode("utf-8")).rstrip(b"=").decode("ascii")
        return self._signed(self._click_mac, f"{base36(message_pk)}.{encoded}")

    def open_token(self, *, message_pk: int) -> str:
        return self._signed(self._open_mac, base36(message_pk))

    def read_click(self, token: str) -> Click | None:
        """Return what a click token names, or None when it was altered or made elsewhere."""
        try:
            value = self._clicks.unsign(token).decode("ascii")
        except (BadSignature, UnicodeError):
            return None
        pk_text, _dot, encoded = value.partition(".")
        message_pk = _read_base36(pk_text)
        if message_pk is None or not encoded:
            return None
        try:
            url = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)).decode("utf-8")
        except (binascii.Error, ValueError):
            return None
        if not url.startswith(("http://", "https://")):
            return None
        return Click(message_pk, url)

    def read_open(self, token: str) -> int | None:
        """Return the message row id of an open token (``.gif`` allowed), or None."""
        token = token.removesuffix(_GIF_SUFFIX)
        try:
            value = self._opens.unsign(token).decode("ascii")
        except (BadSignature, UnicodeError):
            return None
        return _read_base36(value)


def click_url(base_url: str, token: str) -> str:
    return f"{base_url.rstrip('/')}/t/c/{token}"


def open_url(base_url: str, token: str) -> str:
    return f"{base_url.rstrip('/')}/t/o/{token}.gif"


def tracked_html(html_body: str, *, message_pk: int, signer: TrackingSigner, base_url: str) -> str:
    """Return the body with its web links through click redirects and an open pixel."""
    base = base_url.rstrip("/")
    own_links = (f"{base}/u/", f"{base}/preferences/", f"{base}/t/")

    def rewrite(match: re.Match[str]) -> str:
        url = html.unescape(match.group(3))
        if len(url) > MAX_TRACKED_URL or url.startswith(own_links):
            return match.group(0)
        token = signer.click_token(message_pk=message_pk, url=url)
        quote = match.group(2)
        return f"{match.group(1)}{quote}{base}/t/c/{token}{quote}"

    rewritten = _LINK.sub(rewrite, html_body) if "href" in html_body else html_body
    pixel = (
        f'<img src="{base}/t/o/{signer.open_token(message_pk=message_pk)}{_GIF_SUFFIX}" '
        'width="1" height="1" alt="" style="display:block;width:1px;height:1px;border:0">'
    )
    ends = list(_BODY_END.finditer(rewritten))
    if not ends:
        return rewritten + pixel
    at = ends[-1].start()
    return rewritten[:at] + pixel + rewritten[at:]
