"""What every page shares: templates, the request's database session, the signed-in user, CSRF."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup
from sqlalchemy.orm import Session

from propulse import db
from propulse.kit import i18n
from propulse.kit.errors import Forbidden, NotAuthenticated
from propulse.kit.i18n import gettext as _
from propulse.kit.markdown import render_markdown
from propulse.kit.security import new_csrf_token, tokens_match
from propulse.workspace.models import Role, User
from propulse.workspace.permissions import has_role, role_label

PACKAGE_DIR = Path(__file__).resolve().parent
CSRF_SESSION_KEY = "csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True)
class NavEntry:
    """A module in the navigation; it appears once the module exists and the role allows it."""

    label: str
    path: str
    minimum_role: Role = Role.viewer
    order: int = 100


NAVIGATION: list[NavEntry] = []


def add_navigation(entry: NavEntry) -> None:
    if all(existing.path != entry.path for existing in NAVIGATION):
        NAVIGATION.append(entry)
        NAVIGATION.sort(key=lambda item: item.order)


def _template_dirs() -> list[str]:
    dirs = [str(PACKAGE_DIR / "templates")]
    dirs += sorted(str(path) for path in PACKAGE_DIR.glob("*/templates") if path.is_dir())
    return dirs


def _build_environment() -> Environment:
    environment = Environment(
        loader=FileSystemLoader(_template_dirs()),
        autoescape=select_autoescape(["html", "xml"]),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    # Added by the i18n extension, hence unknown to the type checker.
    install_gettext = environment.install_gettext_callables  # type: ignore[attr-defined]
    install_gettext(gettext=i18n.gettext, ngettext=i18n.ngettext, newstyle=True)
    environment.filters.update(
        date=i18n.format_date,
        datetime=i18n.format_datetime,
        number=i18n.format_number,
        percent=i18n.format_percent,
        markdown=render_markdown,
        role_label=role_label,
        tojson_attr=lambda value: json.dumps(value),
    )
    environment.globals.update(
        colon=i18n.colon,
        current_language=i18n.current_language,
        language_names=i18n.LANGUAGE_NAMES,
        has_role=has_role,
        Role=Role,
        navigation=NAVIGATION,
    )
    return environment


templates = Jinja2Templates(env=_build_environment())


def csrf_token(request: Request) -> str:
    """Return the session's CSRF token, creating it on first use."""
    token = request.session.get(CSRF_SESSION_KEY)
    if not token:
        token = new_csrf_token()
        request.session[CSRF_SESSION_KEY] = token
    return str(token)


def csrf_input(request: Request) -> Markup:
    return Markup('<input type="hidden" name="{}" value="{}">').format(
        CSRF_FIELD, csrf_token(request)
    )


def render(
    request: Request,
    name: str,
    context: dict[str, Any] | None = None,
    *,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    """Render a page with what every page needs (user, CSRF field, flash messages)."""
    full_context: dict[str, Any] = {
        "user": getattr(request.state, "user", None),
        "csrf_input": csrf_input(request),
        "csrf_token": csrf_token(request),
        "flashes": pop_flashes(request),
        "unread_notifications": getattr(request.state, "unread_notifications", 0),
        "is_htmx": request.headers.get("hx-request") == "true",
    }
    full_context.update(context or {})
    return templates.TemplateResponse(
        request, name, full_context, status_code=status_code, headers=headers
    )


def flash(request: Request, message: str, category: str = "success") -> None:
    """Show a message on the next page (after a redirect)."""
    # Assign a new list: Starlette's session notices assignments, not in-place appends.
    request.session["flashes"] = [*request.session.get("flashes", []), [category, message]]


def pop_flashes(request: Request) -> list[tuple[str, str]]:
    if "session" not in request.scope:
        return []
    return [(str(item[0]), str(item[1])) for item in request.session.pop("flashes", [])]


def redirect(path: str) -> RedirectResponse:
    """Redirect after a successful POST (303: the browser follows with a GET)."""
    return RedirectResponse(path, status_code=303)


WRITES_ON_GET = "propulse_writes_on_get"
Endpoint = TypeVar("Endpoint", bound=Callable[..., Any])


def writes_on_get(endpoint: Endpoint) -> Endpoint:
    """Mark a GET endpoint that writes (a tracking pixel, defaults created on first view).

    Every other GET, HEAD or OPTIONS request reads through a reading session (see
    ``db.get_read_session_factory``), which refuses to write.
    """
    setattr(endpoint, WRITES_ON_GET, True)
    return endpoint


def request_reads_only(request: Request) -> bool:
    """Tell whether the request may only read: a safe method on an endpoint not marked."""
    endpoint = request.scope.get("endpoint")
    return request.method in SAFE_METHODS and not getattr(endpoint, WRITES_ON_GET, False)


def get_db(request: Request) -> Iterator[Session]:
    """Give the request its session; the endpoint commits, anything uncommitted rolls back."""
    reads_only = request_reads_only(request)
    factory = db.get_read_session_factory() if reads_only else db.get_session_factory()
    session = factory()
    try:
        yield session
    finally:
        session.close()


async def verify_csrf(request: Request) -> None:
    """Refuse an unsafe request whose form field or header does not carry the session's token."""
    if request.method in SAFE_METHODS:
        return
    expected = request.session.get(CSRF_SESSION_KEY)
    given = request.headers.get(CSRF_HEADER)
    if not given:
        content_type = request.headers.get("content-type", "")
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form()
            value = form.get(CSRF_FIELD)
            given = value if isinstance(value, str) else None
    if not tokens_match(expected, given):
        raise Forbidden(
            _("This form has expired or did not come from Propulse. Reload the page and try again.")
        )


def current_user(request: Request, session: Session = Depends(get_db)) -> User:
    """Return the signed-in person, or send them to the sign-in page."""
    user_id = request.session.get("user_id")
    user = session.get(User, user_id) if isinstance(user_id, int) else None
    if user is None or not user.is_active or request.session.get("epoch") != user.session_epoch:
        request.session.pop("user_id", None)
        raise NotAuthenticated()
    request.state.user = user
    from propulse.notifications import service as notifications

    request.state.unread_notifications = notifications.unread_count(session, user=user)
    return user


def require_role(minimum: Role, action: str) -> Callable[..., User]:
    """Return a dependency refusing people below ``minimum`` (``action`` translated later)."""

    def dependency(user: User = Depends(current_user)) -> User:
        from propulse.workspace.permissions import ensure_role

        ensure_role(user, minimum, action=_(action))
        return user

    return dependency


def html_router(*, public: bool = False) -> APIRouter:
    """Return a router for pages: CSRF on every unsafe request, sign-in unless ``public``."""
    dependencies = [Depends(verify_csrf)]
    if not public:
        dependencies.append(Depends(current_user))
    return APIRouter(dependencies=dependencies, include_in_schema=False)


def sign_in_session(request: Request, user: User) -> None:
    """Start a fresh session for ``user`` (a new CSRF token too: no session fixation)."""
    language = request.session.get("lang")
    request.session.clear()
    request.session.update(
        user_id=user.id,
        epoch=user.session_epoch,
        lang=user.ui_language or language,
        csrf=new_csrf_token(),
    )
