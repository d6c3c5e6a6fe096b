"""Importing a file: creation, merge rules, duplicates, rejects, suppressions, dry run, hooks."""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import func, select

from propulse.audit.models import AuditEntry
from propulse.contacts import hooks
from propulse.contacts.emails import email_hash
from propulse.contacts.importing import ImportOptions, import_file
from propulse.contacts.merge import UpdateRule
from propulse.contacts.models import Company, Contact, CustomField, Suppression
from propulse.kit.errors import Forbidden

DATA = Path(__file__).resolve().parent.parent / "data" / "contacts"


def write_csv(
    path: Path, rows: list[list[str]], *, delimiter: str = ",", encoding: str = "utf-8"
) -> Path:
    with path.open("w", newline="", encoding=encoding) as out:
        csv.writer(out, delimiter=delimiter).writerows(rows)
    return path


def read_rejects(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as rejects:
        return list(csv.DictReader(rejects))


def contact(session, email: str) -> Contact:
    session.expire_all()
    found = session.scalar(select(Contact).where(Contact.email == email))
    assert found is not None, email
    return found


def count_contacts(session) -> int:
    return session.scalar(select(func.count()).select_from(Contact)) or 0


def run_import(session, actor, path: Path, **options):
    summary = import_file(session, actor=actor, path=path, options=ImportOptions(**options))
    session.flush()
    return summary


def test_a_hubspot_export_creates_contacts_with_companies_and_owners(session, cast, tmp_path):
    path = tmp_path / "hubspot.csv"
    path.write_bytes((DATA / "hubspot-contacts.csv").read_bytes())
    summary = run_import(session, cast.manager, path)
    assert summary.as_json() == {
        "created": 4, "updated": 0, "unchanged": 0, "rejected": 0, "rejects_file": None,
    }  # fmt: skip
    assert summary.ignored == ["Record ID", "Create Date"]
    camille = contact(session, "camille.moreau@atelier-moreau.fr")
    assert (camille.first_name, camille.last_name, camille.job_title) == (
        "Camille", "Moreau", "Directrice marketing",
    )  # fmt: skip
    assert camille.company is not None and camille.company.name == "Atelier Moreau"
    assert (camille.country, camille.language, camille.timezone) == ("FR", "fr", "Europe/Paris")
    assert (camille.lifecycle_stage, camille.owner_id) == ("mql", cast.manager.id)
    assert (camille.sector, camille.company_size, camille.source) == (
        "Retail",
        "51-200",
        "Organic Search",
    )
    lukas = contact(session, "lukas.becker@kraftwerk-logistik.de")
    assert lukas.phone == "+49 151 2345 6789"  # the mobile, since the phone is empty
    assert (lukas.owner_id, lukas.lifecycle_stage) == (None, "lead")
    assert contact(session, "sofia.ricci@ricci-banca.it").owner_id == cast.manager.id  # by name
    assert contact(session, "tom.evans@northwind.co.uk").lifecycle_stage == "customer"
    assert not (tmp_path / "hubspot.rejects.csv").exists()


def test_a_french_semicolon_windows_1252_file(session, cast, tmp_path):
    path = tmp_path / "fr.csv"
    path.write_bytes((DATA / "contacts-fr-cp1252.csv").read_bytes())
    summary = run_import(session, cast.manager, path)
    assert (summary.created, summary.rejected, summary.rows) == (3, 0, 3)
    rene = contact(session, "rene.lefevre@boulangeries-lefevre.fr")
    assert (rene.first_name, rene.last_name, rene.phone) == ("René", "Lefèvre", "+33 4 78 12 34 56")
    assert (rene.maturity, rene.country, rene.language, rene.lifecycle_stage) == (
        3,
        "FR",
        "fr",
        "customer",
    )
    helene = contact(session, "helene.garcon@mutuelle-solidaire.fr")
    assert (helene.maturity, helene.country, helene.lifecycle_stage) == (2, "BE", "mql")
    francois = contact(session, "francois.noel@ecoles-publiques.fr")
    assert francois.company is not None and francois.company.name == "Écoles Publiques"
    assert (francois.country, francois.lifecycle_stage, francois.phone) == (
        "CH",
        "opportunity",
        None,
    )


def test_an_xlsx_workbook(session, cast, tmp_path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["E-mail", "Prénom", "Téléphone", "Maturité"])
    sheet.append(["ana@cliente.es", "Ana", 34912345678, 4])
    sheet.append([None, None, None, None])
    sheet.append(["bad-address", "Bad", None, None])
    path = tmp_path / "contacts.xlsx"
    workbook.save(path)
    summary = run_import(session, cast.manager, path)
    assert (summary.created, summary.rejected) == (1, 1)
    ana = contact(session, "ana@cliente.es")
    assert (ana.first_name, ana.phone, ana.maturity) == ("Ana", "34912345678", 4)
    assert [(r["row"], r["E-mail"]) for r in read_rejects(tmp_path / "contacts.rejects.csv")] == [
        ("4", "bad-address")
    ]


def test_duplicates_in_the_file_merge_in_order(session, cast, tmp_path):
    rows = [
        ["email", "first_name", "job_title", "company"],
        ["lea@client.fr", "Léa", "", "Acme"],
        ["LEA@client.fr", "Lea", "CMO", ""],
        ["lea@client.fr", "", "Head of Growth", "Acme SA"],
    ]
    path = write_csv(tmp_path / "dup.csv", rows)
    summary = run_import(session, cast.manager, path)
    assert (summary.created, summary.updated, summary.unchanged) == (1, 1, 1)
    lea = contact(session, "lea@client.fr")
    assert (lea.first_name, lea.job_title, lea.company.name if lea.company else None) == (
        "Léa",
        "CMO",
        "Acme",
    )
    path = write_csv(tmp_path / "dup2.csv", [[*row] for row in rows])
    summary = run_import(session, cast.manager, path, rule=UpdateRule.overwrite)
    lea = contact(session, "lea@client.fr")
    assert (lea.first_name, lea.job_title) == ("Lea", "Head of Growth")
    assert lea.company is not None and lea.company.name == "Acme SA"
    assert count_contacts(session) == 1


def test_existing_contacts_filled_or_overwritten(session, cast, tmp_path):
    first = write_csv(
        tmp_path / "first.csv",
        [["email", "first_name", "job_title", "sector"], ["max@client.fr", "Max", "CMO", ""]],
    )
    run_import(session, cast.manager, first)
    version = contact(session, "max@client.fr").version
    second = write_csv(
        tmp_path / "second.csv",
        [["email", "first_name", "job_title", "sector"], ["max@client.fr", "Maxime", "", "Retail"]],
    )
    summary = run_import(session, cast.manager, second)
    assert (summary.updated, summary.created) == (1, 0)
    max_ = contact(session, "max@client.fr")
    assert (max_.first_name, max_.job_title, max_.sector) == ("Max", "CMO", "Retail")
    assert max_.version == version + 1  # an open edit form now sees the change
    summary = run_import(session, cast.manager, second, rule=UpdateRule.overwrite)
    max_ = contact(session, "max@client.fr")
    assert summary.updated == 1
    assert (max_.first_name, max_.job_title, max_.sector) == ("Maxime", "CMO", "Retail")


def test_bad_rows_go_to_the_rejects_file_and_the_good_ones_are_kept(session, cast, tmp_path):
    rows = [
        ["Email", "Prénom", "Pays", "Maturité", "Owner"],
        ["ok1@client.fr", "Ok", "France", "2", ""],
        ["not-an-address", "Bad", "", "", ""],
        [],
        ["", "No address", "", "", ""],
        ["ok2@client.fr", "Ok", "Narnia", "", ""],
        ["ok3@client.fr", '=HYPERLINK("http://evil")', "", "9", ""],
        ["ok4@client.fr", "Ok", "", "", "ghost@nowhere.example"],
        ["", "", "", "", ""],
        ["ok5@client.fr", "Ok", "DE", "", cast.intern.email],
    ]
    path = write_csv(tmp_path / "mixed.csv", rows)
    summary = run_import(session, cast.manager, path)
    assert (summary.created, summary.rejected, summary.rows) == (2, 5, 7)
    assert summary.rejects_file == tmp_path / "mixed.rejects.csv"
    rejects = read_rejects(summary.rejects_file)
    assert [(r["row"], r["Email"], r["Prénom"]) for r in rejects] == [
        ("3", "not-an-address", "Bad"),
        ("5", "", "No address"),
        ("6", "ok2@client.fr", "Ok"),
        ("7", "ok3@client.fr", '\'=HYPERLINK("http://evil")'),  # neutralised for Excel
        ("8", "ok4@client.fr", "Ok"),
    ]
    reasons = [r["reason"] for r in rejects]
    assert reasons[0] == "Email: not-an-address is not a valid e-mail address."
    assert reasons[1] == "No e-mail address."
    assert reasons[2].startswith("Pays: Narnia is not an ISO 3166 country code")
    assert reasons[3].startswith("Maturité: ")
    assert reasons[4].startswith("Owner: No Propulse user has the e-mail or name ghost@")
    assert contact(session, "ok5@client.fr").owner_id == cast.intern.id
    assert count_contacts(session) == 2


def test_the_rejects_file_imports_once_corrected(session, cast, tmp_path):
    path = write_csv(tmp_path / "in.csv", [["Email", "Pays"], ["a@client.fr", "Narnia"]])
    summary = run_import(session, cast.manager, path)
    assert summary.rejects_file is not None
    rows = read_rejects(summary.rejects_file)
    rows[0]["Pays"] = "Norvège"
    fixed = write_csv(
        tmp_path / "fixed.csv",
        [list(rows[0]), list(rows[0].values())],
        encoding="utf-8-sig",
    )
    summary = run_import(session, cast.manager, fixed)
    assert (summary.created, summary.rejected, summary.ignored) == (1, 0, ["row", "reason"])
    assert contact(session, "a@client.fr").country == "NO"


def test_a_suppressed_address_is_never_brought_back(session, cast, tmp_path):
    session.add_all(
        [
            Suppression(email_hash=email_hash("gone@client.fr"), reason="erased"),
            Suppression(email_hash=email_hash("stop@client.fr"), reason="unsubscribed"),
        ]
    )
    session.flush()
    path = write_csv(
        tmp_path / "s.csv",
        [["email"], ["Gone@Client.fr"], ["stop@client.fr"], ["fine@client.fr"]],
    )
    summary = run_import(session, cast.manager, path)
    assert (summary.created, summary.rejected) == (1, 2)
    assert summary.rejects_file is not None
    reasons = {r["email"]: r["reason"] for r in read_rejects(summary.rejects_file)}
    assert "erased" in reasons["Gone@Client.fr"] and "unsubscribed" in reasons["stop@client.fr"]
    assert session.scalar(select(Contact).where(Contact.email == "gone@client.fr")) is None


def test_importing_the_same_file_again_changes_nothing(session, cast, tmp_path):
    path = tmp_path / "hubspot.csv"
    path.write_bytes((DATA / "hubspot-contacts.csv").read_bytes())
    run_import(session, cast.manager, path)
    versions = {c.email: c.version for c in session.scalars(select(Contact))}
    companies = session.scalar(select(func.count()).select_from(Company))
    for rule in UpdateRule:
        summary = run_import(session, cast.manager, path, rule=rule)
        assert summary.as_json() == {
            "created": 0, "updated": 0, "unchanged": 4, "rejected": 0, "rejects_file": None,
        }  # fmt: skip
    session.expire_all()
    assert {c.email: c.version for c in session.scalars(select(Contact))} == versions
    assert session.scalar(select(func.count()).select_from(Company)) == companies


def test_custom_fields_are_coerced_by_kind(session, cast, tmp_path):
    session.add_all(
        [
            CustomField(key="budget_eur", label="Budget", kind="number"),
            CustomField(key="tier", label="Tier", kind="choice", choices=["Gold", "Silver"]),
            CustomField(key="renewal", label="Renouvellement", kind="date"),
        ]
    )
    session.flush()
    path = write_csv(
        tmp_path / "custom.csv",
        [
            ["Email", "Budget", "Tier", "Renouvellement"],
            ["a@client.fr", "12 500,50", "gold", "31/12/2026"],
            ["b@client.fr", "", "Bronze", ""],
        ],
    )
    summary = run_import(session, cast.manager, path)
    assert (summary.created, summary.rejected) == (1, 1)
    assert contact(session, "a@client.fr").custom == {
        "budget_eur": 12500.5, "tier": "Gold", "renewal": "2026-12-31",
    }  # fmt: skip
    assert summary.rejects_file is not None
    assert read_rejects(summary.rejects_file)[0]["reason"].startswith("Tier: Bronze is not one of")


@pytest.mark.parametrize("batch_size", [2, 1000])
def test_a_dry_run_reports_the_same_and_writes_nothing(session, cast, tmp_path, batch_size):
    existing = write_csv(
        tmp_path / "existing.csv", [["email", "first_name"], ["old@client.fr", ""]]
    )
    run_import(session, cast.manager, existing)
    rows = [["email", "first_name", "company", "country"]]
    rows += [[f"p{i}@client.fr", f"P{i}", "Acme", "FR"] for i in range(5)]
    rows += [["p1@client.fr", "", "", "DE"], ["old@client.fr", "Old", "", ""], ["bad", "", "", ""]]
    rows += [["p2@client.fr", "P2", "Acme", "FR"]]
    path = write_csv(tmp_path / "f.csv", rows)
    before = (count_contacts(session), session.scalar(select(func.count()).select_from(Company)))
    dry = run_import(session, cast.manager, path, dry_run=True, batch_size=batch_size,
                     rejects_path=tmp_path / "dry.rejects.csv")  # fmt: skip
    assert (
        count_contacts(session),
        session.scalar(select(func.count()).select_from(Company)),
    ) == before
    assert contact(session, "old@client.fr").first_name == ""
    assert (
        session.scalar(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "imported")
        )
        == 1
    )
    real = run_import(session, cast.manager, path, batch_size=batch_size)
    assert dry.as_json() | {"rejects_file": None} == real.as_json() | {"rejects_file": None}
    assert (real.created, real.updated, real.unchanged, real.rejected) == (5, 1, 2, 1)
    assert real.rejects_file is not None
    assert read_rejects(tmp_path / "dry.rejects.csv") == read_rejects(real.rejects_file)


