"""Sign-up forms: define them (members), list them and what visitors submitted.

The public side (submitting, confirming) lives in ``submit`` and ``confirm``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from propulse.audit import service as audit
from propulse.config import get_settings
from propulse.forms.askable import askable_by_key
from propulse.forms.models import FormSubmission, SignupForm
from propulse.forms.schemas import FormIn
from propulse.kit import i18n
from propulse.kit.changes import apply_changes
from propulse.kit.errors import FieldProblem, InvalidInput, NotFound
from propulse.kit.i18n import gettext as _
from propulse.kit.pagination import SortKey, paginate
from propulse.workspace import service as workspace
from propulse.workspace.models import Role, User
from propulse.workspace.permissions import ensure_role

SUBMISSION_KEYS = (SortKey(FormSubmission.id, descending=True),)


def _edit_action() -> str:
    return _("edit sign-up forms")


def ensure_editor(user: User) -> None:
    """Refuse someone below member the form builder."""
    ensure_role(user, Role.member, action=_edit_action())


def hosted_url(form: SignupForm) -> str:
    """Return the public address of a form's hosted page (also where embeds post)."""
    return f"{get_settings().base_url.rstrip('/')}/f/{form.slug}"


def list_forms(session: Session) -> list[SignupForm]:
    """Return every form, by name."""
    return list(session.scalars(select(SignupForm).order_by(SignupForm.name, SignupForm.id)))


def list_forms_page(
    session: Session, *, cursor: str | None = None, limit: int | None = None
) -> tuple[list[SignupForm], str | None]:
    """Return forms by id, one page at a time (the API)."""
    return paginate(
        session, select(SignupForm), keys=[SortKey(SignupForm.id)], cursor=cursor, limit=limit
    )


def get_form(session: Session, *, form_id: int) -> SignupForm:
    found = session.get(SignupForm, form_id)
    if found is None:
        raise NotFound(_("This form does not exist."))
    return found


def public_form(session: Session, *, slug: str) -> SignupForm:
    """Return the active form published at /f/{slug}; a missing or inactive one is 404."""
    found = session.scalar(select(SignupForm).where(SignupForm.slug == slug.lower()))
    if found is None or not found.active:
        raise NotFound(_("This form does not exist or is closed."))
    return found


@dataclass(frozen=True)
class FormCounts:
    pending: int = 0
    confirmed: int = 0

    @property
    def total(self) -> int:
        return self.pending + self.confirmed


def submission_counts(session: Session) -> dict[int, FormCounts]:
    """Count each form's submissions, pending and confirmed (one query for the list page)."""
    confirmed = func.sum(case((FormSubmission.confirmed_at.is_not(None), 1), else_=0))
    statement = select(FormSubmission.form_id, func.count(), confirmed).group_by(
        FormSubmission.form_id
    )
    return {
        form_id: FormCounts(pending=int(total) - int(done or 0), confirmed=int(done or 0))
        for form_id, total, done in session.execute(statement)
    }


def _checked_fields(session: Session, data: FormIn) -> list[dict[str, Any]]:
    with i18n.use_locale(data.language, i18n.current_timezone()):
        known = askable_by_key(session)  # default labels in the form's language
    problems: list[FieldProblem] = []
    seen: set[str] = set()
    kept: list[dict[str, Any]] = []
    for index, spec in enumerate(data.fields):
        if spec.key == "email":
            continue  # always asked
        if spec.key not in known:
            problems.append(
                FieldProblem(
                    f"fields.{index}.key",
                    _("%(key)s is neither a contact field nor a custom field.", key=spec.key),
                )
            )
            continue
        if spec.key in seen:
            problems.append(
                FieldProblem(f"fields.{index}.key", _("Ask %(key)s only once.", key=spec.key))
            )
            continue
        seen.add(spec.key)
        kept.append(
            {
                "key": spec.key,
                "label": spec.label or known[spec.key].default_label,
                "required": spec.required,
            }
        )
    if problems:
        raise InvalidInput(problems[0].message, problems)
    return kept


def _check_unique(session: Session, data: FormIn, *, form_id: int | None) -> None:
    for column, value, message in (
        (SignupForm.name, data.name, _("A form with this name already exists.")),
        (SignupForm.slug, data.slug, _("Another form already has this address.")),
    ):
        statement = select(SignupForm.id).where(column == value)
        if form_id is not None:
            statement = statement.where(SignupForm.id != form_id)
        if session.scalar(statement) is not None:
            raise InvalidInput.on_field(column.key, message)


def _values(session: Session, data: FormIn) -> dict[str, Any]:
    values = data.model_dump(exclude={"version", "fields"})
    values["fields"] = _checked_fields(session, data)
    return values


def create_form(session: Session, *, actor: User, data: FormIn) -> SignupForm:
    """Create a form (members); its address must be free."""
    ensure_editor(actor)
    _check_unique(session, data, form_id=None)
    form = SignupForm(**_values(session, data), created_by_id=actor.id)
    session.add(form)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="created",
        object_type="signup_form",
        object_id=form.id,
        summary=f"form {form.slug}",
    )
    return form


def update_form(session: Session, *, actor: User, form_id: int, data: FormIn) -> SignupForm:
    """Replace a form's settings; a ``version`` older than the stored one is refused (409)."""
    ensure_editor(actor)
    form = get_form(session, form_id=form_id)
    workspace.check_version(form, data.version)
    _check_unique(session, data, form_id=form.id)
    values = _values(session, data)
    changed = apply_changes(form, values)
    if changed:
        session.flush()
        audit.record(
            session,
            actor=actor,
            action="updated",
            object_type="signup_form",
            object_id=form.id,
            summary=f"form {form.slug}",
            details={"changed": changed},
        )
    return form


def delete_form(session: Session, *, actor: User, form_id: int) -> None:
    """Delete a form and its submissions (the contacts it created stay)."""
    ensure_editor(actor)
    form = get_form(session, form_id=form_id)
    slug = form.slug
    session.delete(form)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="deleted",
        object_type="signup_form",
        object_id=form_id,
        summary=f"form {slug}",
    )


def submissions(
    session: Session, *, form_id: int, cursor: str | None = None, limit: int | None = 50
) -> tuple[list[FormSubmission], str | None]:
    """Return a form's submissions, newest first, one page at a time (by key)."""
    get_form(session, form_id=form_id)
    statement = select(FormSubmission).where(FormSubmission.form_id == form_id)
    return paginate(session, statement, keys=SUBMISSION_KEYS, cursor=cursor, limit=limit)


def submission_status(submission: FormSubmission) -> str:
    return "confirmed" if submission.confirmed_at is not None else "pending"
