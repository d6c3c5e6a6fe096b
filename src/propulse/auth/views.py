"""Sign-in, sign-out, invitations, password resets and the language switch."""

from __future__ import annotations

from urllib.parse import urlsplit

from fastapi import Depends, Form, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from propulse.auth import service
from propulse.kit.errors import DomainError, InvalidInput
from propulse.kit.forms import errors_by_field
from propulse.kit.i18n import gettext as _
from propulse.kit.i18n import normalise_language
from propulse.web import current_user, flash, get_db, html_router, redirect, render, sign_in_session
from propulse.workspace import service as workspace_service
from propulse.workspace.models import User

public = html_router(public=True)
private = html_router()


def _safe_next(target: str | None) -> str:
    """Only follow a local path after sign-in (no open redirect)."""
    if not target:
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


@public.get("/login")
def login_page(request: Request, next: str | None = None) -> Response:
    if request.session.get("user_id"):
        return redirect(_safe_next(next))
    return render(request, "auth/login.html", {"next": _safe_next(next), "email": ""})


@public.post("/login")
def login(
    request: Request,
    email: str = Form(""),
    password: str = Form(""),
    next: str = Form("/"),
    session: Session = Depends(get_db),
) -> Response:
    try:
        user = service.authenticate(session, email=email, password=password)
    except DomainError as error:
        session.commit()  # keep the failure count: it is what slows the next attempts
        return render(
            request,
            "auth/login.html",
            {"next": _safe_next(next), "email": email, "error": error.message},
            status_code=error.status_code,
        )
    session.commit()
    sign_in_session(request, user)
    return redirect(_safe_next(next))


@private.post("/logout")
def logout(request: Request) -> Response:
    language = request.session.get("lang")
    request.session.clear()
    request.session["lang"] = language
    flash(request, _("You are signed out."))
    return redirect("/login")


@public.post("/language")
def switch_language(
    request: Request,
    language: str = Form(...),
    next: str = Form("/"),
    session: Session = Depends(get_db),
) -> Response:
    """Switch the interface language; remembered for the signed-in person."""
    chosen = normalise_language(language)
    if chosen is None:
        raise InvalidInput.on_field("language", _("This language is not available."))
    request.session["lang"] = chosen
    user_id = request.session.get("user_id")
    if isinstance(user_id, int) and (user := session.get(User, user_id)) is not None:
        workspace_service.set_ui_language(session, user=user, language=chosen)
        session.commit()
    return redirect(_safe_next(next))


def _password_form(
    request: Request, template: str, token: str, user: User, error: DomainError | None = None
) -> Response:
    errors = errors_by_field(error.problems) if error else {}
    status = error.status_code if error else 200
    context = {"token": token, "person": user, "errors": errors}
    return render(request, template, context, status_code=status)


@public.get("/invitation/{token}")
def invitation_page(request: Request, token: str, session: Session = Depends(get_db)) -> Response:
    user = service.user_for_link(session, token=token, purpose="invitation")
    return _password_form(request, "auth/invitation.html", token, user)


@public.post("/invitation/{token}")
def accept_invitation(
    request: Request,
    token: str,
    password: str = Form(""),
    confirmation: str = Form(""),
    session: Session = Depends(get_db),
) -> Response:
    return _choose_password(request, session, token, "invitation", password, confirmation)


def _choose_password(
    request: Request,
    session: Session,
    token: str,
    purpose: str,
    password: str,
    confirmation: str,
) -> Response:
    template = "auth/invitation.html" if purpose == "invitation" else "auth/reset.html"
    user = service.user_for_link(session, token=token, purpose=purpose)
    try:
        if password != confirmation:
            raise InvalidInput.on_field("confirmation", _("The two passwords differ."))
        service.set_password(session, user=user, password=password)
    except InvalidInput as error:
        return _password_form(request, template, token, user, error)
    session.commit()
    sign_in_session(request, user)
    flash(request, _("Your password is set. Welcome, %(name)s.", name=user.name))
    return redirect("/")


@public.get("/password/forgot")
def forgot_page(request: Request) -> Response:
    return render(request, "auth/forgot.html", {"sent": False})


@public.post("/password/forgot")
def forgot(request: Request, email: str = Form(""), session: Session = Depends(get_db)) -> Response:
    service.request_password_reset(session, email=email)
    session.commit()
    return render(request, "auth/forgot.html", {"sent": True})


@public.get("/password/reset/{token}")
def reset_page(request: Request, token: str, session: Session = Depends(get_db)) -> Response:
    user = service.user_for_link(session, token=token, purpose="reset")
    return _password_form(request, "auth/reset.html", token, user)


@public.post("/password/reset/{token}")
def reset(
    request: Request,
    token: str,
    password: str = Form(""),
    confirmation: str = Form(""),
    session: Session = Depends(get_db),
) -> Response:
    return _choose_password(request, session, token, "reset", password, confirmation)


@private.get("/account")
def account_page(
    request: Request, user: User = Depends(current_user), session: Session = Depends(get_db)
) -> Response:
    tokens = service.list_tokens(session, actor=user, owner=user)
    return render(request, "auth/account.html", {"tokens": tokens, "errors": {}})


@private.post("/account/password")
def account_password(
    request: Request,
    current_password: str = Form(""),
    password: str = Form(""),
    confirmation: str = Form(""),
    user: User = Depends(current_user),
    session: Session = Depends(get_db),
) -> Response:
    try:
        if password != confirmation:
            raise InvalidInput.on_field("confirmation", _("The two passwords differ."))
        service.change_password(session, user=user, current=current_password, new=password)
    except InvalidInput as error:
        tokens = service.list_tokens(session, actor=user, owner=user)
        context = {"tokens": tokens, "errors": errors_by_field(error.problems)}
        return render(request, "auth/account.html", context, status_code=422)
    session.commit()
    sign_in_session(request, user)
    flash(request, _("Your password is changed; your other sessions are signed out."))
    return redirect("/account")


@private.post("/account/tokens")
def account_create_token(
    request: Request,
    name: str = Form(""),
    scope: str = Form("read"),
    user: User = Depends(current_user),
    session: Session = Depends(get_db),
) -> Response:
    from propulse.auth.models import TokenScope

    if scope not in TokenScope.__members__:
        raise InvalidInput.on_field("scope", _("Choose read or write."))
    _token, secret = service.create_token(
        session, actor=user, owner=user, name=name, scope=TokenScope(scope)
    )
    session.commit()
    tokens = service.list_tokens(session, actor=user, owner=user)
    return render(
        request, "auth/account.html", {"tokens": tokens, "new_secret": secret, "errors": {}}
    )


@private.post("/account/tokens/{token_id}/revoke")
def account_revoke_token(
    request: Request,
    token_id: int,
    user: User = Depends(current_user),
    session: Session = Depends(get_db),
) -> Response:
    service.revoke_token(session, actor=user, token_id=token_id)
    session.commit()
    flash(request, _("The token is revoked."))
    return redirect("/account")
