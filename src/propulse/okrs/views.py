"""Pages of OKRs: the period board, objectives, key results and check-ins."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import Depends, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from propulse.kit.charts import Series, line_chart
from propulse.kit.errors import InvalidInput
from propulse.kit.forms import errors_by_field, validate
from propulse.kit.i18n import format_date
from propulse.kit.i18n import gettext as _
from propulse.okrs import service
from propulse.okrs.board import build_board
from propulse.okrs.models import Commitment, Direction, Period
from propulse.okrs.progress import quarter_name
from propulse.okrs.schemas import CheckInCreate, KeyResultCreate, KeyResultUpdate, ObjectiveCreate
from propulse.triage import figures
from propulse.web import current_user, flash, get_db, html_router, redirect, render
from propulse.workspace import service as workspace
from propulse.workspace.models import User

router = html_router()


def today() -> date:
    """Return today's date (one place, so tests can move the clock)."""
    return date.today()


def status_label(status: str) -> str:
    return {"on_track": _("on track"), "at_risk": _("at risk"), "off_track": _("off track")}[status]


def direction_labels() -> list[tuple[str, str]]:
    return [
        (Direction.increase.value, _("increase to the target")),
        (Direction.decrease.value, _("decrease to the target")),
        (Direction.above.value, _("stay above the target")),
        (Direction.below.value, _("stay below the target")),
    ]


def commitment_labels() -> list[tuple[str, str]]:
    return [
        (Commitment.committed.value, _("committed (success at 1.0)")),
        (Commitment.aspirational.value, _("aspirational (success at 0.7)")),
    ]


def board_context(
    session: Session, period: Period, *, errors: dict[str, str] | None = None, **extra: Any
) -> dict[str, Any]:
    """Gather what the board page shows: objectives, figures, the company's objectives."""
    board = build_board(session, period=period, today=today())
    company_objectives = [
        objective
        for company in service.current_periods(session, today=today())
        if company.is_company
        for objective in service.active_objectives(session, period_id=company.id)
    ]
    context: dict[str, Any] = {
        "board": board,
        "period": period,
        "periods": service.list_periods(session),
        "limits": service.get_limits(session),
        "figures": figures.period_figures(session, period=period),
        "capacity_people": figures.capacity_people(session, period=period),
        "people": workspace.all_users(session),
        "company_objectives": company_objectives,
        "errors": errors or {},
        "values": {},
        "status_label": status_label,
        "directions": direction_labels(),
        "commitments": commitment_labels(),
    }
    context.update(extra)
    return context


@router.get("/okrs")
def okrs_home(
    request: Request,
    period: int | None = None,
    session: Session = Depends(get_db),
    user: User = Depends(current_user),
) -> Response:
    chosen = (
        service.get_period(session, period_id=period)
        if period
        else service.default_period(session, today=today())
    )
    if chosen is None:
        return render(request, "okrs/empty.html", {"suggested_name": _suggested_name()})
    return render(request, "okrs/board.html", board_context(session, chosen))


def _suggested_name() -> str:
    return quarter_name(today())


def _objective_values(form: Any) -> dict[str, Any]:
    return {
        "title": form.get("title", ""),
        "description": form.get("description", ""),
        "owner_id": form.get("owner_id") or None,
        "serves_id": form.get("serves_id") or None,
    }


@router.post("/okrs/periods/{period_id}/objectives")
async def create_objective(
    request: Request,
    period_id: int,
    session: Session = Depends(get_db),
    user: User = Depends(current_user),
) -> Response:
    period = service.get_period(session, period_id=period_id)
    values = _objective_values(await request.form())
    try:
        service.create_objective(
            session, actor=user, period_id=period.id, data=validate(ObjectiveCreate, values)
        )
    except service.LimitReached as refusal:
        context = board_context(session, period, refusal=refusal.message, values=values)
        return render(request, "okrs/board.html", context, status_code=409)
    except InvalidInput as error:
        context = board_context(
            session, period, errors=errors_by_field(error.problems), values=values
        )
        return render(request, "okrs/board.html", context, status_code=422)
    session.commit()
    flash(request, _("The objective is added."))
    return redirect(f"/okrs?period={period.id}")


@router.post("/okrs/objectives/{objective_id}/archive")
def archive_objective(
    request: Request,
    objective_id: int,
    session: Session = Depends(get_db),
    user: User = Depends(current_user),
) -> Response:
    objective = service.archive_objective(session, actor=user, objective_id=objective_id)
    session.commit()
    flash(request, _("%(title)s is archived.", title=objective.title))
    return redirect(f"/okrs?period={objective.period_id}")


@router.post("/okrs/objectives/{objective_id}/replace")
async def replace_objective(
    request: Request,
    objective_id: int,
    session: Session = Depends(get_db),
    user: User = Depends(current_user),
) -> Response:
    values = _objective_values(await request.form())
    data = validate(ObjectiveCreate, values)
    new = service.replace_objective(session, actor=user, objective_id=objective_id, data=data)
    session.commit()
    flash(request, _("The objective is replaced by %(title)s.", title=new.title))
    return redirect(f"/okrs?period={new.period_id}")


def _key_result_values(form: Any) -> dict[str, Any]:
    return {
        "title": form.get("title", ""),
        "unit": form.get("unit", ""),
        "start_value": form.get("start_value", ""),
        "target_value": form.get("target_value", ""),
        "current_value": form.get("current_value") or None,
        "direction": form.get("direction", "increase"),
        "commitment": form.get("commitment", "committed"),
        "owner_id": form.get("owner_id") or None,
        "weight": form.get("weight") or 1,
        "version": form.get("version") or None,
    }


