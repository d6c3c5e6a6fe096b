"""The jobs: the hourly decay sweep and the full rescore, chunk by chunk."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from propulse.db import unit_of_work, utcnow
from propulse.scoring import config, service, tasks
from propulse.scoring.batches import rescore_in_chunks
from propulse.scoring.models import ScoreChange, ScoreRun, ScoringSettings
from tests.scoring.factories import NOW, add_event, make_contact, make_rule


def causes(session, contact):
    statement = select(ScoreChange.score, ScoreChange.cause).where(
        ScoreChange.contact_id == contact.id
    )
    return [tuple(row) for row in session.execute(statement.order_by(ScoreChange.id))]


def test_the_decay_sweep_lowers_scores_as_time_passes(session):
    make_rule(
        session, "Opened", points=8, event_type="email_opened", decay="half_life", decay_days=7
    )
    people = [make_contact(session) for _ in range(5)]
    for person in people:
        add_event(session, person, "email_opened", NOW)
    session.commit()
    report = rescore_in_chunks(now=NOW, chunk_size=2)
    assert report.completed and report.contacts >= 5 and report.changed >= 5
    later = rescore_in_chunks(cause="decay", now=NOW + timedelta(days=14), chunk_size=2)
    assert later.changed >= 5
    for person in people:
        session.refresh(person)
        assert person.score == 2  # 8 × 0.25
        # Runs over everyone keep no row per contact: the history shows where the last left it.
        assert causes(session, person) == []
        (latest,) = service.score_history(session, contact_id=person.id)
        assert (latest.score, latest.cause, latest.changed_at) == (
            2,
            "decay",
            NOW + timedelta(days=14),
        )
    logged = session.scalars(select(ScoreRun).order_by(ScoreRun.id)).all()
    assert [(run.cause, run.contacts, run.completed) for run in logged] == [
        ("rescore", 5, True),
        ("decay", 5, True),
    ]


def test_history_shows_the_last_run_over_the_rows_of_events(session):
    make_rule(session, "Meeting", points=20, event_type="meeting", decay="expiry", decay_days=30)
    contact = make_contact(session)
    add_event(session, contact, "meeting", NOW)
    service.refresh_scores(session, contact_ids=[contact.id], cause="event", now=NOW)
    session.commit()
    rescore_in_chunks(cause="decay", now=NOW + timedelta(days=31))
    found = [(h.score, h.cause) for h in service.score_history(session, contact_id=contact.id)]
    assert found == [(0, "decay"), (20, "event")]
    assert len(service.score_history(session, contact_id=contact.id, limit=1)) == 1


def test_the_hourly_sweep_rests_when_nothing_decays_and_rescores_are_done(session):
    make_rule(session, "Meeting", points=20, event_type="meeting")
    contact = make_contact(session)
    add_event(session, contact, "meeting", utcnow())
    session.commit()
    # The rules changed but no rescore ran (a lost job): the sweep catches up.
    assert tasks.rescore_decay.call_local() >= 1
    session.refresh(contact)
    assert contact.score == 20
    settings = config.get_settings(session)
    session.refresh(settings)
    assert settings.rescored_version == settings.rules_version
    assert tasks.rescore_decay.call_local() == 0


def test_the_hourly_sweep_runs_when_some_rule_decays(session):
    make_rule(
        session, "Webinar", points=15, event_type="webinar_attended", decay="expiry", decay_days=30
    )
    contact = make_contact(session)
    add_event(session, contact, "webinar_attended", utcnow() - timedelta(days=31))
    add_event(session, contact, "webinar_attended", utcnow() - timedelta(days=29))
    session.commit()
    tasks.rescore_decay.call_local()
    session.refresh(contact)
    assert contact.score == 15


def test_a_rescore_stops_when_the_rules_change_meanwhile(session):
    make_rule(session, "Meeting", points=20, event_type="meeting")
    for _ in range(4):
        add_event(session, make_contact(session), "meeting", NOW)
    session.commit()

    def rules_change(done: int, total: int) -> None:
        with unit_of_work() as other:
            other.execute(
                update(ScoringSettings).values(rules_version=ScoringSettings.rules_version + 1)
            )

    report = rescore_in_chunks(now=NOW, chunk_size=1, on_progress=rules_change)
    assert not report.completed and report.contacts == 1
