"""The public side of forms, without sign-in: the hosted page, submissions, confirmations.

No session CSRF token: embedded forms post from other sites, where no Propulse session
exists. A honeypot, the hosted page's signed time stamp and a rate limit per IP address
stand against robots; nothing reaches the contacts before the signed confirmation link of
the e-mail is used (double opt-in). A GET of that link never confirms (mail scanners follow
links): it shows a button, whose POST confirms.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from propulse.forms import service, submit
from propulse.forms.confirm import confirm_submission
from propulse.forms.models import FormSubmission, SignupForm
from propulse.forms.page import inputs
from propulse.forms.tokens import TokenState, fill_stamp, read_confirm_token
from propulse.kit import i18n
from propulse.kit.errors import InvalidInput, NotFound, TooManyRequests
from propulse.kit.forms import errors_by_field
from propulse.kit.i18n import gettext as _
from propulse.web import get_db, templates

router = APIRouter(include_in_schema=False)


def _render(
    request: Request,
    form: SignupForm | None,
    name: str,
    context: dict[str, Any],
    *,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> Response:
    """Render a public page in the form's language (the visitor's when no form is known)."""
    language = form.language if form is not None else i18n.current_language()
    with i18n.use_locale(language, i18n.current_timezone()):
        full = {"form": form, "page_language": language, **context}
        # Not ``web.render``: a visitor gets no session cookie (no CSRF token, no flashes).
        return templates.TemplateResponse(
            request, name, full, status_code=status_code, headers=headers
        )


def _hosted(
    request: Request,
    session: Session,
    form: SignupForm,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    context = {
        "inputs": inputs(session, form),
        "values": values or {},
        "errors": errors or {},
        "stamp": fill_stamp(form_id=form.id),
        "honeypot": submit.HONEYPOT_FIELD,
        "consent_field": submit.CONSENT_FIELD,
    }
    return _render(request, form, "forms/public.html", context, status_code=status_code)


@router.get("/f/{slug}")
def hosted_page(request: Request, slug: str, session: Session = Depends(get_db)) -> Response:
    """Show the form, in its language."""
    return _hosted(request, session, service.public_form(session, slug=slug))


@router.post("/f/{slug}")
async def submit_form(request: Request, slug: str, session: Session = Depends(get_db)) -> Response:
    """Take a submission from the hosted page or an embedded form."""
    form = service.public_form(session, slug=slug)
    posted = await request.form()
    values = {key: value for key, value in posted.items() if isinstance(value, str)}
    ip_address = request.client.host if request.client else None
    try:
        outcome = submit.submit(session, form=form, values=values, ip_address=ip_address)
    except TooManyRequests as error:
        session.rollback()
        headers = {"Retry-After": str(error.retry_after_seconds)}
        context = {"message": error.message}
        return _render(
            request, form, "forms/public_limited.html", context, status_code=429, headers=headers
        )
    except InvalidInput as error:
        session.rollback()
        kept = {
            key: value
            for key, value in values.items()
            if key not in (submit.HONEYPOT_FIELD, submit.STAMP_FIELD)
        }
        errors = errors_by_field(error.problems) or {"form": error.message}
        return _hosted(request, session, form, values=kept, errors=errors, status_code=422)
    session.commit()
    template = "forms/public_check.html" if outcome is submit.Outcome.check_email else None
    return _render(request, form, template or "forms/public_thanks.html", {})


def _link_problem(request: Request, state: str, form: SignupForm | None) -> Response:
    status = 410 if state == TokenState.expired else 400
    context = {"state": state, "can_retry": form is not None and form.active}
    return _render(request, form, "forms/public_link.html", context, status_code=status)


def _resolve(session: Session, token: str) -> tuple[TokenState, FormSubmission | None]:
    target = read_confirm_token(token)
    if target.submission_id is None:
        return TokenState.bad, None
    found = session.get(FormSubmission, target.submission_id)
    if found is None:
        raise NotFound(_("This sign-up no longer exists: the form was deleted."))
    return target.state, found


@router.get("/f/confirm/{token}")
def confirm_page(request: Request, token: str, session: Session = Depends(get_db)) -> Response:
    """Ask the visitor to confirm with a button (a link scanner's GET confirms nothing)."""
    state, found = _resolve(session, token)
    if found is None:
        return _link_problem(request, state, None)
    form = service.get_form(session, form_id=found.form_id)
    if found.confirmed_at is not None:
        return _render(request, form, "forms/public_thanks.html", {"already": True})
    if state is not TokenState.valid:
        return _link_problem(request, state, form)
    return _render(request, form, "forms/public_confirm.html", {"token": token})


@router.post("/f/confirm/{token}")
def confirm(request: Request, token: str, session: Session = Depends(get_db)) -> Response:
    """Confirm: the contact, its consent and the event are recorded (twice is harmless)."""
    state, found = _resolve(session, token)
    if found is None:
        return _link_problem(request, state, None)
    form = service.get_form(session, form_id=found.form_id)
    if found.confirmed_at is None and state is not TokenState.valid:
        return _link_problem(request, state, form)
    confirm_submission(session, form=form, submission=found)
    session.commit()
    return _render(request, form, "forms/public_thanks.html", {})
