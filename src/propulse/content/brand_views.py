"""The workspace's brand kit: what every e-book, article, post and e-mail is dressed in."""

from __future__ import annotations

from typing import Any

from fastapi import Depends, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from propulse.content import brand as brand_module
from propulse.content import rewriting, service
from propulse.content.models import BrandSettings
from propulse.kit.errors import InvalidInput
from propulse.kit.forms import errors_by_field
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


def _llm_context(
    settings: BrandSettings,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
) -> dict[str, Any]:
    """The language model form: never the key itself, only whether one is saved."""
    return {
        "llm_values": values
        or {"llm_base_url": settings.llm_base_url or "", "llm_model": settings.llm_model or ""},
        "llm_errors": errors or {},
        "llm_has_key": bool(settings.llm_api_key),
    }


def _brand_error(error: brand_module.BrandError) -> str:
    """Say what a brand field needs, in the reader's language."""
    messages = {
        "name": _("Enter the brand's name."),
        "colors": _("Write each colour as #rrggbb, separated by spaces, e.g. #4338ca #0f172a."),
        "font": _("Choose one of the fonts offered."),
        "cta_url": _("Enter an address starting with http:// or https://."),
        "hashtags": _("Each hashtag needs at least one letter, e.g. #B2BMarketing #Webinar."),
        "tone": _("Choose formal or informal."),
    }
    return messages.get(error.field, error.message)


@router.get("/content/brand")
def brand_page(
    request: Request, session: Session = Depends(get_db), user: User = Depends(managers)
) -> Response:
    settings = service.brand_settings(session)
    context = {
        "values": _values(settings.kit),
        "errors": {},
        "fonts": FONTS,
        "has_logo": bool(settings.logo),
        **_llm_context(settings),
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
    # Each field on its own, so that every wrong one is shown beside it at once.
    for name, value in data.items():
        try:
            brand_module.brand_from_dict({name: value})
        except brand_module.BrandError as error:
            errors.setdefault(error.field, _brand_error(error))
    kit = None
    if not errors:
        try:
            kit = brand_module.brand_from_dict(data)
        except brand_module.BrandError as error:
            errors.setdefault(error.field, _brand_error(error))
    if kit is None or errors:
        settings = service.brand_settings(session)
        context = {
            "values": values,
            "errors": errors,
            "fonts": FONTS,
            "has_logo": bool(settings.logo),
            **_llm_context(settings),
        }
        return render(request, "content/brand.html", context, status_code=422)
    kit.logo = None
    service.save_brand(session, actor=user, kit=kit, logo=logo, logo_type=logo_type)
    session.commit()
    flash(request, _("The brand kit is saved."))
    return redirect("/content/brand")


@router.post("/content/brand/llm")
async def save_llm(
    request: Request, session: Session = Depends(get_db), user: User = Depends(managers)
) -> Response:
    """Save the optional language model; an empty key field keeps the saved key."""
    form = await request.form()
    values = {key: str(form.get(key, "")) for key in ("llm_base_url", "llm_model")}
    key = str(form.get("llm_api_key", "")).strip()
    api_key = "" if form.get("llm_forget_key") else (key or None)
    try:
        rewriting.save_llm_settings(
            session,
            actor=user,
            base_url=values["llm_base_url"],
            model=values["llm_model"],
            api_key=api_key,
        )
    except InvalidInput as error:
        session.rollback()
        settings = service.brand_settings(session)
        context = {
            "values": _values(settings.kit),
            "errors": {},
            "fonts": FONTS,
            "has_logo": bool(settings.logo),
            **_llm_context(settings, values, errors_by_field(error.problems)),
        }
        return render(request, "content/brand.html", context, status_code=422)
    session.commit()
    if values["llm_base_url"].strip():
        flash(
            request, _("The language model is saved: pieces can be rewritten in the brand's tone.")
        )
    else:
        flash(request, _("Rewriting by a language model is off: nothing leaves this server."))
    return redirect("/content/brand")
