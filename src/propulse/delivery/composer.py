"""Turn an outbox row into the signed bytes sent: headers, links, tracking, DKIM, VERP.

Bodies are stored with markers for the links that need the message's row (unsubscribe,
preferences): they are replaced here, only when they occur. With tracking on, the HTML
part's web links go through signed click redirects and an open pixel is added.
"""

from __future__ import annotations

from datetime import datetime
from email.utils import parseaddr

from propulse.config import Settings
from propulse.delivery import preferences
from propulse.delivery.dkim import DkimKeyError, DkimSigner, dkim_config
from propulse.delivery.errors import NotConfigured
from propulse.delivery.headers import OutgoingEmail, compose
from propulse.delivery.outbox import Claimed
from propulse.delivery.placeholders import PREFERENCES_URL, UNSUBSCRIBE_URL
from propulse.delivery.tokens import (
    MessageLinkSigner,
    UnsubscribeSigner,
    unsubscribe_mailto,
    unsubscribe_url,
)
from propulse.delivery.tracking_links import TrackingSigner, tracked_html
from propulse.delivery.verp import VerpSigner
from propulse.kit.i18n import gettext as _


class Composer:
    """Compose messages with one installation's sender, links and DKIM key."""

    def __init__(self, settings: Settings) -> None:
        self.sender = settings.mail_from
        self.envelope_sender = parseaddr(settings.mail_from)[1] or "propulse@localhost"
        self.base_url = settings.base_url
        self.reply_address = settings.reply_address
        secret = settings.effective_secret_key()
        self.links = UnsubscribeSigner(secret)
        self.preferences = MessageLinkSigner(secret, preferences.PURPOSE)
        self.tracking = TrackingSigner(secret) if settings.delivery_tracking else None
        self.bounce_domain = (settings.bounce_domain or "").strip().lower() or None
        self.verp = VerpSigner(secret) if self.bounce_domain else None
        config = dkim_config(settings)
        try:
            self.dkim = DkimSigner(config) if config is not None else None
        except DkimKeyError as error:
            raise NotConfigured(
                _("The DKIM key cannot be used: %(error)s", error=str(error))
            ) from None

    def envelope_for(self, message_pk: int) -> str:
        """Return the envelope sender (MAIL FROM): a VERP address when a bounce domain is set."""
        if self.verp is None or self.bounce_domain is None:
            return self.envelope_sender
        return self.verp.address(message_pk=message_pk, domain=self.bounce_domain)

    def _with_links(self, body: str, links: dict[str, str], message: Claimed) -> str:
        """Replace the link markers of a body (a cheap test first: most bodies have none)."""
        if "%%PROPULSE_" not in body:
            return body
        body = body.replace(UNSUBSCRIBE_URL, links[UNSUBSCRIBE_URL])
        if PREFERENCES_URL in body:
            if PREFERENCES_URL not in links:  # signed once per message, for both parts
                token = self.preferences.token(message_pk=message.id, contact_id=message.contact_id)
                links[PREFERENCES_URL] = preferences.preferences_url(self.base_url, token)
            body = body.replace(PREFERENCES_URL, links[PREFERENCES_URL])
        return body

    def outgoing(self, message: Claimed, *, now: datetime) -> OutgoingEmail:
        """Return the message as plain data, its links signed (and tracked when on)."""
        token = self.links.token(message_pk=message.id, contact_id=message.contact_id)
        extra = {str(name): str(value) for name, value in (message.headers or {}).items()}
        unsubscribe = unsubscribe_url(self.base_url, token)
        links = {UNSUBSCRIBE_URL: unsubscribe}
        html_body = message.html_body
        if self.tracking is not None and html_body:
            # Before the markers are replaced: the unsubscribe and preference links stay
            # untracked (they are not web links yet).
            html_body = tracked_html(
                html_body, message_pk=message.id, signer=self.tracking, base_url=self.base_url
            )
        return OutgoingEmail(
            sender=self.sender,
            to=message.to_address,
            subject=message.subject,
            html_body=self._with_links(html_body, links, message),
            text_body=self._with_links(message.text_body, links, message),
            message_id=message.message_id,
            date=now,
            preheader=message.preheader,
            unsubscribe_url=unsubscribe,
            unsubscribe_mailto=(
                unsubscribe_mailto(self.reply_address, token) if self.reply_address else None
            ),
            extra_headers=extra,
        )

    def payload(self, message: Claimed, *, now: datetime) -> bytes:
        """Return the bytes to send, DKIM-signed when a key is configured."""
        composed = compose(self.outgoing(message, now=now))
        return self.dkim.sign(composed) if self.dkim is not None else composed
