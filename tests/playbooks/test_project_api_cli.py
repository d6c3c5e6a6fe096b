"""Projects and tasks through the API (filters, PATCH and its 409) and the CLI (JSON)."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import pytest

from propulse.auth import service as auth
from propulse.auth.models import TokenScope
from propulse.playbooks import boards, projects
from propulse.playbooks.models import TaskStatus
from tests.playbooks.test_projects import ANCHOR, launch, make_playbook
from tests.support.factories import TODAY


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr(boards, "today", lambda: TODAY)


def _headers(session, user, scope=TokenScope.write):
    _token, secret = auth.create_token(session, actor=user, owner=user, name="t", scope=scope)
    session.commit()
    return {"Authorization": f"Bearer {secret}"}


def test_projects_list_and_detail_with_tasks_and_calendar_feeds(client, cast, session):
    project = launch(session, cast, make_playbook(session), writer=cast.manager)
    session.commit()
    headers = _headers(session, cast.intern)
    listing = client.get("/api/v1/projects", headers=headers).json()
    assert [item["id"] for item in listing["items"]] == [project.id]
    assert listing["next_cursor"] is None
    assert client.get("/api/v1/projects?status=done", headers=headers).json()["items"] == []
    detail = client.get(f"/api/v1/projects/{project.id}", headers=headers).json()
    assert detail["anchor_date"] == ANCHOR.isoformat() and detail["playbook_version"] == 1
    assert [task["step_key"] for task in detail["tasks"]] == [
        "brief",
        "script",
        "live",
        "follow-up",
    ]
    script = detail["tasks"][1]
    assert script["due_date"] == "2027-03-10" and script["assignee_email"] == cast.manager.email
    assert script["after_key"] == "brief" and detail["calendar_feeds"] == []

    created = client.post(f"/api/v1/projects/{project.id}/calendar", headers=headers)
    assert created.status_code == 201
    url = created.json()["url"]
    assert url.startswith("http://testserver/calendars/cal_") and url.endswith(".ics")
    feeds = client.get(f"/api/v1/projects/{project.id}", headers=headers).json()["calendar_feeds"]
    assert [feed["id"] for feed in feeds] == [created.json()["id"]] and "url" not in feeds[0]
    assert client.get(url.removeprefix("http://testserver")).status_code == 200
    revoked = client.post(f"/api/v1/calendar-feeds/{feeds[0]['id']}/revoke", headers=headers)
    assert revoked.status_code == 200 and revoked.json()["revoked"] is True
    assert client.get(url.removeprefix("http://testserver")).status_code == 404
    mine = client.post("/api/v1/tasks/calendar", headers=headers)
    assert mine.status_code == 201 and mine.json()["user_id"] == cast.intern.id
    missing = client.get("/api/v1/projects/999", headers=headers)
    assert (
        missing.status_code == 404 and missing.headers["content-type"] == "application/problem+json"
    )


def test_moving_the_anchor_with_a_dry_run_then_for_real(client, cast, session):
    project = launch(session, cast, make_playbook(session))
    session.commit()
    headers = _headers(session, cast.intern)
    body = {"anchor_date": "2027-03-25", "dry_run": True, "version": project.version}
    dry = client.post(f"/api/v1/projects/{project.id}/anchor", json=body, headers=headers)
    assert dry.status_code == 200
    assert len(dry.json()["moves"]) == 4 and dry.json()["dry_run"] is True
    assert (
        client.get(f"/api/v1/projects/{project.id}", headers=headers).json()["anchor_date"]
        == ANCHOR.isoformat()
    )
    real = client.post(
        f"/api/v1/projects/{project.id}/anchor", json={**body, "dry_run": False}, headers=headers
    )
    assert real.status_code == 200
    moved = {m["title"]: m for m in real.json()["moves"]}
    assert moved["Run the webinar"]["new_due_date"] == "2027-03-25"
    stale = client.post(
        f"/api/v1/projects/{project.id}/anchor", json={**body, "dry_run": False}, headers=headers
    )
    assert stale.status_code == 409 and stale.headers["content-type"] == "application/problem+json"


def test_closing_through_the_api(client, cast, session):
    project = launch(session, cast, make_playbook(session))
    session.commit()
    headers = _headers(session, cast.intern)
    body = {"suggestions": [{"text": "Brief earlier", "step_key": "brief"}, {"text": "More posts"}]}
    closed = client.post(f"/api/v1/projects/{project.id}/close", json=body, headers=headers)
    assert closed.status_code == 200 and closed.json()["status"] == "done"
    again = client.post(
        f"/api/v1/projects/{project.id}/close", json={"cancelled": True}, headers=headers
    )
    assert again.status_code == 409
    bad = client.post(
        f"/api/v1/projects/{project.id}/close",
        json={"suggestions": [{"text": "x", "step_key": "nope"}]}, headers=headers,
    )  # fmt: skip
    assert bad.status_code == 422


def test_task_filters_mine_overdue_this_week_and_project(client, cast, session):
    playbook = make_playbook(session)
    soon = launch(
        session, cast, playbook, anchor=date(2027, 2, 17), writer=cast.manager, name="Soon"
    )
    later = launch(
        session, cast, playbook, anchor=date(2027, 6, 10), lead=cast.manager, name="Later"
    )
    session.commit()
    headers = _headers(session, cast.intern)

    def keys(query: str) -> set[tuple[int, str]]:
        response = client.get(f"/api/v1/tasks?{query}", headers=headers)
        assert response.status_code == 200, response.text
        return {(task["project_id"], task["step_key"]) for task in response.json()["items"]}

    assert keys("assignee=me") == {(soon.id, key) for key in ("brief", "live", "follow-up")}
    assert keys("overdue=true") == {(soon.id, "brief"), (soon.id, "script")}
    assert keys("due_this_week=true") == {(soon.id, "live"), (soon.id, "follow-up")}
    assert keys("assignee=me&overdue=true") == {(soon.id, "brief")}
    assert keys(f"project_id={later.id}") == {(later.id, t.step_key) for t in later.tasks}
    assert keys(f"assignee={cast.manager.id}&project_id={soon.id}") == {(soon.id, "script")}
    first = client.get("/api/v1/tasks?limit=3", headers=headers).json()
    second = client.get(
        f"/api/v1/tasks?limit=3&cursor={first['next_cursor']}", headers=headers
    ).json()
    ids = [t["id"] for t in first["items"] + second["items"]]
    assert len(ids) == 6 and len(set(ids)) == 6
    assert client.get("/api/v1/tasks?assignee=someone", headers=headers).status_code == 422


def test_patching_a_task_and_the_409_of_a_stale_version(client, cast, session):
    project = launch(session, cast, make_playbook(session))
    session.commit()
    headers = _headers(session, cast.intern)
    task = client.get(f"/api/v1/tasks/{project.tasks[0].id}", headers=headers).json()
    assert task["tutorial"].startswith("## Why") and task["advice"].startswith("Keep it short.")
    changed = client.patch(
        f"/api/v1/tasks/{task['id']}",
        json={
            "status": "doing",
            "due_date": "2027-03-08",
            "assignee_id": cast.cmo.id,
            "version": task["version"],
        },
        headers=headers,
    )
    assert changed.status_code == 200, changed.text
    body = changed.json()
    assert body["status"] == "doing" and body["due_date"] == "2027-03-08"
    assert body["dates_set_by_hand"] is True and body["assignee_email"] == cast.cmo.email
    stale = client.patch(
        f"/api/v1/tasks/{task['id']}",
        json={"status": "done", "version": task["version"]},
        headers=headers,
    )
    assert stale.status_code == 409
    assert stale.headers["content-type"] == "application/problem+json"
    unassigned = client.patch(
        f"/api/v1/tasks/{task['id']}", json={"assignee_id": None}, headers=headers
    )
    assert unassigned.json()["assignee_id"] is None and unassigned.json()["status"] == "doing"
    backwards = client.patch(
        f"/api/v1/tasks/{task['id']}", json={"start_date": "2027-03-20"}, headers=headers
    )
    assert backwards.status_code == 422
    reader = _headers(session, cast.intern, scope=TokenScope.read)
    assert (
        client.patch(
            f"/api/v1/tasks/{task['id']}", json={"status": "done"}, headers=reader
        ).status_code
        == 403
    )
    viewer = _headers(session, cast.salesperson)
    assert (
        client.patch(
            f"/api/v1/tasks/{task['id']}", json={"status": "done"}, headers=viewer
        ).status_code
        == 403
    )


def test_checklist_toggle_and_comments_through_the_api(client, cast, session):
    project = launch(session, cast, make_playbook(session))
    session.commit()
    headers = _headers(session, cast.intern)
    task_id = project.tasks[0].id
    toggled = client.post(f"/api/v1/tasks/{task_id}/checklist/2/toggle", headers=headers)
    assert [item["done"] for item in toggled.json()["checklist"]] == [False, False, True]
    assert (
        client.post(f"/api/v1/tasks/{task_id}/checklist/7/toggle", headers=headers).status_code
        == 422
    )
    comment = client.post(
        f"/api/v1/tasks/{task_id}/comments", json={"body": "Done **today**"}, headers=headers
    )
    assert comment.status_code == 201 and comment.json()["author_name"] == cast.intern.name
    detail = client.get(f"/api/v1/tasks/{task_id}", headers=headers).json()
    assert [c["body"] for c in detail["comments"]] == ["Done **today**"]
    assert (
        client.post(
            f"/api/v1/tasks/{task_id}/comments", json={"body": ""}, headers=headers
        ).status_code
        == 422
    )


def test_cli_lists_and_shows_projects_in_json(run, cast, session, tmp_path):
    project = launch(session, cast, make_playbook(session), writer=cast.manager)
    projects.set_task_status(
        session, actor=cast.intern, task_id=project.tasks[0].id, status=TaskStatus.done
    )
    session.commit()
    code, out, err = run("projects", "list", "--json")
    assert code == 0, err
    listing = json.loads(out)
    assert listing == [
        {
            "id": project.id, "name": "Webinar", "status": "active", "anchor_date": "2027-03-18",
            "country": "FR", "tasks": 4, "done": 1, "overdue": 0, "next_due_date": "2027-03-10",
        }
    ]  # fmt: skip
    code, out, err = run("projects", "show", str(project.id), "--json")
    assert code == 0, err
    shown = json.loads(out)
    assert shown["id"] == project.id and shown["name"] == "Webinar"
    assert [(t["title"], t["due_date"]) for t in shown["tasks"]] == [
        ("Write the brief", "2027-03-05"), ("Write the script", "2027-03-10"),
        ("Run the webinar", "2027-03-18"), ("Send the follow-up", "2027-03-22"),
    ]  # fmt: skip
    code, out, err = run("projects", "show", str(project.id))
    assert code == 0 and out.startswith(f"Webinar (#{project.id}, active)") and "due_date" in out
    code, _out, err = run("projects", "show", "999")
    assert code == 2 and "This project does not exist." in err and err.count("\n") == 1
    code, _out, err = run("projects", "list", "--status", "finished")
    assert code == 2 and "active, done, cancelled or all" in err
    target = tmp_path / "webinar.csv"
    code, _out, err = run("projects", "export", str(project.id), "--out", str(target))
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8-sig"))))
    assert [row["Name"] for row in rows][:2] == ["Write the brief", "Write the script"]
    code, _out, err = run("projects", "export", str(project.id), "--out", str(tmp_path / "x.pdf"))
    assert code == 2
