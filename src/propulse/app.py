"""create_app(): the web application with each domain's pages, the API, static files, errors."""

from __future__ import annotations

import time
from typing import Any

import anyio
from fastapi import FastAPI
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy import text
from starlette.middleware.gzip import GZipMiddleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from propulse import __version__, db
from propulse.audit import service as audit
from propulse.config import get_settings
from propulse.errors_render import install_error_handlers
from propulse.kit import i18n
from propulse.web import PACKAGE_DIR

SESSION_MAX_AGE = 14 * 24 * 3600
WORKSPACE_DEFAULTS_TTL = 30.0


class WorkspaceDefaults:
    """The workspace's language and time zone, re-read every 30 s (cheap, shared by requests)."""

    def __init__(self) -> None:
        self._value: tuple[str, str] = (i18n.DEFAULT_LANGUAGE, "UTC")
        self._read_at = float("-inf")

    def _load(self) -> tuple[str, str]:
        from propulse.workspace.models import Workspace

        with db.get_session_factory()() as session:
            workspace = session.query(Workspace).order_by(Workspace.id).first()
            if workspace is None:
                return (i18n.DEFAULT_LANGUAGE, "UTC")
            return (workspace.language, workspace.timezone)

    async def get(self) -> tuple[str, str]:
        if time.monotonic() - self._read_at > WORKSPACE_DEFAULTS_TTL:
            try:
                self._value = await anyio.to_thread.run_sync(self._load)
            except Exception:
                return self._value
            self._read_at = time.monotonic()
        return self._value

    def forget(self) -> None:
        self._read_at = float("-inf")


workspace_defaults = WorkspaceDefaults()


class LocaleMiddleware:
    """Pick the request's language: the person's choice, the browser's, then the workspace's."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        default_language, timezone = await workspace_defaults.get()
        session = scope.get("session") or {}
        headers = dict(scope.get("headers") or [])
        accept = headers.get(b"accept-language", b"").decode("latin-1")
        language = (
            i18n.normalise_language(session.get("lang"))
            or i18n.language_from_accept_header(accept)
            or default_language
        )
        i18n.set_locale(language, timezone)
        audit.set_channel("api" if scope["path"].startswith("/api/") else "web")

        async def send_with_language(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"] = [
                    *message["headers"],
                    (b"content-language", language.encode()),
                    (b"x-content-type-options", b"nosniff"),
                    (b"x-frame-options", b"DENY"),
                    (b"referrer-policy", b"same-origin"),
                ]
            await send(message)

        await self.app(scope, receive, send_with_language)


def create_app() -> FastAPI:
    """Build the application: pages and API share the same services."""
    settings = get_settings()
    from propulse import api, routes

    app = FastAPI(
        title="Propulse",
        version=__version__,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    install_error_handlers(app, api=False)
    app.add_middleware(GZipMiddleware, minimum_size=2048)
    app.add_middleware(LocaleMiddleware)
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.effective_secret_key(),
        session_cookie="propulse_session",
        max_age=SESSION_MAX_AGE,
        same_site="lax",
        https_only=settings.secure_cookies,
    )
    app.mount("/static", StaticFiles(directory=PACKAGE_DIR / "static"), name="static")

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> JSONResponse:
        """Say whether the application and its database answer (public, for load balancers)."""
        try:
            with db.get_session_factory()() as session:
                session.execute(text("SELECT 1"))
        except Exception:
            return JSONResponse({"status": "error", "database": "unreachable"}, status_code=503)
        return JSONResponse({"status": "ok", "version": __version__})

    for router in routes.page_routers():
        app.include_router(router)
    app.mount("/api/v1", api.create_api())
    return app


def app_factory() -> Any:
    """Entry point for uvicorn's ``--factory``."""
    return create_app()
