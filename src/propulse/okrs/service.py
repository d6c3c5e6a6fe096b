"""OKRs: periods, objectives and key results under hard limits, and check-ins. The edge commits."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from propulse.audit import service as audit
from propulse.db import is_reading, with_column_defaults
from propulse.kit.changes import apply_changes
from propulse.kit.errors import Conflict, InvalidInput, NotFound
from propulse.kit.i18n import format_date
from propulse.kit.i18n import gettext as _
from propulse.okrs import progress as math
from propulse.okrs.models import (
    CheckIn,
    KeyResult,
    Objective,
    ObjectiveLevel,
    ObjectiveStatus,
    OkrLimits,
    Period,
    PeriodStatus,
)
from propulse.okrs.schemas import (
    CheckInCreate,
    KeyResultCreate,
    KeyResultUpdate,
    LimitsUpdate,
    ObjectiveCreate,
    ObjectiveUpdate,
)
from propulse.workspace import service as workspace
from propulse.workspace.models import Role, User
from propulse.workspace.permissions import ensure_role


class LimitReached(Conflict):
    """The fourth objective or the fifth key result: refused, with the way out."""

    def __init__(self, message: str, *, period_id: int | None = None) -> None:
        super().__init__(message)
        self.period_id = period_id


def get_limits(session: Session) -> OkrLimits:
    limits = session.scalar(select(OkrLimits).limit(1))
    if limits is None:
        limits = with_column_defaults(OkrLimits())
        if not is_reading(session):  # a page only shows the defaults; a change saves them
            session.add(limits)
            session.flush()
    return limits


def set_limits(session: Session, *, actor: User, data: LimitsUpdate) -> OkrLimits:
    """Lower (or restore) the limits; the schema keeps them within 1-3 and 1-4."""
    ensure_role(actor, Role.admin, action=_("change the OKR limits"))
    limits = get_limits(session)
    limits.max_objectives = data.max_objectives
    limits.max_key_results = data.max_key_results
    audit.record(
        session,
        actor=actor,
        action="changed",
        object_type="okr_limits",
        object_id=limits.id,
        summary=f"OKR limits: {data.max_objectives} objectives, {data.max_key_results} key results",
    )
    session.flush()
    return limits


# Periods


def get_period(session: Session, *, period_id: int) -> Period:
    period = session.get(Period, period_id)
    if period is None:
        raise NotFound(_("This period does not exist."))
    return period


def find_period(session: Session, *, name: str, team_id: int | None) -> Period | None:
    statement = select(Period).where(func.upper(Period.name) == name.strip().upper())
    statement = statement.where(
        Period.team_id.is_(None) if team_id is None else Period.team_id == team_id
    )
    return session.scalar(statement)


def ensure_period(
    session: Session,
    *,
    actor: User,
    name: str,
    team_id: int | None = None,
    company: bool = False,
    starts_on: date | None = None,
    ends_on: date | None = None,
) -> Period:
    """Return the team's period of that name, creating it on first use (a quarter by default)."""
    owner_team_id = None if company else (team_id or workspace.marketing_team(session).id)
    existing = find_period(session, name=name, team_id=owner_team_id)
    if existing is not None:
        return existing
    ensure_role(actor, Role.manager, action=_("create OKR periods"))
    if starts_on is None or ends_on is None:
        bounds = math.quarter_bounds(name)
        if bounds is None:
            raise InvalidInput.on_field(
                "name",
                _("Name a quarter like 2027-Q1, or give the start and end dates of the period."),
            )
        starts_on, ends_on = starts_on or bounds[0], ends_on or bounds[1]
    if ends_on < starts_on:
        raise InvalidInput.on_field("ends_on", _("The period must end after it starts."))
    period = Period(
        name=name.strip().upper() if math.quarter_bounds(name) else name.strip(),
        team_id=owner_team_id,
        starts_on=starts_on,
        ends_on=ends_on,
    )
    session.add(period)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="created",
        object_type="okr_period",
        object_id=period.id,
        summary=f"period {period.name} ({starts_on} to {ends_on})",
    )
    return period


