"""Signed values of the public side: the confirmation link and the hosted page's time stamp."""

from __future__ import annotations

import time
from dataclasses import dataclass
from enum import StrEnum

from propulse.config import get_settings
from propulse.kit.security import LinkSigner

CONFIRM_PURPOSE = "form-confirm"
STAMP_PURPOSE = "form-stamp"
CONFIRM_MAX_AGE_SECONDS = 7 * 24 * 3600


def _signer() -> LinkSigner:
    return LinkSigner(get_settings().effective_secret_key())


def confirm_token(*, submission_id: int) -> str:
    """Return the token of a submission's confirmation link."""
    return _signer().sign(CONFIRM_PURPOSE, submission_id)


def confirm_url(token: str) -> str:
    return f"{get_settings().base_url.rstrip('/')}/f/confirm/{token}"


class TokenState(StrEnum):
    valid = "valid"
    expired = "expired"
    bad = "bad"


@dataclass(frozen=True)
class ConfirmTarget:
    state: TokenState
    submission_id: int | None = None


def read_confirm_token(token: str) -> ConfirmTarget:
    """Say whether a confirmation token is valid, expired (but ours) or altered."""
    signer = _signer()
    payload = signer.load(CONFIRM_PURPOSE, token)
    if not isinstance(payload, int) or isinstance(payload, bool):
        return ConfirmTarget(TokenState.bad)
    if signer.load(CONFIRM_PURPOSE, token, max_age_seconds=CONFIRM_MAX_AGE_SECONDS) is None:
        return ConfirmTarget(TokenState.expired, payload)
    return ConfirmTarget(TokenState.valid, payload)


def fill_stamp(*, form_id: int, now: float | None = None) -> str:
    """Return the hosted page's signed time stamp (when the visitor got the page)."""
    return _signer().sign(STAMP_PURPOSE, [form_id, round(now if now is not None else time.time())])


def seconds_since_stamp(stamp: str, *, form_id: int, now: float | None = None) -> float | None:
    """Return how long ago the page was served, or None when the stamp is altered or foreign."""
    payload = _signer().load(STAMP_PURPOSE, stamp)
    if (
        not isinstance(payload, list)
        or len(payload) != 2
        or payload[0] != form_id
        or not isinstance(payload[1], int)
    ):
        return None
    return (now if now is not None else time.time()) - payload[1]
