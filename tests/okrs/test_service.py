"""The OKR rules in the service: limits, validation, check-ins, roll-up, closing."""

from __future__ import annotations

from datetime import date

import pytest

from propulse.kit.errors import Conflict, Forbidden, InvalidInput
from propulse.kit.forms import validate
from propulse.okrs import closing
from propulse.okrs import service as okrs
from propulse.okrs.board import build_board
from propulse.okrs.models import ObjectiveStatus, PeriodStatus
from propulse.okrs.schemas import CheckInCreate, KeyResultCreate, LimitsUpdate, ObjectiveCreate
from tests.support.factories import TODAY, make_quarter


def test_a_fourth_objective_is_refused_with_the_rule_and_the_way_out(session, cast):
    period = make_quarter(session, cast)
    with pytest.raises(okrs.LimitReached) as refused:
        okrs.create_objective(
            session, actor=cast.cmo, period_id=period.id, data=ObjectiveCreate(title="Fourth")
        )
    assert "At most 3 objectives per team and period" in refused.value.message
    assert "Archive one or replace it" in refused.value.message
    assert refused.value.status_code == 409
    assert len(okrs.active_objectives(session, period_id=period.id)) == 3


def test_archiving_or_replacing_makes_room(session, cast):
    period = make_quarter(session, cast)
    first, second, _third = okrs.active_objectives(session, period_id=period.id)
    okrs.archive_objective(session, actor=cast.manager, objective_id=first.id)
    okrs.create_objective(
        session, actor=cast.manager, period_id=period.id, data=ObjectiveCreate(title="New one")
    )
    replaced = okrs.replace_objective(
        session, actor=cast.manager, objective_id=second.id, data=ObjectiveCreate(title="Better")
    )
    titles = [o.title for o in okrs.active_objectives(session, period_id=period.id)]
    assert "Better" in titles and "New one" in titles and len(titles) == 3
    assert replaced.position == second.position


def test_a_fifth_key_result_is_refused(session, cast):
    period = make_quarter(session, cast, objectives=1)
    objective = okrs.active_objectives(session, period_id=period.id)[0]
    for index in range(2):
        okrs.add_key_result(
            session,
            actor=cast.manager,
            objective_id=objective.id,
            data=KeyResultCreate(title=f"KR {index}", start_value=0, target_value=10),
        )
    with pytest.raises(okrs.LimitReached, match="At most 4 key results per objective"):
        okrs.add_key_result(
            session,
            actor=cast.manager,
            objective_id=objective.id,
            data=KeyResultCreate(title="Fifth", start_value=0, target_value=10),
        )


def test_an_admin_may_lower_the_limits_but_not_remove_them(session, cast):
    period = make_quarter(session, cast, objectives=2)
    okrs.set_limits(session, actor=cast.cmo, data=LimitsUpdate(max_objectives=2, max_key_results=3))
    with pytest.raises(okrs.LimitReached, match="At most 2 objectives"):
        okrs.create_objective(
            session, actor=cast.cmo, period_id=period.id, data=ObjectiveCreate(title="Third")
        )
    with pytest.raises(InvalidInput):
        validate(LimitsUpdate, {"max_objectives": 4, "max_key_results": 4})
    with pytest.raises(InvalidInput):
        validate(LimitsUpdate, {"max_objectives": 0, "max_key_results": 4})
    with pytest.raises(Forbidden):
        okrs.set_limits(
            session, actor=cast.manager, data=LimitsUpdate(max_objectives=3, max_key_results=4)
        )


def test_a_target_equal_to_the_start_is_refused_for_increase_and_decrease():
    with pytest.raises(InvalidInput) as refused:
        validate(KeyResultCreate, {"title": "Leads", "start_value": 10, "target_value": 10})
    assert "above the start value" in refused.value.problems[0].message
    with pytest.raises(InvalidInput):
        validate(
            KeyResultCreate,
            {"title": "Churn", "start_value": 5, "target_value": 7, "direction": "decrease"},
        )
    kept = validate(
        KeyResultCreate,
        {"title": "Uptime", "start_value": 99, "target_value": 99, "direction": "above"},
    )
    assert kept.direction == "above"


def test_only_managers_set_objectives_and_members_check_in(session, cast):
    period = make_quarter(session, cast, objectives=1)
    with pytest.raises(Forbidden, match="member"):
        okrs.create_objective(
            session, actor=cast.intern, period_id=period.id, data=ObjectiveCreate(title="Mine")
        )
    key_result = okrs.active_objectives(session, period_id=period.id)[0].key_results[0]
    okrs.check_in(
        session,
        actor=cast.intern,
        key_result_id=key_result.id,
        data=CheckInCreate(value=40, confidence=7),
        today=TODAY,
    )
    with pytest.raises(Forbidden, match="viewer"):
        okrs.check_in(
            session,
            actor=cast.salesperson,
            key_result_id=key_result.id,
            data=CheckInCreate(value=50, confidence=7),
            today=TODAY,
        )


