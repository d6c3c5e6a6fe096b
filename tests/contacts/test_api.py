"""The contacts API: tokens and roles, contacts, batches, events, consent, privacy, companies."""

from __future__ import annotations

import pytest

from propulse.auth import service as auth
from propulse.auth.models import TokenScope
from propulse.contacts import service
from propulse.contacts.models import Contact
from propulse.contacts.schemas import ContactIn


def token(session, user, scope=TokenScope.write):
    _record, secret = auth.create_token(session, actor=user, owner=user, name="test", scope=scope)
    session.commit()
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def member(session, cast):
    return token(session, cast.intern)


@pytest.fixture
def anne(session, cast):
    contact = service.create_contact(
        session,
        actor=cast.intern,
        data=ContactIn(email="anne@client.fr", first_name="Anne", country="FR", company="Acme"),
    )
    session.commit()
    return contact


def test_the_api_needs_a_token_and_the_write_scope(client, session, cast, anne):
    assert client.get("/api/v1/contacts").status_code == 401
    reader = token(session, cast.salesperson, TokenScope.read)
    assert client.get(f"/api/v1/contacts/{anne.id}", headers=reader).json()["email"] == (
        "anne@client.fr"
    )
    refused = client.post("/api/v1/contacts", json={"email": "b@client.fr"}, headers=reader)
    assert refused.status_code == 403 and "may only read" in refused.json()["detail"]
    viewer = token(session, cast.salesperson)
    refused = client.post("/api/v1/contacts", json={"email": "b@client.fr"}, headers=viewer)
    assert refused.status_code == 403 and "edit contacts" in refused.json()["detail"]


def test_creating_a_contact(client, member):
    created = client.post(
        "/api/v1/contacts",
        json={"email": " Nina@Client.FR ", "first_name": "Nina", "company": "Acme", "maturity": 4},
        headers=member,
    )
    assert created.status_code == 201
    body = created.json()
    assert (body["email"], body["maturity"], body["lifecycle_stage"]) == (
        "nina@client.fr",
        4,
        "subscriber",
    )
    again = client.post("/api/v1/contacts", json={"email": "nina@client.fr"}, headers=member)
    assert again.status_code == 409


def test_invalid_input_is_problem_json_field_by_field(client, member):
    refused = client.post(
        "/api/v1/contacts",
        json={"email": "nina", "country": "Atlantis", "custom": {"nope": 1}},
        headers=member,
    )
    assert refused.status_code == 422
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert {e["field"] for e in refused.json()["errors"]} == {"email", "country"}
    refused = client.post(
        "/api/v1/contacts", json={"email": "nina@client.fr", "custom": {"nope": 1}}, headers=member
    )
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "custom.nope"


def test_reading_and_editing_a_contact_with_its_version(client, member, anne):
    read = client.get(f"/api/v1/contacts/{anne.id}", headers=member).json()
    assert read["company"]["name"] == "Acme"
    changed = client.patch(
        f"/api/v1/contacts/{anne.id}",
        json={"job_title": "CMO", "version": read["version"]},
        headers=member,
    )
    assert changed.status_code == 200 and changed.json()["job_title"] == "CMO"
    stale = client.patch(
        f"/api/v1/contacts/{anne.id}",
        json={"job_title": "CEO", "version": read["version"]},
        headers=member,
    )
    assert stale.status_code == 409
    assert client.get("/api/v1/contacts/999999", headers=member).status_code == 404


def test_the_list_filters_and_pages(client, session, cast, member, anne):
    for index in range(3):
        service.create_contact(
            session, actor=cast.intern, data=ContactIn(email=f"de{index}@werk.de", country="DE")
        )
    session.commit()
    german = client.get("/api/v1/contacts?country=DE&limit=2", headers=member).json()
    assert len(german["items"]) == 2 and german["next_cursor"]
    rest = client.get(
        f"/api/v1/contacts?country=DE&limit=2&cursor={german['next_cursor']}", headers=member
    ).json()
    assert len(rest["items"]) == 1 and rest["next_cursor"] is None
    found = client.get("/api/v1/contacts?search=ann", headers=member).json()["items"]
    assert [c["email"] for c in found] == ["anne@client.fr"]
    assert client.get("/api/v1/contacts?limit=501", headers=member).status_code == 422


