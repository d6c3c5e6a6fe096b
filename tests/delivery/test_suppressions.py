"""The suppression list: the page, CSV import and export, the API, the CLI, erasure."""

from __future__ import annotations

import csv
import hashlib
import io
import re

from sqlalchemy import select

from propulse.auth import service as auth
from propulse.auth.models import TokenScope
from propulse.contacts import privacy
from propulse.contacts import service as contacts
from propulse.contacts.models import Suppression, SuppressionReason
from propulse.contacts.schemas import ContactIn
from tests.support.web import csrf_from, sign_in


def sha(address: str) -> str:
    return hashlib.sha256(address.encode()).hexdigest()


def rows(session) -> dict[str, Suppression]:  # type: ignore[no-untyped-def]
    session.expire_all()
    return {row.email_hash: row for row in session.scalars(select(Suppression))}


def test_add_search_filter_and_remove_on_the_page(client, session, cast):
    contacts.suppress(session, email="bounced@client.example", reason=SuppressionReason.bounced)
    session.commit()
    sign_in(client, cast.manager.email)
    page = client.get("/suppressions")
    assert page.status_code == 200
    response = client.post(
        "/suppressions/add",
        data={
            "emails": "Anne@Client.example\nnot an address\n\n" + sha("hashed@client.example"),
            "csrf_token": csrf_from(page),
        },
    )
    # One refused line: the page shows it by number, the others are suppressed.
    assert response.status_code == 422
    assert "1 suppressed" not in response.text
    assert "2 suppressed, 0 already suppressed, 1 refused." in response.text
    assert re.search(r'<td class="num">2</td><td><code>not an address</code>', response.text)
    stored = rows(session)
    assert stored[sha("anne@client.example")].email == "anne@client.example"
    assert stored[sha("anne@client.example")].reason == "manual"
    assert stored[sha("hashed@client.example")].email is None

    found = client.get("/suppressions", params={"email": "ANNE@client.example"})
    assert "anne@client.example" in found.text and "bounced@client.example" not in found.text
    bounced = client.get("/suppressions", params={"reason": "bounced"})
    assert "bounced@client.example" in bounced.text and "anne@" not in bounced.text
    assert client.get("/suppressions", params={"email": "anne@"}).status_code == 422

    # Removing asks first; a bounce cannot be removed.
    anne = stored[sha("anne@client.example")]
    confirm = client.get(f"/suppressions/{anne.id}/remove")
    assert "will no longer be suppressed" in confirm.text
    removed = client.post(
        f"/suppressions/{anne.id}/remove", data={"csrf_token": csrf_from(confirm)}
    )
    assert removed.status_code == 303
    assert sha("anne@client.example") not in rows(session)
    bounce_row = rows(session)[sha("bounced@client.example")]
    refused = client.post(
        f"/suppressions/{bounce_row.id}/remove", data={"csrf_token": csrf_from(confirm)}
    )
    assert refused.status_code == 409
    assert sha("bounced@client.example") in rows(session)


def test_keyset_pages(client, session, cast):
    for index in range(55):
        contacts.suppress(
            session, email=f"p{index}@client.example", reason=SuppressionReason.manual
        )
    session.commit()
    sign_in(client, cast.cmo.email)
    first = client.get("/suppressions")
    assert "p54@client.example" in first.text and "p0@client.example" not in first.text
    cursor = re.search(r'href="\?cursor=([^"]+)"', first.text).group(1)
    second = client.get(f"/suppressions?cursor={cursor}")
    assert "p0@client.example" in second.text and "p54@client.example" not in second.text


def test_interns_and_salespeople_are_refused(client, cast):
    sign_in(client, cast.intern.email)
    assert client.get("/suppressions").status_code == 403
    assert client.get("/suppressions/export.csv").status_code == 403


def test_csv_import_names_rejected_lines_and_is_idempotent(client, session, cast):
    sign_in(client, cast.manager.email)
    content = "\n".join(
        [
            "Email;Reason",
            "one@client.example;",
            "two@client.example;unsubscribed",
            "broken-address;",
            "three@client.example;angry",
            "ONE@client.example;",
        ]
    )
    page = client.get("/suppressions")
    response = client.post(
        "/suppressions/import",
        data={"csrf_token": csrf_from(page)},
        files={"file": ("list.csv", content.encode(), "text/csv")},
    )
    assert response.status_code == 200
    assert "2 suppressed, 1 already suppressed, 2 refused." in response.text
    assert re.search(r'<td class="num">4</td><td><code>broken-address</code>', response.text)
    assert re.search(r'<td class="num">5</td><td><code>angry</code>', response.text)
    stored = rows(session)
    assert stored[sha("two@client.example")].reason == "unsubscribed"

    again = client.post(
        "/suppressions/import",
        data={"csrf_token": csrf_from(page)},
        files={"file": ("list.csv", content.encode(), "text/csv")},
    )
    assert "0 suppressed, 3 already suppressed, 2 refused." in again.text
    assert len(rows(session)) == 2

    not_utf8 = client.post(
        "/suppressions/import",
        data={"csrf_token": csrf_from(page)},
        files={"file": ("list.csv", "é@client.example".encode("latin-1"), "text/csv")},
    )
    assert not_utf8.status_code == 422
    assert "not UTF-8" in not_utf8.text


