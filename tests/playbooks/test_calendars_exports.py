"""Calendar feeds (valid ICS, secret and revocable addresses) and the CSV and XLSX exports."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta

import pytest
from icalendar import Calendar
from openpyxl import load_workbook
from sqlalchemy import select

from propulse.kit.security import hash_api_token
from propulse.playbooks import boards, calendars, exports, projects
from propulse.playbooks.models import CalendarFeed, TaskStatus
from tests.playbooks.test_projects import launch, make_playbook
from tests.support.factories import TODAY
from tests.support.web import csrf_from, sign_in

HTMX = {"HX-Request": "true"}


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr(boards, "today", lambda: TODAY)


def token_of(url: str) -> str:
    match = re.fullmatch(r"http://testserver/calendars/(cal_[A-Za-z0-9_-]{43})\.ics", url)
    assert match, url
    return match.group(1)


def events(ics: bytes) -> list:
    return Calendar.from_ical(ics).walk("VEVENT")


def test_a_project_feed_is_valid_ics_with_one_stable_event_per_task(session, cast):
    project = launch(session, cast, make_playbook(session), writer=cast.manager)
    new = calendars.create_feed(session, actor=cast.intern, project_id=project.id)
    session.commit()
    token = token_of(new.url)
    stored = session.scalars(select(CalendarFeed)).one()
    assert stored.token_hash == hash_api_token(token) and token not in stored.token_hash
    first = calendars.feed_ics(session, token=token)
    calendar = Calendar.from_ical(first)
    assert str(calendar["X-WR-CALNAME"]) == "Propulse · Webinar"
    assert str(calendar["VERSION"]) == "2.0" and calendar["PRODID"]
    assert b"REFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n" in first and b"X-PUBLISHED-TTL:PT1H" in first
    found = events(first)
    assert len(found) == len(project.tasks) == 4
    by_uid = {str(event["UID"]): event for event in found}
    script = next(task for task in project.tasks if task.step_key == "script")
    event = by_uid[f"task-{script.id}@propulse"]
    assert event.decoded("DTSTART") == script.start_on
    assert event.decoded("DTEND") == script.due_on + timedelta(days=1)  # exclusive end
    assert str(event["SUMMARY"]) == "Write the script" and str(event["STATUS"]) == "CONFIRMED"
    assert all(e.get("DTSTAMP") for e in found)
    brief = next(task for task in project.tasks if task.step_key == "brief")
    description = str(by_uid[f"task-{brief.id}@propulse"]["DESCRIPTION"])
    assert "Role: Webinar lead" in description and f"Assignee: {cast.intern.name}" in description
    assert "Keep it short.\nOne page.\nName the sector." in description
    assert "No fourth line" not in description
    assert f"http://testserver/tasks/{brief.id}" in description

    projects.set_task_status(
        session, actor=cast.intern, task_id=brief.id, status=TaskStatus.skipped
    )
    session.commit()
    again = {str(e["UID"]): e for e in events(calendars.feed_ics(session, token=token))}
    assert set(again) == set(by_uid)  # the same UIDs: calendars update, never duplicate
    assert str(again[f"task-{brief.id}@propulse"]["STATUS"]) == "CANCELLED"
    assert int(again[f"task-{brief.id}@propulse"]["SEQUENCE"]) > int(
        by_uid[f"task-{brief.id}@propulse"]["SEQUENCE"]
    )


def test_a_personal_feed_holds_the_persons_tasks_in_active_projects(session, cast):
    playbook = make_playbook(session)
    launch(session, cast, playbook, writer=cast.manager, name="Spring")
    other = launch(
        session, cast, playbook, lead=cast.manager, name="Autumn", anchor=date(2027, 10, 7)
    )
    new = calendars.create_feed(session, actor=cast.manager, for_person=True)
    session.commit()
    found = events(calendars.feed_ics(session, token=token_of(new.url)))
    summaries = sorted(str(event["SUMMARY"]) for event in found)
    assert summaries == [
        "Run the webinar · Autumn", "Send the follow-up · Autumn", "Write the brief · Autumn",
        "Write the script · Autumn", "Write the script · Spring",
    ]  # fmt: skip
    assert "Project: Spring" in str(
        next(e for e in found if "Spring" in str(e["SUMMARY"]))["DESCRIPTION"]
    )
    from propulse.playbooks import feedback

    feedback.close_project(
        session, actor=cast.manager, project_id=other.id, suggestions=[], cancelled=True
    )
    session.commit()
    assert len(events(calendars.feed_ics(session, token=token_of(new.url)))) == 1


def test_the_feed_needs_no_sign_in_and_a_revoked_or_unknown_address_is_404(client, cast, session):
    project = launch(session, cast, make_playbook(session))
    new = calendars.create_feed(session, actor=cast.intern, project_id=project.id)
    session.commit()
    path = new.url.removeprefix("http://testserver")
    response = client.get(path)  # nobody is signed in: calendar applications cannot
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    assert len(events(response.content)) == 4
    assert client.get("/calendars/cal_unknown.ics").status_code == 404
    calendars.revoke_feed(session, actor=cast.intern, feed_id=new.feed.id)
    session.commit()
    assert client.get(path).status_code == 404


def test_only_the_owner_or_a_manager_revokes_and_viewers_create_only_their_own(session, cast):
    project = launch(session, cast, make_playbook(session))
    new = calendars.create_feed(session, actor=cast.intern, project_id=project.id)
    from propulse.kit.errors import Conflict, Forbidden

    with pytest.raises(Forbidden):
        calendars.revoke_feed(session, actor=cast.salesperson, feed_id=new.feed.id)
    with pytest.raises(Forbidden):
        calendars.create_feed(session, actor=cast.salesperson, project_id=project.id)
    own = calendars.create_feed(session, actor=cast.salesperson, for_person=True)
    assert own.feed.user_id == cast.salesperson.id
    calendars.revoke_feed(session, actor=cast.manager, feed_id=new.feed.id)
    with pytest.raises(Conflict):
        calendars.revoke_feed(session, actor=cast.manager, feed_id=new.feed.id)


def test_the_pages_show_a_new_address_once_list_it_and_revoke_it(client, cast, session):
    project = launch(session, cast, make_playbook(session))
    session.commit()
    sign_in(client, cast.intern.email)
    page = client.get(f"/projects/{project.id}")
    created = client.post(
        f"/projects/{project.id}/calendars", data={"csrf_token": csrf_from(page)}, headers=HTMX
    )
    assert created.status_code == 200 and created.text.lstrip().startswith(
        '<section class="card" id="calendars"'
    )
    url = re.search(r'<code class="secret" id="new-feed-url">([^<]+)</code>', created.text).group(1)
    assert client.get(url.removeprefix("http://testserver")).status_code == 200
    again = client.get(f"/projects/{project.id}").text
    assert url not in again and "Address #" in again  # listed, never shown again
    feed = session.scalars(select(CalendarFeed)).one()
    revoked = client.post(
        f"/calendars/{feed.id}/revoke", data={"csrf_token": csrf_from(page)}, headers=HTMX
    )
    assert revoked.status_code == 200 and "revoked" in revoked.text
    assert client.get(url.removeprefix("http://testserver")).status_code == 404
    mine = client.post("/tasks/mine/calendars", data={"csrf_token": csrf_from(page)})
    assert mine.status_code == 200 and "/calendars/cal_" in mine.text and "<html" in mine.text


# --- Exports ---------------------------------------------------------------------------------


def exported_project(session, cast):
    project = launch(session, cast, make_playbook(session), writer=cast.manager)
    brief = next(task for task in project.tasks if task.step_key == "brief")
    projects.toggle_checklist_item(session, actor=cast.intern, task_id=brief.id, index=0)
    projects.set_task_status(session, actor=cast.intern, task_id=brief.id, status=TaskStatus.done)
    live = next(task for task in project.tasks if task.step_key == "live")
    live.title = '=HYPERLINK("http://evil.example","click")'
    session.commit()
    return projects.get_project(session, project_id=project.id)


def test_the_csv_has_the_import_columns_and_neutralises_formulas(session, cast):
    project = exported_project(session, cast)
    rows = list(csv.DictReader(io.StringIO(exports.to_csv(project))))
    assert list(rows[0]) == [
        "Name", "Description", "Section", "Assignee Email", "Start Date", "Due Date", "Dependencies",
    ]  # fmt: skip
    by_name = {row["Name"]: row for row in rows}
    brief, script = by_name["Write the brief"], by_name["Write the script"]
    assert brief["Section"] == "Done" and script["Section"] == "To do"
    assert (
        brief["Assignee Email"] == cast.intern.email
        and script["Assignee Email"] == cast.manager.email
    )
    assert (brief["Start Date"], brief["Due Date"]) == ("2027-03-04", "2027-03-05")
    assert brief["Description"] == (
        "Talk to **sales** first. They know.\n\n"
        "[x] Ask sales for the topic\n[ ] =SUM(A1:A9)\n[ ] Book the room"
    )
    assert script["Dependencies"] == "Write the brief" and brief["Dependencies"] == ""
    assert '\'=HYPERLINK("http://evil.example","click")' in by_name
    assert (
        by_name["Send the follow-up"]["Dependencies"]
        == '\'=HYPERLINK("http://evil.example","click")'
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [("=1+1", "'=1+1"), ("+33 6", "'+33 6"), ("-2", "'-2"), ("@SUM(A1)", "'@SUM(A1)"),
     ("\tx", "'\tx"), ("\rx", "'\rx"), ("Plain", "Plain"), ("a=b", "a=b"), ("", "")],
)  # fmt: skip
def test_neutralise_prefixes_what_a_spreadsheet_would_run(text, expected):
    assert exports.neutralise(text) == expected


def test_the_xlsx_reads_back_with_the_same_columns_dates_and_no_formula(session, cast):
    project = exported_project(session, cast)
    workbook = load_workbook(io.BytesIO(exports.to_xlsx(project)))
    sheet = workbook["Tasks"]
    values = list(sheet.iter_rows(values_only=True))
    assert list(values[0]) == list(exports.COLUMNS)
    assert len(values) == 5
    rows = [dict(zip(values[0], row, strict=True)) for row in values[1:]]
    brief = next(row for row in rows if row["Name"] == "Write the brief")
    assert brief["Start Date"].date() == date(2027, 3, 4) and brief["Due Date"].date() == date(
        2027, 3, 5
    )
    assert (
        sheet.cell(row=2, column=exports.COLUMNS.index("Due Date") + 1).number_format
        == "yyyy-mm-dd"
    )
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    assert any(row["Name"] == '\'=HYPERLINK("http://evil.example","click")' for row in rows)


def test_the_export_routes_download_csv_and_xlsx(client, cast, session):
    project = exported_project(session, cast)
    sign_in(client, cast.salesperson.email)
    as_csv = client.get(f"/projects/{project.id}/export.csv")
    assert as_csv.status_code == 200 and as_csv.headers["content-type"] == "text/csv; charset=utf-8"
    assert as_csv.text.startswith("\ufeffName,Description,Section,")
    assert f'filename="webinar-{project.id}.csv"' in as_csv.headers["content-disposition"]
    as_xlsx = client.get(f"/projects/{project.id}/export.xlsx")
    assert as_xlsx.headers["content-type"] == exports.XLSX_MEDIA_TYPE
    assert load_workbook(io.BytesIO(as_xlsx.content))["Tasks"].max_row == 5
