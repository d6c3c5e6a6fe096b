"""The public preference centre, reached by the signed link of each marketing e-mail.

No sign-in and no CSRF token: the signed token in the URL is the authority (as for the
unsubscribe link), and e-mail readers' in-app browsers often keep no cookie. The page speaks
the contact's language unless the visitor chose one.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from propulse.delivery import preferences
from propulse.kit import i18n
from propulse.kit.errors import Conflict, InvalidInput
from propulse.kit.i18n import gettext as _
from propulse.web import get_db, render

router = APIRouter(include_in_schema=False)

ACTIONS = ("unsubscribe", "resubscribe", "leave_stream", "language")


def _speak_the_contacts_language(request: Request, state: preferences.PreferenceState) -> None:
    chosen = request.session.get("lang") if "session" in request.scope else None
    language = i18n.normalise_language(state.language)
    if language and not chosen:
        i18n.set_locale(language, i18n.current_timezone())


def _page(
    request: Request,
    session: Session,
    token: str,
    *,
    done: str | None = None,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    state = preferences.preference_state(session, token=token)
    _speak_the_contacts_language(request, state)
    context = {
        "token": token,
        "state": state,
        "done": done,
        "error": error,
        "languages": [(code, i18n.LANGUAGE_NAMES[code]) for code in i18n.SUPPORTED_LANGUAGES],
    }
    return render(request, "delivery/preferences.html", context, status_code=status_code)


@router.get("/preferences/{token}")
def preferences_page(request: Request, token: str, session: Session = Depends(get_db)) -> Response:
    """Show what this address receives, with the way out (or back in)."""
    return _page(request, session, token)


@router.post("/preferences/{token}")
async def update_preferences(
    request: Request, token: str, session: Session = Depends(get_db)
) -> Response:
    form = await request.form()
    action = str(form.get("action", ""))
    client = request.client.host if request.client else None
    if action not in ACTIONS:
        preferences.preference_state(session, token=token)  # an altered token: 400 first
        return _page(
            request, session, token, error=_("Choose one of the buttons."), status_code=422
        )
    try:
        if action == "unsubscribe":
            preferences.unsubscribe_all(session, token=token, ip_address=client)
        elif action == "resubscribe":
            preferences.resubscribe(session, token=token, ip_address=client)
        elif action == "leave_stream":
            preferences.leave_stream(session, token=token)
        else:
            language = str(form.get("language", ""))
            preferences.choose_language(session, token=token, language=language)
    except (Conflict, InvalidInput) as refused:
        session.rollback()
        status = 409 if isinstance(refused, Conflict) else 422
        return _page(request, session, token, error=refused.message, status_code=status)
    session.commit()
    return _page(request, session, token, done=action)
