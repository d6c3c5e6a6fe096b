"""Notify people in the app, and queue transactional e-mail in the outbox."""

from __future__ import annotations

import smtplib
from datetime import timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from propulse import jobs
from propulse.config import Settings, get_settings
from propulse.db import after_commit, utcnow
from propulse.delivery.errors import NotConfigured
from propulse.delivery.settings import effective_settings, settings_row
from propulse.kit.errors import NotFound
from propulse.kit.i18n import gettext as _
from propulse.kit.mail import (
    SmtpSettings,
    SmtpUrlError,
    build_message,
    domain_of,
    new_message_id,
    send_message,
)
from propulse.kit.pagination import SortKey, paginate
from propulse.notifications.models import EmailStatus, Notification, OutboundEmail
from propulse.workspace.models import User

MAX_EMAIL_ATTEMPTS = 8


def sending_settings(session: Session) -> Settings:
    """Return the settings mail goes out with: the sending settings page over ``PROPULSE_*``.

    The same source as the delivery worker's, so an admin who saves a server on the page
    gets transactional mail (sign-in links, notifications) through it too.
    """
    return effective_settings(session)


def _queueing_settings(session: Session) -> tuple[bool, str]:
    """Return whether a server is set, and the sender, without needing the page's secrets."""
    try:
        settings = sending_settings(session)
    except NotConfigured:  # a secret saved on the page is unreadable: delivery will say so
        row, base = settings_row(session), get_settings()
        url = (row.smtp_url if row else None) or base.smtp_url
        return bool(url), (row.mail_from if row else None) or base.mail_from
    return bool(settings.smtp_url), settings.mail_from


def smtp_configured(session: Session) -> bool:
    """Say whether a server is set, on the sending settings page or in the environment."""
    return _queueing_settings(session)[0]


def queue_email(
    session: Session,
    *,
    kind: str,
    to_address: str,
    subject: str,
    text_body: str,
    html_body: str | None = None,
) -> OutboundEmail | None:
    """Put an e-mail in the outbox and wake a worker after commit; None without SMTP."""
    configured, sender = _queueing_settings(session)
    if not configured:
        return None
    email = OutboundEmail(
        kind=kind,
        to_address=to_address,
        subject=subject,
        text_body=text_body,
        html_body=html_body,
        message_id=new_message_id(domain_of(sender)),
    )
    session.add(email)
    session.flush()
    email_id = email.id
    after_commit(session, lambda: jobs.enqueue("propulse.send_outbound_email", email_id))
    return email


def deliver_outbound_email(session: Session, *, email_id: int) -> EmailStatus:
    """Send one outbox e-mail; idempotent: a sent one is never sent again."""
    email = session.get(OutboundEmail, email_id, with_for_update=True)
    if email is None or email.status != EmailStatus.pending:
        return email.status if email else EmailStatus.failed
    try:
        settings = sending_settings(session)
    except NotConfigured as exc:
        email.attempts += 1
        email.last_error = str(exc)[:1000]
        _schedule_retry(email, permanent=False)
        return email.status
    if not settings.smtp_url:
        return email.status
    email.attempts += 1
    message = build_message(
        sender=settings.mail_from,
        to=email.to_address,
        subject=email.subject,
        text_body=email.text_body,
        html_body=email.html_body,
        message_id=email.message_id,
    )
    try:
        send_message(SmtpSettings.from_url(settings.smtp_url), message)
    except SmtpUrlError as exc:
        email.last_error = str(exc)[:1000]
        _schedule_retry(email, permanent=False)
    except smtplib.SMTPResponseException as exc:
        email.last_error = f"{exc.smtp_code} {exc.smtp_error!r}"[:1000]
        permanent = 500 <= exc.smtp_code < 600
        _schedule_retry(email, permanent=permanent)
    except (smtplib.SMTPException, OSError) as exc:
        email.last_error = repr(exc)[:1000]
        _schedule_retry(email, permanent=False)
    else:
        email.status = EmailStatus.sent
        email.sent_at = utcnow()
        email.last_error = None
    return email.status


def _schedule_retry(email: OutboundEmail, *, permanent: bool) -> None:
    if permanent or email.attempts >= MAX_EMAIL_ATTEMPTS:
        email.status = EmailStatus.failed
        return
    email.next_attempt_at = utcnow() + timedelta(minutes=2**email.attempts)


SWEEP_GRACE = timedelta(minutes=1)


def due_outbound_email_ids(session: Session, *, limit: int = 500) -> list[int]:
    """Return the pending e-mails overdue by a minute: their job was lost or must retry."""
    statement = (
        select(OutboundEmail.id)
        .where(OutboundEmail.status == EmailStatus.pending)
        .where(OutboundEmail.next_attempt_at <= utcnow() - SWEEP_GRACE)
        .order_by(OutboundEmail.id)
        .limit(limit)
    )
    return list(session.scalars(statement))


def notify(
    session: Session,
    *,
    user: User,
    title: str,
    body: str = "",
    link: str | None = None,
    email: bool = True,
) -> Notification:
    """Tell a person something in the app, and by e-mail when SMTP is configured."""
    notification = Notification(user_id=user.id, title=title[:300], body=body, link=link)
    session.add(notification)
    if email and user.is_active:
        absolute_link = f"{get_settings().base_url}{link}" if link else ""
        queue_email(
            session,
            kind="notification",
            to_address=user.email,
            subject=title[:300],
            text_body="\n\n".join(part for part in (body, absolute_link) if part),
        )
    return notification


def list_notifications(
    session: Session, *, user: User, cursor: str | None = None, limit: int | None = None
) -> tuple[list[Notification], str | None]:
    statement = select(Notification).where(Notification.user_id == user.id)
    keys = [SortKey(Notification.id, descending=True)]
    return paginate(session, statement, keys=keys, cursor=cursor, limit=limit)


def unread_count(session: Session, *, user: User) -> int:
    statement = select(func.count()).where(
        Notification.user_id == user.id, Notification.read_at.is_(None)
    )
    return session.scalar(statement) or 0


def mark_read(session: Session, *, user: User, notification_id: int | None = None) -> int:
    """Mark one notification (or all of them) read; return how many changed."""
    statement = (
        update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )
    if notification_id is not None:
        if session.get(Notification, notification_id) is None:
            raise NotFound(_("This notification does not exist."))
        statement = statement.where(Notification.id == notification_id)
    result = session.execute(statement)
    return int(getattr(result, "rowcount", 0) or 0)