def test_each_batch_tells_scoring_and_segments(session, cast, tmp_path, monkeypatch):
    heard: list[hooks.ContactChange] = []
    monkeypatch.setattr(hooks, "_handlers", [(0, "probe", lambda _s, change: heard.append(change))])
    monkeypatch.setattr(hooks, "_loaded", True)
    rows = [["email"]] + [[f"p{i}@client.fr"] for i in range(5)]
    path = write_csv(tmp_path / "h.csv", rows)
    run_import(session, cast.manager, path, batch_size=2)
    assert [len(change.contact_ids) for change in heard] == [2, 2, 1]
    assert {change.cause for change in heard} == {"import"}
    ids = {contact(session, f"p{i}@client.fr").id for i in range(5)}
    assert {i for change in heard for i in change.contact_ids} == ids
    heard.clear()
    run_import(session, cast.manager, path, batch_size=2)  # all unchanged: nobody to tell
    run_import(session, cast.manager, path, dry_run=True)
    assert heard == []


def test_one_audit_entry_per_import_without_personal_data(session, cast, tmp_path):
    path = write_csv(tmp_path / "a.csv", [["email", "first_name"], ["secret@client.fr", "Secret"]])
    run_import(session, cast.manager, path)
    entries = list(
        session.scalars(select(AuditEntry).where(AuditEntry.object_type == "contact_import"))
    )
    assert len(entries) == 1
    entry = entries[0]
    assert entry.details["created"] == 1 and entry.details["file"] == "a.csv"
    assert "secret" not in (entry.summary + str(entry.details)).lower()


