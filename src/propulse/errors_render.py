"""Render domain errors once: a page for people, RFC 9457 problem+json for the API."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlalchemy.orm.exc import StaleDataError
from starlette.exceptions import HTTPException as StarletteHTTPException

from propulse.kit.errors import DomainError, TooManyRequests
from propulse.kit.forms import problems_from
from propulse.kit.i18n import gettext as _

logger = logging.getLogger(__name__)
PROBLEM_TYPE_BASE = "https://propulse.dev/problems/"


def problem_response(error: DomainError, instance: str | None = None) -> JSONResponse:
    """Return an ``application/problem+json`` response (RFC 9457)."""
    body: dict[str, Any] = {
        "type": PROBLEM_TYPE_BASE + error.type_slug,
        "title": error.title,
        "status": error.status_code,
        "detail": error.message,
    }
    if instance:
        body["instance"] = instance
    if error.problems:
        body["errors"] = [{"field": p.field, "detail": p.message} for p in error.problems]
    headers = {}
    if error.status_code == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="propulse"'
    if isinstance(error, TooManyRequests):
        headers["Retry-After"] = str(error.retry_after_seconds)
    return JSONResponse(
        body, status_code=error.status_code, media_type="application/problem+json", headers=headers
    )


def _status_title(status_code: int) -> str:
    titles = {
        400: _("The request could not be understood"),
        401: _("Sign in first"),
        403: _("You may not do this"),
        404: _("This page does not exist"),
        405: _("This action is not possible here"),
        409: _("Changed meanwhile"),
        413: _("This file is too large"),
        422: _("Some input needs your attention"),
        429: _("Too many attempts"),
        500: _("Something went wrong on our side"),
    }
    return titles.get(status_code, _("Something went wrong"))


def error_page(request: Request, error: DomainError) -> Response:
    """Render the error page in the user's language (or a fragment for an HTMX request)."""
    from propulse.web import render

    if error.status_code == 401:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        if request.headers.get("hx-request") == "true":
            return Response(status_code=401, headers={"HX-Redirect": "/login"})
        return RedirectResponse(f"/login?next={quote(target)}", status_code=303)
    context = {
        "status": error.status_code,
        "title": _status_title(error.status_code),
        "error": error,
    }
    if request.headers.get("hx-request") == "true":
        headers = {"HX-Retarget": "#messages", "HX-Reswap": "innerHTML"}
        return render(
            request, "error_fragment.html", context, status_code=error.status_code, headers=headers
        )
    return render(request, "error.html", context, status_code=error.status_code)


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _from_http_exception(exc: StarletteHTTPException) -> DomainError:
    messages = {
        404: _("There is nothing at this address."),
        405: _("This address does not accept this method."),
        413: _("This upload is larger than this installation accepts."),
    }
    detail = messages.get(exc.status_code) or (str(exc.detail) if exc.detail else "")
    return DomainError(
        detail or _status_title(exc.status_code),
        status_code=exc.status_code,
        title=_status_title(exc.status_code),
        type_slug="http-" + str(exc.status_code),
    )


def install_error_handlers(app: FastAPI, *, api: bool) -> None:
    """Install the handlers: problem+json when ``api``, pages otherwise."""

    def respond(request: Request, error: DomainError) -> Response:
        wants_page = request.url.path == "/api/v1/docs"
        if (api or _is_api(request)) and not wants_page:
            return problem_response(error, instance=request.url.path)
        return error_page(request, error)

    @app.exception_handler(DomainError)
    async def _domain(request: Request, exc: DomainError) -> Response:
        return respond(request, exc)

    @app.exception_handler(StaleDataError)
    async def _stale(request: Request, exc: StaleDataError) -> Response:
        # The version column caught two saves racing past the service's own check.
        from propulse.workspace.service import stale_edit_error

        return respond(request, stale_edit_error())

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        return respond(request, _from_http_exception(exc))

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> Response:
        problems = problems_from(exc)
        error = DomainError(
            _("Some fields need your attention."),
            problems=problems,
            status_code=422,
            title="Unprocessable content",
            type_slug="invalid-input",
        )
        return respond(request, error)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        logger.exception("unexpected error on %s %s", request.method, request.url.path)
        error = DomainError(
            _("An unexpected error happened. It has been logged; please try again."),
            status_code=500,
            title="Internal server error",
            type_slug="internal",
        )
        return respond(request, error)
