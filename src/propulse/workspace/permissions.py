"""Who may do what: a pure check on roles, used by every service so all edges obey it."""

from __future__ import annotations

from propulse.kit.errors import Forbidden
from propulse.kit.i18n import gettext as _
from propulse.kit.i18n import lazy_gettext
from propulse.workspace.models import ROLE_RANK, Role, User

ROLE_LABELS = {
    Role.admin: lazy_gettext("admin"),
    Role.manager: lazy_gettext("manager"),
    Role.member: lazy_gettext("member"),
    Role.viewer: lazy_gettext("viewer"),
}


def role_label(role: Role | str) -> str:
    return _(ROLE_LABELS[Role(role)])


def has_role(user: User, minimum: Role) -> bool:
    """Return whether the user's role is ``minimum`` or above."""
    return user.is_active and ROLE_RANK[Role(user.role)] >= ROLE_RANK[minimum]


def ensure_role(user: User, minimum: Role, *, action: str) -> None:
    """Refuse with the reason when the user's role is below ``minimum``.

    ``action`` is already translated and reads after "may not", e.g. "invite people".
    """
    if not has_role(user, minimum):
        raise Forbidden(
            _(
                "Your role (%(role)s) may not %(action)s: it takes the %(minimum)s role.",
                role=role_label(user.role),
                action=action,
                minimum=role_label(minimum),
            )
        )
