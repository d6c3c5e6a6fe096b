"""The JSON API under /api/v1: Bearer tokens with read or write scope, problem+json errors."""

from __future__ import annotations

from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi.openapi.utils import get_openapi
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from propulse import __version__
from propulse.auth import service as auth_service
from propulse.auth.models import TokenScope
from propulse.db import is_reading, unit_of_work, utcnow
from propulse.errors_render import install_error_handlers
from propulse.kit.errors import Forbidden, NotAuthenticated
from propulse.kit.i18n import gettext as _
from propulse.web import SAFE_METHODS, current_user, get_db
from propulse.workspace.models import User

bearer = HTTPBearer(auto_error=False, description="An API token: `propulse tokens create EMAIL`")

PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"description": description, "content": {"application/problem+json": {}}}
    for status, description in (
        (401, "Missing or invalid token"),
        (403, "Refused for this role or token scope"),
        (404, "Not found"),
        (409, "Changed meanwhile"),
        (422, "Invalid input, with field-level details"),
    )
}


def api_user(
    request: Request,
    credentials: HTTPAuthorizationCredentials | None = Depends(bearer),
    session: Session = Depends(get_db),
) -> User:
    """Return the token's user; a read token may only read."""
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise NotAuthenticated(_("Send an API token in the Authorization header (Bearer)."))
    user, token = auth_service.user_for_token(session, secret=credentials.credentials)
    if request.method not in SAFE_METHODS and token.scope != TokenScope.write:
        raise Forbidden(_("This token may only read: create a token with the write scope."))
    now = utcnow()
    if auth_service.token_use_due(token, now=now):
        if is_reading(session):
            # Apart: the request's own session may only read. (A writing request records the
            # use with its own work: on SQLite a second writer would wait for the first.)
            with unit_of_work() as writing:
                auth_service.record_token_use(writing, token_id=token.id, now=now)
        else:
            auth_service.record_token_use(session, token_id=token.id, now=now)
            session.commit()
    request.state.user = user
    return user


def create_api() -> FastAPI:
    """Build the API application mounted at /api/v1."""
    from propulse.audit.api import router as audit_router
    from propulse.auth.api import router as auth_router
    from propulse.contacts.api import router as contacts_router
    from propulse.content.api import router as content_router
    from propulse.delivery.api import router as delivery_router
    from propulse.delivery.suppression_api import router as suppressions_router
    from propulse.email_templates.api import router as email_templates_router
    from propulse.forms.api import router as forms_router
    from propulse.notifications.api import router as notifications_router
    from propulse.nurture.api import router as nurture_router
    from propulse.okrs.api import router as okrs_router
    from propulse.playbooks.api import router as playbooks_router
    from propulse.playbooks.project_api import router as projects_router
    from propulse.scoring.api import router as scoring_router
    from propulse.segments.api import router as segments_router
    from propulse.triage.api import router as triage_router
    from propulse.workspace.api import router as workspace_router

    api = FastAPI(
        title="Propulse API",
        version=__version__,
        description=(
            "The REST API of Propulse. Authenticate with `Authorization: Bearer <token>`. "
            'Lists return `{"items": [...], "next_cursor": ...}`; pass `?cursor=` for the '
            "next page and `?limit=` (1-500) for its size. Errors are RFC 9457 problem+json."
        ),
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        responses=PROBLEM_RESPONSES,
    )
    install_error_handlers(api, api=True)
    for router in (
        workspace_router,
        auth_router,
        audit_router,
        notifications_router,
        okrs_router,
        triage_router,
        playbooks_router,
        projects_router,
        content_router,
        contacts_router,
        segments_router,
        scoring_router,
        delivery_router,
        email_templates_router,
        suppressions_router,
        forms_router,
        nurture_router,
    ):
        api.include_router(router, dependencies=[Depends(api_user)])

    @api.get("/openapi.json", include_in_schema=False)
    def openapi(request: Request, session: Session = Depends(get_db)) -> JSONResponse:
        """Describe the API to a signed-in person or a token holder."""
        if "authorization" in request.headers:
            credentials = HTTPAuthorizationCredentials(
                scheme="Bearer", credentials=request.headers["authorization"].partition(" ")[2]
            )
            api_user(request, credentials, session)
        else:
            current_user(request, session)
        if api.openapi_schema is None:
            api.openapi_schema = get_openapi(
                title=api.title,
                version=api.version,
                description=api.description,
                routes=api.routes,
                servers=[{"url": "/api/v1"}],
            )
        return JSONResponse(api.openapi_schema)

    @api.get("/docs", include_in_schema=False)
    def docs(request: Request, user: User = Depends(current_user)) -> HTMLResponse:
        """Show the API reference to a signed-in person (Swagger UI, vendored)."""
        return HTMLResponse(DOCS_PAGE)

    return api


DOCS_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Propulse API</title>
<link rel="stylesheet" href="/static/swagger-ui/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="/static/swagger-ui/swagger-ui-bundle.js"></script>
<script src="/static/swagger-ui/init.js"></script>
</body></html>"""
