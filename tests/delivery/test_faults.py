"""A faulty server: retries with back-off, bounces suppressed, streams paused, no duplicates."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from sqlalchemy import select, update

from propulse.contacts import service as contacts
from propulse.db import utcnow
from propulse.delivery import service
from propulse.delivery.models import DeliveryMessage, DeliveryStatus
from tests.delivery.conftest import configure


def queue(session, to: str, stream: str = "sequence:1"):
    return service.enqueue_message(
        session,
        to_address=to,
        subject="Hello",
        html_body="<p>Hello</p>",
        text_body="Hello",
        stream=stream,
    )


def time_passes(session) -> None:
    """Make every retry due now (instead of waiting for the back-off)."""
    session.execute(
        update(DeliveryMessage)
        .where(DeliveryMessage.status == DeliveryStatus.queued)
        .values(next_attempt_at=utcnow())
    )
    session.commit()


def received_ids(smtp) -> Counter[str]:
    return Counter(message["Message-ID"] for message in smtp.messages)


def test_a_temporary_refusal_is_retried_later_and_sent_once(session, smtp, deliver):
    smtp.plan("busy", "451", "421")
    busy = queue(session, "busy@client.example")
    calm = queue(session, "calm@client.example")
    before = utcnow()

    tally = deliver()
    after = utcnow()
    assert tally == {**tally, "sent": 1, "retried": 1}
    session.refresh(busy)
    assert busy.status == DeliveryStatus.queued
    assert busy.attempts == 1
    assert busy.last_error.startswith("451 4.3.0 Try again later")
    # First retry after about a minute (PROPULSE_DELIVERY_RETRY_SECONDS), then twice as long.
    # (60 s ± 10% of jitter)
    assert before + timedelta(seconds=54) <= busy.next_attempt_at <= after + timedelta(seconds=66)
    assert deliver()["sent"] == 0  # not due yet

    time_passes(session)
    before = utcnow()
    assert deliver()["retried"] == 1  # 421: the server closes; the worker reconnects later
    after = utcnow()
    session.refresh(busy)
    assert busy.attempts == 2
    assert before + timedelta(seconds=108) <= busy.next_attempt_at <= after + timedelta(seconds=132)

    time_passes(session)
    assert deliver()["sent"] == 1
    session.refresh(busy)
    assert busy.status == DeliveryStatus.sent
    assert busy.attempts == 3
    assert received_ids(smtp) == {busy.message_id: 1, calm.message_id: 1}
    assert smtp.attempts("busy") == 3


def test_a_dropped_connection_is_retried_without_duplicates(session, smtp, deliver):
    smtp.plan("flaky", "drop", "drop")
    flaky = queue(session, "flaky@client.example")
    others = [queue(session, f"reader{n}@client.example") for n in range(3)]
    deliver()
    time_passes(session)
    deliver()
    time_passes(session)
    deliver()
    session.refresh(flaky)
    assert flaky.status == DeliveryStatus.sent
    assert flaky.attempts == 3
    assert not flaky.possible_duplicate  # dropped before the content: certainly not delivered
    assert received_ids(smtp) == {m.message_id: 1 for m in [flaky, *others]}
    assert service.count_possible_duplicates(session) == 0


def test_a_connection_lost_after_the_content_is_a_listed_possible_duplicate(session, smtp, deliver):
    smtp.plan("doubt", "drop-after-data")
    doubt = queue(session, "doubt@client.example")
    deliver()
    session.refresh(doubt)
    assert doubt.status == DeliveryStatus.queued
    assert doubt.possible_duplicate
    time_passes(session)
    deliver()
    # The server got it twice, with the same Message-ID: mail systems show it once.
    assert received_ids(smtp) == {doubt.message_id: 2}
    assert [m.id for m in service.possible_duplicates(session)] == [doubt.id]


def test_a_permanent_refusal_fails_the_message_and_suppresses_the_address(session, smtp, deliver):
    smtp.plan("gone", "550")
    gone = queue(session, "gone@client.example")
    later = queue(session, "gone@client.example")
    tally = deliver()
    assert tally["failed"] == 1
    assert tally["suppressed"] == 1  # the second one, re-checked at send time
    session.refresh(gone)
    session.refresh(later)
    assert gone.status == DeliveryStatus.failed
    assert gone.last_error.startswith("550 5.1.1 No such mailbox (rcpt)")
    assert later.status == DeliveryStatus.suppressed
    assert contacts.is_suppressed(session, email="gone@client.example")
    assert smtp.messages == []
    assert smtp.attempts("gone") == 1


def test_a_message_fails_after_the_last_attempt(session, smtp, deliver, monkeypatch):
    configure(monkeypatch, delivery_max_attempts="2")
    smtp.plan("tired", "451", "451", "ok")
    tired = queue(session, "tired@client.example")
    deliver()
    time_passes(session)
    assert deliver()["failed"] == 1
    session.refresh(tired)
    assert tired.status == DeliveryStatus.failed
    assert tired.attempts == 2
    assert not contacts.is_suppressed(session, email="tired@client.example")


def test_a_stream_pauses_itself_after_failures_in_a_row_and_resumes(
    session, cast, smtp, deliver, monkeypatch
):
    configure(monkeypatch, delivery_pause_after_failures="3")
    for name in ("bad1", "bad2", "bad3"):
        smtp.plan(name, "550")
        queue(session, f"{name}@client.example", stream="sequence:7")
    waiting = [queue(session, f"good{n}@client.example", stream="sequence:7") for n in (4, 5)]
    elsewhere = queue(session, "other@client.example", stream="sequence:8")

    deliver()
    figures = service.stream_figures(session, stream="sequence:7")
    assert figures.paused
    assert figures.consecutive_failures == 3
    assert figures.paused_reason.startswith("550 5.1.1 No such mailbox")
    assert figures.counts["failed"] == 3
    assert figures.counts["queued"] == 2  # held back, not lost
    assert received_ids(smtp) == {elsewhere.message_id: 1}  # other streams go on
    assert deliver()["sent"] == 0

    resumed = service.resume_stream(session, actor=cast.cmo, name="sequence:7")
    assert not resumed.paused
    assert deliver()["sent"] == 2
    assert set(received_ids(smtp)) == {elsewhere.message_id, *(m.message_id for m in waiting)}
    assert service.stream_figures(session, stream="sequence:7").consecutive_failures == 0


def test_a_success_ends_the_run_of_failures(session, smtp, deliver, monkeypatch):
    configure(monkeypatch, delivery_pause_after_failures="2")
    smtp.plan("bad1", "550")
    smtp.plan("bad2", "550")
    for name in ("bad1", "good", "bad2"):
        queue(session, f"{name}@client.example")
    deliver()
    figures = service.stream_figures(session, stream="sequence:1")
    assert not figures.paused
    assert figures.consecutive_failures == 1


def test_an_unreachable_server_leaves_messages_queued(session, deliver, monkeypatch):
    from tests.support.smtp import free_port

    configure(monkeypatch, smtp_url=f"smtp://127.0.0.1:{free_port()}")
    first = queue(session, "one@client.example")
    second = queue(session, "two@client.example")
    tally = deliver()
    assert tally["retried"] == 1
    session.refresh(first)
    session.refresh(second)
    assert (first.status, first.attempts) == (DeliveryStatus.queued, 1)
    assert "connect" in first.last_error
    assert (second.status, second.attempts) == (DeliveryStatus.queued, 0)  # given back
    assert second.lease_owner is None
    assert not service.stream_figures(session, stream="sequence:1").paused


def test_rows_of_a_dead_worker_are_reclaimed_and_only_the_in_flight_ones_flagged(
    session, smtp, deliver
):
    messages = [queue(session, f"reader{n}@client.example") for n in range(5)]
    session.commit()
    expired = utcnow() - timedelta(seconds=1)
    # Two lanes of a killed worker: lane A held rows 0-2, lane B rows 3-4.
    for index, message in enumerate(messages):
        message.status = DeliveryStatus.sending
        message.lease_owner = "dead-host:1:abc/0.1" if index < 3 else "dead-host:1:abc/1.1"
        message.lease_until = expired
    session.commit()
    assert deliver()["sent"] == 5
    flagged = session.scalars(
        select(DeliveryMessage.id).where(DeliveryMessage.possible_duplicate.is_(True))
    ).all()
    assert sorted(flagged) == [messages[0].id, messages[3].id]
    assert len(smtp.messages) == 5