def test_a_batch_keeps_the_valid_items(client, session, member, anne):
    response = client.post(
        "/api/v1/contacts/batch?update=overwrite",
        json={
            "items": [
                {"email": "anne@client.fr", "first_name": "Annie"},
                {"email": "not-an-address"},
                {"email": "new@client.fr", "lifecycle_stage": "lead"},
                {"email": "x@client.fr", "owner_email": "ghost@alpinea.example"},
                "a string",
            ]
        },
        headers=member,
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["created"], body["updated"], body["unchanged"]) == (1, 1, 0)
    assert [(r["index"], [e["field"] for e in r["errors"]]) for r in body["rejected"]] == [
        (1, ["email"]),
        (3, ["owner_email"]),
        (4, [""]),
    ]
    new = service.find_by_email(session, email="new@client.fr")
    assert body["ids"] == [anne.id, None, new.id, None, None]
    session.refresh(anne)
    assert anne.first_name == "Annie"
    too_many = client.post(
        "/api/v1/contacts/batch", json={"items": [{"email": "a@b.fr"}] * 1001}, headers=member
    )
    assert too_many.status_code == 422 and too_many.json()["errors"][0]["field"] == "items"


def test_events_in_batches(client, member, anne):
    batch = {
        "items": [
            {"id": "evt-1", "email": "anne@client.fr", "type": "email_clicked"},
            {"id": "evt-1", "email": "anne@client.fr", "type": "email_clicked"},
            {"email": "ghost@client.fr", "type": "email_clicked"},
            {"email": "anne@client.fr", "type": "Not A Type"},
            {
                "id": "evt-2",
                "email": "anne@client.fr",
                "type": "webinar_attended",
                "occurred_at": "2025-02-01T10:00:00+01:00",
                "properties": {"webinar": "Industry 4.0"},
            },
        ]
    }
    body = client.post("/api/v1/events/batch", json=batch, headers=member).json()
    assert (body["accepted"], body["duplicates"]) == (2, 1)
    assert [r["index"] for r in body["rejected"]] == [2, 3]
    assert body["rejected"][0]["reason"] == "no contact has this e-mail"
    assert body["rejected"][1]["reason"].startswith("type")
    again = client.post("/api/v1/events/batch", json=batch, headers=member).json()
    assert (again["accepted"], again["duplicates"]) == (0, 3)
    events = client.get(f"/api/v1/contacts/{anne.id}/events?limit=1", headers=member).json()
    assert [e["type"] for e in events["items"]] == ["email_clicked"] and events["next_cursor"]


def test_consent_and_do_not_contact(client, member, anne):
    recorded = client.post(
        f"/api/v1/contacts/{anne.id}/consents",
        json={"basis": "opt_in", "source": "Form", "wording_version": "v2"},
        headers=member,
    )
    assert recorded.status_code == 201 and recorded.json()["basis"] == "opt_in"
    history = client.get(f"/api/v1/contacts/{anne.id}/consents", headers=member).json()
    assert [c["source"] for c in history["items"]] == ["Form"]
    assert client.get(f"/api/v1/contacts/{anne.id}", headers=member).json()["email_consent"] == (
        "opt_in"
    )
    no_reason = client.put(
        f"/api/v1/contacts/{anne.id}/do-not-contact", json={"reason": " "}, headers=member
    )
    assert no_reason.status_code == 422 and no_reason.json()["errors"][0]["field"] == "reason"
    marked = client.put(
        f"/api/v1/contacts/{anne.id}/do-not-contact", json={"reason": "Asked"}, headers=member
    ).json()
    assert (marked["do_not_contact"], marked["do_not_contact_reason"]) == (True, "Asked")
    lifted = client.delete(f"/api/v1/contacts/{anne.id}/do-not-contact", headers=member).json()
    assert lifted["do_not_contact"] is False


