"""`propulse requests`: submit, list, show, suggest and triage from the command line."""

from __future__ import annotations

import json

import pytest

from propulse.cli_support import set_acting_email
from propulse.okrs import service as okrs
from propulse.triage import cli as triage_cli
from tests.support.factories import TODAY, make_quarter


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    monkeypatch.setattr(triage_cli, "today", lambda: TODAY)


@pytest.fixture
def run(session_factory, capsys):
    """Run a command in-process as `main()` would; return (exit code, stdout, stderr)."""
    from propulse.cli import main

    def invoke(*args: str) -> tuple[int, str, str]:
        import sys

        old_argv = sys.argv
        sys.argv = ["propulse", *args]
        try:
            with pytest.raises(SystemExit) as exit_info:
                main()
        finally:
            sys.argv = old_argv
            set_acting_email(None)
        captured = capsys.readouterr()
        return int(exit_info.value.code or 0), captured.out, captured.err

    return invoke


@pytest.fixture
def objectives(session, cast):
    period = make_quarter(session, cast)
    session.commit()
    return okrs.active_objectives(session, period_id=period.id)


def add(run, person, title, *extra):
    code, out, err = run(
        "--as", person.email, "requests", "add", "--title", title, "--department", "Sales",
        *extra, "--json",
    )  # fmt: skip
    assert code == 0, err
    return json.loads(out)


def assert_refused(result, expected):
    code, out, err = result
    assert code == 2 and out == ""
    assert err.strip().count("\n") == 0 and expected in err


def test_add_list_and_show_in_json(run, cast):
    created = add(
        run,
        cast.salesperson,
        "Trade show in Munich",
        "--description", "The automotive fair.",
        "--wished", "2027-04-10",
        "--impact", "8", "--confidence", "6", "--ease", "4",
        "--effort", "12.5",
        "--link", "https://fair.example",
    )  # fmt: skip
    assert created["requester_id"] == cast.salesperson.id and created["effort_days"] == 12.5
    assert created["wished_on"] == "2027-04-10" and created["ice_score"] == 6.0
    add(run, cast.manager, "Keynote")
    code, out, _ = run("requests", "list", "--state", "new", "--department", "Sales", "--json")
    assert code == 0
    assert [row["title"] for row in json.loads(out)] == ["Trade show in Munich", "Keynote"]
    code, out, _ = run("requests", "show", str(created["id"]), "--json")
    shown = json.loads(out)
    assert code == 0 and shown["title"] == "Trade show in Munich"
    assert [move["to_state"] for move in shown["transitions"]] == ["new"]
    code, out, _ = run("requests", "list")
    assert code == 0 and "Keynote" in out


def test_invalid_input_exits_2_with_one_line(run, cast):
    assert_refused(
        run("requests", "add", "--title", "X", "--department", "Sales", "--impact", "11"),
        "impact",
    )
    assert_refused(
        run("requests", "add", "--title", "X", "--department", "S", "--wished", "soon"),
        "YYYY-MM-DD",
    )
    assert_refused(run("requests", "list", "--state", "maybe"), "Unknown state")
    assert_refused(run("requests", "show", "999999"), "does not exist")


def test_suggest_ranks_the_current_objectives(run, cast, objectives):
    created = add(
        run,
        cast.salesperson,
        "Webinars for German industry",
        "--description", "Generate enterprise pipeline with webinars in Germany.",
    )  # fmt: skip
    code, out, _ = run("requests", "suggest", str(created["id"]), "--json")
    ranked = json.loads(out)
    assert (
        code == 0
        and [set(row) for row in ranked] == [{"objective_id", "title", "score", "terms"}] * 3
    )
    assert ranked[0]["objective_id"] == objectives[0].id and "Germany" in ranked[0]["terms"]
    assert ranked[0]["score"] >= ranked[1]["score"] >= ranked[2]["score"]
    plants = add(run, cast.salesperson, "Office plants", "--description", "Green plants.")
    code, out, _ = run("requests", "suggest", str(plants["id"]))
    assert code == 0 and "serves no current objective" in out


def test_triage_every_action(run, cast, objectives):
    original = add(run, cast.intern, "Munich fair")
    request = add(run, cast.salesperson, "Trade show in Munich")
    rid = str(request["id"])
    as_manager = ("--as", cast.manager.email, "requests", "triage", rid)
    code, out, _ = run(
        *as_manager, "park", "--reason", "After Q1", "--until", "2027-04-02", "--json"
    )
    assert code == 0 and json.loads(out)["parked_until"] == "2027-04-02"
    key_result = objectives[1].key_results[0]
    code, out, _ = run(*as_manager, "accept", "--key-result", str(key_result.id), "--json")
    decided = json.loads(out)
    assert code == 0 and decided["state"] == "accepted"
    assert decided["objective_id"] == objectives[1].id
    code, out, _ = run(*as_manager, "decline", "--reason", "Budget moved", "--json")
    assert code == 0 and json.loads(out)["declined_reason"] == "Budget moved"
    code, out, _ = run(*as_manager, "reopen", "--json")
    assert code == 0 and json.loads(out)["state"] == "new"
    code, out, _ = run(*as_manager, "duplicate", "--of", str(original["id"]), "--json")
    assert code == 0 and json.loads(out)["duplicate_of_id"] == original["id"]
    code, out, _ = run(*as_manager, "reopen", "--json")
    code, out, _ = run(*as_manager, "accept", "--objective", str(objectives[0].id), "--json")
    assert code == 0 and json.loads(out)["objective_id"] == objectives[0].id
    code, out, _ = run("requests", "show", rid, "--json")
    moves = [(m["from_state"], m["to_state"]) for m in json.loads(out)["transitions"]]
    assert moves == [
        (None, "new"),
        ("new", "parked"),
        ("parked", "accepted"),
        ("accepted", "declined"),
        ("declined", "new"),
        ("new", "duplicate"),
        ("duplicate", "new"),
        ("new", "accepted"),
    ]


def test_refused_decisions_exit_2_with_the_reason(run, cast, objectives):
    request = add(run, cast.salesperson, "Office plants")
    rid = str(request["id"])
    assert_refused(
        run("--as", cast.manager.email, "requests", "triage", rid, "accept"),
        "If it serves none, park it or decline it",
    )
    assert_refused(
        run(
            "--as", cast.salesperson.email, "requests", "triage", rid,
            "accept", "--objective", str(objectives[0].id),
        ),
        "may not triage requests",
    )  # fmt: skip
    assert_refused(
        run("requests", "triage", rid, "park", "--reason", "Later", "--until", TODAY.isoformat()),
        "in the future",
    )
    assert_refused(run("requests", "triage", rid, "decline"), "the requester will read it")
    assert_refused(run("requests", "triage", rid, "duplicate", "--of", rid), "duplicate itself")
    assert_refused(run("requests", "triage", rid, "reopen"), "cannot become new")
    assert_refused(run("requests", "triage", rid, "approve"), "approve")
    _code, out, _ = run("requests", "show", rid, "--json")
    assert json.loads(out)["state"] == "new"
