"""A confirmed submission becomes a contact with its consent and a ``form_submitted`` event."""

from __future__ import annotations

from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from propulse.contacts import fields as contact_fields
from propulse.contacts import service as contacts
from propulse.contacts.merge import UpdateRule
from propulse.contacts.models import ConsentBasis, EventType
from propulse.contacts.schemas import ConsentIn, ContactIn
from propulse.db import utcnow
from propulse.forms.askable import CONTACT_KEYS
from propulse.forms.models import FormSubmission, SignupForm
from propulse.kit.errors import DomainError
from propulse.kit.i18n import gettext as _
from propulse.workspace import service as workspace
from propulse.workspace.models import Role, User
from propulse.workspace.permissions import has_role

SOURCE_PREFIX = "form:"


def consent_source(form: SignupForm) -> str:
    return f"{SOURCE_PREFIX}{form.slug}"


def acting_user(session: Session, form: SignupForm) -> User:
    """Return whom the contact's creation is recorded under: the form's author, else an admin.

    The visitor has no account; the contacts service records every write under a person, and
    the author who published the form is the one answerable for what it collects.
    """
    if form.created_by_id is not None:
        author = session.get(User, form.created_by_id)
        if author is not None and has_role(author, Role.member):
            return author
    admin = workspace.first_admin(session)
    if admin is None or not admin.is_active:
        raise DomainError(
            _("This form cannot take sign-ups now: the workspace has no active admin."),
            status_code=503,
            title="Service unavailable",
            type_slug="no-admin",
        )
    return admin


def _contact_in(session: Session, form: SignupForm, submission: FormSubmission) -> ContactIn:
    data: dict[str, Any] = dict(submission.data or {})
    defined = {definition.key for definition in contact_fields.list_fields(session)}
    plain = {key: value for key, value in data.items() if key in CONTACT_KEYS}
    # A custom field deleted since the submission is dropped, not an error.
    custom = {key: value for key, value in data.items() if key in defined}
    return ContactIn(
        email=submission.email,
        language=form.language,
        source=consent_source(form)[:80],
        custom=custom,
        **plain,
    )


def _upsert(session: Session, actor: User, form: SignupForm, submission: FormSubmission) -> int:
    """Create the contact or fill its blanks; return its id."""
    item = _contact_in(session, form, submission)
    result = contacts.upsert_contacts(session, actor=actor, items=[item], rule=UpdateRule.fill)
    contact_id = result.ids[0] if result.ids else None
    if contact_id is None:
        # A value no longer fits (a choice removed meanwhile): keep the person, not the value.
        bare = ContactIn(email=submission.email, language=form.language)
        result = contacts.upsert_contacts(session, actor=actor, items=[bare], rule=UpdateRule.fill)
        contact_id = result.ids[0] if result.ids else None
    if contact_id is None:
        raise DomainError(_("This address cannot be added to our contacts."), status_code=400)
    return contact_id


def confirm_submission(session: Session, *, form: SignupForm, submission: FormSubmission) -> bool:
    """Confirm a submission once: contact, consent, event; return False when already done.

    The submission is claimed with a conditional UPDATE, so two clicks at once (or a click
    and a retry) confirm it once. A suppressed address is left alone: nothing is recorded.
    """
    now = utcnow()
    claimed = session.execute(
        update(FormSubmission)
        .where(FormSubmission.id == submission.id, FormSubmission.confirmed_at.is_(None))
        .values(confirmed_at=now)
        .execution_options(synchronize_session=False)
    )
    if getattr(claimed, "rowcount", 0) != 1:
        session.refresh(submission)
        return False
    set_committed_value(submission, "confirmed_at", now)
    if contacts.is_suppressed(session, email=submission.email):
        return True
    contact_id = _upsert(session, acting_user(session, form), form, submission)
    contacts.record_consent(
        session,
        actor=None,
        contact_id=contact_id,
        data=ConsentIn(
            channel="email",
            basis=ConsentBasis.opt_in,
            source=consent_source(form),
            wording_version=form.wording_version,
            ip_address=submission.ip_address,
            recorded_at=now,
        ),
    )
    contacts.add_events(
        session,
        contact_id=contact_id,
        events=[
            (
                EventType.form_submitted.value,
                submission.submitted_at,
                {"form_id": form.id, "form": form.slug},
            )
        ],
    )
    submission.contact_id = contact_id
    session.flush()
    return True
