"""The contacts service: one contact per address, owners, companies, edits, batches by e-mail."""

from __future__ import annotations

import pytest

from propulse.audit.models import AuditEntry
from propulse.contacts import hooks, service
from propulse.contacts.merge import UpdateRule
from propulse.contacts.models import Company, Contact
from propulse.contacts.schemas import CompanyIn, CompanyPatch, ContactIn, ContactPatch
from propulse.kit.errors import Conflict, Forbidden, InvalidInput
from propulse.kit.forms import validate


def new(session, actor, email, **fields):
    contact = service.create_contact(
        session, actor=actor, data=ContactIn.model_validate({"email": email, **fields})
    )
    session.commit()
    return contact


@pytest.fixture
def published(monkeypatch):
    """Record every change the contacts service publishes (subscribers left out)."""
    seen: list[hooks.ContactChange] = []
    hooks._load()
    monkeypatch.setattr(hooks, "_handlers", [(0, "test", lambda _s, change: seen.append(change))])
    return seen


def test_an_address_is_one_contact_whatever_its_case(session, cast):
    marie = new(session, cast.intern, "  Marie.Dupont@Alpinea-Client.FR ", first_name="Marie")
    assert marie.email == "marie.dupont@alpinea-client.fr"
    assert service.find_by_email(session, email="MARIE.DUPONT@alpinea-client.fr") == marie
    with pytest.raises(Conflict, match="already exists"):
        service.create_contact(
            session, actor=cast.intern, data=ContactIn(email="marie.dupont@ALPINEA-client.fr")
        )
    assert service.find_by_email(session, email="not an address") is None


@pytest.mark.parametrize("email", ["", "marie", "marie@", "marie@@x.fr", "ma rie@x.fr"])
def test_a_contact_without_a_valid_address_is_refused(email):
    with pytest.raises(InvalidInput) as refused:
        validate(ContactIn, {"email": email, "first_name": "Marie"})
    assert [p.field for p in refused.value.problems] == ["email"]


def test_the_fields_are_checked_and_cleaned(session, cast):
    contact = new(
        session,
        cast.intern,
        "hans@werk.de",
        first_name=" Hans ",
        country="de",
        language="de-DE",
        maturity="3",
        lifecycle_stage="MQL",
        timezone="Europe/Berlin",
    )
    assert (contact.first_name, contact.country, contact.language) == ("Hans", "DE", "de")
    assert (contact.maturity, contact.lifecycle_stage, contact.last_name) == (3, "mql", "")
    with pytest.raises(InvalidInput) as refused:
        validate(ContactIn, {"email": "x@y.fr", "country": "Francia", "maturity": 7})
    assert {p.field for p in refused.value.problems} == {"country", "maturity"}


def test_the_owner_is_given_by_e_mail(session, cast):
    owned = new(session, cast.intern, "a@client.fr", owner_email=cast.manager.email.upper())
    assert owned.owner_id == cast.manager.id
    with pytest.raises(InvalidInput) as refused:
        service.create_contact(
            session,
            actor=cast.intern,
            data=ContactIn(email="b@client.fr", owner_email="nobody@alpinea.example"),
        )
    assert refused.value.problems[0].field == "owner_email"


def test_a_viewer_may_not_create_contacts(session, cast):
    with pytest.raises(Forbidden, match="edit contacts"):
        service.create_contact(session, actor=cast.salesperson, data=ContactIn(email="a@b.fr"))


def test_companies_are_found_again_by_their_normalised_name(session, cast):
    first = new(session, cast.intern, "a@acme.fr", company="Acme  SAS", sector="Retail")
    second = new(session, cast.intern, "b@acme.fr", company="ACME sas")
    other = new(session, cast.intern, "c@acme.fr", company="Acme")
    assert first.company_id == second.company_id != other.company_id
    assert first.company.name == "Acme SAS" and first.company.sector == "Retail"
    assert session.query(Company).count() == 2
    found = service.find_or_create_company(session, name=" acme   SAS")
    assert found.id == first.company_id
    page, _cursor = service.list_companies(session, search="ACME s")
    assert [company.name for company in page] == ["Acme SAS"]
    with pytest.raises(Conflict):
        service.create_company(session, actor=cast.intern, data=CompanyIn(name="acme"))


def test_a_company_edit_from_a_stale_copy_is_refused(session, cast):
    company = service.create_company(
        session, actor=cast.intern, data=CompanyIn(name="Werk GmbH", country="de")
    )
    session.commit()
    read_version = company.version
    service.update_company(
        session,
        actor=cast.intern,
        company_id=company.id,
        data=CompanyPatch(sector="Industry", version=read_version),
    )
    session.commit()
    assert (company.sector, company.country) == ("Industry", "DE")
    with pytest.raises(Conflict):
        service.update_company(
            session,
            actor=cast.intern,
            company_id=company.id,
            data=CompanyPatch(size="50-199", version=read_version),
        )


def test_an_edit_changes_only_what_is_sent_and_refuses_a_stale_version(session, cast):
    contact = new(session, cast.intern, "a@client.fr", first_name="Anne", phone="+33 1 23")
    version = contact.version
    service.update_contact(
        session,
        actor=cast.intern,
        contact_id=contact.id,
        data=ContactPatch(
            last_name="Martin", phone=None, owner_id=cast.manager.id, version=version
        ),
    )
    session.commit()
    assert (contact.first_name, contact.last_name, contact.phone) == ("Anne", "Martin", None)
    assert contact.owner_id == cast.manager.id and contact.version == version + 1
    with pytest.raises(Conflict, match="changed"):
        service.update_contact(
            session,
            actor=cast.intern,
            contact_id=contact.id,
            data=ContactPatch(first_name="Annie", version=version),
        )
    with pytest.raises(InvalidInput) as refused:
        service.update_contact(
            session, actor=cast.intern, contact_id=contact.id, data=ContactPatch(owner_id=999_999)
        )
    assert refused.value.problems[0].field == "owner_id"