@router.post("/okrs/objectives/{objective_id}/key-results")
async def add_key_result(
    request: Request,
    objective_id: int,
    session: Session = Depends(get_db),
    user: User = Depends(current_user),
) -> Response:
    objective = service.get_objective(session, objective_id=objective_id)
    values = _key_result_values(await request.form())
    try:
        data = validate(KeyResultCreate, values)
        service.add_key_result(session, actor=user, objective_id=objective.id, data=data)
    except service.LimitReached as refusal:
        context = board_context(session, objective.period, refusal=refusal.message)
        return render(request, "okrs/board.html", context, status_code=409)
    except InvalidInput as error:
        context = board_context(
            session,
            objective.period,
            kr_errors=errors_by_field(error.problems),
            kr_values=values,
            kr_objective_id=objective.id,
        )
        return render(request, "okrs/board.html", context, status_code=422)
    session.commit()
    flash(request, _("The key result is added."))
    return redirect(f"/okrs?period={objective.period_id}#objective-{objective.id}")


def key_result_chart(view: Any, period: Period) -> Any:
    """Draw a key result's readings over the period, with its target and the expected pace."""
    kr = view.key_result
    points = [(entry.checked_on, entry.value) for entry in view.history]
    expected = None
    if kr.direction in (Direction.increase, Direction.decrease):
        expected = ((period.starts_on, kr.start_value), (period.ends_on, kr.target_value))
    return line_chart(
        title=kr.title,
        description=_("Check-ins of %(title)s over the period", title=kr.title),
        series=[Series(label=kr.title, points=[(period.starts_on, kr.start_value), *points])],
        x_start=period.starts_on,
        x_end=period.ends_on,
        target=kr.target_value,
        target_label=_("target"),
        expected_line=expected,
        expected_label=_("expected pace"),
        x_format=lambda day: format_date(day, "short"),
        empty_text=_("No check-in yet"),
    )


@router.get("/okrs/key-results/{key_result_id}")
def key_result_page(
    request: Request,
    key_result_id: int,
    session: Session = Depends(get_db),
    user: User = Depends(current_user),
) -> Response:
    return render(request, "okrs/key_result.html", _key_result_context(session, key_result_id))


def _key_result_context(session: Session, key_result_id: int, **extra: Any) -> dict[str, Any]:
    key_result = service.get_key_result(session, key_result_id=key_result_id)
    period = key_result.objective.period
    board = build_board(session, period=period, today=today())
    view = (
        next(
            kr_view
            for objective_view in board.objectives
            for kr_view in objective_view.key_results
            if kr_view.key_result.id == key_result.id
        )
        if not key_result.is_archived and key_result.objective.is_active
        else None
    )
    return {
        "key_result": key_result,
        "period": period,
        "view": view,
        "chart": key_result_chart(view, period) if view else None,
        "history": service.check_ins(session, key_result_id=key_result.id),
        "people": workspace.all_users(session),
        "directions": direction_labels(),
        "commitments": commitment_labels(),
        "status_label": status_label,
        "errors": {},
        "values": {},
        "edit_errors": {},
        "today": today(),
        **extra,
    }


@router.post("/okrs/key-results/{key_result_id}/check-ins")
async def add_check_in(
    request: Request,
    key_result_id: int,
    session: Session = Depends(get_db),
    user: User = Depends(current_user),
) -> Response:
    form = await request.form()
    values = {
        "value": str(form.get("value", "")).replace(",", "."),
        "confidence": form.get("confidence", ""),
        "comment": form.get("comment", ""),
        "checked_on": form.get("checked_on") or None,
    }
    try:
        data = validate(CheckInCreate, values)
        service.check_in(session, actor=user, key_result_id=key_result_id, data=data, today=today())
    except InvalidInput as error:
        session.rollback()
        context = _key_result_context(
            session, key_result_id, errors=errors_by_field(error.problems), values=values
        )
        return render(request, "okrs/key_result.html", context, status_code=422)
    session.commit()
    flash(request, _("Your check-in is recorded."))
    return redirect(f"/okrs/key-results/{key_result_id}")


@router.post("/okrs/key-results/{key_result_id}/edit")
async def edit_key_result(
    request: Request,
    key_result_id: int,
    session: Session = Depends(get_db),
    user: User = Depends(current_user),
) -> Response:
    values = _key_result_values(await request.form())
    try:
        data = validate(KeyResultUpdate, values)
        service.update_key_result(session, actor=user, key_result_id=key_result_id, data=data)
    except InvalidInput as error:
        session.rollback()
        context = _key_result_context(
            session, key_result_id, edit_errors=errors_by_field(error.problems), edit_values=values
        )
        return render(request, "okrs/key_result.html", context, status_code=422)
    session.commit()
    flash(request, _("The key result is saved."))
    return redirect(f"/okrs/key-results/{key_result_id}")


@router.post("/okrs/key-results/{key_result_id}/archive")
def archive_key_result(
    request: Request,
    key_result_id: int,
    session: Session = Depends(get_db),
    user: User = Depends(current_user),
) -> Response:
    key_result = service.archive_key_result(session, actor=user, key_result_id=key_result_id)
    session.commit()
    flash(request, _("%(title)s is archived.", title=key_result.title))
    return redirect(f"/okrs?period={key_result.objective.period_id}")
