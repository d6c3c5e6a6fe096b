"""The workspace's brand kit: what every e-book, article, post and e-mail is dressed in."""

from __future__ import annotations

from typing import Any

from fastapi import Depends, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from propulse.content import brand as brand_module
from propulse.content import service
from propulse.kit.i18n import gettext as _
from propulse.kit.i18n import lazy_gettext
from propulse.web import flash, get_db, html_router, redirect, render, require_role
from propulse.workspace.models import Role, User

router = html_router()
managers = require_role(Role.manager, lazy_gettext("change the brand kit"))
MAX_LOGO_BYTES = 512 * 1024
FONTS = brand_module.FONTS


def _values(kit: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": kit.get("name", ""),
        "colors": " ".join(kit.get("colors", [])),
        "font": kit.get("font", FONTS[0]),
        "cta_url": kit.get("cta_url", ""),
        "cta_text": kit.get("cta_text", ""),
        "hashtags": " ".join(kit.get("hashtags", [])),
        "tone": kit.get("tone", "formal"),
    }


@router.get("/content/brand")
def brand_page(
    request: Request, session: Session = Depends(get_db), user: User = Depends(managers)
) -> Response:
    settings = service.brand_settings(session)
    session.commit()
    context = {
        "values": _values(settings.kit),
        "errors": {},
        "fonts": FONTS,
        "has_logo": bool(settings.logo),
    }
    return render(request, "content/brand.html", context)


@router.post("/content/brand")
async def save_brand(
    request: Request, session: Session = Depends(get_db), user: User = Depends(managers)
) -> Response:
    form = await request.form()
    values = {
        key: str(form.get(key, ""))
        for key in ("name", "colors", "font", "cta_url", "cta_text", "hashtags", "tone")
    }
    data = {
        **values,
        "colors": values["colors"].replace(",", " ").split(),
        "hashtags": values["hashtags"].replace(",", " ").split(),
    }
    logo_file = form.get("logo")
    logo: bytes | None = None
    logo_type: str | None = None
    errors: dict[str, str] = {}
    if logo_file is not None and not isinstance(logo_file, str) and logo_file.filename:
        logo = await logo_file.read(MAX_LOGO_BYTES + 1)
        logo_type = logo_file.content_type
        if len(logo) > MAX_LOGO_BYTES or logo_type not in ("image/png", "image/svg+xml"):
            errors["logo"] = _("Upload a PNG or SVG logo of at most 512 KB.")
    try:
        kit = brand_module.brand_from_dict(data)
    except brand_module.BrandError as error:
        errors.setdefault("brand", str(error))
    if errors:
        settings = service.brand_settings(session)
        context = {
            "values": values,
            "errors": errors,
            "fonts": FONTS,
            "has_logo": bool(settings.logo),
        }
        return render(request, "content/brand.html", context, status_code=422)
    kit.logo = None
    service.save_brand(session, actor=user, kit=kit, logo=logo, logo_type=logo_type)
    session.commit()
    flash(request, _("The brand kit is saved."))
    return redirect("/content/brand")
