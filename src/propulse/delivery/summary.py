"""What the sending page shows of the settings: the server (secrets masked), DKIM, the pace."""

from __future__ import annotations

from dataclasses import dataclass

from propulse.config import Settings
from propulse.delivery.dkim import check_key, dkim_config
from propulse.delivery.ratelimit import RateLimits
from propulse.delivery.worker import limits_from
from propulse.kit.mail import SmtpSettings, SmtpUrlError

MASK = "••••••"


@dataclass(frozen=True)
class SmtpSummary:
    configured: bool
    host: str | None = None
    port: int | None = None
    security: str | None = None
    username: str | None = None
    password: str | None = None
    error: str | None = None


@dataclass(frozen=True)
class DkimSummary:
    configured: bool
    domain: str | None = None
    selector: str | None = None
    key_path: str | None = None
    error: str | None = None

    @property
    def dns_name(self) -> str | None:
        """Where the public key must be published (a TXT record)."""
        if self.domain and self.selector:
            return f"{self.selector}._domainkey.{self.domain}"
        return None


@dataclass(frozen=True)
class SendingSettings:
    smtp: SmtpSummary
    dkim: DkimSummary
    limits: RateLimits
    connections: int
    max_attempts: int
    retry_seconds: int
    lease_seconds: int
    pause_after_failures: int
    mail_from: str
    reply_address: str | None


def smtp_summary(settings: Settings) -> SmtpSummary:
    """Describe the SMTP server of PROPULSE_SMTP_URL; the password is never shown."""
    if not settings.smtp_url:
        return SmtpSummary(configured=False)
    try:
        smtp = SmtpSettings.from_url(settings.smtp_url)
    except SmtpUrlError as error:
        return SmtpSummary(configured=False, error=str(error))
    return SmtpSummary(
        configured=True,
        host=smtp.host,
        port=smtp.port,
        security=smtp.security,
        username=smtp.username,
        password=MASK if smtp.password else None,
    )


def dkim_summary(settings: Settings) -> DkimSummary:
    config = dkim_config(settings)
    if config is None:
        return DkimSummary(configured=False)
    return DkimSummary(
        configured=True,
        domain=config.domain,
        selector=config.selector,
        key_path=config.key_source,
        error=check_key(settings),
    )


def sending_settings(settings: Settings) -> SendingSettings:
    return SendingSettings(
        smtp=smtp_summary(settings),
        dkim=dkim_summary(settings),
        limits=limits_from(settings),
        connections=settings.delivery_connections,
        max_attempts=settings.delivery_max_attempts,
        retry_seconds=settings.delivery_retry_seconds,
        lease_seconds=settings.delivery_lease_seconds,
        pause_after_failures=settings.delivery_pause_after_failures,
        mail_from=settings.mail_from,
        reply_address=settings.reply_address,
    )
