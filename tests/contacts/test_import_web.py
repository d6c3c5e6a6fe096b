"""The import pages: upload, mapping, the job and its progress, rejects, size limit, roles."""

from __future__ import annotations

import csv
import io
import re

import pytest
from sqlalchemy import func, select

from propulse import jobs
from propulse.config import get_settings
from propulse.contacts.models import Contact, ContactImport
from tests.support.web import assert_unique_ids, csrf_from, sign_in

FILE = (
    "Email;Prénom;Pays;Notes\n"
    "nina@client.fr;Nina;France;a\n"
    "omar@client.fr;Omar;Narnia;b\n"
    "\n"
    "pia@client.fr;Pia;DE;c\n"
).encode("cp1252")


def upload(client, name: str, content: bytes):
    page = client.get("/contacts/import")
    return client.post(
        "/contacts/import",
        data={"csrf_token": csrf_from(page)},
        files={"file": (name, content, "text/csv")},
    )


def selected(html: str, index: int) -> str:
    block = re.search(rf'name="column_{index}">(.*?)</select>', html, re.S)
    assert block
    found = re.search(r'<option value="([^"]*)" selected>', block.group(1))
    return found.group(1) if found else ""


def contacts_count(session) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(Contact)) or 0


@pytest.fixture
def small_uploads(monkeypatch):
    monkeypatch.setenv("PROPULSE_MAX_UPLOAD_BYTES", "2000")
    get_settings.cache_clear()
    yield 2000
    monkeypatch.delenv("PROPULSE_MAX_UPLOAD_BYTES")
    get_settings.cache_clear()


def test_upload_map_dry_run_then_import_for_real(client, session, cast):
    sign_in(client, cast.manager.email)
    response = upload(client, "leads.csv", FILE)
    assert response.status_code == 303
    page_path = response.headers["location"]
    mapping_page = client.get(page_path)
    assert mapping_page.status_code == 200
    assert_unique_ids(mapping_page.text)
    html = mapping_page.text
    assert "Nina" in html and "Omar" in html  # sample values
    assert [selected(html, i) for i in range(4)] == ["email", "first_name", "country", ""]

    form = {
        "csrf_token": csrf_from(mapping_page),
        "column_0": "email",
        "column_1": "first_name",
        "column_2": "country",
        "column_3": "source",
        "update_rule": "fill",
        "dry_run": "on",
    }
    response = client.post(f"{page_path}/start", data=form)
    assert response.status_code == 303
    progress = client.get(page_path)
    assert 'hx-trigger="every 1s"' in progress.text  # polls until the job is done
    assert jobs.run_pending() == 1
    status = client.get(f"{page_path}/status", headers={"HX-Request": "true"})
    assert "hx-trigger" not in status.text and "Dry run finished" in status.text
    assert contacts_count(session) == 0
    rejects = client.get(f"{page_path}/rejects.csv")
    assert (
        rejects.status_code == 200 and "leads.rejects.csv" in rejects.headers["content-disposition"]
    )
    rows = list(csv.reader(io.StringIO(rejects.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Email", "Prénom", "Pays", "Notes", "row", "reason"]
    assert rows[1][:5] == ["omar@client.fr", "Omar", "Narnia", "b", "3"]
    assert "Narnia" in rows[1][5]

    again = client.post(f"{page_path}/run", data={"csrf_token": csrf_from(status)})
    assert again.status_code == 303 and again.headers["location"] != page_path
    assert jobs.run_pending() == 1
    done = client.get(again.headers["location"])
    assert "Import finished" in done.text
    record = session.scalar(select(ContactImport).order_by(ContactImport.id.desc()))
    assert record is not None
    assert (record.created, record.updated, record.unchanged, record.rejected) == (2, 0, 0, 1)
    assert (record.processed_rows, record.status, record.dry_run) == (3, "done", False)
    assert contacts_count(session) == 2
    pia = session.scalar(select(Contact).where(Contact.email == "pia@client.fr"))
    assert pia is not None and (pia.source, pia.country) == ("c", "DE")
    home = client.get("/contacts/import")
    assert home.text.count("leads.csv") == 2


def test_a_started_import_is_not_run_twice(client, session, cast):
    sign_in(client, cast.manager.email)
    page_path = upload(client, "a.csv", b"email\nx@client.fr\n").headers["location"]
    page = client.get(page_path)
    form = {"csrf_token": csrf_from(page), "column_0": "email", "update_rule": "fill"}
    client.post(f"{page_path}/start", data=form)
    client.post(f"{page_path}/start", data=form)  # a second click
    import_id = int(page_path.rsplit("/", 1)[1])
    jobs.enqueue("propulse.import_contacts", import_id)
    jobs.run_pending()
    record = session.get(ContactImport, import_id)
    session.refresh(record)
    assert record is not None and (record.created, record.unchanged) == (1, 0)


def test_a_mapping_without_email_is_refused_on_the_page(client, session, cast):
    sign_in(client, cast.manager.email)
    page_path = upload(client, "a.csv", b"email,name\nx@client.fr,X\n").headers["location"]
    page = client.get(page_path)
    form = {"csrf_token": csrf_from(page), "column_0": "", "column_1": "first_name"}
    response = client.post(f"{page_path}/start", data=form)
    assert response.status_code == 422
    assert "No column holds the e-mail address" in response.text
    assert selected(response.text, 1) == "first_name"
    assert jobs.run_pending() == 0


def test_an_upload_over_the_size_limit_is_refused_politely(client, session, cast, small_uploads):
    sign_in(client, cast.manager.email)
    imports = get_settings().data_dir / "imports"
    stored_before = set(imports.iterdir()) if imports.exists() else set()
    content = b"email\n" + b"".join(f"p{i}@client.fr\n".encode() for i in range(300))
    response = upload(client, "big.csv", content)
    assert response.status_code == 422
    assert "This file is larger than 1 KB" in response.text
    assert "propulse contacts import" in response.text
    assert session.scalar(select(func.count()).select_from(ContactImport)) == 0
    assert set(imports.iterdir()) == stored_before  # nothing of it was kept


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("a.csv", b"", "Choose the file to import."),
        ("notes.pdf", b"%PDF-1.4", "Choose a CSV or XLSX file."),
        ("book.xlsx", b"PK\x03\x04broken", "not a valid XLSX workbook"),
    ],
)
def test_a_bad_upload_says_why(client, session, cast, name, content, message):
    sign_in(client, cast.manager.email)
    response = upload(client, name, content) if content else None
    if response is None:
        page = client.get("/contacts/import")
        response = client.post("/contacts/import", data={"csrf_token": csrf_from(page)})
    assert response.status_code == 422
    assert message in response.text


def test_imports_are_for_managers_and_admins(client, session, cast):
    sign_in(client, cast.intern.email)
    response = client.get("/contacts/import")
    assert response.status_code == 403 and "import contacts" in response.text
    client.cookies.clear()
    sign_in(client, cast.cmo.email)
    assert client.get("/contacts/import").status_code == 200
    assert client.get("/contacts/import/999999").status_code == 404


def test_rejects_download_when_nothing_was_rejected(client, session, cast):
    sign_in(client, cast.manager.email)
    page_path = upload(client, "a.csv", b"email\nx@client.fr\n").headers["location"]
    page = client.get(page_path)
    client.post(f"{page_path}/start", data={"csrf_token": csrf_from(page), "column_0": "email"})
    jobs.run_pending()
    assert "rejects.csv" not in client.get(page_path).text
    assert client.get(f"{page_path}/rejects.csv").status_code == 404
