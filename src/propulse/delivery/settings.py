"""Effective sending settings: the page's values (``DeliverySettings``) over ``PROPULSE_*``.

Every column of the single ``delivery_settings`` row that is set wins over its environment
setting; the secrets (SMTP and IMAP passwords, the DKIM key) are decrypted and put back
where the worker reads them (the passwords into the URLs). The worker, ``propulse mail test``
and the sending page all read the settings through :func:`effective_settings`.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, unquote, urlsplit, urlunsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from propulse.config import Settings, get_settings
from propulse.db import unit_of_work
from propulse.delivery.errors import NotConfigured
from propulse.delivery.models import DeliverySettings
from propulse.delivery.secrets import SecretUnreadable, decrypt_secret
from propulse.kit.i18n import gettext as _

# Plain columns copied as they are onto the setting of the same meaning.
PLAIN_COLUMNS = {
    "mail_from": "mail_from",
    "reply_address": "reply_address",
    "dkim_domain": "dkim_domain",
    "dkim_selector": "dkim_selector",
    "connections": "delivery_connections",
    "max_per_second": "delivery_max_per_second",
    "max_per_window": "delivery_max_per_window",
    "window_seconds": "delivery_window_seconds",
    "pause_after_failures": "delivery_pause_after_failures",
    "bounce_domain": "bounce_domain",
}


def settings_row(session: Session) -> DeliverySettings | None:
    """Return the single row of the page's settings, or None before the first save."""
    return session.scalar(select(DeliverySettings).order_by(DeliverySettings.id).limit(1))


SENDER_MEMO = "propulse_sender_address"


def sender_address(session: Session) -> str:
    """Return the From address in force (the page's over ``PROPULSE_MAIL_FROM``).

    Read once per session: a scheduler run queues thousands of e-mails, each needing the
    sender's domain for its Message-ID.
    """
    memo = session.info.get(SENDER_MEMO)
    if memo is None:
        row = settings_row(session)
        memo = row.mail_from if row is not None and row.mail_from else get_settings().mail_from
        session.info[SENDER_MEMO] = memo
    return str(memo)


def split_password(url: str) -> tuple[str, str | None]:
    """Return the URL without its password, and the password (None when there is none)."""
    parts = urlsplit(url)
    if parts.password is None:
        return url, None
    host = parts.netloc.rpartition("@")[2]
    user = parts.netloc.rpartition("@")[0].partition(":")[0]
    netloc = f"{user}@{host}" if user else host
    return urlunsplit(parts._replace(netloc=netloc)), unquote(parts.password)


def with_password(url: str, password: str | None) -> str:
    """Return the URL with ``password`` after its user name (unchanged without either)."""
    if not password:
        return url
    parts = urlsplit(url)
    userinfo, at, host = parts.netloc.rpartition("@")
    if not at:
        return url  # no user name: a password alone means nothing to the server
    user = userinfo.partition(":")[0]
    netloc = f"{user}:{quote(password, safe='')}@{host}"
    return urlunsplit(parts._replace(netloc=netloc))


def _decrypt(secret_key: str, stored: str | None, what: str) -> str | None:
    if not stored:
        return None
    try:
        return decrypt_secret(secret_key, stored)
    except SecretUnreadable:
        raise NotConfigured(
            _(
                "The %(what)s saved on the sending settings page cannot be decrypted: "
                "PROPULSE_SECRET_KEY has changed since. Enter it again on the page.",
                what=what,
            )
        ) from None


def apply_row(base: Settings, row: DeliverySettings) -> Settings:
    """Return ``base`` with every value the row sets (secrets decrypted) applied."""
    secret_key = base.effective_secret_key()
    update: dict[str, Any] = {}
    for column, setting in PLAIN_COLUMNS.items():
        value = getattr(row, column)
        if value is not None and value != "":
            update[setting] = value
    if row.smtp_url:
        password = _decrypt(secret_key, row.smtp_password_encrypted, _("SMTP password"))
        update["smtp_url"] = with_password(row.smtp_url, password)
    if row.imap_url:
        password = _decrypt(secret_key, row.imap_password_encrypted, _("IMAP password"))
        update["imap_url"] = with_password(row.imap_url, password)
    if row.dkim_private_key_encrypted:
        update["dkim_private_key"] = _decrypt(
            secret_key, row.dkim_private_key_encrypted, _("DKIM private key")
        )
    update["delivery_tracking"] = bool(row.tracking_enabled)
    return base.model_copy(update=update)


def effective_settings(session: Session, base: Settings | None = None) -> Settings:
    """Return the settings with the sending settings page's values over ``PROPULSE_*``."""
    settings = base or get_settings()
    row = settings_row(session)
    return settings if row is None else apply_row(settings, row)


def load_effective_settings(base: Settings | None = None) -> Settings:
    """Return the effective settings, reading the page's row in a session of its own."""
    with unit_of_work() as session:
        return effective_settings(session, base)
