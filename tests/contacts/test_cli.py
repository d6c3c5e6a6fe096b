"""`propulse contacts`: show, add, erase, custom fields and events from a CSV file."""

from __future__ import annotations

import json

from propulse.contacts import service
from propulse.contacts.models import Contact, ContactEvent
from propulse.contacts.schemas import ConsentIn, ContactIn, EventIn


def add(run, *args):
    code, out, err = run("contacts", "add", *args, "--json")
    assert code == 0, err
    return json.loads(out)


def test_add_a_contact(run, session, cast):
    added = add(
        run,
        "Nina@Client.FR",
        "--first-name", "Nina",
        "--company", "Acme",
        "--country", "fr",
        "--owner", cast.manager.email,
    )  # fmt: skip
    assert (added["email"], added["company"], added["country"]) == (
        "nina@client.fr",
        "Acme",
        "FR",
    )
    assert added["owner_id"] == cast.manager.id
    code, out, err = run("contacts", "add", "nina@client.fr")
    assert code == 2 and "already exists" in err and out == ""


def test_add_with_consent_records_it(run, session, cast):
    added = add(run, "lena@client.de", "--consent", "legitimate_interest")
    contact = session.get(Contact, added["id"])
    assert contact is not None and contact.email_consent == "legitimate_interest"
    history = service.consent_history(session, contact_id=contact.id)
    assert [(record.basis, record.source) for record in history] == [("legitimate_interest", "cli")]
    code, _out, err = run("contacts", "add", "otto@client.de", "--consent", "maybe")
    assert code == 2 and "basis" in err
    assert session.query(Contact).filter_by(email="otto@client.de").count() == 0


def test_bad_input_is_one_line_and_exit_2(run, cast):
    code, _out, err = run("contacts", "add", "not-an-address")
    assert code == 2 and "email" in err and "Traceback" not in err
    code, _out, err = run("contacts", "add", "a@client.fr", "--custom", "nothing")
    assert code == 2 and "KEY=VALUE" in err
    code, _out, err = run("--as", cast.salesperson.email, "contacts", "add", "a@client.fr")
    assert code == 2 and "edit contacts" in err
    code, _out, err = run("contacts", "show", "ghost@client.fr")
    assert code == 2 and "ghost@client.fr" in err


def test_show_a_contact(run, session, cast):
    contact = service.create_contact(
        session,
        actor=cast.intern,
        data=ContactIn(email="anne@client.fr", first_name="Anne", company="Acme"),
    )
    service.record_consent(
        session, actor=cast.intern, contact_id=contact.id, data=ConsentIn(basis="opt_in")
    )
    service.record_events(
        session,
        events=[EventIn(email="anne@client.fr", type="email_opened") for _ in range(12)],
    )
    session.commit()
    code, out, err = run("contacts", "show", "ANNE@client.fr", "--json")
    assert code == 0, err
    shown = json.loads(out)
    assert shown["contact"]["email"] == "anne@client.fr"
    assert shown["contact"]["company"] == "Acme"
    assert {"score", "grade", "reasons"} <= set(shown["score"])
    assert shown["consent"]["email"]["basis"] == "opt_in"
    assert isinstance(shown["segments"], list)
    assert len(shown["events"]) == 10
    code, out, err = run("contacts", "show", "anne@client.fr")
    assert code == 0 and "anne@client.fr" in out and "Score" in out


def test_erase_needs_yes_and_an_admin(run, session, cast):
    add(run, "anne@client.fr")
    code, _out, err = run("contacts", "erase", "anne@client.fr")
    assert code == 2 and "--yes" in err
    code, _out, err = run(
        "--as", cast.manager.email, "contacts", "erase", "anne@client.fr", "--yes"
    )
    assert code == 2 and "erase" in err
    code, out, err = run("contacts", "erase", "anne@client.fr", "--yes", "--json")
    assert code == 0, err
    assert session.query(Contact).count() == 0 and "erased" in json.loads(out)
    code, _out, err = run("contacts", "add", "anne@client.fr")
    assert code == 2 and "suppressed" in err


