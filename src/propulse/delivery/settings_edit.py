"""Saving the sending settings page: every field checked, secrets encrypted, one audit entry."""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass, field
from email.utils import parseaddr
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from propulse.audit import service as audit
from propulse.config import get_settings
from propulse.contacts.emails import normalise_email
from propulse.delivery.models import DeliverySettings
from propulse.delivery.secrets import encrypt_secret
from propulse.delivery.service import sending_action
from propulse.delivery.settings import settings_row, split_password
from propulse.kit.errors import Conflict, FieldProblem, InvalidInput
from propulse.kit.i18n import gettext as _
from propulse.kit.mail import SmtpSettings, SmtpUrlError
from propulse.workspace.models import Role, User
from propulse.workspace.permissions import ensure_role

HOSTNAME = re.compile(
    r"^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$"
)
SELECTOR = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9._-]{0,61}[A-Za-z0-9])?$")
IMAP_SCHEMES = ("imap", "imaps")
MAX_KEY_BYTES = 20_000

# Whole numbers and decimals of the pace, with their bounds (those of the PROPULSE_* settings).
INTEGERS = {
    "connections": (1, 64),
    "max_per_window": (0, None),
    "window_seconds": (1, None),
    "pause_after_failures": (1, None),
}
TEXTS = ("smtp_url", "mail_from", "reply_address", "dkim_domain", "dkim_selector")
TEXTS_MORE = ("imap_url", "bounce_domain")


@dataclass
class SettingsForm:
    """What the page posts: text as typed; blank means "use the PROPULSE_* setting"."""

    values: dict[str, str] = field(default_factory=dict)
    smtp_password: str = ""
    clear_smtp_password: bool = False
    imap_password: str = ""
    clear_imap_password: bool = False
    dkim_private_key: str = ""
    clear_dkim_key: bool = False
    tracking_enabled: bool = False
    version: int | None = None


@dataclass(frozen=True)
class DkimKeyInfo:
    """What the page shows of a private key: its size and the DNS TXT value to publish."""

    bits: int
    dns_value: str
    pem: str = field(repr=False)


