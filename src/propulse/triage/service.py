"""Requests and their triage: every acceptance serves a current objective, every move recorded."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, selectinload

from propulse.audit import service as audit
from propulse.db import utcnow
from propulse.kit.errors import Conflict, InvalidInput, NotFound
from propulse.kit.i18n import format_date, use_locale
from propulse.kit.i18n import gettext as _
from propulse.kit.pagination import SortKey, paginate
from propulse.notifications import service as notifications
from propulse.okrs import service as okrs
from propulse.triage.models import Request, RequestState, RequestTransition
from propulse.triage.schemas import RequestCreate, TriageDecision
from propulse.workspace import service as workspace
from propulse.workspace.models import Role, User
from propulse.workspace.permissions import ensure_role

ACTION_TARGET = {
    "accept": RequestState.accepted,
    "park": RequestState.parked,
    "decline": RequestState.declined,
    "duplicate": RequestState.duplicate,
    "reopen": RequestState.new,
}

# Which moves are possible from each state; anything else is refused with the reason.
ALLOWED_MOVES: dict[RequestState, frozenset[RequestState]] = {
    RequestState.new: frozenset(
        {RequestState.accepted, RequestState.parked, RequestState.declined, RequestState.duplicate}
    ),
    RequestState.parked: frozenset(
        {RequestState.new, RequestState.accepted, RequestState.declined, RequestState.duplicate}
    ),
    RequestState.accepted: frozenset({RequestState.parked, RequestState.declined}),
    RequestState.declined: frozenset({RequestState.new}),
    RequestState.duplicate: frozenset({RequestState.new}),
}


def state_label(state: str) -> str:
    labels = {
        "new": _("new"),
        "accepted": _("accepted"),
        "parked": _("parked"),
        "declined": _("declined"),
        "duplicate": _("duplicate"),
    }
    return labels.get(state, state)


def submit(session: Session, *, actor: User, data: RequestCreate) -> Request:
    """Record a request; anyone signed in may submit one, viewers included."""
    ensure_role(actor, Role.viewer, action=_("submit requests"))
    requester_id = actor.id
    if data.requester_id is not None and data.requester_id != actor.id:
        ensure_role(actor, Role.manager, action=_("submit requests for someone else"))
        requester_id = workspace.get_user(session, user_id=data.requester_id).id
    request = Request(
        **data.model_dump(exclude={"requester_id"}),
        requester_id=requester_id,
        state=RequestState.new,
    )
    request.department = data.department.strip()
    session.add(request)
    session.flush()
    session.add(
        RequestTransition(
            request_id=request.id, from_state=None, to_state=RequestState.new, actor_id=actor.id
        )
    )
    audit.record(
        session,
        actor=actor,
        action="created",
        object_type="request",
        object_id=request.id,
        summary=f"request {request.title!r} from {request.department}",
    )
    session.flush()
    return request


def get_request(session: Session, *, request_id: int) -> Request:
    request = session.scalar(
        select(Request).where(Request.id == request_id).options(selectinload(Request.transitions))
    )
    if request is None:
        raise NotFound(_("This request does not exist."))
    return request


def _filtered(
    *,
    state: str | None = None,
    department: str | None = None,
    objective_id: int | None = None,
    requester_id: int | None = None,
) -> Select[Any]:
    statement: Select[Any] = select(Request)
    if state:
        statement = statement.where(Request.state == state)
    if department:
        statement = statement.where(Request.department == department)
    if objective_id:
        statement = statement.where(Request.objective_id == objective_id)
    if requester_id:
        statement = statement.where(Request.requester_id == requester_id)
    return statement


def list_requests(
    session: Session,
    *,
    state: str | None = None,
    department: str | None = None,
    objective_id: int | None = None,
    requester_id: int | None = None,
    cursor: str | None = None,
    limit: int | None = None,
) -> tuple[list[Request], str | None]:
    """Return requests oldest first (the queue order), filtered, one page at a time."""
    if state and state not in RequestState.__members__:
        raise InvalidInput.on_field("state", _("Unknown state: %(state)s.", state=state))
    statement = _filtered(
        state=state, department=department, objective_id=objective_id, requester_id=requester_id
    )
    return paginate(session, statement, keys=[SortKey(Request.id)], cursor=cursor, limit=limit)


def counts_by_state(session: Session, **filters: Any) -> dict[str, int]:
    """Count requests per state under the same filters as the queue (except the state)."""
    filters.pop("state", None)
    statement = (
        _filtered(**filters).with_only_columns(Request.state, func.count()).group_by(Request.state)
    )
    found = {str(state): int(count) for state, count in session.execute(statement)}
    return {state.value: found.get(state.value, 0) for state in RequestState}


def departments(session: Session) -> list[str]:
    return list(session.scalars(select(Request.department).distinct().order_by(Request.department)))


def _check_move(request: Request, target: RequestState) -> None:
    if target not in ALLOWED_MOVES[RequestState(request.state)]:
        raise Conflict(
            _(
                "A request that is %(current)s cannot become %(target)s.",
                current=state_label(request.state),
                target=state_label(target),
            )
        )


def _resolve_objective(
    session: Session, *, decision: TriageDecision, today: date
) -> tuple[int, int | None]:
    """Return the (objective, key result) an acceptance serves; both must be current."""
    current = {
        objective.id: objective for objective in okrs.current_objectives(session, today=today)
    }
    if decision.key_result_id is not None:
        key_result = okrs.get_key_result(session, key_result_id=decision.key_result_id)
        if key_result.objective_id not in current or key_result.is_archived:
            raise InvalidInput.on_field(
                "key_result_id", _("This key result does not belong to a current objective.")
            )
        if decision.objective_id not in (None, key_result.objective_id):
            raise InvalidInput.on_field(
                "key_result_id", _("This key result belongs to another objective.")
            )
        return key_result.objective_id, key_result.id
    if decision.objective_id is None:
        raise InvalidInput.on_field(
            "objective_id",
            _(
                "To accept a request, say which current objective or key result it serves. "
                "If it serves none, park it or decline it."
            ),
        )
    if decision.objective_id not in current:
        raise InvalidInput.on_field("objective_id", _("This objective is not a current objective."))
    return decision.objective_id, None


def triage(
    session: Session, *, actor: User, request_id: int, decision: TriageDecision, today: date
) -> Request:
    """Move a request to accepted, parked, declined, duplicate or back to new."""
    ensure_role(actor, Role.manager, action=_("triage requests"))
    request = get_request(session, request_id=request_id)
    workspace.check_version(request, decision.version)
    target = ACTION_TARGET[decision.action]
    _check_move(request, target)
    reason = decision.reason.strip()
    details: dict[str, Any] = {}
    objective_id: int | None = None
    key_result_id: int | None = None
    if target == RequestState.accepted:
        objective_id, key_result_id = _resolve_objective(session, decision=decision, today=today)
        details = {"objective_id": objective_id, "key_result_id": key_result_id}
    elif target == RequestState.parked:
        if not reason:
            raise InvalidInput.on_field("reason", _("Say why the request is parked."))
        if decision.until is None or decision.until <= today:
            raise InvalidInput.on_field(
                "until", _("Give a date in the future to look at it again.")
            )
        details = {"until": decision.until.isoformat()}
    elif target == RequestState.declined:
        if not reason:
            raise InvalidInput.on_field(
                "reason", _("Say why the request is declined: the requester will read it.")
            )
    elif target == RequestState.duplicate:
        original = _check_original(session, request=request, original_id=decision.duplicate_of_id)
        details = {"duplicate_of_id": original.id}
    # The state itself, not the last loaded transition: that list may be stale in a session
    # that triages the same request twice.
    previous = request.state
    _apply_state(request, target, decision, reason, objective_id, key_result_id)
    request.decided_by_id = actor.id
    request.decided_at = utcnow()
    transition = RequestTransition(
        request_id=request.id,
        from_state=previous,
        to_state=target,
        actor_id=actor.id,
        reason=reason,
        details=details,
    )
    session.add(transition)
    request.transitions.append(transition)
    audit.record(
        session,
        actor=actor,
        action=f"triaged_{target}",
        object_type="request",
        object_id=request.id,
        summary=f"request {request.title!r} {target}" + (f": {reason}" if reason else ""),
        details=details,
    )
    session.flush()
    # Only the foreign keys changed: load what the request now serves (and who decided),
    # or the notification and the pages would show the objects from before the decision.
    session.expire(request, ["objective", "key_result", "decided_by"])
    _tell_requester(session, request=request, actor=actor)
    return request


def _check_original(session: Session, *, request: Request, original_id: int | None) -> Request:
    if original_id is None:
        raise InvalidInput.on_field("duplicate_of_id", _("Name the original request."))
    original = session.get(Request, original_id)
    if original is None:
        raise InvalidInput.on_field("duplicate_of_id", _("This request does not exist."))
    if original.id == request.id or original.duplicate_of_id == request.id:
        raise InvalidInput.on_field(
            "duplicate_of_id", _("A request cannot duplicate itself or its own duplicate.")
        )
    return original


def _apply_state(
    request: Request,
    target: RequestState,
    decision: TriageDecision,
    reason: str,
    objective_id: int | None,
    key_result_id: int | None,
) -> None:
    request.state = target
    request.objective_id = objective_id
    request.key_result_id = key_result_id
    request.parked_reason = reason if target == RequestState.parked else None
    request.parked_until = decision.until if target == RequestState.parked else None
    request.declined_reason = reason if target == RequestState.declined else None
    request.duplicate_of_id = decision.duplicate_of_id if target == RequestState.duplicate else None


def _tell_requester(session: Session, *, request: Request, actor: User) -> None:
    """Notify the requester of the decision, in their language, in the app and by e-mail."""
    requester = request.requester
    if requester.id == actor.id:
        return
    language = requester.ui_language or workspace.get_workspace(session).language
    with use_locale(language):
        title = _(
            "Your request %(title)s is %(state)s",
            title=request.title,
            state=state_label(request.state),
        )
        body = {
            RequestState.accepted: _(
                "It serves the objective: %(objective)s.",
                objective=request.objective.title if request.objective else "",
            ),
            RequestState.parked: _(
                "Parked until %(date)s: %(reason)s",
                date=format_date(request.parked_until, "long"),
                reason=request.parked_reason or "",
            ),
            RequestState.declined: _("Why: %(reason)s", reason=request.declined_reason or ""),
            RequestState.duplicate: _(
                "It repeats request #%(id)s, which follows its course.",
                id=request.duplicate_of_id,
            ),
            RequestState.new: _("It is back in the queue."),
        }[RequestState(request.state)]
    notifications.notify(
        session, user=requester, title=title, body=body, link=f"/requests/{request.id}"
    )


def requeue_parked(session: Session, *, today: date) -> list[int]:
    """Put back in the queue the parked requests whose date to look again has come."""
    due = list(
        session.scalars(
            select(Request)
            .where(Request.state == RequestState.parked, Request.parked_until <= today)
            .options(selectinload(Request.transitions))
        )
    )
    for request in due:
        reason = request.parked_reason or ""
        request.state = RequestState.new
        request.parked_until = None
        request.parked_reason = None
        session.add(
            RequestTransition(
                request_id=request.id,
                from_state=RequestState.parked,
                to_state=RequestState.new,
                actor_id=None,
                reason=_("The date to look again has come."),
                details={"parked_reason": reason},
            )
        )
    if due:
        audit.record(
            session,
            actor=None,
            action="requeued",
            object_type="request",
            object_id=None,
            summary=f"{len(due)} parked request(s) back in the queue",
            details={"ids": [request.id for request in due]},
        )
    session.flush()
    return [request.id for request in due]
