"""API of OKRs: periods, objectives, key results and check-ins (the same rules as the pages)."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel
from sqlalchemy.orm import Session

from propulse.kit.pagination import Page
from propulse.okrs import closing, service
from propulse.okrs.board import ObjectiveView, build_board
from propulse.okrs.models import CheckIn, Objective
from propulse.okrs.schemas import (
    CheckInCreate,
    CheckInOut,
    KeyResultCreate,
    KeyResultOut,
    KeyResultUpdate,
    ObjectiveCreate,
    ObjectiveOut,
    ObjectiveUpdate,
    PeriodCreate,
    PeriodOut,
)
from propulse.web import get_db
from propulse.workspace.models import User

router = APIRouter(tags=["okrs"])


def today() -> date:
    """Return today's date (one place, so tests can move the clock)."""
    return date.today()


def _user(request: Request) -> User:
    user: User = request.state.user
    return user


class PeriodDetail(PeriodOut):
    objectives: list[ObjectiveOut]


class ObjectiveIn(ObjectiveCreate):
    period_id: int


class KeyResultIn(KeyResultCreate):
    objective_id: int


class CloseIn(BaseModel):
    carry: list[int] = []


class GradeIn(BaseModel):
    grade: float | None


def objective_out(view: ObjectiveView) -> ObjectiveOut:
    out = ObjectiveOut.model_validate(view.objective)
    out.progress = round(view.progress, 4)
    out.health = view.status.value
    out.key_results = []
    for kr_view in view.key_results:
        kr_out = KeyResultOut.model_validate(kr_view.key_result)
        kr_out.progress = round(kr_view.progress, 4)
        out.key_results.append(kr_out)
    return out


def _objective_with_progress(session: Session, objective: Objective) -> ObjectiveOut:
    board = build_board(session, period=objective.period, today=today())
    for view in board.objectives:
        if view.objective.id == objective.id:
            return objective_out(view)
    return ObjectiveOut.model_validate(objective)  # archived or closed: no live progress


@router.get("/periods", response_model=Page[PeriodOut])
def list_periods(team_id: int | None = None, session: Session = Depends(get_db)) -> Page[PeriodOut]:
    """Return the periods, newest first (a workspace has few: one page)."""
    periods = service.list_periods(session, team_id=team_id)
    return Page(items=[PeriodOut.model_validate(p) for p in periods], next_cursor=None)


@router.post("/periods", response_model=PeriodOut, status_code=201)
def create_period(
    request: Request, data: PeriodCreate, session: Session = Depends(get_db)
) -> object:
    period = service.ensure_period(
        session,
        actor=_user(request),
        name=data.name,
        team_id=data.team_id,
        company=data.company,
        starts_on=data.starts_on,
        ends_on=data.ends_on,
    )
    session.commit()
    return period


@router.get("/periods/{period_id}", response_model=PeriodDetail)
def read_period(period_id: int, session: Session = Depends(get_db)) -> PeriodDetail:
    """Return a period with its active objectives, key results and progress."""
    period = service.get_period(session, period_id=period_id)
    board = build_board(session, period=period, today=today())
    return PeriodDetail(
        **PeriodOut.model_validate(period).model_dump(),
        objectives=[objective_out(view) for view in board.objectives],
    )


@router.post("/periods/{period_id}/close", response_model=PeriodOut)
def close_period(
    request: Request, period_id: int, data: CloseIn, session: Session = Depends(get_db)
) -> object:
    """Grade, carry over the listed objectives into the next period, close the others."""
    period, _following = closing.close_period(
        session, actor=_user(request), period_id=period_id, carry=data.carry, today=today()
    )
    session.commit()
    return period


@router.get("/objectives", response_model=Page[ObjectiveOut])
def list_objectives(period_id: int, session: Session = Depends(get_db)) -> Page[ObjectiveOut]:
    """Return a period's active objectives (at most three: one page)."""
    period = service.get_period(session, period_id=period_id)
    board = build_board(session, period=period, today=today())
    return Page(items=[objective_out(view) for view in board.objectives], next_cursor=None)


