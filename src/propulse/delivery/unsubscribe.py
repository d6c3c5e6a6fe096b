"""Public unsubscribe pages reached by signed tokens: a confirm page and RFC 8058 one-click.

No sign-in and no CSRF token: the signed token is the authority, and mail providers post
``List-Unsubscribe=One-Click`` to the link without any page or cookie (RFC 8058). A GET never
unsubscribes (link scanners follow links), a POST always does, at once.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from propulse.delivery import optout
from propulse.web import get_db, render

router = APIRouter(include_in_schema=False)

ONE_CLICK_SOURCE = "one-click unsubscribe"
PAGE_SOURCE = "unsubscribe page"


@router.get("/u/{token}")
def unsubscribe_page(request: Request, token: str, session: Session = Depends(get_db)) -> Response:
    """Ask for confirmation (or say it is done already)."""
    opt_out = optout.resolve(session, token=token)
    context = {
        "token": token,
        "address": opt_out.masked_address,
        "done": optout.is_unsubscribed(session, opt_out=opt_out),
    }
    return render(request, "delivery/unsubscribe.html", context)


@router.post("/u/{token}")
async def unsubscribe(request: Request, token: str, session: Session = Depends(get_db)) -> Response:
    """Unsubscribe at once: the confirm button, or a mail provider's one-click POST."""
    form = await request.form()
    one_click = form.get("List-Unsubscribe") == "One-Click"
    opt_out = optout.unsubscribe(
        session, token=token, source=ONE_CLICK_SOURCE if one_click else PAGE_SOURCE
    )
    session.commit()
    context = {"token": token, "address": opt_out.masked_address, "done": True}
    return render(request, "delivery/unsubscribe.html", context)
