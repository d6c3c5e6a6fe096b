"""Notify people in the app, and queue transactional e-mail in the outbox."""

from __future__ import annotations

import smtplib
from datetime import timedelta
from email.utils import make_msgid

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from propulse import jobs
from propulse.config import get_settings
from propulse.db import after_commit, utcnow
from propulse.kit.errors import NotFound
from propulse.kit.i18n import gettext as _
from propulse.kit.mail import SmtpSettings, build_message, send_message
from propulse.kit.pagination import SortKey, paginate
from propulse.notifications.models import EmailStatus, Notification, OutboundEmail
from propulse.workspace.models import User

MAX_EMAIL_ATTEMPTS = 8


def smtp_configured() -> bool:
    return bool(get_settings().smtp_url)


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
    if not smtp_configured():
        return None
    email = OutboundEmail(
        kind=kind,
        to_address=to_address,
        subject=subject,
        text_body=text_body,
        html_body=html_body,
        message_id=make_msgid(domain="propulse.local"),
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
    settings = get_settings()
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
