"""`propulse contacts import`: the JSON summary, the rejects file, --map, --update, exit codes."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from sqlalchemy import select

from propulse.audit.models import AuditEntry
from propulse.contacts.models import Contact

KEYS = ["created", "updated", "unchanged", "rejected", "rejects_file"]


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as out:
        csv.writer(out).writerows(rows)
    return path


def emails(session) -> list[str]:
    session.expire_all()
    return sorted(session.scalars(select(Contact.email)))


def test_the_json_summary_and_the_default_rejects_file(run, session, cast, tmp_path):
    path = write_csv(
        tmp_path / "contacts.csv",
        [["Email", "First Name"], ["a@client.fr", "Ann"], ["oops", "Bad"], ["b@client.fr", "Bob"]],
    )
    code, out, err = run("contacts", "import", str(path), "--json")
    assert code == 0, err
    summary = json.loads(out)
    assert list(summary) == KEYS
    assert summary == {
        "created": 2, "updated": 0, "unchanged": 0, "rejected": 1,
        "rejects_file": str(tmp_path / "contacts.rejects.csv"),
    }  # fmt: skip
    with open(summary["rejects_file"], encoding="utf-8-sig") as rejects:
        assert list(csv.reader(rejects)) == [
            ["Email", "First Name", "row", "reason"],
            ["oops", "Bad", "3", "Email: oops is not a valid e-mail address."],
        ]
    assert emails(session) == ["a@client.fr", "b@client.fr"]
    code, out, _err = run("contacts", "import", str(path), "--json")
    assert json.loads(out)["unchanged"] == 2


def test_a_clean_file_has_no_rejects_file(run, cast, tmp_path):
    path = write_csv(tmp_path / "ok.csv", [["email"], ["a@client.fr"]])
    code, out, _err = run("contacts", "import", str(path), "--json")
    assert code == 0 and json.loads(out)["rejects_file"] is None
    assert not (tmp_path / "ok.rejects.csv").exists()


def test_map_update_rejects_and_dry_run(run, session, cast, tmp_path):
    path = write_csv(
        tmp_path / "odd.csv", [["Adresse", "Who", "Record ID"], ["a@client.fr", "Ann", "1"]]
    )
    code, _out, err = run("contacts", "import", str(path))
    assert code == 2 and "e-mail" in err and "Traceback" not in err
    rejects = tmp_path / "elsewhere" / "r.csv"
    args = ["contacts", "import", str(path), "--map", "Adresse=email", "--map", "who=first_name"]
    code, out, err = run(*args, "--dry-run", "--rejects", str(rejects), "--json")
    assert code == 0, err
    assert json.loads(out)["created"] == 1 and emails(session) == []
    code, out, err = run(*args, "--json")
    assert json.loads(out)["created"] == 1
    path = write_csv(tmp_path / "odd.csv", [["Adresse", "Who"], ["a@client.fr", "Anna"]])
    code, out, _err = run(*args, "--json")
    assert json.loads(out)["unchanged"] == 1
    code, out, _err = run(*args, "--update", "overwrite", "--json")
    assert json.loads(out)["updated"] == 1
    assert session.scalar(select(Contact.first_name)) == "Anna"


def test_the_human_output_shows_the_mapping_and_the_counts(run, cast, tmp_path):
    path = write_csv(
        tmp_path / "h.csv", [["Courriel", "Prénom", "Notes"], ["a@client.fr", "Ann", "x"]]
    )
    code, out, err = run("contacts", "import", str(path), "--dry-run")
    assert code == 0, err
    assert "Courriel" in out and "E-mail" in out and "Notes" in out
    assert "Dry run" in out and "created: 1" in out


def test_exit_2_for_an_unreadable_file_or_an_unknown_option_value(run, session, cast, tmp_path):
    code, _out, err = run("contacts", "import", str(tmp_path / "missing.csv"))
    assert code == 2 and "missing.csv" in err
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04not really")
    code, _out, err = run("contacts", "import", str(broken), "--json")
    assert code == 2 and "XLSX" in err
    path = write_csv(tmp_path / "ok.csv", [["email"], ["a@client.fr"]])
    code, _out, err = run("contacts", "import", str(path), "--update", "merge")
    assert code == 2
    code, _out, err = run("contacts", "import", str(path), "--map", "email=nickname")
    assert code == 2 and "nickname" in err
    code, _out, err = run("--as", cast.intern.email, "contacts", "import", str(path))
    assert code == 2 and "import contacts" in err
    assert emails(session) == []


def test_the_cli_records_one_audit_entry(run, session, cast, tmp_path):
    path = write_csv(tmp_path / "a.csv", [["email"], ["a@client.fr"], ["b@client.fr"]])
    run("contacts", "import", str(path), "--json")
    entry = session.scalar(select(AuditEntry).where(AuditEntry.object_type == "contact_import"))
    assert entry is not None and entry.via == "cli" and entry.details["created"] == 2
