"""Request triage in the service: the moves, the rules of each decision, the history, the figures."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from itertools import product

import pytest
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from propulse import jobs
from propulse.kit.errors import Conflict, Forbidden, InvalidInput
from propulse.notifications import service as notifications
from propulse.okrs import closing
from propulse.okrs import service as okrs
from propulse.okrs.schemas import ObjectiveCreate
from propulse.triage import figures, service
from propulse.triage.models import Request, RequestState, RequestTransition
from propulse.triage.schemas import RequestCreate, TriageDecision
from propulse.workspace import service as workspace
from tests.support.factories import TODAY, make_quarter

NEXT_MONTH = TODAY + timedelta(days=30)


def submit(session, actor, title="Trade show in Munich", **fields):
    data = RequestCreate(title=title, department=fields.pop("department", "Sales"), **fields)
    return service.submit(session, actor=actor, data=data)


def decide(session, actor, request, action, **fields):
    return service.triage(
        session,
        actor=actor,
        request_id=request.id,
        decision=TriageDecision(action=action, **fields),
        today=TODAY,
    )


@pytest.fixture
def quarter(session, cast):
    period = make_quarter(session, cast)
    session.commit()
    return period


@pytest.fixture
def objectives(session, quarter):
    return okrs.active_objectives(session, period_id=quarter.id)


def valid_decision(state, objectives, original):
    """Return the fields of a valid decision that moves a request to ``state``."""
    return {
        RequestState.accepted: {"action": "accept", "objective_id": objectives[0].id},
        RequestState.parked: {"action": "park", "reason": "After the fair", "until": NEXT_MONTH},
        RequestState.declined: {"action": "decline", "reason": "Not our market"},
        RequestState.duplicate: {"action": "duplicate", "duplicate_of_id": original.id},
        RequestState.new: {"action": "reopen"},
    }[state]


def bring_to(session, cast, request, state, objectives, original):
    if state != RequestState.new:
        fields = valid_decision(state, objectives, original)
        decide(session, cast.manager, request, **fields)
    assert request.state == state


# Sorted: the moves are frozensets, whose order differs between processes (pytest-xdist).
ALLOWED = [
    (source, target)
    for source, targets in service.ALLOWED_MOVES.items()
    for target in sorted(targets)
]
REFUSED = [pair for pair in product(RequestState, RequestState) if pair not in ALLOWED]


@pytest.mark.parametrize(("source", "target"), ALLOWED, ids=lambda state: state.value)
def test_every_allowed_move_is_made_and_recorded(session, cast, objectives, source, target):
    original = submit(session, cast.intern, title="The original")
    request = submit(session, cast.salesperson)
    bring_to(session, cast, request, source, objectives, original)
    decided = decide(
        session, cast.cmo, request, **valid_decision(target, objectives, original), version=None
    )
    assert decided.state == target
    last = session.scalars(
        select(RequestTransition)
        .where(RequestTransition.request_id == request.id)
        .order_by(RequestTransition.id.desc())
    ).first()
    assert (last.from_state, last.to_state, last.actor_id) == (source, target, cast.cmo.id)


@pytest.mark.parametrize(("source", "target"), REFUSED, ids=lambda state: state.value)
def test_every_other_move_is_refused_and_changes_nothing(session, cast, objectives, source, target):
    original = submit(session, cast.intern, title="The original")
    request = submit(session, cast.salesperson)
    bring_to(session, cast, request, source, objectives, original)
    version = request.version
    with pytest.raises(Conflict, match="cannot become"):
        decide(session, cast.manager, request, **valid_decision(target, objectives, original))
    assert request.state == source and request.version == version


def test_accepting_needs_a_current_objective_or_key_result(session, cast, objectives):
    request = submit(session, cast.salesperson)
    with pytest.raises(InvalidInput) as refused:
        decide(session, cast.manager, request, "accept")
    assert refused.value.problems[0].field == "objective_id"
    assert "If it serves none, park it or decline it" in refused.value.message
    assert request.state == RequestState.new


def test_an_objective_of_a_past_period_is_refused(session, cast, objectives):
    past = okrs.ensure_period(session, actor=cast.cmo, name="2026-Q4")
    old = okrs.create_objective(
        session, actor=cast.manager, period_id=past.id, data=ObjectiveCreate(title="Old news")
    )
    request = submit(session, cast.salesperson)
    with pytest.raises(InvalidInput, match="not a current objective"):
        decide(session, cast.manager, request, "accept", objective_id=old.id)


def test_an_objective_of_a_closed_period_is_refused(session, cast, quarter, objectives):
    closing.close_period(session, actor=cast.cmo, period_id=quarter.id, carry=[], today=TODAY)
    request = submit(session, cast.salesperson)
    with pytest.raises(InvalidInput, match="not a current objective"):
        decide(session, cast.manager, request, "accept", objective_id=objectives[0].id)
    key_result = okrs.get_objective(session, objective_id=objectives[1].id).key_results[0]
    with pytest.raises(InvalidInput, match="does not belong to a current objective"):
        decide(session, cast.manager, request, "accept", key_result_id=key_result.id)


def test_a_key_result_sets_its_objective_too(session, cast, objectives):
    key_result = objectives[1].key_results[0]
    request = submit(session, cast.salesperson)
    decided = decide(session, cast.manager, request, "accept", key_result_id=key_result.id)
    assert decided.key_result_id == key_result.id
    assert decided.objective_id == objectives[1].id
    assert decided.objective.title == objectives[1].title
    other = submit(session, cast.salesperson, title="Another")
    with pytest.raises(InvalidInput, match="belongs to another objective"):
        decide(
            session,
            cast.manager,
            other,
            "accept",
            key_result_id=key_result.id,
            objective_id=objectives[0].id,
        )


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"until": NEXT_MONTH}, "reason"),
        ({"reason": "   ", "until": NEXT_MONTH}, "reason"),
        ({"reason": "Later"}, "until"),
        ({"reason": "Later", "until": TODAY}, "until"),
        ({"reason": "Later", "until": TODAY - timedelta(days=3)}, "until"),
    ],
)
def test_parking_needs_a_reason_and_a_future_date(session, cast, fields, field):
    request = submit(session, cast.salesperson)
    with pytest.raises(InvalidInput) as refused:
        decide(session, cast.manager, request, "park", **fields)
    assert refused.value.problems[0].field == field
    assert request.state == RequestState.new


def test_parking_keeps_the_reason_and_the_date(session, cast):
    request = submit(session, cast.salesperson)
    decide(session, cast.manager, request, "park", reason=" After the fair ", until=NEXT_MONTH)
    assert (request.parked_reason, request.parked_until) == ("After the fair", NEXT_MONTH)


def test_declining_needs_a_reason(session, cast):
    request = submit(session, cast.salesperson)
    with pytest.raises(InvalidInput, match="the requester will read it"):
        decide(session, cast.manager, request, "decline", reason="")
    decide(session, cast.manager, request, "decline", reason="Not our market")
    assert request.declined_reason == "Not our market"


def test_a_duplicate_names_an_existing_other_request(session, cast):
    original = submit(session, cast.intern, title="Munich fair")
    request = submit(session, cast.salesperson)
    for duplicate_of_id in (None, 999_999, request.id):
        with pytest.raises(InvalidInput) as refused:
            decide(session, cast.manager, request, "duplicate", duplicate_of_id=duplicate_of_id)
        assert refused.value.problems[0].field == "duplicate_of_id"
    decide(session, cast.manager, request, "duplicate", duplicate_of_id=original.id)
    assert request.duplicate_of_id == original.id
    with pytest.raises(InvalidInput, match="its own duplicate"):
        decide(session, cast.manager, original, "duplicate", duplicate_of_id=request.id)


def test_viewers_may_submit_but_only_managers_triage(session, cast, objectives):
    request = submit(session, cast.salesperson)
    assert request.requester_id == cast.salesperson.id and request.state == RequestState.new
    for person in (cast.salesperson, cast.intern):
        with pytest.raises(Forbidden, match="may not triage requests"):
            decide(session, person, request, "accept", objective_id=objectives[0].id)
    assert request.state == RequestState.new


def test_only_a_manager_submits_for_someone_else(session, cast):
    recorded = submit(session, cast.manager, requester_id=cast.salesperson.id)
    assert recorded.requester_id == cast.salesperson.id
    with pytest.raises(Forbidden):
        submit(session, cast.intern, requester_id=cast.salesperson.id)


def test_a_stale_decision_is_refused(session, cast):
    request = submit(session, cast.salesperson)
    read_version = request.version
    decide(session, cast.manager, request, "decline", reason="No")
    with pytest.raises(Conflict, match="changed meanwhile"):
        decide(session, cast.cmo, request, "reopen", version=read_version)


def test_every_move_is_recorded_with_who_and_why(session, cast, objectives):
    request = submit(session, cast.salesperson)
    decide(session, cast.manager, request, "park", reason="After the fair", until=NEXT_MONTH)
    decide(session, cast.cmo, request, "accept", objective_id=objectives[0].id)
    decide(session, cast.manager, request, "decline", reason="Budget moved to webinars")
    session.expire_all()
    history = service.get_request(session, request_id=request.id).transitions
    moves = [(t.from_state, t.to_state, t.actor_id, t.reason) for t in history]
    assert moves == [
        (None, "new", cast.salesperson.id, ""),
        ("new", "parked", cast.manager.id, "After the fair"),
        ("parked", "accepted", cast.cmo.id, ""),
        ("accepted", "declined", cast.manager.id, "Budget moved to webinars"),
    ]
    assert history[1].details == {"until": NEXT_MONTH.isoformat()}
    assert history[2].details == {"objective_id": objectives[0].id, "key_result_id": None}
    assert request.decided_by_id == cast.manager.id and request.decided_at is not None


def test_the_requester_is_told_in_the_app_and_by_email(session, cast, objectives, smtp_server):
    request = submit(session, cast.salesperson)
    decide(session, cast.manager, request, "accept", objective_id=objectives[0].id)
    session.commit()
    notes, _cursor = notifications.list_notifications(session, user=cast.salesperson)
    assert notes[0].title == "Your request Trade show in Munich is accepted"
    assert notes[0].body == f"It serves the objective: {objectives[0].title}."
    assert notes[0].link == f"/requests/{request.id}"
    assert jobs.run_pending() >= 1
    message = smtp_server.wait_for(1)[0]
    assert message["To"] == cast.salesperson.email
    assert message["Subject"] == "Your request Trade show in Munich is accepted"


def test_a_decline_tells_the_reason(session, cast):
    request = submit(session, cast.salesperson)
    decide(session, cast.manager, request, "decline", reason="Not our market")
    notes, _cursor = notifications.list_notifications(session, user=cast.salesperson)
    assert notes[0].body == "Why: Not our market"


def test_a_french_requester_is_told_too(session, cast):
    workspace.set_ui_language(session, user=cast.salesperson, language="fr")
    request = submit(session, cast.salesperson)
    decide(session, cast.manager, request, "decline", reason="Pas notre marché")
    notes, _cursor = notifications.list_notifications(session, user=cast.salesperson)
    assert len(notes) == 1 and notes[0].link == f"/requests/{request.id}"


def test_deciding_on_ones_own_request_tells_nobody(session, cast):
    request = submit(session, cast.manager)
    decide(session, cast.manager, request, "decline", reason="On second thought, no")
    assert notifications.unread_count(session, user=cast.manager) == 0


def test_parked_requests_come_back_when_their_date_has_come(session, cast):
    due = submit(session, cast.salesperson, title="Due")
    later = submit(session, cast.salesperson, title="Later")
    decide(session, cast.manager, due, "park", reason="After the fair", until=TODAY + timedelta(1))
    decide(session, cast.manager, later, "park", reason="Next year", until=date(2028, 1, 10))
    assert service.requeue_parked(session, today=TODAY + timedelta(days=1)) == [due.id]
    assert due.state == RequestState.new and due.parked_until is None
    assert later.state == RequestState.parked and later.parked_until == date(2028, 1, 10)
    last = session.scalars(
        select(RequestTransition)
        .where(RequestTransition.request_id == due.id)
        .order_by(RequestTransition.id.desc())
    ).first()
    assert (last.from_state, last.to_state, last.actor_id) == ("parked", "new", None)
    assert last.details == {"parked_reason": "After the fair"}
    assert service.requeue_parked(session, today=TODAY + timedelta(days=1)) == []


def test_the_database_refuses_an_accepted_request_without_objective(session, cast):
    row = Request(
        title="Sneaked in", department="Sales", requester_id=cast.salesperson.id, state="accepted"
    )
    savepoint = session.begin_nested()
    session.add(row)
    with pytest.raises(IntegrityError):
        session.flush()
    savepoint.rollback()
    request = submit(session, cast.salesperson)
    savepoint = session.begin_nested()
    with pytest.raises(IntegrityError):
        session.execute(update(Request).where(Request.id == request.id).values(state="accepted"))
    savepoint.rollback()
    assert session.get(Request, request.id).state == RequestState.new


def test_queue_listing_filters_and_counts(session, cast, objectives):
    first = submit(session, cast.salesperson, department="Sales")
    second = submit(session, cast.manager, title="CEO keynote", department="Executive")
    submit(session, cast.salesperson, title="Case study", department="Sales")
    decide(session, cast.manager, first, "accept", objective_id=objectives[0].id)
    found, _cursor = service.list_requests(session, state="new")
    assert [item.title for item in found] == ["CEO keynote", "Case study"]
    found, _cursor = service.list_requests(session, objective_id=objectives[0].id)
    assert [item.id for item in found] == [first.id]
    found, _cursor = service.list_requests(session, requester_id=cast.manager.id)
    assert [item.id for item in found] == [second.id]
    assert service.counts_by_state(session, department="Sales") == {
        "new": 1,
        "accepted": 1,
        "parked": 0,
        "declined": 0,
        "duplicate": 0,
    }
    assert service.departments(session) == ["Executive", "Sales"]
    with pytest.raises(InvalidInput, match="Unknown state"):
        service.list_requests(session, state="maybe")


def _in_quarter(session, *requests):
    for request in requests:
        request.created_at = datetime(2027, 2, 1, 9, tzinfo=UTC)
    session.flush()


def test_figures_weigh_accepted_effort_against_the_teams_capacity(session, cast, quarter):
    first, second, _third = okrs.active_objectives(session, period_id=quarter.id)
    marketing = workspace.get_team(session, team_id=quarter.team_id)
    capacity = figures.team_capacity_days(session, period=quarter)
    weeks = ((quarter.ends_on - quarter.starts_on).days + 1) / 7
    hours = sum(member.weekly_capacity_hours for member in marketing.members if member.is_active)
    assert capacity == round(hours * weeks / 7, 1) and capacity > 0

    fair = submit(session, cast.salesperson, effort_days=12)
    scoring = submit(session, cast.intern, title="Lead scoring", effort_days=8, department="Ops")
    parked = submit(session, cast.salesperson, title="Podcast", effort_days=30)
    declined = submit(session, cast.salesperson, title="Billboard", effort_days=40)
    waiting = submit(session, cast.salesperson, title="Swag", effort_days=2)
    _in_quarter(session, fair, scoring, parked, declined, waiting)
    decide(session, cast.manager, fair, "accept", objective_id=first.id)
    decide(session, cast.manager, scoring, "accept", key_result_id=second.key_results[0].id)
    decide(session, cast.manager, parked, "park", reason="Next quarter", until=NEXT_MONTH)
    decide(session, cast.manager, declined, "decline", reason="No")

    result = figures.period_figures(session, period=quarter)
    assert result.effort_by_objective[first.id] == 12
    assert result.effort_by_objective[second.id] == 8
    assert result.accepted_effort == 20 and result.capacity_days == capacity
    assert result.over_capacity is False
    assert result.decided == 4
    assert result.parked_rate == 0.25 and result.declined_rate == 0.25
    assert result.by_department == [("Sales", 4), ("Ops", 1)]

    huge = submit(session, cast.salesperson, title="World tour", effort_days=capacity)
    _in_quarter(session, huge)
    decide(session, cast.manager, huge, "accept", objective_id=first.id)
    assert figures.period_figures(session, period=quarter).over_capacity is True