def list_periods(session: Session, *, team_id: int | None = None) -> list[Period]:
    statement = select(Period).order_by(Period.starts_on.desc(), Period.id)
    if team_id is not None:
        statement = statement.where(Period.team_id == team_id)
    return list(session.scalars(statement))


def current_periods(session: Session, *, today: date) -> list[Period]:
    """Return the open periods that cover ``today`` (team and company ones)."""
    statement = (
        select(Period)
        .where(Period.status == PeriodStatus.open)
        .where(Period.starts_on <= today, Period.ends_on >= today)
        .order_by(Period.team_id.is_(None), Period.id)
    )
    return list(session.scalars(statement))


def default_period(session: Session, *, today: date) -> Period | None:
    """Return the period a page opens on: the marketing team's current one, else the newest."""
    marketing_id = workspace.marketing_team(session).id
    for period in current_periods(session, today=today):
        if period.team_id == marketing_id:
            return period
    periods = list_periods(session, team_id=marketing_id)
    return periods[0] if periods else None


def _ensure_open(period: Period) -> None:
    if period.status == PeriodStatus.closed:
        raise Conflict(
            _("The period %(name)s is closed: it cannot change any more.", name=period.name)
        )


# Objectives


def get_objective(session: Session, *, objective_id: int) -> Objective:
    objective = session.scalar(
        select(Objective)
        .where(Objective.id == objective_id)
        .options(selectinload(Objective.key_results))
    )
    if objective is None:
        raise NotFound(_("This objective does not exist."))
    return objective


def active_objectives(session: Session, *, period_id: int) -> list[Objective]:
    statement = (
        select(Objective)
        .where(Objective.period_id == period_id, Objective.status == ObjectiveStatus.active)
        .options(selectinload(Objective.key_results))
        .order_by(Objective.position, Objective.id)
    )
    return list(session.scalars(statement))


def current_objectives(session: Session, *, today: date) -> list[Objective]:
    """Return the active objectives of the periods covering ``today``: what requests may serve."""
    period_ids = [period.id for period in current_periods(session, today=today)]
    if not period_ids:
        return []
    statement = (
        select(Objective)
        .where(Objective.period_id.in_(period_ids), Objective.status == ObjectiveStatus.active)
        .options(selectinload(Objective.key_results))
        .order_by(Objective.period_id, Objective.position, Objective.id)
    )
    return list(session.scalars(statement))


def check_objective_limit(session: Session, period: Period) -> None:
    limit = get_limits(session).max_objectives
    count = session.scalar(
        select(func.count())
        .select_from(Objective)
        .where(Objective.period_id == period.id, Objective.status == ObjectiveStatus.active)
    )
    if (count or 0) >= limit:
        raise LimitReached(
            _(
                "At most %(limit)s objectives per team and period: %(period)s has %(count)s "
                "already. Archive one or replace it to make room; saying yes to everything "
                "means doing nothing well.",
                limit=limit,
                period=period.name,
                count=count,
            ),
            period_id=period.id,
        )


def _check_serves(session: Session, *, period: Period, serves_id: int | None) -> None:
    if serves_id is None:
        return
    target = session.get(Objective, serves_id)
    if target is None or target.level != ObjectiveLevel.company or period.is_company:
        raise InvalidInput.on_field(
            "serves_id", _("A team objective can serve a company objective only.")
        )


def _check_owner(session: Session, owner_id: int | None, field: str = "owner_id") -> None:
    if owner_id is not None and session.get(User, owner_id) is None:
        raise InvalidInput.on_field(field, _("This person does not exist."))


