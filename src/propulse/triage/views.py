"""Pages of requests: submit, my requests, the triage queue, a request with its suggestions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

from fastapi import Depends, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from propulse.kit.errors import InvalidInput, NotFound
from propulse.kit.forms import errors_by_field, validate
from propulse.kit.i18n import gettext as _
from propulse.okrs import service as okrs
from propulse.okrs.models import Objective
from propulse.triage import figures, service
from propulse.triage.models import Request as TriageRequest
from propulse.triage.models import RequestState
from propulse.triage.schemas import RequestCreate, TriageDecision
from propulse.triage.suggest import Suggestion, SuggestionResult
from propulse.web import current_user, flash, get_db, html_router, redirect, render
from propulse.workspace import service as workspace
from propulse.workspace.models import Role, User
from propulse.workspace.permissions import has_role

router = html_router()

QUEUE_PAGE_SIZE = 25  # a triage session works through a page; each row ranks the objectives
MINE_PAGE_SIZE = 50
CREATE_FIELDS = ("title", "description", "department", "wished_on", "link", "requester_id")
SCORE_FIELDS = ("impact", "confidence", "ease", "effort_days")
DECISION_FIELDS = ("action", "objective_id", "key_result_id", "reason", "until", "version")


def today() -> date:
    """Return the day the pages work with (tests put their own)."""
    return date.today()


def _is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


@dataclass(frozen=True)
class Row:
    """A request as a line of the queue, with its best suggestion and its neighbours."""

    request: TriageRequest
    best: Suggestion | None
    serves_none: bool
    age_days: int
    moves: frozenset[RequestState]
    previous_id: int | None = None
    next_id: int | None = None


def _suggestions(
    session: Session, request: TriageRequest, objectives: list[Objective] | None = None
) -> SuggestionResult | None:
    """Rank the current objectives for a request that may still be accepted."""
    if RequestState.accepted not in service.ALLOWED_MOVES[RequestState(request.state)]:
        return None
    return figures.suggestions_for(session, request=request, today=today(), objectives=objectives)


def _row(
    session: Session,
    request: TriageRequest,
    previous_id: int | None = None,
    next_id: int | None = None,
    objectives: list[Objective] | None = None,
) -> Row:
    ranked = _suggestions(session, request, objectives)
    return Row(
        request=request,
        best=ranked.suggestions[0] if ranked and ranked.suggestions else None,
        serves_none=ranked.serves_none if ranked else False,
        age_days=max(0, (today() - request.created_at.date()).days),
        moves=service.ALLOWED_MOVES[RequestState(request.state)],
        previous_id=previous_id,
        next_id=next_id,
    )


def _current_objectives(session: Session) -> list[Objective]:
    return okrs.current_objectives(session, today=today())


def _number(value: str | None) -> int | None:
    return int(value) if value and value.strip().isdigit() else None


# Submitting a request


def _request_values(form: FormData) -> dict[str, Any]:
    """Read the submit form: empty optional fields are left out so the defaults apply."""
    values: dict[str, Any] = {}
    for key in CREATE_FIELDS + SCORE_FIELDS:
        raw = str(form.get(key, "")).strip() if key != "description" else str(form.get(key, ""))
        if raw != "":
            values[key] = raw
    values.setdefault("title", "")
    values.setdefault("department", "")
    return values


def _form_context(
    session: Session, user: User, values: dict[str, Any], errors: dict[str, str]
) -> dict[str, Any]:
    people = workspace.all_users(session) if has_role(user, Role.manager) else []
    return {
        "values": values,
        "errors": errors,
        "departments": service.departments(session),
        "people": [person for person in people if person.is_active],
    }


@router.get("/requests/new")
def new_request_page(
    request: Request, session: Session = Depends(get_db), user: User = Depends(current_user)
) -> Response:
    values = {"impact": 5, "confidence": 5, "ease": 5, "effort_days": 0}
    return render(request, "triage/new.html", _form_context(session, user, values, {}))


@router.post("/requests/new")
async def submit_request(
    request: Request, session: Session = Depends(get_db), user: User = Depends(current_user)
) -> Response:
    values = _request_values(await request.form())
    try:
        created = service.submit(session, actor=user, data=validate(RequestCreate, values))
    except InvalidInput as error:
        session.rollback()
        context = _form_context(session, user, values, errors_by_field(error.problems))
        return render(request, "triage/new.html", context, status_code=422)
    session.commit()
    flash(
        request,
        _(
            "Your request #%(id)s is recorded. The team will decide whether it serves "
            "a current objective; you will be told.",
            id=created.id,
        ),
    )
    return redirect(f"/requests/{created.id}")


# The queue and "my requests"


@router.get("/requests")
def requests_page(
    request: Request,
    state: str = RequestState.new.value,
    department: str = "",
    objective_id: str = "",
    mine: bool = False,
    cursor: str | None = None,
    session: Session = Depends(get_db),
    user: User = Depends(current_user),
) -> Response:
    """Show the triage queue to managers, and their own requests to everyone else."""
    if mine or not has_role(user, Role.manager):
        found, next_cursor = service.list_requests(
            session, requester_id=user.id, cursor=cursor, limit=MINE_PAGE_SIZE
        )
        mine_context: dict[str, Any] = {
            "requests": found,
            "next_cursor": next_cursor,
            "pager_base": "?mine=1&",
            "state_label": service.state_label,
        }
        return render(request, "triage/mine.html", mine_context)
    filters: dict[str, Any] = {
        "department": department.strip() or None,
        "objective_id": _number(objective_id),
    }
    found, next_cursor = service.list_requests(
        session, state=state, cursor=cursor, limit=QUEUE_PAGE_SIZE, **filters
    )
    ids = [item.id for item in found]
    objectives = _current_objectives(session)
    rows = [
        _row(
            session,
            item,
            previous_id=ids[index - 1] if index > 0 else None,
            next_id=ids[index + 1] if index + 1 < len(ids) else None,
            objectives=objectives,
        )
        for index, item in enumerate(found)
    ]
    query = {"state": state, "department": department, "objective_id": objective_id}
    kept = {key: value for key, value in query.items() if value}
    context: dict[str, Any] = {
        "rows": rows,
        "counts": service.counts_by_state(session, **filters),
        "state": state,
        "department": department,
        "objective_id": _number(objective_id),
        "departments": service.departments(session),
        "objectives": _current_objectives(session),
        "next_cursor": next_cursor,
        "pager_base": "?" + urlencode(kept) + "&",
        "filter_query": urlencode({k: v for k, v in kept.items() if k != "state"}),
        "states": list(RequestState),
        "state_label": service.state_label,
        "tomorrow": today() + timedelta(days=1),
    }
    return render(request, "triage/queue.html", context)


# One request


def _history_titles(session: Session, request: TriageRequest) -> dict[str, str]:
    """Name the objectives and key results the history mentions, by ``o<id>`` / ``k<id>``."""
    titles: dict[str, str] = {}
    for transition in request.transitions:
        objective_id = transition.details.get("objective_id")
        key_result_id = transition.details.get("key_result_id")
        try:
            if objective_id and f"o{objective_id}" not in titles:
                objective = okrs.get_objective(session, objective_id=int(objective_id))
                titles[f"o{objective_id}"] = objective.title
            if key_result_id and f"k{key_result_id}" not in titles:
                key_result = okrs.get_key_result(session, key_result_id=int(key_result_id))
                titles[f"k{key_result_id}"] = key_result.title
        except NotFound:
            continue
    return titles


def _detail_context(
    session: Session,
    user: User,
    request_id: int,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, Any] | None = None,
    failed_action: str | None = None,
) -> dict[str, Any]:
    item = service.get_request(session, request_id=request_id)
    may_triage = has_role(user, Role.manager)
    return {
        "item": item,
        "may_triage": may_triage,
        "ranked": _suggestions(session, item) if may_triage else None,
        "objectives": _current_objectives(session) if may_triage else [],
        "moves": service.ALLOWED_MOVES[RequestState(item.state)],
        "history_titles": _history_titles(session, item),
        "state_label": service.state_label,
        "errors": errors or {},
        "values": values or {},
        "failed_action": failed_action,
        "tomorrow": today() + timedelta(days=1),
    }


@router.get("/requests/{request_id}")
def request_page(
    request: Request,
    request_id: int,
    session: Session = Depends(get_db),
    user: User = Depends(current_user),
) -> Response:
    return render(request, "triage/detail.html", _detail_context(session, user, request_id))


def _decision_values(form: FormData) -> dict[str, Any]:
    """Read a triage form; ``serves`` is ``objective:<id>`` or ``key_result:<id>``."""
    raw = {key: str(form.get(key, "")).strip() for key in DECISION_FIELDS}
    raw["duplicate_of_id"] = str(form.get("duplicate_of_id", "")).strip().lstrip("#")
    kind, _separator, served_id = str(form.get("serves", "")).partition(":")
    if kind in ("objective", "key_result") and served_id:
        raw[f"{kind}_id"] = served_id
    return {key: value for key, value in raw.items() if value != ""}


@router.post("/requests/{request_id}/triage")
async def triage_request(
    request: Request,
    request_id: int,
    session: Session = Depends(get_db),
    user: User = Depends(current_user),
) -> Response:
    """Decide on a request: the page's forms post here, and the queue's rows through HTMX."""
    form = await request.form()
    values = _decision_values(form)
    try:
        decision = validate(TriageDecision, values)
        decided = service.triage(
            session, actor=user, request_id=request_id, decision=decision, today=today()
        )
    except InvalidInput as error:
        session.rollback()
        if _is_htmx(request):
            # The row stays as it was; the reason goes to #messages (errors_render).
            details = "; ".join(problem.message for problem in error.problems)
            raise InvalidInput(details or error.message, error.problems) from None
        context = _detail_context(
            session,
            user,
            request_id,
            errors=errors_by_field(error.problems),
            values=values,
            failed_action=str(values.get("action", "")),
        )
        return render(request, "triage/detail.html", context, status_code=422)
    session.commit()
    message = _(
        "Request #%(id)s is %(state)s.", id=decided.id, state=service.state_label(decided.state)
    )
    if _is_htmx(request):
        row = _row(
            session,
            decided,
            previous_id=_number(str(form.get("previous_id", ""))),
            next_id=_number(str(form.get("next_id", ""))),
        )
        context = {
            "row": row,
            "message": message,
            "objectives": _current_objectives(session),
            "state_label": service.state_label,
            "tomorrow": today() + timedelta(days=1),
        }
        return render(request, "triage/_row_swap.html", context)
    flash(request, message)
    back = str(form.get("next", ""))
    return redirect(back if back.startswith("/requests") else f"/requests/{decided.id}")
