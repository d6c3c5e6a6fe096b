"""The sample base: deterministic, valid, and shaped like a real French B2B marketing base."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from propulse.contacts.emails import normalise_email
from propulse.contacts.events import NOT_ACTIVITY
from propulse.contacts.models import EventType, company_key
from propulse.contacts.sample import (
    ACTIVITY_TYPES,
    CUSTOM_FIELDS,
    SampleBatch,
    contact_input,
    generate,
)
from propulse.contacts.sample_vocabulary import COUNTRIES, TITLES_FR
from propulse.contacts.schemas import ContactIn

TODAY = date(2026, 11, 27)
CALLING_CODES = {
    "FR": "+33 ", "DE": "+49 ", "ES": "+34 ", "IT": "+39 ", "BE": "+32 ", "NL": "+31 ",
    "GB": "+44 ", "CH": "+41 ", "PL": "+48 ", "PT": "+351 ", "SE": "+46 ", "AT": "+43 ",
    "IE": "+353 ", "DK": "+45 ",
}  # fmt: skip


def collect(batches: Any) -> SampleBatch:
    whole = SampleBatch()
    for batch in batches:
        whole.companies += batch.companies
        whole.contacts += batch.contacts
        whole.consents += batch.consents
        whole.events += batch.events
    return whole


@pytest.fixture(scope="module")
def sample() -> SampleBatch:
    return collect(generate(20_000, 10, seed=6, today=TODAY, batch_size=3000))


def test_the_same_seed_gives_the_same_base_and_another_seed_another():
    first = collect(generate(500, 8, seed=1, today=TODAY))
    again = collect(generate(500, 8, seed=1, today=TODAY))
    other = collect(generate(500, 8, seed=2, today=TODAY))
    assert first == again
    assert [c["email"] for c in first.contacts] != [c["email"] for c in other.contacts]


def test_it_gives_exactly_the_contacts_asked_for_in_batches_companies_first():
    seen_companies: set[int] = set()
    count = 0
    for batch in generate(2_345, 4, seed=3, today=TODAY, batch_size=500, first_contact_id=101):
        seen_companies.update(company["id"] for company in batch.companies)
        for contact in batch.contacts:
            assert contact["company_id"] is None or contact["company_id"] in seen_companies
        count += len(batch.contacts)
        assert len(batch.contacts) < 500 + 30
    assert count == 2_345
    assert contact["id"] == 100 + 2_345


def test_emails_domains_and_company_names_are_unique(sample: SampleBatch):
    emails = [contact["email"] for contact in sample.contacts]
    assert len(set(emails)) == len(emails)
    assert all(email.endswith(".example") for email in emails)
    keys = [company_key(company["name"]) for company in sample.companies]
    assert len(set(keys)) == len(keys)
    domains = [company["domain"] for company in sample.companies]
    assert len(set(domains)) == len(domains)


def test_every_contact_passes_the_gate_of_a_form_or_an_import(sample: SampleBatch):
    for contact in sample.contacts[:3000]:
        checked = ContactIn(**contact_input(contact))
        assert checked.email == contact["email"] == normalise_email(contact["email"])
        assert checked.country == contact["country"]
    keys = {key for key, *_rest in CUSTOM_FIELDS}
    choices = {key: options for key, _label, _kind, options in CUSTOM_FIELDS}
    for contact in sample.contacts:
        assert set(contact["custom"]) <= keys
        if "tier" in contact["custom"]:
            assert contact["custom"]["tier"] in choices["tier"]
        if "renewal_date" in contact["custom"]:
            date.fromisoformat(contact["custom"]["renewal_date"])


def test_people_look_like_their_country(sample: SampleBatch):
    zones = {country.code: country.timezone for country in COUNTRIES}
    french_titles = {title for pair, _weight in TITLES_FR for title in pair}
    for contact in sample.contacts:
        assert contact["timezone"] == zones[contact["country"]]
        if contact["phone"]:
            assert contact["phone"].startswith(CALLING_CODES[contact["country"]])
        if contact["language"] == "fr":
            assert contact["job_title"] in french_titles
        else:
            assert contact["job_title"] not in french_titles - {"CMO", "Head of Growth", "DSI"}
    languages = Counter((c["country"], c["language"]) for c in sample.contacts)
    assert languages["BE", "fr"] and languages["BE", "nl"] and languages["CH", "de"]
    assert not languages["DE", "fr"]


def share(values: list[Any], wanted: Any) -> float:
    return sum(1 for value in values if value in wanted) / len(values)


def test_distributions_follow_a_french_b2b_marketing_base(sample: SampleBatch):
    contacts = sample.contacts
    countries = [c["country"] for c in contacts]
    assert 0.50 < share(countries, {"FR"}) < 0.60
    assert 0.07 < share(countries, {"DE"}) < 0.14
    assert len(set(countries)) >= 12
    stages = [c["lifecycle_stage"] for c in contacts]
    assert share(stages, {"subscriber", "lead"}) > 0.7
    assert 0.01 < share(stages, {"customer"}) < 0.06
    marketing = sum("marketing" in c["job_title"].lower() for c in contacts) / len(contacts)
    assert 0.3 < marketing < 0.7
    consents = [c["email_consent"] for c in contacts]
    assert share(consents, {"opt_in", "legitimate_interest"}) > 0.85
    assert 0.02 < share(consents, {"withdrawn"}) < 0.08
    assert 0 < share([c["do_not_contact"] for c in contacts], {True}) < 0.02
    for contact in contacts:
        assert contact["do_not_contact"] == (contact["do_not_contact_reason"] is not None)
    assert 0.02 < share([c["company_id"] for c in contacts], {None}) < 0.08
    assert {c["sector"] for c in sample.companies} >= {"Industry", "Retail", "Public sector"}
    assert {c["size"] for c in sample.companies} == {
        "1-10", "11-50", "51-200", "201-500", "501-1000", "1000+",
    }  # fmt: skip
    assert {c["maturity"] for c in contacts} == {None, 1, 2, 3, 4, 5}


def test_activity_has_the_usual_funnel_and_engaged_contacts_do_more(sample: SampleBatch):
    types = Counter(event[1] for event in sample.events)
    assert 9.0 < len(sample.events) / len(sample.contacts) < 11.0
    sent = types["email_sent"]
    assert 0.20 < types["email_opened"] / sent < 0.30
    assert 0.03 < types["email_clicked"] / sent < 0.05
    assert types["page_visited"] > types["content_downloaded"] > types["meeting"] > 0
    assert 0.3 < types["webinar_attended"] / types["webinar_registered"] < 0.6
    per_contact = Counter(event[0] for event in sample.events)
    stage = {c["id"]: c["lifecycle_stage"] for c in sample.contacts}
    by_stage: dict[str, list[int]] = {}
    for contact_id, name in stage.items():
        by_stage.setdefault(name, []).append(per_contact[contact_id])
    mean = {name: sum(counts) / len(counts) for name, counts in by_stage.items()}
    assert mean["opportunity"] > 1.5 * mean["subscriber"]
    downloads = [e[3] for e in sample.events if e[1] == "content_downloaded"]
    assert all(properties and "ebook" in properties for properties in downloads)
    webinars = [e[3] for e in sample.events if e[1] == "webinar_attended"]
    assert all(properties and "webinar" in properties for properties in webinars)
    assert any(properties and properties.get("sector") == "Retail" for properties in webinars)


def test_events_fall_within_the_last_year_after_the_contact_was_created(sample: SampleBatch):
    end = datetime(2026, 11, 27, tzinfo=UTC)
    start = end - timedelta(days=365)
    created = {c["id"]: c["created_at"] for c in sample.contacts}
    latest: dict[int, datetime] = {}
    for contact_id, kind, occurred_at, _properties in sample.events:
        assert start <= occurred_at < end
        assert occurred_at >= created[contact_id] - timedelta(seconds=1)
        if kind in ACTIVITY_TYPES:
            latest[contact_id] = max(occurred_at, latest.get(contact_id, occurred_at))
    for contact in sample.contacts:
        assert contact["last_activity_at"] == latest.get(contact["id"])


def test_activity_means_what_the_contacts_service_means():
    assert {str(kind) for kind in EventType} - NOT_ACTIVITY == ACTIVITY_TYPES


def test_the_bulk_load_writes_rows_as_the_application_reads_them(session):
    from sqlalchemy import func, select

    from propulse.contacts import sample_load
    from propulse.contacts.models import Company, Contact, ContactEvent

    first_company = (session.scalar(select(func.max(Company.id))) or 0) + 1
    first_contact = (session.scalar(select(func.max(Contact.id))) or 0) + 1
    whole = collect(
        generate(
            300, 6, seed=9, today=TODAY, first_company_id=first_company,
            first_contact_id=first_contact,
        )
    )  # fmt: skip
    loaded = sample_load.load(session.connection(), [whole], owner=lambda contact: None)
    assert loaded == len(whole.events)
    for row in whole.contacts[::37]:
        contact = session.get(Contact, row["id"])
        assert contact is not None
        assert (contact.email, contact.created_at, contact.last_activity_at, contact.custom) == (
            row["email"], row["created_at"], row["last_activity_at"], row["custom"],
        )  # fmt: skip
        assert contact.company is None or contact.company.name == row["company"]
        stored = {
            (event.type, event.occurred_at, repr(event.properties))
            for event in session.scalars(
                select(ContactEvent).where(ContactEvent.contact_id == row["id"])
            )
        }
        assert stored == {(e[1], e[2], repr(e[3])) for e in whole.events if e[0] == row["id"]}
    without = sum(1 for event in whole.events if event[3] is None)
    assert session.scalar(
        select(func.count()).where(ContactEvent.properties.is_(None))
    ) == without  # fmt: skip
    company = session.get(Company, first_company)
    assert company is not None and company.name_key == company_key(company.name)
    # The id sequences moved past the loaded rows: the application adds the next ones.
    session.add(Contact(email="after.the.load@alpinea.example"))
    session.flush()