def test_export_then_import_round_trip_with_erased_and_formulas(client, session, cast, run):
    erased = contacts.create_contact(
        session, actor=cast.cmo, data=ContactIn(email="gone@client.example")
    )
    contacts.suppress(session, email="gone@client.example", reason=SuppressionReason.unsubscribed)
    privacy.erase_contact(session, actor=cast.cmo, contact_id=erased.id)
    contacts.suppress(session, email="=cmd@client.example", reason=SuppressionReason.bounced)
    contacts.suppress(session, email="kept@client.example", reason=SuppressionReason.unsubscribed)
    session.commit()
    stored = rows(session)
    # Erasure keeps only the hash, even of an address suppressed before.
    assert stored[sha("gone@client.example")].email is None
    assert stored[sha("gone@client.example")].reason == "erased"
    assert stored[sha("kept@client.example")].email == "kept@client.example"

    sign_in(client, cast.manager.email)
    exported = client.get("/suppressions/export.csv")
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("text/csv")
    table = list(csv.DictReader(io.StringIO(exported.text)))
    by_hash = {row["sha256"]: row for row in table}
    assert list(table[0]) == ["email", "sha256", "reason", "created_at"]
    assert by_hash[sha("gone@client.example")]["email"] == ""
    assert by_hash[sha("=cmd@client.example")]["email"] == "'=cmd@client.example"

    # Into an empty list (the same file on another installation): everything comes back.
    before = {digest: (row.email, row.reason) for digest, row in stored.items()}
    for row in stored.values():
        session.delete(row)
    session.commit()
    path = io.BytesIO(exported.content)
    code, out, err = run_import(run, path.getvalue())
    assert code == 0, err
    assert '"added": 3' in out
    after = {digest: (row.email, row.reason) for digest, row in rows(session).items()}
    assert after == before
    code, out, _err = run_import(run, exported.content)
    assert '"added": 0' in out and '"already": 3' in out


def run_import(run, content: bytes):  # type: ignore[no-untyped-def]
    import tempfile

    with tempfile.NamedTemporaryFile(suffix=".csv", delete=False) as handle:
        handle.write(content)
    return run("suppressions", "import", handle.name, "--json")


def test_cli_export_and_rejects(run, session, cast, tmp_path):
    contacts.suppress(session, email="a@client.example", reason=SuppressionReason.manual)
    session.commit()
    out_file = tmp_path / "out.csv"
    code, out, err = run("suppressions", "export", "--out", str(out_file), "--json")
    assert code == 0, err
    assert '"rows": 1' in out
    assert "a@client.example" in out_file.read_text()

    bad = tmp_path / "bad.csv"
    bad.write_text("x@client.example\nnope\n" + "f" * 64 + "\n")
    code, out, err = run("suppressions", "import", str(bad))
    assert code == 0, err
    assert "nope" in out and "neither an e-mail address nor a SHA-256 hash" in out
    code, _out, err = run("--as", cast.intern.email, "suppressions", "import", str(bad))
    assert code == 2 and "manage suppressions" in err
    code, _out, err = run("suppressions", "import", str(tmp_path / "missing.csv"))
    assert code == 2 and "Cannot read" in err


def test_api_lists_adds_and_deletes(client, session, cast):
    _token, secret = auth.create_token(
        session, actor=cast.manager, owner=cast.manager, name="t", scope=TokenScope.write
    )
    session.commit()
    headers = {"Authorization": f"Bearer {secret}"}
    response = client.post(
        "/api/v1/suppressions",
        json={"emails": ["api@client.example", "bad", "API@client.example"], "reason": "bounced"},
        headers=headers,
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["added"] == 1 and body["already"] == 1
    assert body["rejected"][0]["index"] == 1
    refused = client.post(
        "/api/v1/suppressions",
        json={"emails": ["x@client.example"], "reason": "erased"},
        headers=headers,
    )
    assert refused.status_code == 422
    assert refused.headers["content-type"] == "application/problem+json"

    client.post("/api/v1/suppressions", json={"emails": ["m@client.example"]}, headers=headers)
    listing = client.get("/api/v1/suppressions", params={"limit": 1}, headers=headers).json()
    assert listing["items"][0]["email"] == "m@client.example"
    assert listing["next_cursor"]
    found = client.get(
        "/api/v1/suppressions", params={"email": "api@client.example"}, headers=headers
    ).json()["items"]
    assert [item["reason"] for item in found] == ["bounced"]
    assert (
        client.delete(f"/api/v1/suppressions/{found[0]['id']}", headers=headers).status_code == 409
    )
    manual = listing["items"][0]["id"]
    assert client.delete(f"/api/v1/suppressions/{manual}", headers=headers).status_code == 204
    assert client.delete(f"/api/v1/suppressions/{manual}", headers=headers).status_code == 404
