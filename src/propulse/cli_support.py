"""The acting user of a command (``--as`` or ``PROPULSE_USER``, else the first admin)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from propulse.kit.errors import DomainError, NotFound
from propulse.kit.i18n import gettext as _
from propulse.kit.i18n import set_locale
from propulse.workspace import service as workspace
from propulse.workspace.models import User

_acting_email: list[str | None] = [None]


def set_acting_email(email: str | None) -> None:
    _acting_email[0] = email


def acting_user(session: Session) -> User:
    """Return who runs the command; it is recorded in the audit log."""
    email = _acting_email[0]
    if email:
        user = workspace.find_user_by_email(session, email)
        if user is None:
            raise NotFound(_("Nobody with the e-mail %(email)s.", email=email))
        if not user.is_active:
            raise DomainError(_("%(email)s is deactivated.", email=email), status_code=403)
    else:
        found = workspace.first_admin(session)
        if found is None:
            raise NotFound(
                _("No admin exists yet: run `propulse users add EMAIL --name NAME --role admin`.")
            )
        user = found
    set_locale(user.ui_language or "en")
    return user