def create_objective(
    session: Session, *, actor: User, period_id: int, data: ObjectiveCreate
) -> Objective:
    """Add an objective to a period, refusing the one over the limit."""
    ensure_role(actor, Role.manager, action=_("set objectives"))
    period = get_period(session, period_id=period_id)
    _ensure_open(period)
    check_objective_limit(session, period)
    _check_serves(session, period=period, serves_id=data.serves_id)
    _check_owner(session, data.owner_id)
    position = session.scalar(
        select(func.coalesce(func.max(Objective.position), 0)).where(
            Objective.period_id == period.id
        )
    )
    objective = Objective(
        period_id=period.id,
        level=ObjectiveLevel.company if period.is_company else ObjectiveLevel.team,
        title=data.title.strip(),
        description=data.description,
        owner_id=data.owner_id or actor.id,
        serves_id=data.serves_id,
        position=(position or 0) + 1,
        key_results=[],
    )
    session.add(objective)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="created",
        object_type="okr_objective",
        object_id=objective.id,
        summary=f"objective {objective.title!r} in {period.name}",
    )
    return objective


def update_objective(
    session: Session, *, actor: User, objective_id: int, data: ObjectiveUpdate
) -> Objective:
    ensure_role(actor, Role.manager, action=_("change objectives"))
    objective = get_objective(session, objective_id=objective_id)
    workspace.check_version(objective, data.version)
    _ensure_open(objective.period)
    _check_serves(session, period=objective.period, serves_id=data.serves_id)
    _check_owner(session, data.owner_id)
    changes = apply_changes(objective, data.model_dump(exclude={"version"}))
    audit.record(
        session,
        actor=actor,
        action="changed",
        object_type="okr_objective",
        object_id=objective.id,
        summary=f"objective {objective.title!r}: {', '.join(changes) or 'no change'}",
    )
    session.flush()
    return objective


def archive_objective(session: Session, *, actor: User, objective_id: int) -> Objective:
    """Take an objective out of the period's count; its history stays."""
    ensure_role(actor, Role.manager, action=_("archive objectives"))
    objective = get_objective(session, objective_id=objective_id)
    _ensure_open(objective.period)
    if objective.status != ObjectiveStatus.archived:
        objective.status = ObjectiveStatus.archived
        audit.record(
            session,
            actor=actor,
            action="archived",
            object_type="okr_objective",
            object_id=objective.id,
            summary=f"archived objective {objective.title!r}",
        )
    session.flush()
    return objective


def replace_objective(
    session: Session, *, actor: User, objective_id: int, data: ObjectiveCreate
) -> Objective:
    """Archive an objective and put a new one in its place, in one step."""
    old = archive_objective(session, actor=actor, objective_id=objective_id)
    new = create_objective(session, actor=actor, period_id=old.period_id, data=data)
    new.position = old.position
    session.flush()
    return new


# Key results


def get_key_result(session: Session, *, key_result_id: int) -> KeyResult:
    key_result = session.get(KeyResult, key_result_id)
    if key_result is None:
        raise NotFound(_("This key result does not exist."))
    return key_result


def _check_key_result_limit(session: Session, objective: Objective) -> None:
    limit = get_limits(session).max_key_results
    count = session.scalar(
        select(func.count())
        .select_from(KeyResult)
        .where(KeyResult.objective_id == objective.id, KeyResult.is_archived.is_(False))
    )
    if (count or 0) >= limit:
        raise LimitReached(
            _(
                "At most %(limit)s key results per objective: %(title)s has %(count)s already. "
                "Archive one or replace it to make room.",
                limit=limit,
                title=objective.title,
                count=count,
            ),
            period_id=objective.period_id,
        )


