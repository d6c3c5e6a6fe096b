"""Find a sequence, and who may do what with sequences."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from propulse.kit.errors import NotFound
from propulse.kit.i18n import gettext as _
from propulse.nurture.models import Sequence
from propulse.workspace.models import Role, User
from propulse.workspace.permissions import ensure_role


def ensure_manager(user: User) -> None:
    """Refuse someone below manager the editing and switching of sequences."""
    ensure_role(user, Role.manager, action=_("manage nurturing sequences"))


def ensure_enroller(user: User) -> None:
    """Refuse someone below member the enrolling of contacts by hand."""
    ensure_role(user, Role.member, action=_("enrol contacts in sequences"))


def get_sequence(session: Session, *, sequence_id: int) -> Sequence:
    """Return a sequence with its steps loaded."""
    sequence = session.scalar(
        select(Sequence).where(Sequence.id == sequence_id).options(selectinload(Sequence.steps))
    )
    if sequence is None:
        raise NotFound(_("This sequence does not exist."))
    return sequence