def read_dkim_key(pem: str) -> DkimKeyInfo:
    """Load a PEM private key (RSA, at least 1024 bits); raise ValueError saying what is wrong."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    if len(pem) > MAX_KEY_BYTES:
        raise ValueError(_("This key is too long to be a DKIM private key."))
    try:
        key = serialization.load_pem_private_key(pem.strip().encode("utf-8"), password=None)
    except TypeError:
        message = _("This key is protected by a passphrase: export it without one.")
        raise ValueError(message) from None
    except (ValueError, UnicodeError):
        raise ValueError(
            _("This is not a PEM private key (it starts with -----BEGIN PRIVATE KEY-----).")
        ) from None
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ValueError(_("DKIM signing here needs an RSA key."))
    if key.key_size < 1024:
        raise ValueError(_("This RSA key is too short: use at least 2048 bits."))
    public = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    normal = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode("ascii")
    return DkimKeyInfo(
        bits=key.key_size,
        dns_value=f"v=DKIM1; k=rsa; p={base64.b64encode(public).decode('ascii')}",
        pem=normal,
    )


def _check_smtp(url: str) -> str | None:
    try:
        SmtpSettings.from_url(url)
    except SmtpUrlError as error:
        return _("This SMTP URL is not valid: %(error)s.", error=str(error))
    except ValueError:
        return _("This SMTP URL is not valid: check the port (1-65535) and the timeout.")
    return None


def _check_imap(url: str) -> str | None:
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return _("This IMAP URL is not valid: check the port (1-65535).")
    if parts.scheme not in IMAP_SCHEMES:
        return _("Use imap:// or imaps:// (TLS), e.g. imaps://user@mail.example.com/INBOX.")
    if not parts.hostname:
        return _("This IMAP URL names no host.")
    del port
    return None


def _check_address(value: str, *, with_name: bool) -> str | None:
    name, address = parseaddr(value)
    if not address or normalise_email(address) is None or (name and not with_name):
        if with_name:
            return _("Enter an address, optionally with a name: Alpinea <news@alpinea.example>.")
        return _("Enter a valid e-mail address.")
    return None


MAX_LENGTHS = {
    "smtp_url": 500,
    "imap_url": 500,
    "mail_from": 320,
    "reply_address": 320,
    "dkim_domain": 253,
    "bounce_domain": 253,
    "dkim_selector": 63,
}


def _check_text(name: str, value: str) -> str | None:
    if len(value) > MAX_LENGTHS[name]:
        return _("Use at most %(n)s characters.", n=MAX_LENGTHS[name])
    if name == "smtp_url":
        return _check_smtp(value)
    if name == "imap_url":
        return _check_imap(value)
    if name == "mail_from":
        return _check_address(value, with_name=True)
    if name == "reply_address":
        return _check_address(value, with_name=False)
    if name in ("dkim_domain", "bounce_domain") and not HOSTNAME.match(value.lower()):
        return _("Enter a domain name, e.g. alpinea.example.")
    if name == "dkim_selector" and not SELECTOR.match(value):
        return _("Use letters, digits, dots and dashes, e.g. mail2026.")
    return None


def _number(name: str, raw: str, problems: list[FieldProblem]) -> float | int | None:
    if not raw:
        return None
    if name == "max_per_second":
        try:
            decimal = float(raw.replace(",", "."))
        except ValueError:
            problems.append(FieldProblem(name, _("Enter a number.")))
            return None
        if not decimal >= 0 or decimal == float("inf"):
            problems.append(FieldProblem(name, _("Enter a number of at least %(n)s.", n=0)))
            return None
        return decimal
    low, high = INTEGERS[name]
    try:
        whole = int(raw)
    except ValueError:
        problems.append(FieldProblem(name, _("Enter a whole number.")))
        return None
    if whole < low:
        problems.append(FieldProblem(name, _("Enter a number of at least %(n)s.", n=low)))
    elif high is not None and whole > high:
        problems.append(FieldProblem(name, _("Enter a number of at most %(n)s.", n=high)))
    return whole


def _changes(form: SettingsForm) -> tuple[dict[str, Any], dict[str, str | None]]:
    """Return the plain column values and the secrets to store (None: remove), checked."""
    problems: list[FieldProblem] = []
    columns: dict[str, Any] = {}
    secrets: dict[str, str | None] = {}
    for name in (*TEXTS, *TEXTS_MORE):
        value = form.values.get(name, "").strip()
        if value and (problem := _check_text(name, value)):
            problems.append(FieldProblem(name, problem))
        columns[name] = value or None
    for name in ("smtp_url", "imap_url"):
        if columns[name]:  # a password typed in the URL is kept apart, encrypted
            columns[name], in_url = split_password(columns[name])
            password_field = name.replace("_url", "_password")
            if in_url and not getattr(form, password_field):
                setattr(form, password_field, in_url)
    for name in ("dkim_domain", "bounce_domain"):
        if columns[name]:
            columns[name] = columns[name].lower()
    for name in ("connections", "max_per_second", "max_per_window", "window_seconds"):
        columns[name] = _number(name, form.values.get(name, "").strip(), problems)
    name = "pause_after_failures"
    columns[name] = _number(name, form.values.get(name, "").strip(), problems)
    columns["tracking_enabled"] = form.tracking_enabled
    clears = {"smtp_password": form.clear_smtp_password, "imap_password": form.clear_imap_password}
    for secret, clear in clears.items():
        typed = getattr(form, secret)
        if typed:
            secrets[secret] = typed
        elif clear:
            secrets[secret] = None
    if form.dkim_private_key.strip():
        try:
            secrets["dkim_private_key"] = read_dkim_key(form.dkim_private_key).pem
        except ValueError as error:
            problems.append(FieldProblem("dkim_private_key", str(error)))
    elif form.clear_dkim_key:
        secrets["dkim_private_key"] = None
    if problems:
        raise InvalidInput(_("Some fields need your attention."), problems)
    return columns, secrets


SECRET_COLUMNS = {
    "smtp_password": "smtp_password_encrypted",
    "imap_password": "imap_password_encrypted",
    "dkim_private_key": "dkim_private_key_encrypted",
}


def save_settings(session: Session, *, actor: User, form: SettingsForm) -> DeliverySettings:
    """Check and save the page's settings (admins); the audit entry names what changed."""
    ensure_role(actor, Role.admin, action=sending_action())
    columns, secrets = _changes(form)
    row = settings_row(session)
    if row is None:
        row = DeliverySettings()
        session.add(row)
    elif form.version is not None and form.version != row.version:
        raise Conflict(
            _("Someone changed these settings meanwhile: reload the page and enter yours again.")
        )
    changed = [name for name, value in columns.items() if getattr(row, name) != value]
    for name in changed:
        setattr(row, name, columns[name])
    secret_key = get_settings().effective_secret_key()
    secret_changes: dict[str, str] = {}
    for name, value in secrets.items():
        column = SECRET_COLUMNS[name]
        if value is None:
            if getattr(row, column) is not None:
                setattr(row, column, None)
                secret_changes[name] = "removed"
        else:
            setattr(row, column, encrypt_secret(secret_key, value))
            secret_changes[name] = "replaced"
    try:
        session.flush()
    except StaleDataError:
        raise Conflict(
            _("Someone changed these settings meanwhile: reload the page and enter yours again.")
        ) from None
    if changed or secret_changes:
        audit.record(
            session,
            actor=actor,
            action="updated",
            object_type="delivery_settings",
            object_id=row.id,
            summary="sending settings updated",
            # Names and the non-secret values only: never a password or a key.
            details={
                "changed": {name: _audit_value(columns[name]) for name in changed},
                "secrets": secret_changes,
            },
        )
    return row


def _audit_value(value: Any) -> Any:
    return value if isinstance(value, bool | int | float) or value is None else str(value)
