"""A visitor submits a public form: spam checks, validation, then double opt-in or at once.

Spam protection, in order: a rate limit per IP address counted from the stored submissions
(so it holds across processes), a honeypot field (filled: an accepted-looking answer and
nothing stored), and the hosted page's signed time stamp (a form sent back faster than a
person can fill it is refused with a message; embeds carry no stamp and are allowed).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from propulse.contacts import fields as contact_fields
from propulse.contacts import service as contacts
from propulse.contacts.emails import normalise_email
from propulse.contacts.schemas import ContactIn
from propulse.db import utcnow
from propulse.forms.askable import CONTACT_KEYS, MAX_VALUE_LENGTH
from propulse.forms.confirm import confirm_submission
from propulse.forms.confirmation_email import queue_confirmation
from propulse.forms.models import FormSubmission, SignupForm
from propulse.forms.tokens import seconds_since_stamp
from propulse.kit.errors import FieldProblem, InvalidInput, TooManyRequests
from propulse.kit.forms import problems_from
from propulse.kit.i18n import gettext as _

HONEYPOT_FIELD = "website"
STAMP_FIELD = "stamp"
CONSENT_FIELD = "consent"
RATE_LIMIT = 5
RATE_WINDOW_SECONDS = 600
MIN_FILL_SECONDS = 2.0


class Outcome(StrEnum):
    """What the visitor is told (the same whether or not anything was stored)."""

    check_email = "check_email"
    thank_you = "thank_you"


def accepted_looking(form: SignupForm) -> Outcome:
    return Outcome.check_email if form.double_opt_in else Outcome.thank_you


def check_rate_limit(session: Session, *, ip_address: str | None, now: datetime) -> None:
    """Refuse a sixth submission from one address within ten minutes (429)."""
    if not ip_address:
        return
    since = now - timedelta(seconds=RATE_WINDOW_SECONDS)
    recent = list(
        session.scalars(
            select(FormSubmission.submitted_at)
            .where(FormSubmission.ip_address == ip_address, FormSubmission.submitted_at > since)
            .order_by(FormSubmission.submitted_at)
            .limit(RATE_LIMIT)
        )
    )
    if len(recent) >= RATE_LIMIT:
        oldest = recent[0]
        wait = max(1, int((oldest + timedelta(seconds=RATE_WINDOW_SECONDS) - now).total_seconds()))
        minutes = max(1, -(-wait // 60))
        raise TooManyRequests(
            _(
                "Too many forms were sent from your connection. "
                "Please try again in %(minutes)s minutes.",
                minutes=minutes,
            ),
            retry_after_seconds=wait,
        )


def _text(values: Mapping[str, Any], key: str) -> str:
    value = values.get(key, "")
    return value.strip() if isinstance(value, str) else ""


def clean_values(
    session: Session, *, form: SignupForm, values: Mapping[str, Any]
) -> tuple[str, dict[str, Any]]:
    """Return the normalised e-mail and the answers, or raise InvalidInput naming each field."""
    problems: list[FieldProblem] = []
    email = normalise_email(_text(values, "email"))
    if email is None:
        message = (
            _("Enter your e-mail address.")
            if not _text(values, "email")
            else _("Enter a valid e-mail address.")
        )
        problems.append(FieldProblem("email", message))
    answers: dict[str, Any] = {}
    plain: dict[str, str] = {}
    custom: dict[str, str] = {}
    for spec in form.fields:
        key = str(spec.get("key"))
        raw = _text(values, key)
        if not raw:
            if spec.get("required"):
                problems.append(FieldProblem(key, _("This field is required.")))
            continue
        if len(raw) > MAX_VALUE_LENGTH:
            problems.append(
                FieldProblem(key, _("Use at most %(n)s characters.", n=MAX_VALUE_LENGTH))
            )
        elif key in CONTACT_KEYS:
            plain[key] = raw
        else:
            custom[key] = raw
    if plain:
        try:
            checked = ContactIn.model_validate({"email": "check@example.com", **plain})
            answers.update({key: getattr(checked, key) for key in plain})
        except ValidationError as error:
            problems.extend(problems_from(error))
    if custom:
        try:
            coerced = contact_fields.check_custom_values(session, values=custom)
            answers.update({key: value for key, value in coerced.items() if value is not None})
        except InvalidInput as error:
            problems.extend(
                FieldProblem(problem.field.removeprefix("custom."), problem.message)
                for problem in error.problems
            )
    if _text(values, CONSENT_FIELD) == "":
        problems.append(FieldProblem(CONSENT_FIELD, _("Tick the box to give your consent.")))
    if problems or email is None:
        raise InvalidInput(_("Some fields need your attention."), problems)
    return email, answers


def submit(
    session: Session,
    *,
    form: SignupForm,
    values: Mapping[str, Any],
    ip_address: str | None,
    now: datetime | None = None,
) -> Outcome:
    """Handle a public submission; validation problems raise InvalidInput (field by field)."""
    moment = now or utcnow()
    check_rate_limit(session, ip_address=ip_address, now=moment)
    if _text(values, HONEYPOT_FIELD):
        return accepted_looking(form)
    stamp = _text(values, STAMP_FIELD)
    if stamp:
        elapsed = seconds_since_stamp(stamp, form_id=form.id, now=moment.timestamp())
        if elapsed is None:
            return accepted_looking(form)  # a forged stamp: a robot, told nothing
        if elapsed < MIN_FILL_SECONDS:
            raise InvalidInput.on_field(
                "form",
                _("That was quick! Please check your answers, then send the form again."),
            )
    email, answers = clean_values(session, form=form, values=values)
    if contacts.is_suppressed(session, email=email):
        # Do not reveal that the address is known: answer as usual, store and send nothing.
        return accepted_looking(form)
    submission = FormSubmission(
        form_id=form.id,
        email=email,
        data=answers,
        ip_address=(ip_address or "")[:45] or None,
        submitted_at=moment,
    )
    session.add(submission)
    session.flush()
    if form.double_opt_in:
        queue_confirmation(session, form=form, submission=submission)
        return Outcome.check_email
    confirm_submission(session, form=form, submission=submission)
    return Outcome.thank_you
