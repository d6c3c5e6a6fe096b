"""`propulse scoring`: rescore with a summary, manage rules, explain a contact's score."""

from __future__ import annotations

import json

from propulse import jobs
from tests.scoring.factories import add_event, make_contact, make_rule


def test_rescore_prints_what_it_did(run, session, cast):
    make_rule(session, "Meeting", points=30, event_type="meeting")
    contact = make_contact(session)
    add_event(session, contact, "meeting")
    make_contact(session)
    session.commit()
    code, out, err = run("scoring", "rescore", "--json")
    assert code == 0, err
    summary = json.loads(out)
    assert (summary["contacts"], summary["changed"]) == (2, 2)  # both graded, one scored
    assert summary["seconds"] >= 0
    session.refresh(contact)
    assert contact.score == 30
    code, out, _err = run("scoring", "rescore")
    assert code == 0 and "contacts" in out


def test_rules_are_added_listed_and_deleted(run, session, cast):
    code, out, err = run(
        "--as",
        cast.manager.email,
        "scoring",
        "rules",
        "add",
        "Opened",
        "--kind",
        "engagement",
        "--event",
        "email_opened",
        "--points",
        "1",
        "--cap",
        "10",
        "--group",
        "email",
        "--half-life",
        "30",
        "--json",
    )
    assert code == 0, err
    opened = json.loads(out)
    assert (opened["decay"], opened["decay_days"], opened["group"]) == ("half_life", 30, "email")
    code, out, err = run(
        "scoring",
        "rules",
        "add",
        "France",
        "--kind",
        "fit",
        "--points",
        "10",
        "--condition",
        '{"field": "country", "op": "eq", "value": "FR"}',
        "--json",
    )
    assert code == 0, err
    code, out, _err = run("scoring", "rules", "list", "--json")
    assert [rule["name"] for rule in json.loads(out)] == ["France", "Opened"]
    assert jobs.huey.pending_count() == 2
    code, out, _err = run("scoring", "rules", "delete", str(opened["id"]), "--json")
    assert code == 0 and json.loads(out) == {"deleted": opened["id"]}


def test_bad_rules_and_people_without_the_role_get_one_line(run, session, cast):
    code, _out, err = run(
        "scoring", "rules", "add", "X", "--kind", "fit", "--points", "5", "--condition", "{oops"
    )
    assert code == 2 and "not valid JSON" in err
    code, _out, err = run("scoring", "rules", "add", "X", "--kind", "engagement", "--points", "5")
    assert code == 2 and "event_type" in err
    code, _out, err = run(
        "scoring",
        "rules",
        "add",
        "X",
        "--kind",
        "engagement",
        "--event",
        "meeting",
        "--points",
        "5",
        "--half-life",
        "3",
        "--expire-after",
        "4",
    )
    assert code == 2 and "not both" in err
    code, _out, err = run("--as", cast.intern.email, "scoring", "rescore")
    assert code == 2 and "manager" in err
    code, _out, err = run("scoring", "rules", "delete", "999")
    assert code == 2 and "does not exist" in err


def test_explain_shows_the_reasons(run, session, cast):
    make_rule(session, "Clicked", points=5, event_type="email_clicked")
    contact = make_contact(session, email="ana@acme.example")
    add_event(session, contact, "email_clicked")
    add_event(session, contact, "email_clicked")
    session.commit()
    run("scoring", "rescore")
    code, out, err = run("scoring", "explain", "ANA@acme.example", "--json")
    assert code == 0, err
    found = json.loads(out)
    assert (found["score"], found["grade"]) == (10, "C2")
    (reason,) = found["contributions"]
    assert reason["name"] == "Clicked" and reason["points"] == 10
    assert found["history"][0]["score"] == 10
    code, out, _err = run("scoring", "explain", "ana@acme.example")
    assert code == 0 and "Clicked" in out
    code, _out, err = run("scoring", "explain", "nobody@acme.example")
    assert code == 2 and "No contact" in err