def test_check_ins_drive_progress_and_the_latest_date_wins(session, cast):
    period = make_quarter(session, cast, objectives=1)
    objective = okrs.active_objectives(session, period_id=period.id)[0]
    leads, quality = objective.key_results
    okrs.check_in(
        session,
        actor=cast.intern,
        key_result_id=leads.id,
        data=CheckInCreate(value=60, confidence=8, checked_on=date(2027, 2, 10)),
        today=TODAY,
    )
    okrs.check_in(
        session,
        actor=cast.intern,
        key_result_id=leads.id,
        data=CheckInCreate(value=30, confidence=6, checked_on=date(2027, 1, 20)),
        today=TODAY,
    )
    okrs.check_in(
        session,
        actor=cast.intern,
        key_result_id=quality.id,
        data=CheckInCreate(value=15, confidence=7),
        today=TODAY,
    )
    assert leads.current_value == 60  # the backdated reading does not overwrite the newer one
    board = build_board(session, period=period, today=TODAY)
    view = board.objectives[0]
    assert [round(kr.progress, 2) for kr in view.key_results] == [0.6, 0.5]
    assert view.progress == pytest.approx(0.55)
    assert [c.value for c in view.key_results[0].history] == [30, 60]
    assert view.status.value == "on_track"


def test_check_in_dates_must_fall_in_the_period_and_not_in_the_future(session, cast):
    period = make_quarter(session, cast, objectives=1)
    kr = okrs.active_objectives(session, period_id=period.id)[0].key_results[0]
    with pytest.raises(InvalidInput, match="future"):
        okrs.check_in(
            session,
            actor=cast.intern,
            key_result_id=kr.id,
            data=CheckInCreate(value=1, confidence=5, checked_on=date(2027, 3, 1)),
            today=TODAY,
        )
    with pytest.raises(InvalidInput, match="within the period"):
        okrs.check_in(
            session,
            actor=cast.intern,
            key_result_id=kr.id,
            data=CheckInCreate(value=1, confidence=5, checked_on=date(2026, 12, 1)),
            today=TODAY,
        )


def test_closing_grades_carries_over_and_refuses_later_check_ins(session, cast):
    period = make_quarter(session, cast)
    first, second, third = okrs.active_objectives(session, period_id=period.id)
    okrs.check_in(
        session,
        actor=cast.intern,
        key_result_id=first.key_results[0].id,
        data=CheckInCreate(value=66, confidence=7),
        today=TODAY,
    )
    closing.set_grade(
        session, actor=cast.manager, key_result_id=second.key_results[0].id, grade=0.9
    )
    closed, following = closing.close_period(
        session, actor=cast.manager, period_id=period.id, carry=[first.id], today=date(2027, 4, 2)
    )
    assert closed.status == PeriodStatus.closed
    assert first.key_results[0].grade == 0.7
    assert second.key_results[0].grade == 0.9
    assert first.status == ObjectiveStatus.carried_over
    assert second.status == ObjectiveStatus.closed and third.status == ObjectiveStatus.closed
    assert following is not None and following.name == "2027-Q2"
    copies = okrs.active_objectives(session, period_id=following.id)
    assert len(copies) == 1 and copies[0].carried_from_id == first.id
    assert copies[0].key_results[0].start_value == 66  # the new period starts where the last ended
    with pytest.raises(Conflict, match="closed"):
        okrs.check_in(
            session,
            actor=cast.intern,
            key_result_id=first.key_results[0].id,
            data=CheckInCreate(value=70, confidence=7),
            today=date(2027, 3, 30),
        )
    with pytest.raises(Conflict):
        closing.close_period(
            session, actor=cast.manager, period_id=period.id, carry=[], today=date(2027, 4, 2)
        )


def test_company_objectives_and_alignment(session, cast):
    company = okrs.ensure_period(session, actor=cast.cmo, name="2027-Q1", company=True)
    goal = okrs.create_objective(
        session,
        actor=cast.cmo,
        period_id=company.id,
        data=ObjectiveCreate(title="Reach 10 M EUR ARR"),
    )
    team_period = okrs.ensure_period(session, actor=cast.cmo, name="2027-Q1")
    aligned = okrs.create_objective(
        session,
        actor=cast.cmo,
        period_id=team_period.id,
        data=ObjectiveCreate(title="Pipeline", serves_id=goal.id),
    )
    assert aligned.serves_id == goal.id
    with pytest.raises(InvalidInput, match="company objective"):
        okrs.create_objective(
            session,
            actor=cast.cmo,
            period_id=team_period.id,
            data=ObjectiveCreate(title="Bad", serves_id=aligned.id),
        )
    board = build_board(session, period=company, today=TODAY)
    assert [o.title for o in board.objectives[0].served_by] == ["Pipeline"]


def test_periods_named_otherwise_need_dates(session, cast):
    with pytest.raises(InvalidInput, match="2027-Q1"):
        okrs.ensure_period(session, actor=cast.cmo, name="Launch season")
    period = okrs.ensure_period(
        session,
        actor=cast.cmo,
        name="Launch season",
        starts_on=date(2027, 1, 10),
        ends_on=date(2027, 5, 10),
    )
    assert period.ends_on == date(2027, 5, 10)
    assert okrs.ensure_period(session, actor=cast.cmo, name="launch season").id == period.id
