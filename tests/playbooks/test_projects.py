"""Projects from playbooks: launch and its problems, re-dating, statuses, checklists, closing."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from propulse.kit.errors import Conflict, Forbidden, InvalidInput
from propulse.playbooks import feedback, projects, service
from propulse.playbooks.content import PlaybookContent, StepContent
from propulse.playbooks.models import (
    Playbook,
    PlaybookSuggestion,
    Project,
    ProjectStatus,
    TaskStatus,
)
from tests.support.factories import TODAY

ANCHOR = date(2027, 3, 18)  # a Thursday, no holiday around it in France


def webinar_content(slug: str = "mini-webinar") -> PlaybookContent:
    """A small webinar playbook: two roles, offsets, a dependency, a checklist, advice."""
    return PlaybookContent(
        slug=slug,
        language="en",
        name="Mini webinar",
        category="webinar",
        goal="Meetings for sales",
        anchor="event",
        anchor_label="Webinar date",
        steps=[
            StepContent(
                key="brief",
                title="Write the brief",
                owner_role="Webinar lead",
                offset_days=-10,
                duration_days=2,
                effort_hours=8,
                checklist=["Ask sales for the topic", "=SUM(A1:A9)", "Book the room"],
                deliverables=["Brief"],
                tutorial="## Why\n\nTalk to **sales** first.\nThey know.\n\nThen write.",
                advice="Keep it short.\nOne page.\nName the sector.\nNo fourth line here.",
            ),
            StepContent(
                key="script",
                title="Write the script",
                owner_role="Writer",
                after_key="brief",
                duration_days=3,
                effort_hours=6,
            ),
            StepContent(key="live", title="Run the webinar", owner_role="Webinar lead",
                        offset_days=0),
            StepContent(key="follow-up", title="Send the follow-up", owner_role="Webinar lead",
                        after_key="live", lag_days=1),
        ],
    )  # fmt: skip


def make_playbook(session, *, slug: str = "mini-webinar") -> Playbook:
    """Create and publish the small webinar playbook (not the built-in library)."""
    playbook = service.create_playbook(
        session, actor=None, content=webinar_content(slug), publish=True
    )
    session.flush()
    return playbook


def launch(session, cast, playbook, *, anchor=ANCHOR, lead=None, writer=None, name="Webinar"):
    lead = lead or cast.intern
    project = projects.launch(
        session,
        actor=cast.manager,
        playbook_id=playbook.id,
        name=name,
        anchor=anchor,
        country="FR",
        roles={"Webinar lead": lead.id, "Writer": (writer or lead).id},
        today=TODAY,
    )
    return projects.get_project(session, project_id=project.id)  # with its tasks


def dates_of(project: Project) -> dict[str, tuple[date, date]]:
    return {task.step_key: (task.start_on, task.due_on) for task in project.tasks}


def test_a_launch_dates_every_task_from_the_anchor(session, cast):
    playbook = make_playbook(session)
    project = launch(session, cast, playbook, writer=cast.manager)
    session.commit()
    dates = dates_of(projects.get_project(session, project_id=project.id))
    assert dates["live"] == (ANCHOR, ANCHOR)
    assert dates["brief"] == (date(2027, 3, 4), date(2027, 3, 5))  # D-10 working days, 2 days
    assert dates["script"] == (date(2027, 3, 8), date(2027, 3, 10))  # after the brief's weekend
    assert dates["follow-up"] == (date(2027, 3, 22), date(2027, 3, 22))  # Friday + 1: Monday
    tasks = {task.step_key: task for task in project.tasks}
    assert tasks["script"].assignee_id == cast.manager.id
    assert tasks["brief"].checklist[0] == {"text": "Ask sales for the topic", "done": False}
    assert project.roles == {"Webinar lead": cast.intern.id, "Writer": cast.manager.id}
    assert project.playbook_version is not None and project.playbook_version.number == 1


def test_the_preview_lists_no_problem_for_a_sound_plan(session, cast):
    playbook = make_playbook(session)
    plan = projects.plan_launch(
        session, playbook_id=playbook.id, anchor=ANCHOR, country="FR",
        roles={"Webinar lead": cast.intern.id, "Writer": cast.manager.id}, today=TODAY,
    )  # fmt: skip
    assert plan.problems == []
    assert [step.key for step, _dates, _user in plan.rows()] == [
        "brief", "script", "live", "follow-up",
    ]  # fmt: skip


def test_the_preview_shows_overdue_tasks_holidays_weekends_and_unassigned_roles(session, cast):
    playbook = make_playbook(session)
    roles = {"Webinar lead": cast.intern.id}
    late = projects.plan_launch(
        session, playbook_id=playbook.id, anchor=TODAY + timedelta(days=3), country="FR",
        roles=roles, today=TODAY,
    )  # fmt: skip
    kinds = [problem.kind for problem in late.problems]
    assert "overdue" in kinds and "unassigned" in kinds
    assert any("Write the brief" in p.message for p in late.problems if p.kind == "overdue")
    assert any("Writer" in p.message for p in late.problems if p.kind == "unassigned")
    bastille = projects.plan_launch(
        session, playbook_id=playbook.id, anchor=date(2027, 7, 14), country="FR",
        roles=roles, today=TODAY,
    )  # fmt: skip
    holiday = [p for p in bastille.problems if p.kind == "anchor_holiday"]
    assert holiday and "July 14, 2027" in holiday[0].message and "FR" in holiday[0].message
    in_germany = projects.plan_launch(
        session, playbook_id=playbook.id, anchor=date(2027, 7, 14), country="de",
        roles=roles, today=TODAY,
    )  # fmt: skip
    assert "anchor_holiday" not in [p.kind for p in in_germany.problems]
    saturday = projects.plan_launch(
        session, playbook_id=playbook.id, anchor=date(2027, 3, 20), country="FR",
        roles=roles, today=TODAY,
    )  # fmt: skip
    assert "anchor_weekend" in [p.kind for p in saturday.problems]


def test_a_person_over_capacity_because_of_another_project_is_flagged(session, cast):
    playbook = make_playbook(session)
    launch(session, cast, playbook, writer=cast.manager)
    session.flush()
    plan = projects.plan_launch(
        session, playbook_id=playbook.id, anchor=ANCHOR, country="FR",
        roles={"Webinar lead": cast.intern.id, "Writer": cast.cmo.id}, today=TODAY,
    )  # fmt: skip
    over = [p for p in plan.problems if p.kind == "over_capacity"]
    # Each of Léa's days takes 4 hours in each project: 8 hours for a 7-hour day.
    assert [p.message.split(" on ")[1].split(" for ")[0] for p in over] == [
        "Thursday, March 4, 2027", "Friday, March 5, 2027", "Thursday, March 18, 2027", "Monday, March 22, 2027",
    ]  # fmt: skip
    assert all(cast.intern.name in p.message and "8.0 hours" in p.message for p in over)


def test_a_launch_with_an_unmapped_role_is_refused_and_names_it(session, cast):
    playbook = make_playbook(session)
    with pytest.raises(InvalidInput) as refused:
        projects.launch(
            session, actor=cast.manager, playbook_id=playbook.id, name="Webinar", anchor=ANCHOR,
            country="FR", roles={"Webinar lead": cast.intern.id}, today=TODAY,
        )  # fmt: skip
    assert "Writer" in refused.value.message
    assert [problem.field for problem in refused.value.problems] == ["role:Writer"]
    assert session.scalars(select(Project)).all() == []


def test_bad_country_unknown_request_and_a_viewer_are_refused(session, cast):
    playbook = make_playbook(session)
    roles = {"Webinar lead": cast.intern.id, "Writer": cast.intern.id}
    common = {"playbook_id": playbook.id, "name": "W", "anchor": ANCHOR, "today": TODAY}
    with pytest.raises(InvalidInput) as country:
        projects.launch(session, actor=cast.manager, country="XX", roles=roles, **common)
    assert country.value.problems[0].field == "country"
    with pytest.raises(Exception) as request:
        projects.launch(
            session, actor=cast.manager, country="FR", roles=roles, request_id=9999, **common
        )
    assert getattr(request.value, "status_code", None) == 404
    with pytest.raises(Forbidden):
        projects.launch(session, actor=cast.salesperson, country="FR", roles=roles, **common)


def test_moving_the_anchor_keeps_hand_dated_tasks_and_comes_back_exactly(session, cast):
    playbook = make_playbook(session)
    project = launch(session, cast, playbook)
    session.commit()
    original = dates_of(project)
    live = next(task for task in project.tasks if task.step_key == "live")
    projects.set_task_dates(
        session, actor=cast.intern, task_id=live.id,
        start_on=date(2027, 3, 17), due_on=date(2027, 3, 19),
    )  # fmt: skip
    session.commit()
    preview = projects.plan_anchor_move(
        session, project_id=project.id, anchor=ANCHOR + timedelta(7)
    )
    # The follow-up waits for the hand-dated webinar, which now ends a day later.
    assert {move.task.step_key for move in preview} == {"brief", "script", "follow-up"}
    assert (
        dates_of(projects.get_project(session, project_id=project.id))["brief"] == original["brief"]
    )

    for shift in (7, -7):
        project = projects.get_project(session, project_id=project.id)
        projects.move_anchor(
            session, actor=cast.manager, project_id=project.id,
            anchor=project.anchor_on + timedelta(days=shift), version=project.version,
        )  # fmt: skip
        session.commit()
    after = dates_of(projects.get_project(session, project_id=project.id))
    assert after["live"] == (date(2027, 3, 17), date(2027, 3, 19))  # by hand: left alone
    assert after["follow-up"] == (date(2027, 3, 23), date(2027, 3, 23))  # after "live" + 1
    assert {key: after[key] for key in ("brief", "script")} == {
        key: original[key] for key in ("brief", "script")
    }
    with pytest.raises(Conflict):
        projects.move_anchor(
            session, actor=cast.manager, project_id=project.id, anchor=ANCHOR, version=1
        )


@pytest.mark.parametrize("shift", [1, 3, 11, 40])
def test_moving_the_anchor_by_n_then_back_returns_the_original_plan(session, cast, shift):
    playbook = make_playbook(session)
    project = launch(session, cast, playbook)
    original = dates_of(project)
    projects.move_anchor(
        session, actor=cast.manager, project_id=project.id, anchor=ANCHOR + timedelta(shift)
    )
    moved = dates_of(projects.get_project(session, project_id=project.id))
    assert moved != original
    projects.move_anchor(session, actor=cast.manager, project_id=project.id, anchor=ANCHOR)
    assert dates_of(projects.get_project(session, project_id=project.id)) == original


def test_statuses_close_the_project_when_nothing_is_open_and_reopen_it(session, cast):
    playbook = make_playbook(session)
    project = launch(session, cast, playbook)
    ids = [task.id for task in project.tasks]
    for task_id in ids[:-1]:
        projects.set_task_status(
            session, actor=cast.intern, task_id=task_id, status=TaskStatus.done
        )
    assert project.status == ProjectStatus.active
    projects.set_task_status(session, actor=cast.intern, task_id=ids[-1], status=TaskStatus.skipped)
    assert projects.get_project(session, project_id=project.id).status == ProjectStatus.done
    reopened = projects.set_task_status(
        session, actor=cast.intern, task_id=ids[0], status=TaskStatus.doing
    )
    assert reopened.completed_at is None
    assert projects.get_project(session, project_id=project.id).status == ProjectStatus.active
    with pytest.raises(Forbidden):
        projects.set_task_status(
            session, actor=cast.salesperson, task_id=ids[0], status=TaskStatus.done
        )


def test_checklist_items_tick_and_untick(session, cast):
    project = launch(session, cast, make_playbook(session))
    brief = next(task for task in project.tasks if task.step_key == "brief")
    projects.toggle_checklist_item(session, actor=cast.intern, task_id=brief.id, index=1)
    session.commit()
    session.expire_all()
    assert [item["done"] for item in projects.get_task(session, task_id=brief.id).checklist] == [
        False, True, False,
    ]  # fmt: skip
    projects.toggle_checklist_item(session, actor=cast.intern, task_id=brief.id, index=1)
    assert not any(item["done"] for item in projects.get_task(session, task_id=brief.id).checklist)
    with pytest.raises(InvalidInput):
        projects.toggle_checklist_item(session, actor=cast.intern, task_id=brief.id, index=3)


def test_assigning_shows_the_new_assignee_at_once(session, cast):
    project = launch(session, cast, make_playbook(session))
    task = project.tasks[0]
    assert (
        projects.assign_task(
            session, actor=cast.intern, task_id=task.id, user_id=cast.cmo.id
        ).assignee
        is cast.cmo
    )
    assert (
        projects.assign_task(session, actor=cast.intern, task_id=task.id, user_id=None).assignee
        is None
    )


def test_my_tasks_overdue_and_due_this_week(session, cast):
    playbook = make_playbook(session)
    soon = launch(
        session, cast, playbook, anchor=date(2027, 2, 17), writer=cast.manager, name="Soon"
    )
    launch(session, cast, playbook, anchor=date(2027, 6, 10), lead=cast.manager, name="Later")
    session.flush()
    mine = projects.my_tasks(session, user=cast.intern)
    assert {task.project.name for task in mine} == {"Soon"}
    assert [task.due_on for task in mine] == sorted(task.due_on for task in mine)
    overdue = projects.overdue_tasks(session, today=TODAY)
    assert {task.step_key for task in overdue} == {"brief", "script"}
    week = projects.due_this_week(session, today=TODAY)
    assert {(task.project.name, task.step_key) for task in week} == {
        ("Soon", "live"), ("Soon", "follow-up"),
    }  # fmt: skip
    done = next(task for task in soon.tasks if task.step_key == "brief")
    projects.set_task_status(session, actor=cast.intern, task_id=done.id, status=TaskStatus.done)
    assert "brief" not in {task.step_key for task in projects.overdue_tasks(session, today=TODAY)}


def test_closing_records_suggestions_for_the_playbook(session, cast):
    playbook = make_playbook(session)
    project = launch(session, cast, playbook)
    closed = feedback.close_project(
        session,
        actor=cast.intern,
        project_id=project.id,
        suggestions=[
            feedback.SuggestionInput(text="Start the brief two weeks earlier", step_key="brief"),
            feedback.SuggestionInput(text="Add a rehearsal step"),
            feedback.SuggestionInput(text="   "),
        ],
    )
    assert closed.status == ProjectStatus.done
    assert {task.status for task in closed.tasks} == {TaskStatus.skipped}
    saved = session.scalars(select(PlaybookSuggestion).order_by(PlaybookSuggestion.id)).all()
    assert [(s.step_key, s.text) for s in saved] == [
        ("brief", "Start the brief two weeks earlier"), (None, "Add a rehearsal step"),
    ]  # fmt: skip
    feedback.decide_suggestion(session, actor=cast.manager, suggestion_id=saved[0].id, accept=True)
    draft = feedback.draft_of(session, playbook_id=playbook.id)
    assert "Start the brief two weeks earlier" in draft.steps[0].advice
    with pytest.raises(Conflict):
        feedback.close_project(
            session, actor=cast.intern, project_id=project.id, suggestions=[], cancelled=True
        )
    with pytest.raises(InvalidInput):
        feedback.close_project(
            session, actor=cast.intern, project_id=project.id,
            suggestions=[feedback.SuggestionInput(text="x", step_key="nowhere")],
        )  # fmt: skip


def test_a_project_done_by_itself_can_still_be_closed_with_suggestions(session, cast):
    project = launch(session, cast, make_playbook(session))
    for task in list(project.tasks):
        projects.set_task_status(
            session, actor=cast.intern, task_id=task.id, status=TaskStatus.done
        )
    assert project.status == ProjectStatus.done
    feedback.close_project(
        session, actor=cast.intern, project_id=project.id,
        suggestions=[feedback.SuggestionInput(text="It went well", step_key="live")],
    )  # fmt: skip
    assert {task.status for task in project.tasks} == {TaskStatus.done}
    stats = feedback.playbook_stats(session, playbook_id=project.playbook_id or 0)
    assert stats.times_used == 1 and stats.tasks_done == 4
