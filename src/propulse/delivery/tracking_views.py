"""Public tracking routes: the open pixel and click redirects, reached by signed tokens.

No sign-in: the signed token is the authority. The pixel always answers with a 1x1 GIF
(never cached); a click redirects only to the URL inside a valid signature, and an unsigned
or altered token gets a 400 page, never a redirect (no open redirect). Recording never
stands in the way: a failure is logged and the person still gets the image or the page.
"""

from __future__ import annotations

import logging

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from propulse.config import get_settings
from propulse.delivery import tracking
from propulse.delivery.tracking_links import TrackingSigner
from propulse.kit.errors import DomainError
from propulse.kit.i18n import gettext as _
from propulse.web import get_db, writes_on_get

router = APIRouter(include_in_schema=False)
logger = logging.getLogger("propulse.delivery")

PIXEL = (
    b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00"
    b",\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
)
NO_STORE = {
    "Cache-Control": "no-store, no-cache, must-revalidate, private, max-age=0",
    "Pragma": "no-cache",
    "Expires": "0",
}


def _signer() -> TrackingSigner:
    return TrackingSigner(get_settings().effective_secret_key())


def bad_link() -> DomainError:
    return DomainError(
        _(
            "This link is damaged or was not made by us. "
            "Use the link of the e-mail exactly as you received it."
        ),
        status_code=400,
        title="Bad request",
        type_slug="bad-tracking-link",
    )


@router.api_route("/t/o/{token}.gif", methods=["GET", "HEAD"])
@writes_on_get
def open_pixel(request: Request, token: str, session: Session = Depends(get_db)) -> Response:
    """Return the 1x1 GIF whatever happens; record an open when the token is ours."""
    message_pk = _signer().read_open(token)
    if message_pk is not None:
        try:
            tracking.record_open(
                session,
                message_pk=message_pk,
                method=request.method,
                user_agent=request.headers.get("user-agent"),
            )
            session.commit()
        except Exception:  # an image must never fail
            session.rollback()
            logger.exception("cannot record the open of message #%d", message_pk)
    return Response(PIXEL, media_type="image/gif", headers=NO_STORE)


@router.api_route("/t/c/{token}", methods=["GET", "HEAD"])
@writes_on_get
def click(request: Request, token: str, session: Session = Depends(get_db)) -> Response:
    """Redirect to the link's destination (inside the signature only); record the click."""
    target = _signer().read_click(token)
    if target is None:
        raise bad_link()
    try:
        tracking.record_click(
            session,
            message_pk=target.message_pk,
            url=target.url,
            method=request.method,
            user_agent=request.headers.get("user-agent"),
        )
        session.commit()
    except Exception:  # the person must reach the page even if recording fails
        session.rollback()
        logger.exception("cannot record a click of message #%d", target.message_pk)
    headers = {**NO_STORE, "Referrer-Policy": "no-referrer"}
    return RedirectResponse(target.url, status_code=302, headers=headers)
