"""The contacts pages: the list, a new contact, a contact's page and its forms, custom fields,
companies; what each role sees and may do."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

import pytest

from propulse.contacts import service
from propulse.contacts.models import Contact, CustomField
from propulse.contacts.schemas import ContactIn, EventIn
from propulse.db import utcnow
from propulse.scoring.models import ScoringRule
from propulse.segments.models import Segment, SegmentKind
from tests.support.web import assert_unique_ids, csrf_from, post_form, sign_in


def new_contact(session, actor, email, **fields):
    contact = service.create_contact(
        session, actor=actor, data=ContactIn.model_validate({"email": email, **fields})
    )
    session.commit()
    return contact


@pytest.fixture
def hans(session, cast):
    return new_contact(
        session,
        cast.intern,
        "hans.weber@werk.example",
        first_name="Hans",
        last_name="Weber",
        company="Werk GmbH",
        country="DE",
        lifecycle_stage="lead",
        owner_email=cast.manager.email,
    )


@pytest.fixture
def marie(session, cast):
    return new_contact(
        session, cast.intern, "marie.dupont@alpinea-client.example", first_name="Marie",
        last_name="Dupont", country="FR", lifecycle_stage="mql",
    )  # fmt: skip


def page_of(client, path):
    page = client.get(path)
    assert page.status_code == 200, page.text
    assert_unique_ids(page.text)
    return page


# The list


def test_the_list_filters_and_keeps_the_filters_in_its_pages(client, session, cast, hans, marie):
    session.add_all(
        Contact(email=f"lead{i:02}@bulk.example", first_name=f"Lead{i:02}", country="FR",
                score=i, grade="B2", custom={})
        for i in range(60)
    )  # fmt: skip
    session.commit()
    sign_in(client, cast.salesperson.email)
    everyone = page_of(client, "/contacts")
    assert "Lead59" in everyone.text and "Lead00" not in everyone.text  # 50 a page, by score
    german = page_of(client, "/contacts?country=de")
    assert "Hans Weber" in german.text and "Werk GmbH" in german.text
    assert "Marie Dupont" not in german.text
    assert "Next page" not in german.text
    found = page_of(client, "/contacts?search=DUP")
    assert "Marie Dupont" in found.text and "Hans" not in found.text
    graded = page_of(client, "/contacts?grade=B2&country=FR&min_score=30")
    rows = re.findall(r">Lead(\d\d)<", graded.text)
    assert rows == [str(i) for i in range(59, 29, -1)]
    first = page_of(client, "/contacts?country=FR&grade=B2")
    next_link = re.search(r'href="(\?[^"]*cursor=[^"]+)"', first.text)
    assert next_link, "a next page link"
    link = next_link.group(1).replace("&amp;", "&")
    assert "country=FR" in link and "grade=B2" in link
    second = page_of(client, "/contacts" + link)
    assert re.findall(r">Lead(\d\d)<", second.text) == [f"{i:02}" for i in range(9, -1, -1)]
    assert "Next page" not in second.text
    newest = page_of(client, "/contacts?sort=created&search=lead0")
    assert re.findall(r">Lead(\d\d)<", newest.text) == [f"{i:02}" for i in range(9, -1, -1)]


def test_a_filter_that_makes_no_sense_is_said_and_left_out(client, cast, hans):
    sign_in(client, cast.salesperson.email)
    page = page_of(client, "/contacts?country=Germany&min_score=lots&grade=Z9&sort=name")
    assert page.text.count('class="field-error"') == 3
    assert "Some filters were not understood" in page.text
    assert "Hans Weber" in page.text
    refused = client.get("/contacts?cursor=garbage")
    assert refused.status_code == 422 and "This cursor is not valid." in refused.text
    huge = "99999999999999999999"  # beyond PostgreSQL's integers: refused, not a crash
    assert 'id="e-owner_id"' in page_of(client, f"/contacts?owner_id={huge}").text
    for path in (f"/contacts/{huge}", f"/companies/{huge}", f"/contacts/{huge}/timeline"):
        assert client.get(path).status_code == 422
    assert client.get("/contacts/0").status_code == 422
    assert client.get("/contacts/424242").status_code == 404


def test_a_segment_filter_shows_the_segments_stored_count(client, session, cast, hans, marie):
    from propulse.segments import service as segments

    segment = Segment(name="Trade show Munich", kind=SegmentKind.static, created_by_id=cast.cmo.id)
    session.add(segment)
    session.commit()
    segments.add_members(session, actor=cast.intern, segment_id=segment.id, contact_ids=[hans.id])
    session.commit()
    sign_in(client, cast.salesperson.email)
    page = page_of(client, f"/contacts?segment_id={segment.id}")
    assert "Hans Weber" in page.text and "Marie Dupont" not in page.text
    assert "Members of the segment Trade show Munich: 1." in page.text


def test_links_and_buttons_follow_the_role(client, cast, hans):
    expectations = {
        cast.salesperson: (False, False, False),
        cast.intern: (True, False, False),
        cast.manager: (True, True, False),
        cast.cmo: (True, True, True),
    }
    for person, (may_create, may_import, may_define) in expectations.items():
        client.cookies.clear()
        sign_in(client, person.email)
        page = page_of(client, "/contacts")
        assert ('href="/contacts/new"' in page.text) is may_create
        assert ('href="/contacts/import"' in page.text) is may_import
        assert ('href="/contacts/fields"' in page.text) is may_define


# A new contact


def test_a_member_creates_a_contact_with_custom_fields(client, session, cast):
    session.add(CustomField(key="budget_eur", label="Budget (EUR)", kind="number", choices=[]))
    session.add(CustomField(key="tier", label="Tier", kind="choice", choices=["Gold", "Silver"]))
    session.add(CustomField(key="renewal_on", label="Renewal", kind="date", choices=[]))
    session.commit()
    sign_in(client, cast.intern.email)
    form = page_of(client, "/contacts/new")
    assert 'name="custom.budget_eur"' in form.text and '<option value="Gold"' in form.text
    response = post_form(
        client,
        "/contacts/new",
        "/contacts/new",
        {
            "email": " Sofia.Rossi@Ditta.example ",
            "first_name": "Sofia",
            "last_name": "Rossi",
            "company": "Ditta SpA",
            "country": "it",
            "lifecycle_stage": "lead",
            "owner_email": cast.manager.email,
            "custom.budget_eur": "12500,5",
            "custom.tier": "gold",
            "custom.renewal_on": "2027-03-01",
        },
    )
    assert response.status_code == 303
    contact = service.find_by_email(session, email="sofia.rossi@ditta.example")
    assert response.headers["location"] == f"/contacts/{contact.id}"
    assert contact.custom == {"budget_eur": 12500.5, "tier": "Gold", "renewal_on": "2027-03-01"}
    assert contact.owner_id == cast.manager.id and contact.country == "IT"
    page = page_of(client, response.headers["location"])
    assert "The contact Sofia Rossi is created." in page.text
    assert "Ditta SpA" in page.text and "Budget (EUR)" in page.text and "Gold" in page.text
    assert "12,500.50" in page.text and "Mar 1, 2027" in page.text  # in the reader's locale


def test_pages_follow_the_readers_language(client, session, cast, hans):
    session.add(CustomField(key="renewal_on", label="Renewal", kind="date", choices=[]))
    hans.custom = {"renewal_on": "2027-03-01"}
    session.commit()
    sign_in(client, cast.salesperson.email)
    post_form(client, "/", "/language", {"language": "fr", "next": "/contacts"})
    page = page_of(client, f"/contacts/{hans.id}")
    assert '<html lang="fr">' in page.text and "1 mars 2027" in page.text
    assert page_of(client, "/contacts").status_code == 200


def test_a_bad_address_is_shown_next_to_its_field_and_the_input_is_kept(client, session, cast):
    session.add(CustomField(key="budget_eur", label="Budget (EUR)", kind="number", choices=[]))
    session.commit()
    sign_in(client, cast.intern.email)
    response = post_form(
        client,
        "/contacts/new",
        "/contacts/new",
        {"email": "sofia.rossi(at)ditta", "first_name": "Sofia", "country": "IT"},
    )
    assert response.status_code == 422
    assert 'id="e-email"' in response.text and "Enter a valid e-mail address." in response.text
    assert 'value="sofia.rossi(at)ditta"' in response.text and 'value="Sofia"' in response.text
    assert_unique_ids(response.text)
    response = post_form(
        client,
        "/contacts/new",
        "/contacts/new",
        {"email": "sofia@ditta.example", "custom.budget_eur": "a lot", "country": "Italy"},
    )
    assert response.status_code == 422
    assert 'id="e-country"' in response.text
    assert session.query(Contact).filter_by(email="sofia@ditta.example").count() == 0


def test_an_existing_address_points_to_its_contact(client, cast, hans):
    sign_in(client, cast.intern.email)
    response = post_form(
        client, "/contacts/new", "/contacts/new", {"email": "HANS.WEBER@werk.example"}
    )
    assert response.status_code == 409
    assert "A contact with this e-mail already exists." in response.text
    assert f'href="/contacts/{hans.id}"' in response.text


# A contact's page


def test_a_viewer_reads_a_contact_but_gets_no_form_and_a_refusal(client, session, cast, hans):
    sign_in(client, cast.salesperson.email)
    page = page_of(client, f"/contacts/{hans.id}")
    assert "Hans Weber" in page.text and "Julien (manager)" in page.text
    for action in ("", "/consent", "/do-not-contact", "/segments", "/export", "/erase"):
        assert f'action="/contacts/{hans.id}{action}"' not in page.text
    csrf = csrf_from(page)
    for action, data in [
        ("", {"first_name": "Hacked", "lifecycle_stage": "lead", "version": "1"}),
        ("/consent", {"channel": "email", "basis": "opt_in"}),
        ("/do-not-contact", {"reason": "why not"}),
        ("/do-not-contact/lift", {}),
        ("/export", {}),
        ("/erase", {"confirm": hans.email}),
    ]:
        refused = client.post(f"/contacts/{hans.id}{action}", data={**data, "csrf_token": csrf})
        assert refused.status_code == 403, action
    assert client.get("/contacts/new").status_code == 403
    session.refresh(hans)
    assert hans.first_name == "Hans" and not hans.do_not_contact


def test_an_edit_saves_and_a_stale_one_is_refused_with_the_input_kept(client, session, cast, hans):
    sign_in(client, cast.intern.email)
    page = page_of(client, f"/contacts/{hans.id}")
    assert f'action="/contacts/{hans.id}"' in page.text
    form = {
        "first_name": "Hans",
        "last_name": "Weber",
        "job_title": "Head of purchasing",
        "company": "Werk GmbH",
        "country": "AT",
        "lifecycle_stage": "sql",
        "owner_id": str(cast.intern.id),
        "version": str(hans.version),
    }
    saved = client.post(f"/contacts/{hans.id}", data={**form, "csrf_token": csrf_from(page)})
    assert saved.status_code == 303
    session.refresh(hans)
    assert (hans.job_title, hans.country, hans.lifecycle_stage) == (
        "Head of purchasing",
        "AT",
        "sql",
    )
    assert hans.owner_id == cast.intern.id
    stale = client.post(
        f"/contacts/{hans.id}",
        data={**form, "job_title": "CEO", "csrf_token": csrf_from(page)},  # the old version
    )
    assert stale.status_code == 409
    assert "changed meanwhile" in stale.text and 'value="CEO"' in stale.text
    assert f'name="version" value="{hans.version}"' in stale.text
    invalid = client.post(
        f"/contacts/{hans.id}",
        data={
            **form,
            "version": str(hans.version),
            "country": "Austria",
            "csrf_token": csrf_from(page),
        },
    )
    assert invalid.status_code == 422 and 'id="e-country"' in invalid.text
    assert 'value="Austria"' in invalid.text
    session.refresh(hans)
    assert hans.job_title == "Head of purchasing"


def test_the_page_explains_the_score_and_shows_its_history(client, session, cast, hans):
    session.add(
        ScoringRule(name="Clicks in e-mails", kind="engagement", event_type="email_clicked",
                    points=5, cap=10, condition={})
    )  # fmt: skip
    session.add(
        ScoringRule(name="German-speaking market", kind="fit", points=20,
                    condition={"field": "country", "op": "in", "value": ["DE", "AT", "CH"]})
    )  # fmt: skip
    session.commit()
    now = utcnow()
    events = [
        EventIn(id=f"click-{i}", email=hans.email, type="email_clicked",
                occurred_at=now - timedelta(hours=i), properties={"subject": "Spring webinar"})
        for i in range(3)
    ]  # fmt: skip
    service.record_events(session, events=events)
    session.commit()
    session.refresh(hans)
    assert hans.score == 30
    sign_in(client, cast.salesperson.email)
    page = page_of(client, f"/contacts/{hans.id}")
    assert "Why this score" in page.text
    assert "Clicks in e-mails" in page.text and "German-speaking market" in page.text
    assert "capped" in page.text and "15 points before the cap" in page.text
    assert "Fit 20 + engagement 10 = 30 points." in page.text
    assert "<svg" in page.text and "Score over time" in page.text
    assert "E-mail link clicked" in page.text and "Spring webinar" in page.text


def test_the_page_names_the_group_caps_and_the_total_limit(client, session, cast, hans):
    from propulse.scoring import config

    session.add(
        ScoringRule(name="Clicks in e-mails", kind="engagement", event_type="email_clicked",
                    points=5, group_name="E-mail", condition={})
    )  # fmt: skip
    everyone = {"field": "email", "op": "contains", "value": "@"}
    session.add(ScoringRule(name="Everyone", kind="fit", points=20, condition=everyone))
    settings = config.get_settings(session)
    settings.group_caps, settings.total_limit = {"E-mail": 8}, 25
    session.commit()
    events = [EventIn(id=f"c{i}", email=hans.email, type="email_clicked") for i in range(3)]
    service.record_events(session, events=events)
    session.commit()
    sign_in(client, cast.salesperson.email)
    page = page_of(client, f"/contacts/{hans.id}")
    assert "Fit 20 + engagement 8, limited to a total of 25 points." in page.text
    assert "Group caps reached:" in page.text and "E-mail (cap 8)" in page.text
    assert "The total is limited to 25 points." in page.text


def test_consent_is_recorded_with_its_history(client, session, cast, hans):
    sign_in(client, cast.intern.email)
    page = page_of(client, f"/contacts/{hans.id}")
    csrf = csrf_from(page)
    response = client.post(
        f"/contacts/{hans.id}/consent",
        data={"channel": "email", "basis": "opt_in", "source": "Munich trade show form",
              "wording_version": "2027-01", "csrf_token": csrf},
    )  # fmt: skip
    assert response.status_code == 303
    assert "Consent recorded: E-mail, Opt-in." in page_of(client, response.headers["location"]).text
    client.post(
        f"/contacts/{hans.id}/consent",
        data={"channel": "email", "basis": "withdrawn", "source": "Phone call", "csrf_token": csrf},
    )
    session.refresh(hans)
    assert hans.email_consent == "withdrawn"
    page = page_of(client, f"/contacts/{hans.id}")
    assert "Consent recorded: E-mail, Withdrawn." in page.text
    assert "Munich trade show form" in page.text and "2027-01" in page.text
    assert page.text.index("Phone call") < page.text.index("Munich trade show form")
    bad = client.post(
        f"/contacts/{hans.id}/consent",
        data={"channel": "email", "basis": "maybe", "source": "Kept", "csrf_token": csrf},
    )
    assert bad.status_code == 422 and 'id="consent-e-basis"' in bad.text
    assert 'value="Kept"' in bad.text
    assert_unique_ids(bad.text)


def test_do_not_contact_needs_a_reason_and_can_be_lifted(client, session, cast, hans):
    sign_in(client, cast.intern.email)
    page = page_of(client, f"/contacts/{hans.id}")
    csrf = csrf_from(page)
    blank = client.post(
        f"/contacts/{hans.id}/do-not-contact", data={"reason": "  ", "csrf_token": csrf}
    )
    assert blank.status_code == 422 and 'id="dnc-e-reason"' in blank.text
    response = client.post(
        f"/contacts/{hans.id}/do-not-contact",
        data={"reason": "Asked by phone on 3 March", "csrf_token": csrf},
    )
    assert response.status_code == 303
    page = page_of(client, f"/contacts/{hans.id}")
    assert "Do not contact." in page.text and "Asked by phone on 3 March" in page.text
    listed = page_of(client, "/contacts")
    assert "Do not contact" in listed.text
    lifted = client.post(f"/contacts/{hans.id}/do-not-contact/lift", data={"csrf_token": csrf})
    assert lifted.status_code == 303
    session.refresh(hans)
    assert not hans.do_not_contact and hans.do_not_contact_reason is None


def test_the_timeline_loads_50_events_at_a_time(client, session, cast, hans):
    start = datetime(2027, 1, 4, 9, 0, tzinfo=UTC)
    service.add_events(
        session,
        contact_id=hans.id,
        events=[("page_visited", start + timedelta(minutes=i), {"url": f"/page-{i}"})
                for i in range(60)],
    )  # fmt: skip
    session.commit()
    sign_in(client, cast.salesperson.email)
    page = page_of(client, f"/contacts/{hans.id}")
    assert "/page-59" in page.text and "/page-10" in page.text and "/page-9<" not in page.text
    more = re.search(r'hx-get="([^"]+)"', page.text)
    assert more, "a 'more events' button"
    rows = client.get(more.group(1).replace("&amp;", "&"), headers={"HX-Request": "true"})
    assert rows.status_code == 200
    assert (
        rows.text.count("<tr") == 10 and "/page-0<" in rows.text and "More events" not in rows.text
    )
    no_script = re.search(r'href="(/contacts/\d+\?events=[^"#]+)', page.text)
    assert no_script and "/page-9<" in page_of(client, no_script.group(1)).text


def test_static_lists_add_and_remove_the_contact(client, session, cast, hans):
    segment = Segment(name="Trade show Munich", kind=SegmentKind.static, created_by_id=cast.cmo.id)
    session.add(segment)
    session.commit()
    sign_in(client, cast.intern.email)
    page = page_of(client, f"/contacts/{hans.id}")
    added = client.post(
        f"/contacts/{hans.id}/segments",
        data={"segment_id": str(segment.id), "csrf_token": csrf_from(page)},
    )
    assert added.status_code == 303
    page = page_of(client, f"/contacts/{hans.id}")
    assert f'action="/contacts/{hans.id}/segments/{segment.id}/remove"' in page.text
    removed = client.post(
        f"/contacts/{hans.id}/segments/{segment.id}/remove", data={"csrf_token": csrf_from(page)}
    )
    assert removed.status_code == 303
    page = page_of(client, f"/contacts/{hans.id}")
    assert "In no segment." in page.text


# Privacy


def test_a_manager_downloads_everything_held_about_a_contact(client, cast, hans):
    sign_in(client, cast.manager.email)
    page = page_of(client, f"/contacts/{hans.id}")
    assert f'action="/contacts/{hans.id}/export"' in page.text
    assert f'action="/contacts/{hans.id}/erase"' not in page.text
    download = client.post(f"/contacts/{hans.id}/export", data={"csrf_token": csrf_from(page)})
    assert download.status_code == 200
    assert download.headers["content-type"].startswith("application/json")
    assert (
        download.headers["content-disposition"] == f'attachment; filename="contact-{hans.id}.json"'
    )
    data = json.loads(download.text)
    assert data["contact"]["email"] == hans.email and data["company"]["name"] == "Werk GmbH"
    refused = client.post(
        f"/contacts/{hans.id}/erase", data={"confirm": hans.email, "csrf_token": csrf_from(page)}
    )
    assert refused.status_code == 403


def test_an_admin_erases_a_contact_after_typing_its_address(client, session, cast, hans):
    hans_id = hans.id
    sign_in(client, cast.cmo.email)
    page = page_of(client, f"/contacts/{hans.id}")
    csrf = csrf_from(page)
    wrong = client.post(
        f"/contacts/{hans.id}/erase", data={"confirm": "hans@werk.example", "csrf_token": csrf}
    )
    assert wrong.status_code == 422 and 'id="erase-e-confirm"' in wrong.text
    assert session.get(Contact, hans.id) is not None
    erased = client.post(
        f"/contacts/{hans.id}/erase",
        data={"confirm": " HANS.WEBER@werk.example", "csrf_token": csrf},
    )
    assert erased.status_code == 303 and erased.headers["location"] == "/contacts"
    listing = page_of(client, "/contacts")
    assert f"Contact #{hans_id} is erased" in listing.text and "Hans Weber" not in listing.text
    session.expire_all()
    assert session.get(Contact, hans_id) is None
    assert client.get(f"/contacts/{hans_id}").status_code == 404
    again = post_form(
        client, "/contacts/new", "/contacts/new", {"email": "hans.weber@werk.example"}
    )
    assert again.status_code == 422 and "suppressed" in again.text


# Custom fields


def test_an_admin_defines_custom_fields(client, session, cast):
    sign_in(client, cast.intern.email)
    assert client.get("/contacts/fields").status_code == 403
    client.cookies.clear()
    sign_in(client, cast.cmo.email)
    page = page_of(client, "/contacts/fields")
    bad = client.post(
        "/contacts/fields",
        data={"label": "Tier", "key": "Tier level", "kind": "choice", "choices": "",
              "csrf_token": csrf_from(page)},
    )  # fmt: skip
    assert bad.status_code == 422 and 'id="e-key"' in bad.text and 'value="Tier level"' in bad.text
    created = client.post(
        "/contacts/fields",
        data={"label": "Tier", "key": "tier", "kind": "choice", "choices": "Gold\nSilver\n",
              "position": "2", "csrf_token": csrf_from(page)},
    )  # fmt: skip
    assert created.status_code == 303
    definition = session.query(CustomField).filter_by(key="tier").one()
    assert definition.choices == ["Gold", "Silver"]
    page = page_of(client, "/contacts/fields")
    assert "custom.tier" in page.text and "Gold, Silver" in page.text
    edit = page_of(client, f"/contacts/fields/{definition.id}")
    saved = client.post(
        f"/contacts/fields/{definition.id}",
        data={"label": "Customer tier", "choices": "Gold\nSilver\nBronze", "position": "1",
              "csrf_token": csrf_from(edit)},
    )  # fmt: skip
    assert saved.status_code == 303
    session.refresh(definition)
    assert definition.label == "Customer tier" and definition.choices[-1] == "Bronze"
    assert '<option value="Bronze"' in page_of(client, "/contacts/new").text
    deleted = client.post(
        f"/contacts/fields/{definition.id}/delete", data={"csrf_token": csrf_from(edit)}
    )
    assert deleted.status_code == 303
    assert "custom.tier" not in page_of(client, "/contacts/fields").text


# Companies


def test_companies_are_listed_with_their_contacts(client, session, cast, hans, marie):
    new_contact(session, cast.intern, "greta@werk.example", first_name="Greta", company="werk gmbh")
    sign_in(client, cast.salesperson.email)
    listing = page_of(client, "/companies?search=werk")
    assert "Werk GmbH" in listing.text
    assert re.search(r'class="num">2</td>', listing.text)
    page = page_of(client, f"/companies/{hans.company_id}")
    assert "Hans Weber" in page.text and "Greta" in page.text and "Marie" not in page.text
    assert client.get("/companies/999999").status_code == 404
