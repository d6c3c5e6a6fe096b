"""Pages of OKR periods: creating, closing with grades, the printable report, CSV, capacity."""

from __future__ import annotations

from typing import Any

from fastapi import Depends, Request, UploadFile
from fastapi.responses import Response
from sqlalchemy.orm import Session

from propulse.kit.charts import Bar, Series, bar_chart, line_chart
from propulse.kit.errors import InvalidInput
from propulse.kit.forms import errors_by_field, validate
from propulse.kit.i18n import format_date, lazy_gettext
from propulse.kit.i18n import gettext as _
from propulse.okrs import closing, csv_io, service
from propulse.okrs.board import PeriodBoard, build_board
from propulse.okrs.models import Period
from propulse.okrs.progress import key_result_progress
from propulse.okrs.schemas import LimitsUpdate, PeriodCreate
from propulse.okrs.views import board_context, status_label, today
from propulse.triage import figures
from propulse.web import current_user, flash, get_db, html_router, redirect, render, require_role
from propulse.workspace import service as workspace
from propulse.workspace.models import Role, User

router = html_router()


@router.get("/okrs/periods/new")
def new_period_page(
    request: Request, session: Session = Depends(get_db), user: User = Depends(current_user)
) -> Response:
    context = {"teams": workspace.list_teams(session), "values": {}, "errors": {}}
    return render(request, "okrs/period_form.html", context)


@router.post("/okrs/periods/new")
async def create_period(
    request: Request, session: Session = Depends(get_db), user: User = Depends(current_user)
) -> Response:
    form = await request.form()
    values: dict[str, Any] = {
        "name": form.get("name", ""),
        "starts_on": form.get("starts_on") or None,
        "ends_on": form.get("ends_on") or None,
        "team_id": form.get("team_id") or None,
        "company": form.get("team_id") == "company",
    }
    if values["company"]:
        values["team_id"] = None
    try:
        data = validate(PeriodCreate, values)
        existing = service.find_period(
            session,
            name=data.name,
            team_id=None
            if data.company
            else (data.team_id or workspace.marketing_team(session).id),
        )
        if existing is not None:
            raise InvalidInput.on_field("name", _("This team has a period of that name already."))
        period = service.ensure_period(
            session,
            actor=user,
            name=data.name,
            team_id=data.team_id,
            company=data.company,
            starts_on=data.starts_on,
            ends_on=data.ends_on,
        )
    except InvalidInput as error:
        context = {
            "teams": workspace.list_teams(session),
            "values": values,
            "errors": errors_by_field(error.problems),
        }
        return render(request, "okrs/period_form.html", context, status_code=422)
    session.commit()
    flash(request, _("The period %(name)s is created.", name=period.name))
    return redirect(f"/okrs?period={period.id}")


@router.get("/okrs/periods/{period_id}/close")
def close_page(
    request: Request,
    period_id: int,
    session: Session = Depends(get_db),
    user: User = Depends(current_user),
) -> Response:
    period = service.get_period(session, period_id=period_id)
    board = build_board(session, period=period, today=today())
    return render(
        request, "okrs/close.html", {"board": board, "period": period, "status_label": status_label}
    )


@router.post("/okrs/periods/{period_id}/grades")
async def save_grades(
    request: Request,
    period_id: int,
    session: Session = Depends(get_db),
    user: User = Depends(current_user),
) -> Response:
    form = await request.form()
    for key, value in form.items():
        if not key.startswith("grade_") or not isinstance(value, str):
            continue
        key_result_id = int(key.removeprefix("grade_"))
        text = value.strip().replace(",", ".")
        try:
            grade = float(text) if text else None
        except ValueError as exc:
            raise InvalidInput.on_field(key, _("A grade goes from 0.0 to 1.0.")) from exc
        closing.set_grade(session, actor=user, key_result_id=key_result_id, grade=grade)
    session.commit()
    flash(request, _("The grades are saved."))
    return redirect(f"/okrs/periods/{period_id}/close")


@router.post("/okrs/periods/{period_id}/close")
async def close_period(
    request: Request,
    period_id: int,
    session: Session = Depends(get_db),
    user: User = Depends(current_user),
) -> Response:
    form = await request.form()
    carry = [
        int(value) for value in form.getlist("carry") if isinstance(value, str) and value.isdigit()
    ]
    period, _following = closing.close_period(
        session, actor=user, period_id=period_id, carry=carry, today=today()
    )
    session.commit()
    flash(request, _("%(name)s is closed.", name=period.name))
    return redirect(f"/okrs/periods/{period.id}/report")


