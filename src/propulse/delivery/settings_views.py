"""The sending settings page (admins): server, sender, DKIM, pace, tracking, mailbox, a test."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi import Depends, Request
from fastapi.responses import Response
from markupsafe import escape
from sqlalchemy.orm import Session
from starlette.datastructures import FormData, UploadFile

from propulse.config import Settings, get_settings
from propulse.db import utcnow
from propulse.delivery import service
from propulse.delivery.dkim import DkimConfig, DkimKeyError, dkim_config
from propulse.delivery.errors import NotConfigured
from propulse.delivery.models import DeliverySettings
from propulse.delivery.settings import effective_settings, settings_row, split_password
from propulse.delivery.settings_edit import (
    INTEGERS,
    MAX_KEY_BYTES,
    TEXTS,
    TEXTS_MORE,
    DkimKeyInfo,
    SettingsForm,
    read_dkim_key,
    save_settings,
)
from propulse.delivery.summary import smtp_summary
from propulse.delivery.worker import DeliveryWorker, smtp_settings
from propulse.kit.errors import Conflict, DomainError, InvalidInput
from propulse.kit.forms import errors_by_field
from propulse.kit.i18n import gettext as _
from propulse.kit.i18n import lazy_gettext
from propulse.web import flash, get_db, html_router, redirect, render, require_role
from propulse.workspace.models import Role, User

router = html_router()
admins = require_role(Role.admin, lazy_gettext("manage sending"))

FIELDS = (*TEXTS, *TEXTS_MORE, *INTEGERS, "max_per_second")
# What a blank field falls back to: the PROPULSE_* setting of the same meaning.
ENVIRONMENT = {
    "smtp_url": "smtp_url",
    "mail_from": "mail_from",
    "reply_address": "reply_address",
    "dkim_domain": "dkim_domain",
    "dkim_selector": "dkim_selector",
    "imap_url": "imap_url",
    "bounce_domain": "bounce_domain",
    "connections": "delivery_connections",
    "max_per_second": "delivery_max_per_second",
    "max_per_window": "delivery_max_per_window",
    "window_seconds": "delivery_window_seconds",
    "pause_after_failures": "delivery_pause_after_failures",
}


def _row_values(row: DeliverySettings | None) -> dict[str, str]:
    if row is None:
        return dict.fromkeys(FIELDS, "")
    return {name: "" if getattr(row, name) is None else str(getattr(row, name)) for name in FIELDS}


def _fallbacks(settings: Settings) -> dict[str, str]:
    """Return what each blank field falls back to (passwords of URLs left out)."""
    shown: dict[str, str] = {}
    for name, setting in ENVIRONMENT.items():
        value = getattr(settings, setting)
        if name in ("smtp_url", "imap_url") and value:
            value = split_password(value)[0]
        shown[name] = "" if value is None else str(value)
    return shown


def _dkim_key(settings: Settings) -> tuple[DkimKeyInfo | None, str | None]:
    """Return the key in effect (its size and DNS value), or what is wrong with it."""
    config = dkim_config(settings)
    if config is None and settings.dkim_private_key_path:
        config = DkimConfig(domain="", selector="", key_path=settings.dkim_private_key_path)
    if config is None and settings.dkim_private_key:
        config = DkimConfig(domain="", selector="", key_pem=settings.dkim_private_key)
    if config is None:
        return None, None
    try:
        return read_dkim_key(config.read_key().decode("utf-8", "replace")), None
    except (DkimKeyError, ValueError) as error:
        return None, str(error)


def _page(
    request: Request,
    session: Session,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    tracking: bool | None = None,
    status_code: int = 200,
) -> Response:
    row = settings_row(session)
    try:
        settings, settings_error = effective_settings(session), None
    except NotConfigured as error:
        settings, settings_error = get_settings(), error.message
    key, key_error = _dkim_key(settings)
    context: dict[str, Any] = {
        "row": row,
        "values": values if values is not None else _row_values(row),
        "errors": errors or {},
        "fallbacks": _fallbacks(get_settings()),
        "tracking": tracking if tracking is not None else settings.delivery_tracking,
        "secrets": {
            "smtp_password": bool(row and row.smtp_password_encrypted),
            "imap_password": bool(row and row.imap_password_encrypted),
            "dkim_private_key": bool(row and row.dkim_private_key_encrypted),
        },
        "smtp": smtp_summary(settings),
        "settings_error": settings_error,
        "dkim_key": key,
        "dkim_key_error": key_error,
        "dkim_name": (
            f"{settings.dkim_selector}._domainkey.{settings.dkim_domain}"
            if settings.dkim_selector and settings.dkim_domain
            else None
        ),
        "max_key_bytes": MAX_KEY_BYTES,
    }
    return render(request, "delivery/settings.html", context, status_code=status_code)


@router.get("/sending/settings")
def settings_page(
    request: Request, session: Session = Depends(get_db), user: User = Depends(admins)
) -> Response:
    return _page(request, session)


async def _key_text(form: FormData) -> str:
    """Return the pasted key, or the uploaded file's text (refusing a big or binary file)."""
    upload = form.get("dkim_key_file")
    if isinstance(upload, UploadFile) and upload.filename:
        content = await upload.read(MAX_KEY_BYTES + 1)
        if len(content) > MAX_KEY_BYTES:
            raise InvalidInput.on_field(
                "dkim_private_key", _("This file is too big to be a DKIM private key.")
            )
        try:
            return content.decode("utf-8")
        except UnicodeDecodeError:
            raise InvalidInput.on_field(
                "dkim_private_key",
                _("This file is not a PEM text file (it starts with -----BEGIN PRIVATE KEY-----)."),
            ) from None
    return str(form.get("dkim_private_key", ""))


