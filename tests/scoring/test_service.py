"""Scores kept current: on events, edits and imports; history; grades; why this score."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from propulse.contacts import hooks
from propulse.contacts import service as contacts
from propulse.contacts.schemas import EventIn
from propulse.scoring import config, service
from propulse.scoring.models import ScoreChange
from tests.scoring.factories import NOW, add_event, make_contact, make_rule


def history(session, contact):
    return [
        (h.score, h.cause) for h in reversed(service.score_history(session, contact_id=contact.id))
    ]


def test_an_event_updates_the_score_at_once_with_a_history_row(session):
    make_rule(session, "Clicked", points=5, event_type="email_clicked")
    contact = make_contact(session, email="ana@acme.example")
    result = contacts.record_events(
        session, events=[EventIn(email="ana@acme.example", type="email_clicked")]
    )
    assert result.accepted == 1
    session.refresh(contact)
    assert (contact.score, contact.engagement_score, contact.grade) == (5, 5, "C3")
    assert contact.score_updated_at is not None
    assert history(session, contact) == [(5, "event")]


def test_refresh_returns_the_contacts_whose_score_changed_and_writes_history_only_then(session):
    make_rule(session, "Visited", points=2, event_type="page_visited")
    busy, idle = make_contact(session), make_contact(session)
    add_event(session, busy, "page_visited")
    changed = service.refresh_scores(
        session, contact_ids=[busy.id, idle.id], cause="event", now=NOW
    )
    assert changed == [busy.id]
    assert (
        service.refresh_scores(session, contact_ids=[busy.id, idle.id], cause="event", now=NOW)
        == []
    )
    assert history(session, busy) == [(2, "event")]
    assert history(session, idle) == []
    assert idle.grade == "C3"  # graded, although its score stayed 0


def test_an_edit_rescored_through_the_hook_uses_fit_rules(session):
    make_rule(
        session,
        "Retail",
        kind="fit",
        points=25,
        condition={"field": "sector", "op": "eq", "value": "retail"},
    )
    contact = make_contact(session, sector="Industry")
    contact.sector = "Retail"
    session.flush()
    hooks.publish(session, hooks.ContactChange([contact.id], cause="edit"))
    assert (contact.score, contact.fit_score, contact.grade) == (25, 25, "B3")
    assert history(session, contact) == [(25, "edit")]


def test_many_contacts_at_once_go_through_sql_with_the_same_result(session):
    make_rule(
        session, "Opened", points=3, event_type="email_opened", decay="half_life", decay_days=30
    )
    people = [make_contact(session) for _ in range(service.PYTHON_PATH_LIMIT + 5)]
    for index, person in enumerate(people):
        add_event(session, person, "email_opened", NOW - timedelta(days=index % 60))
    changed = service.refresh_scores(
        session, contact_ids=[p.id for p in people], cause="import", now=NOW
    )
    assert len(changed) == len(people)
    one = people[30]
    assert one.score == 2  # 3 × 0.5 = 1.5 → 2
    assert service.explain(session, contact_id=one.id, now=NOW).score == one.score
    assert history(session, one) == [(2, "edit")]


def test_explain_lists_each_contributing_rule_with_its_points(session):
    make_rule(session, "Clicked", points=5, event_type="email_clicked", cap=8, group="email")
    make_rule(session, "Opened", points=1, event_type="email_opened", group="email")
    make_rule(session, "Meeting", points=30, event_type="meeting")
    make_rule(
        session,
        "France",
        kind="fit",
        points=10,
        condition={"field": "country", "op": "eq", "value": "FR"},
    )
    settings = config.get_settings(session)
    settings.group_caps = {"email": 6}
    contact = make_contact(session, country="FR")
    add_event(session, contact, "email_clicked")
    add_event(session, contact, "email_clicked")
    add_event(session, contact, "email_opened")
    explanation = service.explain(session, contact_id=contact.id, now=NOW)
    assert (explanation.score, explanation.fit_score, explanation.engagement_score) == (16, 10, 6)
    assert explanation.grade == "C3"
    assert explanation.capped_groups == ["email"]
    by_name = {c.name: c for c in explanation.contributions}
    assert set(by_name) == {"Clicked", "Opened", "France"}
    assert by_name["Clicked"].raw_points == 10 and by_name["Clicked"].capped
    assert "2 × E-mail link clicked" in by_name["Clicked"].detail
    assert by_name["France"].points == 10


def test_history_is_newest_first_and_limited(session):
    make_rule(session, "Visited", points=1, event_type="page_visited")
    contact = make_contact(session)
    for minutes in range(3):
        add_event(session, contact, "page_visited")
        service.refresh_scores(
            session, contact_ids=[contact.id], cause="event", now=NOW + timedelta(minutes=minutes)
        )
    newest = service.score_history(session, contact_id=contact.id, limit=2)
    assert [h.score for h in newest] == [3, 2]
    assert session.scalars(select(ScoreChange.cause)).all() == ["event"] * 3


def test_an_event_type_no_rule_counts_changes_nothing(session):
    make_rule(session, "Clicked", points=5, event_type="email_clicked")
    contact = make_contact(session)
    service.refresh_scores(session, contact_ids=[contact.id], cause="event", now=NOW)
    add_event(session, contact, "email_sent")
    assert service.refresh_scores(session, contact_ids=[contact.id], cause="event", now=NOW) == []


def test_rescore_all_scores_everyone(session):
    make_rule(session, "Meeting", points=20, event_type="meeting")
    first, second = make_contact(session), make_contact(session)
    add_event(session, second, "meeting")
    assert service.rescore_all(session, now=NOW) >= 1
    assert (first.score, second.score) == (0, 20)
    assert (first.grade, second.grade) == ("C3", "C2")
