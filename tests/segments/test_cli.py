"""`propulse segments`: list, show, create, rebuild, with --json."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from tests.segments.factories import make_contact


def test_create_list_show_and_rebuild(
    run: Any, cast: Any, session: Session, tmp_path: Path
) -> None:
    make_contact(session, country="FR")
    make_contact(session, country="BE")
    session.commit()
    code, out, err = run(
        "segments",
        "create",
        "French",
        "--definition",
        '{"field": "country", "op": "eq", "value": "FR"}',
        "--json",
    )
    assert code == 0, err
    french = json.loads(out)
    assert french["member_count"] == 1

    definition = tmp_path / "not-french.json"
    definition.write_text(json.dumps({"segment": french["id"], "member": False}))
    code, out, err = run(
        "segments", "create", "Not French", "--definition", f"@{definition}", "--json"
    )
    assert code == 0, err
    code, out, err = run("segments", "create", "Booth visitors", "--static", "--json")
    assert code == 0 and json.loads(out)["kind"] == "static"

    code, out, _err = run("segments", "list", "--json")
    assert [row["name"] for row in json.loads(out)] == ["Booth visitors", "French", "Not French"]
    code, out, _err = run("segments", "show", str(french["id"]), "--json")
    assert json.loads(out)["in_words"] == "Country is FR"
    code, out, _err = run("segments", "show", str(french["id"]))
    assert "Country is FR" in out

    code, out, err = run("segments", "rebuild", "--json")
    assert code == 0, err
    rows = json.loads(out)
    assert [(row["name"], row["entered"], row["left"], row["members"]) for row in rows] == [
        ("French", 0, 0, 1),
        ("Not French", 0, 0, 1),
    ]
    assert all(isinstance(row["seconds"], float) for row in rows)
    code, out, _err = run("segments", "rebuild", str(french["id"]))
    assert code == 0 and "French" in out and "entered" in out


def test_errors_are_one_red_line(run: Any, cast: Any, session: Session) -> None:
    code, _out, err = run(
        "segments",
        "create",
        "Bad",
        "--definition",
        '{"field": "country", "op": "in", "value": "FR"}',
    )
    assert code == 2
    assert 'definition: value: a list is expected for "in"' in err
    code, _out, err = run("segments", "create", "Bad", "--definition", "{oops")
    assert code == 2 and "not valid JSON" in err
    code, _out, err = run("segments", "create", "Bad", "--definition", "@/nowhere/x.json")
    assert code == 2 and "No file" in err
    code, _out, err = run("--as", cast.intern.email, "segments", "rebuild")
    assert code == 2 and "may not rebuild segments" in err
    code, _out, err = run("segments", "show", "999")
    assert code == 2 and "does not exist" in err