@router.post("/objectives", response_model=ObjectiveOut, status_code=201)
def create_objective(
    request: Request, data: ObjectiveIn, session: Session = Depends(get_db)
) -> ObjectiveOut:
    """Add an objective; the one over the limit is refused with 409 and the way out."""
    objective = service.create_objective(
        session,
        actor=_user(request),
        period_id=data.period_id,
        data=ObjectiveCreate.model_validate(data.model_dump(exclude={"period_id"})),
    )
    session.commit()
    return _objective_with_progress(session, objective)


@router.get("/objectives/{objective_id}", response_model=ObjectiveOut)
def read_objective(objective_id: int, session: Session = Depends(get_db)) -> ObjectiveOut:
    return _objective_with_progress(
        session, service.get_objective(session, objective_id=objective_id)
    )


@router.put("/objectives/{objective_id}", response_model=ObjectiveOut)
def update_objective(
    request: Request, objective_id: int, data: ObjectiveUpdate, session: Session = Depends(get_db)
) -> ObjectiveOut:
    objective = service.update_objective(
        session, actor=_user(request), objective_id=objective_id, data=data
    )
    session.commit()
    return _objective_with_progress(session, objective)


@router.post("/objectives/{objective_id}/archive", response_model=ObjectiveOut)
def archive_objective(
    request: Request, objective_id: int, session: Session = Depends(get_db)
) -> ObjectiveOut:
    objective = service.archive_objective(session, actor=_user(request), objective_id=objective_id)
    session.commit()
    return ObjectiveOut.model_validate(objective)


@router.post("/key-results", response_model=KeyResultOut, status_code=201)
def create_key_result(
    request: Request, data: KeyResultIn, session: Session = Depends(get_db)
) -> object:
    key_result = service.add_key_result(
        session,
        actor=_user(request),
        objective_id=data.objective_id,
        data=KeyResultCreate.model_validate(data.model_dump(exclude={"objective_id"})),
    )
    session.commit()
    return key_result


@router.get("/key-results/{key_result_id}", response_model=KeyResultOut)
def read_key_result(key_result_id: int, session: Session = Depends(get_db)) -> object:
    return service.get_key_result(session, key_result_id=key_result_id)


@router.put("/key-results/{key_result_id}", response_model=KeyResultOut)
def update_key_result(
    request: Request, key_result_id: int, data: KeyResultUpdate, session: Session = Depends(get_db)
) -> object:
    key_result = service.update_key_result(
        session, actor=_user(request), key_result_id=key_result_id, data=data
    )
    session.commit()
    return key_result


@router.post("/key-results/{key_result_id}/grade", response_model=KeyResultOut)
def grade_key_result(
    request: Request, key_result_id: int, data: GradeIn, session: Session = Depends(get_db)
) -> object:
    """Set a grade before the period closes (null goes back to the suggested one)."""
    key_result = closing.set_grade(
        session, actor=_user(request), key_result_id=key_result_id, grade=data.grade
    )
    session.commit()
    return key_result


@router.get("/key-results/{key_result_id}/check-ins", response_model=Page[CheckInOut])
def list_check_ins(key_result_id: int, session: Session = Depends(get_db)) -> Page[CheckInOut]:
    """Return a key result's check-ins, oldest first (a quarter holds a few dozen: one page)."""
    service.get_key_result(session, key_result_id=key_result_id)
    entries = service.check_ins(session, key_result_id=key_result_id)
    return Page(items=[CheckInOut.model_validate(e) for e in entries], next_cursor=None)


@router.post("/key-results/{key_result_id}/check-ins", response_model=CheckInOut, status_code=201)
def create_check_in(
    request: Request, key_result_id: int, data: CheckInCreate, session: Session = Depends(get_db)
) -> CheckIn:
    entry = service.check_in(
        session, actor=_user(request), key_result_id=key_result_id, data=data, today=today()
    )
    session.commit()
    return entry
