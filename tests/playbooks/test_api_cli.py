"""Playbooks through the API and the CLI: files round trip, versions, launching with roles."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from propulse.auth import service as auth
from propulse.auth.models import TokenScope
from propulse.playbooks import api as playbooks_api
from propulse.playbooks import cli as playbooks_cli
from propulse.playbooks import files, projects, service
from tests.playbooks.test_service import make_playbook, sample_content
from tests.support.factories import TODAY


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr(playbooks_api, "today", lambda: TODAY)
    monkeypatch.setattr(playbooks_cli, "today", lambda: TODAY)


def _headers(session, user, scope=TokenScope.write):
    _token, secret = auth.create_token(session, actor=user, owner=user, name="t", scope=scope)
    session.commit()
    return {"Authorization": f"Bearer {secret}"}


def _body() -> dict:
    content = sample_content(slug="api-webinar")
    return {
        "slug": content.slug,
        "language": "en",
        "name": content.name,
        "category": "webinar",
        "goal": content.goal,
        "tutorial": content.tutorial,
        "best_practices": content.best_practices,
        "steps": [
            {
                "key": step.key,
                "title": step.title,
                "owner_role": step.owner_role,
                "offset_days": step.offset_days,
                "after_key": step.after_key,
                "lag_days": step.lag_days,
                "duration_days": step.duration_days,
                "day_kind": step.day_kind,
                "checklist": step.checklist,
                "advice": step.advice,
                "tutorial": step.tutorial,
            }
            for step in content.steps
        ],
    }


def test_the_api_creates_edits_and_versions_a_playbook(client, cast, session):
    headers = _headers(session, cast.intern)
    created = client.post("/api/v1/playbooks", json=_body(), headers=headers)
    assert created.status_code == 201, created.text
    playbook = created.json()
    assert playbook["status"] == "draft" and len(playbook["steps"]) == 3
    assert playbook["steps"][1]["after_key"] == "write-script"
    published = client.post(f"/api/v1/playbooks/{playbook['id']}/publish", headers=headers)
    assert published.json()["current_version"] == 1
    body = {key: value for key, value in _body().items() if key not in ("slug", "language")}
    body["steps"][0]["advice"] = "Rehearse it aloud."
    body |= {"version": published.json()["version"], "note": "advice"}
    replaced = client.put(f"/api/v1/playbooks/{playbook['id']}", json=body, headers=headers)
    assert replaced.status_code == 200, replaced.text
    assert replaced.json()["current_version"] == 2
    stale = client.put(f"/api/v1/playbooks/{playbook['id']}", json=body, headers=headers)
    assert stale.status_code == 409
    assert stale.headers["content-type"] == "application/problem+json"
    versions = client.get(f"/api/v1/playbooks/{playbook['id']}/versions", headers=headers).json()
    assert [v["number"] for v in versions["items"]] == [2, 1] and versions["next_cursor"] is None
    first = client.get(f"/api/v1/playbooks/{playbook['id']}/versions/1", headers=headers).json()
    assert first["snapshot"]["steps"][0]["advice"] == "Write as you speak: short sentences."
    listing = client.get("/api/v1/playbooks?language=en&category=webinar", headers=headers).json()
    assert [p["slug"] for p in listing["items"]] == ["api-webinar"]
    assert client.get("/api/v1/playbooks?language=fr", headers=headers).json()["items"] == []


def test_the_api_refuses_invalid_steps_field_by_field(client, cast, session):
    headers = _headers(session, cast.intern)
    body = _body()
    body["steps"][0]["after_key"] = "design-slides"
    body["steps"][0]["offset_days"] = None
    cycle = client.post("/api/v1/playbooks", json=body, headers=headers)
    assert cycle.status_code == 422
    assert "wait for each other" in cycle.json()["errors"][0]["detail"]
    body = _body()
    body["steps"][2]["owner_role"] = ""
    missing = client.post("/api/v1/playbooks", json=body, headers=headers).json()
    assert missing["errors"] == [
        {"field": "step 3 (debrief)", "detail": "An owner role is required."}
    ]
    read_only = _headers(session, cast.intern, TokenScope.read)
    assert client.post("/api/v1/playbooks", json=_body(), headers=read_only).status_code == 403


def test_the_api_launches_a_project_with_dated_tasks(client, cast, session):
    playbook = make_playbook(session, cast.intern)
    headers = _headers(session, cast.intern)
    url = f"/api/v1/playbooks/{playbook.id}/launch"
    body = {"anchor": "2027-03-18", "country": "FR", "roles": {"Webinar lead": cast.intern.id}}
    unmapped = client.post(url, json=body, headers=headers)
    assert unmapped.status_code == 422 and "Designer" in unmapped.json()["detail"]
    body["roles"]["Designer"] = cast.manager.id
    unknown = client.post(url, json={**body, "country": "XX"}, headers=headers)
    assert unknown.status_code == 422 and "XX" in unknown.json()["detail"]
    launched = client.post(url, json=body, headers=headers)
    assert launched.status_code == 201, launched.text
    project = launched.json()
    assert project["playbook_version"] == 1 and project["country"] == "FR"
    due = {task["step_key"]: task["due_date"] for task in project["tasks"]}
    # D-21 in working days from Thursday 18 March 2027, three days long.
    assert due == {
        "write-script": "2027-02-19",
        "design-slides": "2027-02-24",
        "debrief": "2027-03-21",
    }
    assert {task["assignee_id"] for task in project["tasks"]} == {cast.intern.id, cast.manager.id}
    assert len(projects.list_projects(session)) == 1


def test_cli_list_show_export_import_round_trip_is_lossless(run, cast, session, tmp_path: Path):
    playbook = make_playbook(session, cast.intern)
    code, out, err = run("playbooks", "list", "--json")
    assert code == 0, err
    assert [row["slug"] for row in json.loads(out)] == ["launch-webinar"]
    code, out, err = run("playbooks", "show", "launch-webinar", "--json")
    assert code == 0, err
    shown = json.loads(out)
    assert shown["id"] == playbook.id and shown["steps"][0]["tutorial"].startswith("Start from")
    code, out, err = run("playbooks", "show", str(playbook.id))
    assert code == 0 and "D-21" in out and "design-slides" in out
    code, out, err = run("playbooks", "export", "launch-webinar", str(tmp_path))
    assert code == 0, err
    folder = tmp_path / "launch-webinar.en"
    assert (folder / "playbook.md").is_file() and (
        folder / "steps" / "01-write-script.md"
    ).is_file()
    exported = files.read_folder(folder)
    expected = service.content_of(playbook)
    assert exported == expected
    (folder / "playbook.md").write_text(
        (folder / "playbook.md").read_text().replace("slug: launch-webinar", "slug: webinar-copy")
    )
    code, out, err = run("playbooks", "import", str(folder), "--json")
    assert code == 0, err
    imported = json.loads(out)
    assert imported["slug"] == "webinar-copy" and imported["current_version"] == 1
    copy = service.get_playbook(session, playbook_id=imported["id"])
    round_trip = service.content_of(copy)
    assert (round_trip.slug, round_trip.version) == ("webinar-copy", 1)
    round_trip.slug, round_trip.version = expected.slug, expected.version
    assert round_trip == expected


def test_cli_import_names_the_bad_file_and_line_and_writes_nothing(run, cast, session, tmp_path):
    folder = files.write_folder(sample_content(slug="broken"), tmp_path)
    (folder / "steps" / "02-design-slides.md").write_text(
        "---\nkey: design-slides\ntitle: [x\n---\n"
    )
    code, _out, err = run("playbooks", "import", str(tmp_path))
    assert code == 2
    assert "broken.en/steps/02-design-slides.md (line 3)" in err and "not valid YAML" in err
    assert service.find_playbook(session, slug="broken", language="en") is None


def test_cli_launch_with_assign_and_owner(run, cast, session):
    make_playbook(session, cast.intern)
    code, out, err = run(
        "--as", cast.intern.email,
        "playbooks", "launch", "launch-webinar",
        "--anchor", "2027-03-18", "--country", "fr",
        "--assign", f"designer={cast.manager.email}",
        "--owner", cast.intern.email,
        "--name", "Industry webinar",
        "--json",
    )  # fmt: skip
    assert code == 0, err
    project = json.loads(out)
    assert project["name"] == "Industry webinar" and project["country"] == "FR"
    assert project["roles"] == {"Webinar lead": cast.intern.id, "Designer": cast.manager.id}
    assert [task["due_date"] for task in project["tasks"]] == [
        "2027-02-19",
        "2027-02-24",
        "2027-03-21",
    ]
    assert project["warnings"] == []


def test_cli_launch_refuses_unmapped_roles_unknown_countries_and_drafts(run, cast, session):
    make_playbook(session, cast.intern)
    code, _out, err = run(
        "playbooks", "launch", "launch-webinar", "--anchor", "2027-03-18", "--country", "FR"
    )
    assert code == 2 and "Webinar lead, Designer" in err and "--assign ROLE=EMAIL" in err
    code, _out, err = run(
        "playbooks", "launch", "launch-webinar", "--anchor", "2027-03-18", "--country", "FR",
        "--assign", f"Webinar lead={cast.intern.email}",
    )  # fmt: skip
    assert code == 2 and "Designer" in err and "Webinar lead" not in err.split("Nobody plays")[1]
    owner = ("--owner", cast.intern.email)
    code, _out, err = run(
        "playbooks", "launch", "launch-webinar", "--anchor", "2027-03-18", "--country", "ZZ", *owner
    )
    assert code == 2 and "Unknown country: ZZ" in err
    code, _out, err = run(
        "playbooks", "launch", "launch-webinar", "--anchor", "18/03/2027", "--country", "FR", *owner
    )
    assert code == 2 and "YYYY-MM-DD" in err
    code, _out, err = run(
        "playbooks", "launch", "launch-webinar", "--anchor", "2027-03-18", "--country", "FR",
        "--assign", f"Astronaut={cast.intern.email}",
    )  # fmt: skip
    assert code == 2 and "Astronaut is no role of this playbook" in err
    make_playbook(session, cast.intern, slug="unpublished", publish=False)
    code, _out, err = run(
        "playbooks", "launch", "unpublished", "--anchor", "2027-03-18", "--country", "FR", *owner
    )
    assert code == 2 and "Publish this playbook" in err
    assert projects.list_projects(session) == []


def test_cli_finds_a_slug_in_the_users_language_first(run, cast, session):
    english = make_playbook(session, cast.intern)
    french = make_playbook(session, cast.intern, language="fr")
    cast.intern.ui_language = "fr"
    session.commit()
    code, out, _err = run(
        "--as", cast.intern.email, "playbooks", "show", "launch-webinar", "--json"
    )
    assert code == 0 and json.loads(out)["id"] == french.id
    code, out, _err = run(
        "--as", cast.intern.email, "playbooks", "show", "launch-webinar", "--lang", "en", "--json"
    )
    assert json.loads(out)["id"] == english.id
    code, _out, err = run("playbooks", "show", "nowhere")
    assert code == 2 and "No playbook nowhere" in err


def test_cli_refuses_a_cycle_on_import(run, cast, tmp_path):
    content = sample_content(slug="loop")
    content.steps[0].offset_days, content.steps[0].after_key = None, "design-slides"
    files.write_folder(content, tmp_path)
    code, _out, err = run("playbooks", "import", str(tmp_path / "loop.en"))
    assert code == 2 and "wait for each other" in err