def test_custom_fields(run, cast):
    code, out, err = run(
        "contacts", "fields", "add", "tier", "--label", "Tier", "--kind", "choice",
        "--choice", "Gold", "--choice", "Silver", "--json",
    )  # fmt: skip
    assert code == 0, err
    assert json.loads(out)["choices"] == ["Gold", "Silver"]
    code, _out, err = run("contacts", "fields", "add", "level", "--label", "L", "--kind", "choice")
    assert code == 2 and "choice" in err
    code, _out, err = run("contacts", "fields", "add", "x", "--label", "X", "--kind", "colour")
    assert code == 2
    code, _out, err = run(
        "--as", cast.manager.email, "contacts", "fields", "add", "crm", "--label", "CRM"
    )
    assert code == 2 and "admin" in err
    code, out, _err = run("contacts", "fields", "list", "--json")
    assert [f["key"] for f in json.loads(out)] == ["tier"]
    added = add(run, "a@client.fr", "--custom", "tier=gold")
    assert added["custom"] == {"tier": "Gold"}
    code, _out, err = run("contacts", "add", "b@client.fr", "--custom", "tier=Platinum")
    assert code == 2 and "custom.tier" in err
    code, out, err = run("contacts", "fields", "delete", "tier", "--json")
    assert code == 0, err
    code, out, _err = run("contacts", "fields", "list")
    assert code == 0 and "tier" not in out


EVENTS_CSV = """id,email,type,occurred_at,properties,webinar
e1,anne@client.fr,email_opened,2027-02-01T10:00:00+00:00,,
e2,ANNE@client.fr,webinar_attended,2027-02-02T10:00:00Z,"{""sector"": ""industry""}",Industry 4.0

e1,anne@client.fr,email_opened,2027-02-01T10:00:00+00:00,,
e3,ghost@client.fr,email_opened,,,
e4,anne@client.fr,Opened!,,,
e5,anne@client.fr,page_visited,yesterday,,
e6,anne@client.fr,form_submitted,,[1],
"""


def test_events_import_from_csv(run, session, cast, tmp_path):
    add(run, "anne@client.fr")
    path = tmp_path / "events.csv"
    path.write_text(EVENTS_CSV, encoding="utf-8")
    code, out, err = run("contacts", "events", "import", str(path), "--json")
    assert code == 0, err
    summary = json.loads(out)
    assert (summary["accepted"], summary["duplicates"]) == (2, 1)
    assert [(r["line"], r["reason"].split(":")[0]) for r in summary["rejected"]] == [
        (6, "no contact has this e-mail"),
        (7, "type"),
        (8, "occurred_at"),
        (9, "properties"),
    ]
    attended = session.query(ContactEvent).filter_by(external_id="e2").one()
    assert attended.properties == {"sector": "industry", "webinar": "Industry 4.0"}
    code, out, err = run("contacts", "events", "import", str(path), "--json")
    assert (json.loads(out)["accepted"], json.loads(out)["duplicates"]) == (0, 3)
    code, out, err = run("contacts", "events", "import", str(path))
    assert code == 0 and "3 duplicates" in out


def test_events_import_refuses_an_unreadable_file(run, cast, tmp_path):
    missing = tmp_path / "missing.csv"
    code, _out, err = run("contacts", "events", "import", str(missing))
    assert code == 2 and "no file" in err.lower()
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("who;what\na;b\n", encoding="utf-8")
    code, _out, err = run("contacts", "events", "import", str(wrong))
    assert code == 2 and "email" in err
    semicolons = tmp_path / "semi.csv"
    semicolons.write_text("email;type\nnobody@client.fr;meeting\n", encoding="cp1252")
    code, out, err = run("contacts", "events", "import", str(semicolons), "--json")
    assert code == 0 and json.loads(out)["rejected"][0]["line"] == 2
