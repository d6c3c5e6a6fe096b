"""Privacy: everything held about a contact as JSON, and an erasure that leaves no trace."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from propulse.audit import service as audit
from propulse.audit.models import AuditEntry
from propulse.contacts import fields, privacy, service
from propulse.contacts.merge import UpdateRule
from propulse.contacts.models import Consent, Contact, ContactEvent, Suppression
from propulse.contacts.schemas import ConsentIn, ContactIn, CustomFieldIn, EventIn
from propulse.kit.errors import Forbidden, InvalidInput, NotFound
from propulse.scoring.models import ScoreChange
from propulse.segments.models import Segment, SegmentMember

AT = datetime(2027, 2, 1, 10, 0, tzinfo=UTC)


@pytest.fixture
def anne(session, cast):
    fields.create_field(
        session, actor=cast.cmo, data=CustomFieldIn(key="crm_id", label="CRM id", kind="text")
    )
    contact = service.create_contact(
        session,
        actor=cast.intern,
        data=ContactIn(
            email="anne.dupont@client.fr",
            first_name="Anne",
            last_name="Dupont",
            company="Client SA",
            owner_email=cast.manager.email,
            custom={"crm_id": "HS-1"},
        ),
    )
    service.record_consent(
        session,
        actor=cast.intern,
        contact_id=contact.id,
        data=ConsentIn(basis="opt_in", source="Webinar form", ip_address="203.0.113.7"),
    )
    service.set_do_not_contact(
        session, actor=cast.intern, contact_id=contact.id, reason="Asked by phone"
    )
    service.record_events(
        session,
        events=[
            EventIn(id="e1", email=contact.email, type="email_opened", occurred_at=AT),
            EventIn(
                id="e2",
                email=contact.email,
                type="content_downloaded",
                occurred_at=AT,
                properties={"ebook": "Guide"},
            ),
        ],
    )
    segment = Segment(name="VIP", kind="static", definition=None)
    session.add(segment)
    session.flush()
    session.add(SegmentMember(segment_id=segment.id, contact_id=contact.id))
    session.add(
        ScoreChange(
            contact_id=contact.id, score=12, fit_score=2, engagement_score=10, cause="event"
        )
    )
    session.commit()
    return contact


def test_the_export_holds_everything_about_the_contact(session, cast, anne):
    exported = privacy.export_contact(session, actor=cast.manager, contact_id=anne.id)
    json.dumps(exported)  # ready for JSON as it is
    assert exported["contact"]["email"] == "anne.dupont@client.fr"
    assert exported["company"]["name"] == "Client SA"
    assert exported["owner"] == {"id": cast.manager.id, "name": cast.manager.name}
    assert exported["custom_fields"] == [{"key": "crm_id", "label": "CRM id", "value": "HS-1"}]
    assert [(c["basis"], c["ip_address"]) for c in exported["consents"]] == [
        ("opt_in", "203.0.113.7")
    ]
    assert exported["do_not_contact"] == {"active": True, "reason": "Asked by phone"}
    assert {"score", "fit_score", "engagement_score", "grade"} <= set(exported["score"])
    assert [h["score"] for h in exported["score_history"]] == [12]
    assert [s["name"] for s in exported["segments"]] == ["VIP"]
    assert sorted(e["type"] for e in exported["events"]) == ["content_downloaded", "email_opened"]
    assert {e["external_id"] for e in exported["events"]} == {"e1", "e2"}
    assert {"created", "consent", "do_not_contact"} <= {a["action"] for a in exported["audit"]}
    exports = session.query(AuditEntry).filter_by(action="exported").all()
    assert [e.object_id for e in exports] == [str(anne.id)]


def test_the_export_takes_a_manager(session, cast, anne):
    with pytest.raises(Forbidden):
        privacy.export_contact(session, actor=cast.intern, contact_id=anne.id)


def test_erasing_removes_the_contact_and_all_its_activity(session, cast, anne):
    erased_id = anne.id
    privacy.erase_contact(session, actor=cast.cmo, contact_id=erased_id)
    session.commit()
    assert session.get(Contact, erased_id) is None
    for table in (ContactEvent, Consent, SegmentMember, ScoreChange):
        assert session.query(table).filter_by(contact_id=erased_id).count() == 0
    with pytest.raises(NotFound):
        service.get_contact(session, contact_id=erased_id)
    assert session.query(Suppression).one().reason == "erased"


def test_an_erased_address_cannot_come_back_by_accident(session, cast, anne):
    privacy.erase_contact(session, actor=cast.cmo, contact_id=anne.id)
    with pytest.raises(InvalidInput) as refused:
        service.create_contact(
            session, actor=cast.intern, data=ContactIn(email="Anne.Dupont@Client.fr")
        )
    assert refused.value.problems[0].field == "email"
    result = service.upsert_contacts(
        session,
        actor=cast.intern,
        items=[ContactIn(email="anne.dupont@client.fr", first_name="Anne")],
        rule=UpdateRule.overwrite,
    )
    assert result.created == 0 and result.rejected[0][1][0].field == "email"
    events = service.record_events(
        session, events=[EventIn(email="anne.dupont@client.fr", type="email_opened")]
    )
    assert events.accepted == 0


def test_the_audit_log_keeps_no_personal_data_of_an_erased_contact(session, cast, anne):
    # An entry written by hand (or by another module) that names the person.
    audit.record(
        session,
        actor=cast.intern,
        action="note",
        object_type="campaign",
        object_id=7,
        summary="Called ANNE.DUPONT@client.fr about the webinar",
        details={"who": ["Anne Dupont", "anne.dupont@client.fr"], "kept": "other data"},
    )
    session.commit()
    erased_id = anne.id
    privacy.erase_contact(session, actor=cast.cmo, contact_id=erased_id)
    session.commit()
    entries = session.query(AuditEntry).all()
    text = " ".join(f"{e.summary} {json.dumps(e.details)}" for e in entries).lower()
    assert "dupont" not in text and "203.0.113.7" not in text
    note = next(e for e in entries if e.action == "note")
    assert note.summary == "Called [erased] about the webinar"
    assert note.details == {"who": ["[erased]", "[erased]"], "kept": "other data"}
    erased = [e for e in entries if e.action == "erased"]
    assert [(e.object_type, e.object_id) for e in erased] == [("contact", str(erased_id))]


def test_only_an_admin_erases(session, cast, anne):
    with pytest.raises(Forbidden):
        privacy.erase_contact(session, actor=cast.manager, contact_id=anne.id)