def test_privacy_export_and_erasure_by_role(client, session, cast, member, anne):
    assert client.get(f"/api/v1/contacts/{anne.id}/export", headers=member).status_code == 403
    exported = client.get(
        f"/api/v1/contacts/{anne.id}/export", headers=token(session, cast.manager)
    ).json()
    assert exported["contact"]["email"] == "anne@client.fr"
    assert client.delete(
        f"/api/v1/contacts/{anne.id}", headers=token(session, cast.manager)
    ).status_code == (403)
    erased = client.delete(f"/api/v1/contacts/{anne.id}", headers=token(session, cast.cmo))
    assert erased.status_code == 204 and erased.content == b""
    assert session.query(Contact).filter_by(id=anne.id).count() == 0
    back = client.post("/api/v1/contacts", json={"email": "anne@client.fr"}, headers=member)
    assert back.status_code == 422 and back.json()["errors"][0]["field"] == "email"


def test_the_score_and_why(client, member, anne):
    body = client.get(f"/api/v1/contacts/{anne.id}/score", headers=member).json()
    assert {"score", "grade", "contributions", "history"} <= set(body)


def test_companies(client, member):
    created = client.post(
        "/api/v1/companies", json={"name": "Werk  GmbH", "country": "de"}, headers=member
    )
    assert created.status_code == 201
    company = created.json()
    assert (company["name"], company["country"]) == ("Werk GmbH", "DE")
    duplicate = client.post("/api/v1/companies", json={"name": "werk gmbh"}, headers=member)
    assert duplicate.status_code == 409
    listed = client.get("/api/v1/companies?search=WERK", headers=member).json()
    assert [c["name"] for c in listed["items"]] == ["Werk GmbH"]
    changed = client.patch(
        f"/api/v1/companies/{company['id']}",
        json={"sector": "Industry", "version": company["version"]},
        headers=member,
    )
    assert changed.json()["sector"] == "Industry"
    stale = client.patch(
        f"/api/v1/companies/{company['id']}",
        json={"size": "50-199", "version": company["version"]},
        headers=member,
    )
    assert stale.status_code == 409
    assert client.get(f"/api/v1/companies/{company['id']}", headers=member).status_code == 200


def test_custom_fields_are_defined_by_an_admin(client, session, cast, member):
    payload = {"key": "tier", "label": "Tier", "kind": "choice", "choices": ["Gold", "Silver"]}
    assert client.post("/api/v1/contact-fields", json=payload, headers=member).status_code == 403
    admin = token(session, cast.cmo)
    created = client.post("/api/v1/contact-fields", json=payload, headers=admin)
    assert created.status_code == 201
    field_id = created.json()["id"]
    no_choices = client.post(
        "/api/v1/contact-fields",
        json={"key": "level", "label": "L", "kind": "choice"},
        headers=admin,
    )
    assert no_choices.status_code == 422 and no_choices.json()["errors"][0]["field"] == "choices"
    changed = client.patch(
        f"/api/v1/contact-fields/{field_id}", json={"label": "Account tier"}, headers=admin
    )
    assert changed.json()["label"] == "Account tier"
    listed = client.get("/api/v1/contact-fields", headers=member).json()
    assert [f["key"] for f in listed["items"]] == ["tier"]
    assert client.delete(f"/api/v1/contact-fields/{field_id}", headers=admin).status_code == 204


def test_the_openapi_document_describes_the_endpoints(client, session, cast):
    document = client.get("/api/v1/openapi.json", headers=token(session, cast.salesperson)).json()
    paths = document["paths"]
    for path in (
        "/contacts",
        "/contacts/batch",
        "/contacts/{contact_id}",
        "/contacts/{contact_id}/events",
        "/contacts/{contact_id}/consents",
        "/contacts/{contact_id}/do-not-contact",
        "/contacts/{contact_id}/export",
        "/contacts/{contact_id}/score",
        "/companies",
        "/companies/{company_id}",
        "/events/batch",
        "/contact-fields",
        "/contact-fields/{field_id}",
    ):
        assert path in paths, path
    assert "201" in paths["/contacts"]["post"]["responses"]
    assert "204" in paths["/contacts/{contact_id}"]["delete"]["responses"]
    assert paths["/events/batch"]["post"]["tags"] == ["events"]
    assert paths["/companies"]["get"]["tags"] == ["companies"]
    batch_schema = document["components"]["schemas"]["ContactBatchIn"]
    assert "email" in str(batch_schema)
