"""Turn an outbox row into the signed bytes sent: headers, unsubscribe links, DKIM."""

from __future__ import annotations

from datetime import datetime
from email.utils import parseaddr

from propulse.config import Settings
from propulse.delivery.dkim import DkimKeyError, DkimSigner, dkim_config
from propulse.delivery.errors import NotConfigured
from propulse.delivery.headers import OutgoingEmail, compose
from propulse.delivery.outbox import Claimed
from propulse.delivery.tokens import UnsubscribeSigner, unsubscribe_mailto, unsubscribe_url
from propulse.kit.i18n import gettext as _


class Composer:
    """Compose messages with one installation's sender, links and DKIM key."""

    def __init__(self, settings: Settings) -> None:
        self.sender = settings.mail_from
        self.envelope_sender = parseaddr(settings.mail_from)[1] or "propulse@localhost"
        self.base_url = settings.base_url
        self.reply_address = settings.reply_address
        self.links = UnsubscribeSigner(settings.effective_secret_key())
        config = dkim_config(settings)
        try:
            self.dkim = DkimSigner(config) if config is not None else None
        except DkimKeyError as error:
            raise NotConfigured(
                _("The DKIM key cannot be used: %(error)s", error=str(error))
            ) from None

    def outgoing(self, message: Claimed, *, now: datetime) -> OutgoingEmail:
        """Return the message as plain data, its unsubscribe links signed."""
        token = self.links.token(message_pk=message.id, contact_id=message.contact_id)
        extra = {str(name): str(value) for name, value in (message.headers or {}).items()}
        return OutgoingEmail(
            sender=self.sender,
            to=message.to_address,
            subject=message.subject,
            html_body=message.html_body,
            text_body=message.text_body,
            message_id=message.message_id,
            date=now,
            preheader=message.preheader,
            unsubscribe_url=unsubscribe_url(self.base_url, token),
            unsubscribe_mailto=(
                unsubscribe_mailto(self.reply_address, token) if self.reply_address else None
            ),
            extra_headers=extra,
        )

    def payload(self, message: Claimed, *, now: datetime) -> bytes:
        """Return the bytes to send, DKIM-signed when a key is configured."""
        composed = compose(self.outgoing(message, now=now))
        return self.dkim.sign(composed) if self.dkim is not None else composed