def add_key_result(
    session: Session, *, actor: User, objective_id: int, data: KeyResultCreate
) -> KeyResult:
    ensure_role(actor, Role.manager, action=_("set key results"))
    objective = get_objective(session, objective_id=objective_id)
    _ensure_open(objective.period)
    if not objective.is_active:
        raise Conflict(_("This objective is not active any more."))
    _check_key_result_limit(session, objective)
    _check_owner(session, data.owner_id)
    values = data.model_dump()
    values["current_value"] = (
        data.current_value if data.current_value is not None else data.start_value
    )
    key_result = KeyResult(
        objective_id=objective.id,
        position=len(objective.key_results) + 1,
        **values,
    )
    session.add(key_result)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="created",
        object_type="okr_key_result",
        object_id=key_result.id,
        summary=f"key result {key_result.title!r} of {objective.title!r}",
    )
    return key_result


def update_key_result(
    session: Session, *, actor: User, key_result_id: int, data: KeyResultUpdate
) -> KeyResult:
    ensure_role(actor, Role.manager, action=_("change key results"))
    key_result = get_key_result(session, key_result_id=key_result_id)
    workspace.check_version(key_result, data.version)
    _ensure_open(key_result.objective.period)
    _check_owner(session, data.owner_id)
    values = data.model_dump(exclude={"version"})
    if data.current_value is None:
        values.pop("current_value")
    changes = apply_changes(key_result, values)
    audit.record(
        session,
        actor=actor,
        action="changed",
        object_type="okr_key_result",
        object_id=key_result.id,
        summary=f"key result {key_result.title!r}: {', '.join(changes) or 'no change'}",
    )
    session.flush()
    return key_result


def archive_key_result(session: Session, *, actor: User, key_result_id: int) -> KeyResult:
    ensure_role(actor, Role.manager, action=_("archive key results"))
    key_result = get_key_result(session, key_result_id=key_result_id)
    _ensure_open(key_result.objective.period)
    key_result.is_archived = True
    audit.record(
        session,
        actor=actor,
        action="archived",
        object_type="okr_key_result",
        object_id=key_result.id,
        summary=f"archived key result {key_result.title!r}",
    )
    session.flush()
    return key_result


# Check-ins


def check_in(
    session: Session, *, actor: User, key_result_id: int, data: CheckInCreate, today: date
) -> CheckIn:
    """Record a reading; the key result's current value follows the latest-dated check-in."""
    ensure_role(actor, Role.member, action=_("check in on key results"))
    key_result = get_key_result(session, key_result_id=key_result_id)
    period = key_result.objective.period
    if period.status == PeriodStatus.closed:
        raise Conflict(
            _(
                "The period %(name)s is closed: check-ins are not possible any more.",
                name=period.name,
            )
        )
    checked_on = data.checked_on or min(today, period.ends_on)
    if checked_on > today:
        raise InvalidInput.on_field("checked_on", _("A check-in cannot be dated in the future."))
    if not period.starts_on <= checked_on <= period.ends_on:
        raise InvalidInput.on_field(
            "checked_on",
            _(
                "Date the check-in within the period (%(start)s to %(end)s).",
                start=format_date(period.starts_on),
                end=format_date(period.ends_on),
            ),
        )
    entry = CheckIn(
        key_result_id=key_result.id,
        value=data.value,
        confidence=data.confidence,
        comment=data.comment,
        checked_on=checked_on,
        author_id=actor.id,
    )
    session.add(entry)
    session.flush()
    latest = session.scalar(
        select(CheckIn)
        .where(CheckIn.key_result_id == key_result.id)
        .order_by(CheckIn.checked_on.desc(), CheckIn.id.desc())
        .limit(1)
    )
    if latest is not None:
        key_result.current_value = latest.value
    audit.record(
        session,
        actor=actor,
        action="checked_in",
        object_type="okr_key_result",
        object_id=key_result.id,
        summary=f"{key_result.title!r}: {data.value:g} (confidence {data.confidence})",
    )
    session.flush()
    return entry


def check_ins(session: Session, *, key_result_id: int) -> list[CheckIn]:
    statement = (
        select(CheckIn)
        .where(CheckIn.key_result_id == key_result_id)
        .order_by(CheckIn.checked_on, CheckIn.id)
    )
    return list(session.scalars(statement))
