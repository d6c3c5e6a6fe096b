"""The figures of triage beside the OKRs: effort against capacity, rates, departments."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from propulse.okrs import service as okrs
from propulse.okrs.models import Objective, Period
from propulse.triage.models import Request, RequestState
from propulse.triage.suggest import ObjectiveText, SuggestionResult, rank_objectives
from propulse.workspace import service as workspace
from propulse.workspace.models import Team

# A person-day is 7 hours: a 35-hour week gives 5 days.
HOURS_PER_PERSON_DAY = 7.0


@dataclass(frozen=True)
class TriageFigures:
    effort_by_objective: dict[int, float]
    accepted_effort: float
    capacity_days: float
    over_capacity: bool
    decided: int
    parked_rate: float
    declined_rate: float
    by_department: list[tuple[str, int]]


def team_capacity_days(session: Session, *, period: Period) -> float:
    """Return the team's capacity over the period in person-days (weekly hours x weeks)."""
    if period.team_id is None:
        return 0.0
    team = session.scalar(
        select(Team).where(Team.id == period.team_id).options(selectinload(Team.members))
    )
    if team is None:
        return 0.0
    weeks = ((period.ends_on - period.starts_on).days + 1) / 7
    hours = sum(member.weekly_capacity_hours for member in team.members if member.is_active)
    return round(hours * weeks / HOURS_PER_PERSON_DAY, 1)


def period_figures(session: Session, *, period: Period) -> TriageFigures:
    """Compute the figures of the requests that belong to a period."""
    objective_ids = [
        objective.id for objective in okrs.active_objectives(session, period_id=period.id)
    ]
    effort: dict[int, float] = dict.fromkeys(objective_ids, 0.0)
    if objective_ids:
        rows = session.execute(
            select(Request.objective_id, func.sum(Request.effort_days))
            .where(Request.state == RequestState.accepted, Request.objective_id.in_(objective_ids))
            .group_by(Request.objective_id)
        )
        for objective_id, days in rows:
            if objective_id is not None:
                effort[objective_id] = float(days or 0)
    accepted = sum(effort.values())
    capacity = team_capacity_days(session, period=period)
    in_period = (
        Request.created_at >= _start_of(period.starts_on),
        Request.created_at < _start_of(date.fromordinal(period.ends_on.toordinal() + 1)),
    )
    states = dict(
        session.execute(
            select(Request.state, func.count()).where(*in_period).group_by(Request.state)
        ).all()
    )
    decided = sum(int(states.get(state, 0)) for state in RequestState if state != RequestState.new)
    departments = session.execute(
        select(Request.department, func.count())
        .where(*in_period)
        .group_by(Request.department)
        .order_by(func.count().desc(), Request.department)
    ).all()
    return TriageFigures(
        effort_by_objective=effort,
        accepted_effort=accepted,
        capacity_days=capacity,
        over_capacity=capacity > 0 and accepted > capacity,
        decided=decided,
        parked_rate=int(states.get(RequestState.parked, 0)) / decided if decided else 0.0,
        declined_rate=int(states.get(RequestState.declined, 0)) / decided if decided else 0.0,
        by_department=[(str(name), int(count)) for name, count in departments],
    )


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def suggestions_for(
    session: Session,
    *,
    request: Request,
    today: date,
    objectives: list[Objective] | None = None,
) -> SuggestionResult:
    """Rank the current objectives by how well the request's text matches them.

    A page listing many requests loads ``objectives`` once and passes them in.
    """
    if objectives is None:
        objectives = okrs.current_objectives(session, today=today)
    texts = [
        ObjectiveText(
            objective_id=objective.id,
            title=objective.title,
            text="\n".join(
                [objective.title, objective.description]
                + [kr.title for kr in objective.key_results if not kr.is_archived]
            ),
        )
        for objective in objectives
    ]
    return rank_objectives(f"{request.title}\n{request.description}", texts)


def capacity_people(session: Session, *, period: Period) -> list[tuple[int, str, float]]:
    """Return the team's people and weekly hours, for the capacity form."""
    marketing = workspace.get_team(session, team_id=period.team_id) if period.team_id else None
    if marketing is None:
        return []
    return [(m.id, m.name, m.weekly_capacity_hours) for m in marketing.members if m.is_active]