def test_only_managers_and_admins_import(session, cast, tmp_path):
    path = write_csv(tmp_path / "a.csv", [["email"], ["x@client.fr"]])
    for person in (cast.intern, cast.salesperson):
        with pytest.raises(Forbidden):
            run_import(session, person, path)
    assert run_import(session, cast.cmo, path).created == 1


def test_an_interrupted_import_is_completed_by_running_it_again(session, cast, tmp_path):
    rows = [["email", "first_name"]] + [[f"p{i}@client.fr", f"P{i}"] for i in range(6)]
    partial = write_csv(tmp_path / "partial.csv", rows[:4])  # what committed before the crash
    run_import(session, cast.manager, partial)
    whole = write_csv(tmp_path / "whole.csv", rows)
    summary = run_import(session, cast.manager, whole)
    assert (summary.created, summary.unchanged) == (3, 3)
    assert count_contacts(session) == 6


def test_a_big_file_is_converted_in_a_second_process_with_the_same_outcome(
    session, cast, tmp_path, monkeypatch
):
    from propulse.contacts.importing import pipeline

    rows = [["Email", "Prénom", "Pays"]]
    rows += [[f"p{i}@client.fr", f"P{i}", "France"] for i in range(30)]
    rows += [["bad", "Bad", ""], ["p3@client.fr", "", "Atlantide"], ["p4@client.fr", "", "DE"]]
    path = write_csv(tmp_path / "big.csv", rows)
    here = run_import(session, cast.manager, path, dry_run=True, batch_size=7,
                      rejects_path=tmp_path / "here.csv")  # fmt: skip
    monkeypatch.setattr(pipeline, "PROCESS_THRESHOLD_BYTES", 0)
    there = run_import(session, cast.manager, path, batch_size=7)
    assert here.as_json() | {"rejects_file": None} == there.as_json() | {"rejects_file": None}
    assert (there.created, there.unchanged, there.rejected) == (30, 1, 2)
    assert there.rejects_file is not None
    assert read_rejects(tmp_path / "here.csv") == read_rejects(there.rejects_file)
    assert contact(session, "p29@client.fr").country == "FR"


def test_a_failing_second_process_stops_the_import_cleanly(session, cast, tmp_path, monkeypatch):
    from propulse.contacts.importing import pipeline

    monkeypatch.setattr(pipeline, "PROCESS_THRESHOLD_BYTES", 0)
    monkeypatch.setattr(pipeline, "CHILD_MODULE", "propulse.no_such_module")
    path = write_csv(tmp_path / "a.csv", [["email"], ["a@client.fr"]])
    with pytest.raises(pipeline.ConversionFailed):
        run_import(session, cast.manager, path)
    assert count_contacts(session) == 0