def test_create_and_edit_tell_the_subscribers(session, cast, published):
    contact = new(session, cast.intern, "a@client.fr")
    service.update_contact(
        session, actor=cast.intern, contact_id=contact.id, data=ContactPatch(country="FR")
    )
    service.update_contact(
        session, actor=cast.intern, contact_id=contact.id, data=ContactPatch(country="FR")
    )
    assert [(list(c.contact_ids), c.cause) for c in published] == [
        ([contact.id], "edit"),
        ([contact.id], "edit"),
    ]


def test_the_audit_log_names_contacts_by_id_only(session, cast):
    contact = new(session, cast.intern, "secret.person@client.fr", first_name="Secret")
    service.update_contact(
        session, actor=cast.intern, contact_id=contact.id, data=ContactPatch(last_name="Person")
    )
    entries = session.query(AuditEntry).filter_by(object_type="contact").all()
    assert [e.action for e in entries] == ["created", "updated"]
    assert all(e.object_id == str(contact.id) for e in entries)
    text = " ".join(f"{e.summary} {e.details}" for e in entries).lower()
    assert "secret" not in text and "person@" not in text


def items(*rows):
    return [ContactIn.model_validate(row) for row in rows]


def test_a_batch_creates_updates_and_merges_by_e_mail(session, cast, published):
    existing = new(session, cast.intern, "anne@client.fr", first_name="Anne", job_title="CMO")
    published.clear()
    result = service.upsert_contacts(
        session,
        actor=cast.intern,
        items=items(
            {"email": "ANNE@client.fr", "job_title": "CEO", "last_name": "Martin"},
            {"email": "new@client.fr", "first_name": "Nina", "company": "Acme"},
            {"email": "new@client.fr", "last_name": "Nowak", "first_name": "Other"},
            {"email": "anne@client.fr", "first_name": ""},
        ),
        rule=UpdateRule.fill,
    )
    session.commit()
    created = service.find_by_email(session, email="new@client.fr")
    assert (result.created, result.updated, result.unchanged, result.rejected) == (1, 2, 1, [])
    assert result.ids == [existing.id, created.id, created.id, existing.id]
    # fill: the job title stays, the blank last name is filled; a blank never erases
    assert (existing.first_name, existing.last_name, existing.job_title) == (
        "Anne",
        "Martin",
        "CMO",
    )
    assert (created.first_name, created.last_name, created.company.name) == (
        "Nina",
        "Nowak",
        "Acme",
    )
    assert created.lifecycle_stage == "subscriber"
    assert sorted(published[0].contact_ids) == sorted([existing.id, created.id])
    again = service.upsert_contacts(
        session,
        actor=cast.intern,
        items=items({"email": "anne@client.fr", "job_title": "CEO"}),
        rule=UpdateRule.overwrite,
    )
    assert (again.updated, existing.job_title) == (1, "CEO")


def test_a_batch_is_unchanged_when_sent_twice(session, cast):
    batch = items(
        {"email": "a@acme.fr", "first_name": "A", "company": "Acme", "owner_email": cast.cmo.email},
        {"email": "b@acme.fr", "company": "ACME", "maturity": 2, "lifecycle_stage": "lead"},
    )
    first = service.upsert_contacts(session, actor=cast.intern, items=batch, rule=UpdateRule.fill)
    second = service.upsert_contacts(
        session, actor=cast.intern, items=batch, rule=UpdateRule.overwrite
    )
    assert (first.created, second.unchanged, second.updated) == (2, 2, 0)


def test_a_bad_item_of_a_batch_is_rejected_and_the_others_kept(session, cast):
    service.suppress(session, email="gone@client.fr", reason=service.SuppressionReason.erased)
    result = service.upsert_contacts(
        session,
        actor=cast.intern,
        items=items(
            {"email": "ok@client.fr"},
            {"email": "owned@client.fr", "owner_email": "ghost@alpinea.example"},
            {"email": "Gone@Client.fr"},
            {"email": "typed@client.fr", "custom": {"nope": 1}},
        ),
        rule=UpdateRule.fill,
    )
    assert result.created == 1 and result.ids[0] is not None and result.ids[1:] == [None] * 3
    fields = {index: [p.field for p in problems] for index, problems in result.rejected}
    assert fields == {1: ["owner_email"], 2: ["email"], 3: ["custom.nope"]}
    assert session.query(Contact).count() == 1


def test_a_suppressed_address_cannot_be_created(session, cast):
    service.suppress(session, email="gone@client.fr", reason=service.SuppressionReason.unsubscribed)
    service.suppress(session, email="GONE@client.fr", reason=service.SuppressionReason.erased)
    assert service.is_suppressed(session, email="Gone@Client.FR")
    with pytest.raises(InvalidInput) as refused:
        service.create_contact(session, actor=cast.intern, data=ContactIn(email="gone@client.fr"))
    assert refused.value.problems[0].field == "email"
    assert "suppressed" in refused.value.message
