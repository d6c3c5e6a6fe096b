"""Consent records (a history, the latest e-mail basis on the contact) and do-not-contact."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from propulse.audit.models import AuditEntry
from propulse.contacts import service
from propulse.contacts.schemas import ConsentIn, ContactIn
from propulse.kit.errors import Forbidden, InvalidInput


@pytest.fixture
def anne(session, cast):
    contact = service.create_contact(
        session, actor=cast.intern, data=ContactIn(email="anne@client.fr", first_name="Anne")
    )
    session.commit()
    return contact


def consent(basis, channel="email", at=None, **extra):
    return ConsentIn(channel=channel, basis=basis, recorded_at=at, **extra)


def test_consent_is_a_history_and_the_contact_follows_the_latest(session, cast, anne):
    service.record_consent(
        session,
        actor=cast.intern,
        contact_id=anne.id,
        data=consent(
            "opt_in",
            source="Webinar form",
            wording_version="2027-01",
            ip_address="203.0.113.7",
            at=datetime(2027, 1, 5, tzinfo=UTC),
        ),
    )
    assert anne.email_consent == "opt_in"
    service.record_consent(
        session,
        actor=None,
        contact_id=anne.id,
        data=consent("withdrawn", source="Unsubscribe link", at=datetime(2027, 2, 1, tzinfo=UTC)),
    )
    assert anne.email_consent == "withdrawn"
    # An older record entered afterwards does not outrank the latest one.
    service.record_consent(
        session,
        actor=cast.intern,
        contact_id=anne.id,
        data=consent("legitimate_interest", at=datetime(2026, 12, 1, tzinfo=UTC)),
    )
    assert anne.email_consent == "withdrawn"
    history = service.consent_history(session, contact_id=anne.id)
    assert [c.basis for c in history] == ["withdrawn", "opt_in", "legitimate_interest"]
    first = history[1]
    assert (first.source, first.wording_version, first.ip_address, first.recorded_by_id) == (
        "Webinar form",
        "2027-01",
        "203.0.113.7",
        cast.intern.id,
    )


def test_another_channel_does_not_change_the_e_mail_basis(session, cast, anne):
    service.record_consent(session, actor=cast.intern, contact_id=anne.id, data=consent("opt_in"))
    service.record_consent(
        session, actor=cast.intern, contact_id=anne.id, data=consent("withdrawn", channel="phone")
    )
    assert anne.email_consent == "opt_in"
    current = service.current_consents(session, contact_id=anne.id)
    assert {channel: c.basis for channel, c in current.items()} == {
        "email": "opt_in",
        "phone": "withdrawn",
    }


def test_recording_consent_takes_a_member(session, cast, anne):
    with pytest.raises(Forbidden):
        service.record_consent(
            session, actor=cast.salesperson, contact_id=anne.id, data=consent("opt_in")
        )


def test_do_not_contact_needs_a_reason_and_can_be_lifted(session, cast, anne):
    for blank in ("", "   "):
        with pytest.raises(InvalidInput) as refused:
            service.set_do_not_contact(session, actor=cast.intern, contact_id=anne.id, reason=blank)
        assert refused.value.problems[0].field == "reason"
    service.set_do_not_contact(
        session, actor=cast.intern, contact_id=anne.id, reason=" Asked by phone, Anne Dupont "
    )
    session.commit()
    assert (anne.do_not_contact, anne.do_not_contact_reason) == (
        True,
        "Asked by phone, Anne Dupont",
    )
    service.set_do_not_contact(session, actor=cast.intern, contact_id=anne.id, reason=None)
    session.commit()
    assert (anne.do_not_contact, anne.do_not_contact_reason) == (False, None)
    entries = session.query(AuditEntry).filter(
        AuditEntry.action.in_(["do_not_contact", "contact_allowed"])
    )
    assert [e.object_id for e in entries] == [str(anne.id)] * 2
    assert all("Anne" not in e.summary and "phone" not in e.summary for e in entries)
    with pytest.raises(Forbidden):
        service.set_do_not_contact(
            session, actor=cast.salesperson, contact_id=anne.id, reason="Asked"
        )
