"""Closing a period: grades from the last check-in (editable), carry-over as linked copies."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from sqlalchemy.orm import Session

from propulse.audit import service as audit
from propulse.db import utcnow
from propulse.kit.errors import Conflict, InvalidInput
from propulse.kit.i18n import gettext as _
from propulse.okrs import progress as math
from propulse.okrs import service
from propulse.okrs.board import build_board
from propulse.okrs.models import KeyResult, Objective, ObjectiveStatus, Period, PeriodStatus
from propulse.workspace.models import Role, User
from propulse.workspace.permissions import ensure_role


def set_grade(
    session: Session, *, actor: User, key_result_id: int, grade: float | None
) -> KeyResult:
    """Set a key result's grade before closing (None goes back to the suggested grade)."""
    ensure_role(actor, Role.manager, action=_("grade key results"))
    key_result = service.get_key_result(session, key_result_id=key_result_id)
    if key_result.objective.period.status == PeriodStatus.closed:
        raise Conflict(_("The period is closed: its grades are final."))
    if grade is not None and not 0.0 <= grade <= 1.0:
        raise InvalidInput.on_field("grade", _("A grade goes from 0.0 to 1.0."))
    key_result.grade = None if grade is None else round(grade, 2)
    session.flush()
    return key_result


def next_period(session: Session, *, actor: User, period: Period) -> Period:
    """Return the period after this one: the next quarter, or a period of the same length."""
    name = math.next_quarter_name(period.name)
    if name is not None:
        return service.ensure_period(
            session, actor=actor, name=name, team_id=period.team_id, company=period.is_company
        )
    length = period.ends_on - period.starts_on
    starts_on = period.ends_on + timedelta(days=1)
    return service.ensure_period(
        session,
        actor=actor,
        name=f"{period.name} +1",
        team_id=period.team_id,
        company=period.is_company,
        starts_on=starts_on,
        ends_on=starts_on + length,
    )


def close_period(
    session: Session, *, actor: User, period_id: int, carry: Iterable[int], today: date
) -> tuple[Period, Period | None]:
    """Grade every key result, copy the chosen objectives into the next period, close the rest."""
    ensure_role(actor, Role.manager, action=_("close OKR periods"))
    period = service.get_period(session, period_id=period_id)
    if period.status == PeriodStatus.closed:
        raise Conflict(_("The period %(name)s is closed already.", name=period.name))
    board = build_board(session, period=period, today=today)
    active_ids = {view.objective.id for view in board.objectives}
    carry_ids = set(carry)
    unknown = carry_ids - active_ids
    if unknown:
        raise InvalidInput.on_field(
            "carry", _("Only active objectives of this period can be carried over.")
        )
    following = next_period(session, actor=actor, period=period) if carry_ids else None
    if following is not None and following.status == PeriodStatus.closed:
        raise Conflict(_("The next period is closed: nothing can be carried into it."))
    for view in board.objectives:
        for kr_view in view.key_results:
            kr_view.key_result.grade = kr_view.grade
        if view.objective.id in carry_ids and following is not None:
            _carry_over(session, actor=actor, objective=view.objective, into=following)
            view.objective.status = ObjectiveStatus.carried_over
        else:
            view.objective.status = ObjectiveStatus.closed
    period.status = PeriodStatus.closed
    period.closed_at = utcnow()
    period.closed_by_id = actor.id
    audit.record(
        session,
        actor=actor,
        action="closed",
        object_type="okr_period",
        object_id=period.id,
        summary=f"closed {period.name}; carried over {len(carry_ids)} objective(s)",
        details={"carried": sorted(carry_ids)},
    )
    session.flush()
    return period, following


def _carry_over(session: Session, *, actor: User, objective: Objective, into: Period) -> Objective:
    """Copy an objective and its key results into the next period, linked to the original."""
    service.check_objective_limit(session, into)
    copy = Objective(
        period_id=into.id,
        level=objective.level,
        title=objective.title,
        description=objective.description,
        owner_id=objective.owner_id,
        serves_id=objective.serves_id,
        carried_from_id=objective.id,
        position=objective.position,
        key_results=[],
    )
    session.add(copy)
    session.flush()
    for kr in objective.key_results:
        if kr.is_archived:
            continue
        session.add(
            KeyResult(
                objective_id=copy.id,
                title=kr.title,
                unit=kr.unit,
                # The new period starts where this one ended.
                start_value=kr.current_value
                if kr.direction in ("increase", "decrease")
                else kr.start_value,
                target_value=kr.target_value,
                current_value=kr.current_value,
                direction=kr.direction,
                commitment=kr.commitment,
                owner_id=kr.owner_id,
                weight=kr.weight,
                position=kr.position,
            )
        )
    audit.record(
        session,
        actor=actor,
        action="carried_over",
        object_type="okr_objective",
        object_id=copy.id,
        summary=f"carried {objective.title!r} over into {into.name}",
    )
    return copy
