"""The workspace, its people and teams: typed, keyword-only services; the edge commits."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from propulse.audit import service as audit
from propulse.kit.changes import apply_changes
from propulse.kit.errors import Conflict, InvalidInput, NotFound
from propulse.kit.i18n import gettext as _
from propulse.kit.pagination import SortKey, paginate
from propulse.workspace.models import Role, Team, User, Workspace
from propulse.workspace.permissions import ensure_role
from propulse.workspace.schemas import TeamCreate, UserCreate, UserUpdate, WorkspaceUpdate

MARKETING_TEAM_NAME = "Marketing"


def stale_edit_error() -> Conflict:
    return Conflict(
        _(
            "This record was changed meanwhile by someone else. "
            "Reload it to see the changes, then make yours again."
        )
    )


def check_version(obj: Any, version: int | None) -> None:
    """Refuse a save made from an outdated copy of the object (two people editing at once)."""
    if version is not None and version != obj.version:
        raise stale_edit_error()


def get_workspace(session: Session) -> Workspace:
    workspace = session.scalar(select(Workspace).order_by(Workspace.id).limit(1))
    if workspace is None:
        raise NotFound(_("The workspace is not set up yet: run `propulse init`."))
    return workspace


def ensure_workspace(
    session: Session,
    *,
    name: str = "Propulse",
    country: str = "FR",
    language: str = "en",
    timezone: str = "Europe/Paris",
) -> Workspace:
    """Create the workspace and the marketing team if missing; idempotent."""
    workspace = session.scalar(select(Workspace).limit(1))
    if workspace is None:
        workspace = Workspace(name=name, country=country, language=language, timezone=timezone)
        session.add(workspace)
    if session.scalar(select(Team).where(Team.is_marketing.is_(True))) is None:
        session.add(Team(name=MARKETING_TEAM_NAME, is_marketing=True))
    session.flush()
    return workspace


def update_workspace(session: Session, *, actor: User, data: WorkspaceUpdate) -> Workspace:
    ensure_role(actor, Role.admin, action=_("change the workspace settings"))
    workspace = get_workspace(session)
    check_version(workspace, data.version)
    changes = apply_changes(workspace, data.model_dump(exclude={"version"}))
    audit.record(
        session,
        actor=actor,
        action="changed",
        object_type="workspace",
        object_id=workspace.id,
        summary=f"workspace settings: {', '.join(changes) or 'no change'}",
        details={"changed": changes},
    )
    session.flush()
    return workspace


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_user_by_email(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(User.email == normalise_email(email)))


def get_user(session: Session, *, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(_("This person does not exist."))
    return user


def get_user_by_email(session: Session, *, email: str) -> User:
    user = find_user_by_email(session, email)
    if user is None:
        raise NotFound(_("Nobody with the e-mail %(email)s.", email=email))
    return user


def first_admin(session: Session) -> User | None:
    statement = (
        select(User)
        .where(User.role == Role.admin, User.is_active.is_(True))
        .order_by(User.id)
        .limit(1)
    )
    return session.scalar(statement)


def _check_manager(session: Session, *, user_id: int | None, manager_id: int | None) -> None:
    if manager_id is None:
        return
    if session.get(User, manager_id) is None:
        raise InvalidInput.on_field("manager_id", _("This manager does not exist."))
    # Walk up the chain: a person cannot end up managing themself, directly or not.
    seen: set[int] = set()
    current: int | None = manager_id
    while current is not None and current not in seen:
        if current == user_id:
            raise InvalidInput.on_field(
                "manager_id", _("A person cannot be their own manager, even indirectly.")
            )
        seen.add(current)
        current = session.scalar(select(User.manager_id).where(User.id == current))


def create_user(
    session: Session,
    *,
    actor: User | None,
    data: UserCreate,
    password_hash: str | None = None,
) -> User:
    """Add a person; ``actor`` None only when the installation creates its first admin."""
    if actor is not None:
        ensure_role(actor, Role.admin, action=_("add people"))
    email = normalise_email(str(data.email))
    if find_user_by_email(session, email) is not None:
        raise InvalidInput.on_field("email", _("%(email)s already has an account.", email=email))
    _check_manager(session, user_id=None, manager_id=data.manager_id)
    user = User(**data.model_dump(exclude={"email"}), email=email, password_hash=password_hash)
    session.add(user)
    session.flush()
    marketing = session.scalar(
        select(Team).where(Team.is_marketing.is_(True)).options(selectinload(Team.members))
    )
    if marketing is not None and user.role != Role.viewer:
        marketing.members.append(user)
    audit.record(
        session,
        actor=actor,
        action="created",
        object_type="user",
        object_id=user.id,
        summary=f"added {email} as {user.role}",
    )
    session.flush()
    return user


def update_user(session: Session, *, actor: User, user_id: int, data: UserUpdate) -> User:
    ensure_role(actor, Role.admin, action=_("change people's roles and details"))
    user = get_user(session, user_id=user_id)
    check_version(user, data.version)
    _check_manager(session, user_id=user.id, manager_id=data.manager_id)
    if user.id == actor.id and (data.role != Role.admin or not data.is_active):
        raise InvalidInput.on_field(
            "role", _("You cannot remove your own admin role or deactivate yourself.")
        )
    values = data.model_dump(exclude={"version"})
    changes = apply_changes(user, values)
    if "is_active" in changes and not user.is_active:
        user.session_epoch += 1  # a deactivated person is signed out everywhere
    audit.record(
        session,
        actor=actor,
        action="changed",
        object_type="user",
        object_id=user.id,
        summary=f"{user.email}: {', '.join(changes) or 'no change'}",
        details={"changed": changes},
    )
    session.flush()
    return user


def set_weekly_capacity(session: Session, *, actor: User, user_id: int, hours: float) -> User:
    """Change a person's weekly capacity (managers plan the team's load with it)."""
    ensure_role(actor, Role.manager, action=_("change people's capacity"))
    if not 0 <= hours <= 80:
        raise InvalidInput.on_field(
            f"capacity_{user_id}", _("A weekly capacity goes from 0 to 80 hours.")
        )
    user = get_user(session, user_id=user_id)
    if user.weekly_capacity_hours != hours:
        audit.record(
            session,
            actor=actor,
            action="changed",
            object_type="user",
            object_id=user.id,
            summary=f"{user.email}: weekly capacity {user.weekly_capacity_hours:g} -> {hours:g} h",
        )
        user.weekly_capacity_hours = hours
    session.flush()
    return user


def set_ui_language(session: Session, *, user: User, language: str | None) -> None:
    """Remember the interface language a person chose (no audit: a preference)."""
    user.ui_language = language
    session.flush()


def list_users(
    session: Session,
    *,
    cursor: str | None = None,
    limit: int | None = None,
    include_inactive: bool = True,
) -> tuple[list[User], str | None]:
    statement = select(User).options(selectinload(User.teams))
    if not include_inactive:
        statement = statement.where(User.is_active.is_(True))
    keys = [SortKey(User.id)]
    return paginate(session, statement, keys=keys, cursor=cursor, limit=limit)


def all_users(session: Session) -> list[User]:
    """Return every person by name (small: the team of a company, not its contacts)."""
    return list(session.scalars(select(User).order_by(User.name)))


def count_users(session: Session) -> dict[str, int]:
    rows = session.execute(
        select(User.role, func.count()).where(User.is_active.is_(True)).group_by(User.role)
    )
    return {str(role): int(count) for role, count in rows}


def direct_reports(session: Session, *, manager_id: int) -> list[User]:
    return list(session.scalars(select(User).where(User.manager_id == manager_id)))


def list_teams(session: Session) -> list[Team]:
    statement = select(Team).options(selectinload(Team.members)).order_by(Team.name)
    return list(session.scalars(statement))


def get_team(session: Session, *, team_id: int) -> Team:
    team = session.scalar(
        select(Team).where(Team.id == team_id).options(selectinload(Team.members))
    )
    if team is None:
        raise NotFound(_("This team does not exist."))
    return team


def marketing_team(session: Session) -> Team:
    team = session.scalar(select(Team).where(Team.is_marketing.is_(True)))
    if team is None:
        raise NotFound(_("The marketing team is missing: run `propulse init`."))
    return team


def find_team_by_name(session: Session, name: str) -> Team | None:
    """Return the team of that name, whatever its case."""
    return session.scalar(select(Team).where(func.lower(Team.name) == name.strip().lower()))


def create_team(session: Session, *, actor: User, data: TeamCreate) -> Team:
    ensure_role(actor, Role.manager, action=_("create teams"))
    if find_team_by_name(session, data.name) is not None:
        raise InvalidInput.on_field("name", _("A team named %(name)s exists.", name=data.name))
    team = Team(name=data.name, description=data.description, members=[])
    session.add(team)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="created",
        object_type="team",
        object_id=team.id,
        summary=f"team {team.name}",
    )
    return team


def set_team_membership(
    session: Session, *, actor: User, team_id: int, user_id: int, member: bool
) -> Team:
    """Add a person to a team or take them out of it."""
    ensure_role(actor, Role.manager, action=_("change team membership"))
    team = get_team(session, team_id=team_id)
    user = get_user(session, user_id=user_id)
    present = any(existing.id == user.id for existing in team.members)
    if member and not present:
        team.members.append(user)
    elif not member and present:
        team.members = [existing for existing in team.members if existing.id != user.id]
    else:
        return team
    audit.record(
        session,
        actor=actor,
        action="changed",
        object_type="team",
        object_id=team.id,
        summary=f"{'added' if member else 'removed'} {user.email} "
        f"{'to' if member else 'from'} {team.name}",
    )
    session.flush()
    return team