def progress_chart(board: PeriodBoard, index: int) -> Any:
    """Draw the progress of an objective's key results over the period, against the pace."""
    view = board.objectives[index]
    period = board.period
    series = []
    for kr_view in view.key_results:
        kr = kr_view.key_result
        points = [(period.starts_on, 0.0)]
        for entry in kr_view.history:
            progress = key_result_progress(
                direction=kr.direction,
                start=kr.start_value,
                target=kr.target_value,
                current=entry.value,
            )
            points.append((entry.checked_on, round(progress * 100, 1)))
        series.append(Series(label=kr.title, points=points))
    return line_chart(
        title=view.objective.title,
        description=_(
            "Progress of each key result of %(title)s, in percent", title=view.objective.title
        ),
        series=series,
        x_start=period.starts_on,
        x_end=period.ends_on,
        y_min=0,
        y_max=100,
        target=100,
        target_label=_("target"),
        expected_line=((period.starts_on, 0.0), (period.ends_on, 100.0)),
        expected_label=_("expected pace"),
        y_format=lambda value: f"{value:.0f} %",
        x_format=lambda day: format_date(day, "short"),
        empty_text=_("No check-in yet"),
    )


def effort_chart(session: Session, period: Period, board: PeriodBoard) -> Any:
    data = figures.period_figures(session, period=period)
    bars = [
        Bar(label=view.objective.title, value=data.effort_by_objective.get(view.objective.id, 0.0))
        for view in board.objectives
    ]
    bars.append(Bar(label=_("All objectives"), value=data.accepted_effort, css_class="chart-total"))
    return bar_chart(
        title=_("Accepted effort per objective (person-days)"),
        description=_("Effort of the accepted requests against the team's capacity"),
        bars=bars,
        limit=data.capacity_days or None,
        limit_label=_("capacity"),
    )


@router.get("/okrs/periods/{period_id}/report")
def report_page(
    request: Request,
    period_id: int,
    session: Session = Depends(get_db),
    user: User = Depends(current_user),
) -> Response:
    period = service.get_period(session, period_id=period_id)
    board = build_board(session, period=period, today=today())
    context = {
        "board": board,
        "period": period,
        "charts": [progress_chart(board, index) for index in range(len(board.objectives))],
        "effort_chart": effort_chart(session, period, board),
        "figures": figures.period_figures(session, period=period),
        "status_label": status_label,
    }
    return render(request, "okrs/report.html", context)


@router.get("/okrs/periods/{period_id}/export.csv")
def export_csv(
    period_id: int, session: Session = Depends(get_db), user: User = Depends(current_user)
) -> Response:
    period = service.get_period(session, period_id=period_id)
    content = csv_io.export_period(session, period_id=period.id)
    filename = f"okrs-{period.name.replace(' ', '-')}.csv"
    return Response(
        content="\ufeff" + content,  # a BOM, so spreadsheet programs read UTF-8
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.post("/okrs/periods/{period_id}/import")
async def import_csv(
    request: Request,
    period_id: int,
    file: UploadFile,
    session: Session = Depends(get_db),
    user: User = Depends(current_user),
) -> Response:
    period = service.get_period(session, period_id=period_id)
    content = await file.read(csv_io.MAX_IMPORT_BYTES + 1)
    try:
        created = csv_io.import_period(session, actor=user, period_id=period.id, content=content)
    except (InvalidInput, service.LimitReached) as error:
        session.rollback()
        problems = getattr(error, "problems", [])
        context = board_context(
            session, period, import_error=error.message, import_problems=problems
        )
        return render(request, "okrs/board.html", context, status_code=error.status_code)
    session.commit()
    flash(request, _("%(count)s key results imported.", count=created))
    return redirect(f"/okrs?period={period.id}")


@router.post("/okrs/periods/{period_id}/capacity")
async def save_capacity(
    request: Request,
    period_id: int,
    session: Session = Depends(get_db),
    user: User = Depends(current_user),
) -> Response:
    form = await request.form()
    for key, value in form.items():
        if key.startswith("capacity_") and isinstance(value, str):
            try:
                hours = float(value.replace(",", "."))
            except ValueError as exc:
                raise InvalidInput.on_field(key, _("Enter a number of hours.")) from exc
            workspace.set_weekly_capacity(
                session, actor=user, user_id=int(key.removeprefix("capacity_")), hours=hours
            )
    session.commit()
    flash(request, _("The team's capacity is saved."))
    return redirect(f"/okrs?period={period_id}#figures")


@router.get("/okrs/limits")
def limits_page(
    request: Request,
    session: Session = Depends(get_db),
    user: User = Depends(require_role(Role.admin, lazy_gettext("change the OKR limits"))),
) -> Response:
    limits = service.get_limits(session)
    return render(request, "okrs/limits.html", {"limits": limits, "errors": {}})


@router.post("/okrs/limits")
async def save_limits(
    request: Request,
    session: Session = Depends(get_db),
    user: User = Depends(current_user),
) -> Response:
    form = await request.form()
    values = {key: form.get(key) for key in ("max_objectives", "max_key_results")}
    try:
        service.set_limits(session, actor=user, data=validate(LimitsUpdate, values))
    except InvalidInput as error:
        context = {"limits": values, "errors": errors_by_field(error.problems)}
        return render(request, "okrs/limits.html", context, status_code=422)
    session.commit()
    flash(request, _("The OKR limits are saved."))
    return redirect("/okrs/limits")
