"""The project pages: launch with its preview, board, timeline, re-dating, tasks, closing."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import select

from propulse.playbooks import boards, projects
from propulse.playbooks.models import PlaybookSuggestion, Project, ProjectStatus, TaskStatus
from tests.playbooks.test_projects import ANCHOR, launch, make_playbook
from tests.support.factories import TODAY
from tests.support.web import assert_unique_ids, csrf_from, post_form, sign_in

HTMX = {"HX-Request": "true"}


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr(boards, "today", lambda: TODAY)


def launch_form(playbook_id: int, **overrides: str) -> dict[str, str]:
    data = {
        "playbook_id": str(playbook_id),
        "name": "Webinar for retail",
        "anchor": ANCHOR.isoformat(),
        "country": "FR",
        "serves": "",
        "request_id": "",
    }
    data.update(overrides)
    return data


def test_the_launch_form_asks_for_the_date_the_country_and_each_role(client, cast, session):
    playbook = make_playbook(session)
    session.commit()
    sign_in(client, cast.intern.email)
    chooser = client.get("/projects/new")
    assert f"/projects/new?playbook={playbook.id}" in chooser.text
    page = client.get(f"/projects/new?playbook={playbook.id}")
    assert page.status_code == 200
    assert "Webinar date" in page.text  # the playbook's anchor label
    assert 'name="country" type="text" value="FR"' in page.text  # the workspace's country
    assert ">Webinar lead</label>" in page.text and ">Writer</label>" in page.text
    assert cast.manager.name in page.text
    assert_unique_ids(page.text)


def test_the_preview_shows_dates_owners_and_problems_before_anything_exists(client, cast, session):
    playbook = make_playbook(session)
    session.commit()
    sign_in(client, cast.intern.email)
    page = client.get(f"/projects/new?playbook={playbook.id}")
    data = launch_form(playbook.id, anchor="2027-07-14", role_1=str(cast.intern.id), role_2="")
    preview = client.post(
        "/projects/preview", data={**data, "csrf_token": csrf_from(page)}, headers=HTMX
    )
    assert preview.status_code == 200
    assert "<html" not in preview.text  # a fragment for HTMX
    assert "public holiday in FR" in preview.text
    assert "Nobody plays the role Writer yet." in preview.text
    assert "Write the script" in preview.text and cast.intern.name in preview.text
    assert "Thu 15 Jul 2027" in preview.text  # D+0 on a holiday: the next working day
    assert session.scalars(select(Project)).all() == []
    full = client.post("/projects/preview", data={**data, "csrf_token": csrf_from(page)})
    assert full.status_code == 200 and "<html" in full.text and "public holiday" in full.text
    bad = client.post(
        "/projects/preview",
        data={**launch_form(playbook.id, anchor="soon"), "csrf_token": csrf_from(page)},
        headers=HTMX,
    )
    assert "Enter a date as YYYY-MM-DD." in bad.text


def test_launching_creates_the_project_and_an_unmapped_role_is_named(client, cast, session):
    playbook = make_playbook(session)
    session.commit()
    sign_in(client, cast.intern.email)
    path = f"/projects/new?playbook={playbook.id}"
    refused = post_form(
        client, path, "/projects/new", launch_form(playbook.id, role_1=str(cast.intern.id))
    )
    assert refused.status_code == 422
    assert "Give every role to someone first: Writer." in refused.text
    assert 'id="e-role_2"' in refused.text  # the error sits next to the Writer field
    assert 'value="Webinar for retail"' in refused.text  # what was typed is kept
    assert session.scalars(select(Project)).all() == []
    launched = post_form(
        client, path, "/projects/new",
        launch_form(playbook.id, role_1=str(cast.intern.id), role_2=str(cast.manager.id)),
    )  # fmt: skip
    assert launched.status_code == 303
    project = session.scalars(select(Project)).one()
    assert launched.headers["location"] == f"/projects/{project.id}"
    assert project.owner_id == cast.intern.id and project.country == "FR"
    board = client.get(f"/projects/{project.id}")
    assert "Webinar for retail is launched." in board.text
    assert "Run the webinar" in board.text and "Webinar date" in board.text
    assert_unique_ids(board.text)


def test_the_board_moves_a_task_between_columns_by_htmx(client, cast, session):
    project = launch(session, cast, make_playbook(session))
    session.commit()
    sign_in(client, cast.intern.email)
    page = client.get(f"/projects/{project.id}")
    brief = next(task for task in project.tasks if task.step_key == "brief")
    assert re.search(r'id="column-todo">To do <span class="count">4<', page.text)
    form = page.text[page.text.index(f'action="/tasks/{brief.id}/status"') :]
    assert 'name="csrf_token"' in form[: form.index("</form>")]  # works without JavaScript
    moved = client.post(
        f"/tasks/{brief.id}/status",
        data={"status": "doing", "view": "board", "csrf_token": csrf_from(page)},
        headers=HTMX,
    )
    assert moved.status_code == 200
    assert moved.text.lstrip().startswith('<div id="board"')
    assert re.search(r'id="column-doing">Doing <span class="count">1<', moved.text)
    assert "Write the brief: Doing." in moved.text  # the message, out of band
    session.expire_all()
    assert projects.get_task(session, task_id=brief.id).status == TaskStatus.doing
    plain = client.post(
        f"/tasks/{brief.id}/status",
        data={"status": "done", "next": f"/projects/{project.id}", "csrf_token": csrf_from(page)},
    )
    assert plain.status_code == 303 and plain.headers["location"] == f"/projects/{project.id}"
    elsewhere = client.post(
        f"/tasks/{brief.id}/status",
        data={"status": "done", "next": "https://evil.example/", "csrf_token": csrf_from(page)},
    )
    assert elsewhere.headers["location"] == f"/tasks/{brief.id}"


def test_a_viewer_sees_the_board_but_cannot_move_tasks(client, cast, session):
    project = launch(session, cast, make_playbook(session))
    session.commit()
    sign_in(client, cast.salesperson.email)
    page = client.get(f"/projects/{project.id}")
    assert page.status_code == 200 and "Write the brief" in page.text
    assert "/status" not in page.text
    refused = client.post(
        f"/tasks/{project.tasks[0].id}/status",
        data={"status": "done", "view": "board", "csrf_token": csrf_from(page)},
        headers=HTMX,
    )
    assert refused.status_code == 403 and refused.headers["hx-retarget"] == "#messages"


def test_the_timeline_draws_bars_dependencies_today_and_holidays(client, cast, session):
    project = launch(session, cast, make_playbook(session), anchor=date(2027, 3, 26))
    session.commit()
    sign_in(client, cast.intern.email)
    page = client.get(f"/projects/{project.id}/timeline")
    assert page.status_code == 200
    start = page.text.index('<svg class="timeline"')
    svg = page.text[start : page.text.index("</svg>", start)]
    assert svg.count('class="timeline-bar') == 4
    assert svg.count('class="timeline-arrow"') == 2  # script after brief, follow-up after live
    assert 'class="timeline-weekend"' in svg
    assert "Easter Monday" in svg  # 2027-03-29, a public holiday in France
    assert 'class="timeline-anchor"' in svg
    assert 'class="timeline-today"' not in svg  # 15 February is before the first task
    assert "after Write the brief" in page.text
    overdue = launch(session, cast, make_playbook(session, slug="late"), anchor=date(2027, 2, 18))
    session.commit()
    late = client.get(f"/projects/{overdue.id}/timeline").text
    assert 'class="timeline-today"' in late and "bar-overdue" in late


def test_moving_the_anchor_shows_what_moves_then_moves_it(client, cast, session):
    project = launch(session, cast, make_playbook(session))
    session.commit()
    live = next(task for task in project.tasks if task.step_key == "live")
    projects.set_task_dates(
        session, actor=cast.intern, task_id=live.id, start_on=ANCHOR, due_on=ANCHOR
    )
    session.commit()
    sign_in(client, cast.intern.email)
    page = client.get(f"/projects/{project.id}")
    data = {"anchor": "2027-03-25", "version": str(project.version), "csrf_token": csrf_from(page)}
    preview = client.post(f"/projects/{project.id}/anchor", data=data, headers=HTMX)
    assert preview.status_code == 200
    assert "3 tasks move" not in preview.text and "2 tasks move" in preview.text
    assert "Re-dated by hand, these stay where they are: Run the webinar" in preview.text
    session.expire_all()
    assert projects.get_project(session, project_id=project.id).anchor_on == ANCHOR
    confirmed = client.post(f"/projects/{project.id}/anchor", data={**data, "confirm": "1"})
    assert confirmed.status_code == 303
    assert (
        "The anchor is now Mar 25, 2027: 2 tasks re-dated."
        in client.get(f"/projects/{project.id}").text
    )
    stale = client.post(f"/projects/{project.id}/anchor", data={**data, "confirm": "1"})
    assert stale.status_code == 409


def test_the_task_page_shows_the_tutorial_and_advice_and_ticks_its_checklist(client, cast, session):
    project = launch(session, cast, make_playbook(session))
    session.commit()
    brief = next(task for task in project.tasks if task.step_key == "brief")
    sign_in(client, cast.intern.email)
    page = client.get(f"/tasks/{brief.id}")
    assert "Talk to <strong>sales</strong> first." in page.text
    assert "Keep it short." in page.text and "Brief" in page.text
    assert "0 of 3 ticked" in page.text
    assert_unique_ids(page.text)
    ticked = client.post(
        f"/tasks/{brief.id}/checklist/0",
        data={"done": "1", "csrf_token": csrf_from(page)},
        headers=HTMX,
    )
    assert ticked.status_code == 200 and "1 of 3 ticked" in ticked.text
    assert 'id="check-0" checked' in ticked.text and "autofocus" in ticked.text
    again = client.post(
        f"/tasks/{brief.id}/checklist/0", data={"done": "1", "csrf_token": csrf_from(page)}
    )
    assert again.status_code == 303  # the same state twice: still ticked, not toggled back
    session.expire_all()
    assert [item["done"] for item in projects.get_task(session, task_id=brief.id).checklist] == [
        True, False, False,
    ]  # fmt: skip
    assert "1 of 3 ticked" in client.get(f"/tasks/{brief.id}").text


def test_comments_are_markdown_and_sanitised(client, cast, session):
    project = launch(session, cast, make_playbook(session))
    session.commit()
    task = project.tasks[0]
    sign_in(client, cast.intern.email)
    body = (
        "Sales said **yes**.\n\n<script>alert('x')</script> <a href=\"javascript:alert(1)\">x</a>"
    )
    added = post_form(client, f"/tasks/{task.id}", f"/tasks/{task.id}/comments", {"body": body})
    assert added.status_code == 303
    page = client.get(f"/tasks/{task.id}").text
    assert "Sales said <strong>yes</strong>." in page
    assert "<script>alert" not in page and "javascript:" not in page
    empty = post_form(client, f"/tasks/{task.id}", f"/tasks/{task.id}/comments", {"body": "  "})
    assert empty.status_code == 422 and "Write something first." in empty.text


def test_dates_changed_by_hand_are_marked_and_checked(client, cast, session):
    project = launch(session, cast, make_playbook(session))
    session.commit()
    task = project.tasks[0]
    sign_in(client, cast.intern.email)
    form = {"start_on": "2027-03-01", "due_on": "2027-03-03", "version": str(task.version)}
    saved = post_form(client, f"/tasks/{task.id}", f"/tasks/{task.id}/dates", form)
    assert saved.status_code == 303
    page = client.get(f"/tasks/{task.id}").text
    assert "dates set by hand" in page and "moving the anchor will leave them" in page
    backwards = post_form(
        client, f"/tasks/{task.id}", f"/tasks/{task.id}/dates",
        {"start_on": "2027-03-05", "due_on": "2027-03-01"},
    )  # fmt: skip
    assert backwards.status_code == 422 and "The task must end after it starts." in backwards.text
    assigned = post_form(
        client, f"/tasks/{task.id}", f"/tasks/{task.id}/assignee", {"assignee_id": str(cast.cmo.id)}
    )
    assert assigned.status_code == 303
    assert f"The task is assigned to {cast.cmo.name}." in client.get(f"/tasks/{task.id}").text


def test_my_tasks_overdue_and_this_week_pages(client, cast, session):
    playbook = make_playbook(session)
    launch(session, cast, playbook, anchor=date(2027, 2, 17), writer=cast.manager, name="Soon")
    launch(session, cast, playbook, anchor=date(2027, 6, 10), lead=cast.manager, name="Later")
    session.commit()
    sign_in(client, cast.intern.email)
    mine = client.get("/tasks/mine").text
    assert "Soon" in mine and "Later" not in mine and "Create a calendar address" in mine
    overdue = client.get("/tasks/overdue").text
    assert "Write the brief" in overdue and "Write the script" in overdue and "overdue" in overdue
    week = client.get("/tasks/week").text
    assert "Run the webinar" in week and "Write the brief" not in week
    listing = client.get("/projects").text
    assert "Soon" in listing and "Later" in listing and "/tasks/overdue" in listing


def test_closing_asks_what_to_change_in_the_playbook(client, cast, session):
    project = launch(session, cast, make_playbook(session))
    session.commit()
    sign_in(client, cast.intern.email)
    page = client.get(f"/projects/{project.id}/close")
    assert (
        page.status_code == 200
        and 'name="step_brief"' in page.text
        and 'name="general"' in page.text
    )
    assert_unique_ids(page.text)
    closed = post_form(
        client, f"/projects/{project.id}/close", f"/projects/{project.id}/close",
        {"step_brief": "Involve sales earlier", "step_live": "", "general": "Add a rehearsal"},
    )  # fmt: skip
    assert closed.status_code == 303
    assert "2 suggestions go to its playbook" in client.get(f"/projects/{project.id}").text
    session.expire_all()
    assert projects.get_project(session, project_id=project.id).status == ProjectStatus.done
    texts = {s.step_key: s.text for s in session.scalars(select(PlaybookSuggestion))}
    assert texts == {"brief": "Involve sales earlier", None: "Add a rehearsal"}


def test_unknown_project_and_task_are_404_pages(client, cast):
    sign_in(client, cast.intern.email)
    assert client.get("/projects/999").status_code == 404
    assert client.get("/tasks/999").status_code == 404
    assert client.get("/projects/new?playbook=999").status_code == 404