def _form(form: FormData, key_text: str) -> SettingsForm:
    version = str(form.get("version", "")).strip()
    return SettingsForm(
        values={name: str(form.get(name, "")) for name in FIELDS},
        smtp_password=str(form.get("smtp_password", "")),
        clear_smtp_password=form.get("clear_smtp_password") == "1",
        imap_password=str(form.get("imap_password", "")),
        clear_imap_password=form.get("clear_imap_password") == "1",
        dkim_private_key=key_text,
        clear_dkim_key=form.get("clear_dkim_key") == "1",
        tracking_enabled=form.get("tracking_enabled") == "1",
        version=int(version) if version.isdigit() else None,
    )


@router.post("/sending/settings")
async def save_settings_page(
    request: Request, session: Session = Depends(get_db), user: User = Depends(admins)
) -> Response:
    form = await request.form()
    values = {name: str(form.get(name, "")) for name in FIELDS}
    tracking = form.get("tracking_enabled") == "1"
    try:
        save_settings(session, actor=user, form=_form(form, await _key_text(form)))
    except (InvalidInput, Conflict) as error:
        session.rollback()
        errors = errors_by_field(error.problems) or {"form": error.message}
        status = 409 if isinstance(error, Conflict) else 422
        return _page(
            request, session, values=values, errors=errors, tracking=tracking, status_code=status
        )
    session.commit()
    flash(request, _("The sending settings are saved."))
    return redirect("/sending/settings")


@router.post("/sending/settings/test")
def send_test_page(
    request: Request, session: Session = Depends(get_db), user: User = Depends(admins)
) -> Response:
    """Send a real message to the signed-in admin through the settings in effect."""
    try:
        settings = effective_settings(session)
        smtp = smtp_settings(settings)
        worker = DeliveryWorker.from_settings(settings, connections=1)
    except DomainError as error:
        flash(request, error.message, "error")
        return redirect("/sending/settings")
    body = _(
        "This message was sent by Propulse through %(host)s to check the sending "
        "settings. It carries the unsubscribe headers of marketing e-mail.",
        host=smtp.host,
    )
    message = service.enqueue_message(
        session,
        to_address=user.email,
        subject=_("Propulse test message"),
        preheader=_("Your sending settings work."),
        text_body=body,
        html_body=f"<p>{escape(body)}</p>",
        stream="test",
        # Sent below at once; should that fail, the worker retries after this delay.
        send_after=utcnow() + timedelta(minutes=5),
    )
    session.commit()
    result = worker.send_now(message.id)
    if result is not None and result.outcome == "accepted":
        flash(
            request,
            _(
                "A test message went to %(email)s through %(host)s: %(reply)s",
                email=user.email,
                host=smtp.host,
                reply=result.describe(),
            ),
        )
    else:
        reply = result.describe() if result is not None else _("not sent")
        flash(
            request,
            _("The server did not accept the test message: %(reply)s", reply=reply),
            "error",
        )
    return redirect("/sending/settings")
