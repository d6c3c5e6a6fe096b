"""Benchmark: a million scheduled sequence steps do not slow the web pages.

A contacts base (`--scale`, 0.1 = 100,000 contacts) gets ten active sequences of three steps
(e-mail, wait, e-mail). The pages are timed through the ASGI app, signed in: the sequences
list, a sequence page with its figures, the page of who is at a step, the contacts list and
the home page. Then 1,000,000 enrolments are scheduled (`--enrolments`), with a step run for
each and an outbox message for half of them (sent, some opened, clicked, bounced or
unsubscribed); the figures job counts the big sequences (timed: the worker does it every
minute), and the same pages are timed again; then once more while a second process runs the
scheduler over 20,000 due enrolments (the e-mails it queues included) and then the figures job,
as a worker would. Baseline in the same run: the pages before the enrolments. Target: every
page's p95 under 150 ms with the enrolments, scheduler running.

Run: `.venv/bin/python bench/nurture_pages.py [--scale 0.1] [--enrolments 1000000]
[--database sqlite|postgresql]`
"""

from __future__ import annotations

import multiprocessing
import random
import time
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from contacts_common import (
    header,
    latency_summary,
    markdown_row,
    options,
    percentile,
    scratch_database,
    verdict,
)
from contacts_data import BENCH_EMAIL, build_database, sign_in
from fastapi.testclient import TestClient
from sqlalchemy import Connection, Engine, insert, select, text, update
from sqlalchemy.orm import Session

from propulse.contacts.models import ConsentBasis, Contact
from propulse.db import make_engine, utcnow
from propulse.delivery.models import DeliveryMessage
from propulse.email_templates import service as templates
from propulse.email_templates.schemas import TemplateIn, VariantIn
from propulse.nurture import service as nurture
from propulse.nurture import tasks as nurture_jobs
from propulse.nurture.models import Enrolment, SequenceStep, StepKind, StepRun
from propulse.nurture.schemas import SequenceIn, StepIn, WindowIn
from propulse.workspace.models import User

SEQUENCES = 10
REQUESTS = 30
WARM_UP = 3
CHUNK = 20_000
DUE_WHILE_MEASURING = 20_000
TARGET_MS = 150.0


def _sequences(engine: Engine) -> list[int]:
    """Create a template and ten active three-step sequences, open every hour of the week."""
    with Session(engine) as session:
        admin = session.scalars(select(User).where(User.email == BENCH_EMAIL)).one()
        template = templates.create_template(
            session,
            actor=admin,
            data=TemplateIn(
                name="Bench follow-up",
                variants=[
                    VariantIn(
                        subject="Hello {{ contact.first_name | default('there') }}",
                        body="Hello {{ contact.first_name }},\n\nHere is [the guide](https://example.com/guide).",
                    )
                ],
            ),
        )
        always = WindowIn(start="00:00", end="24:00", weekdays=list(range(7)), skip_holidays=False)
        ids = []
        for number in range(SEQUENCES):
            sequence = nurture.create_sequence(
                session,
                actor=admin,
                data=SequenceIn(
                    name=f"Bench sequence {number + 1}",
                    sending_windows={"default": always},
                    steps=[
                        StepIn(
                            key="first",
                            kind=StepKind.send_email,
                            config={"template_id": template.id},
                        ),
                        StepIn(key="pause", kind=StepKind.wait, config={"days": 3}),
                        StepIn(
                            key="second",
                            kind=StepKind.send_email,
                            config={"template_id": template.id},
                        ),
                    ],
                ),
            )
            nurture.activate_sequence(session, actor=admin, sequence_id=sequence.id)
            ids.append(sequence.id)
        session.commit()
    return ids


def _next_id(connection: Connection, column: Any) -> int:
    """The id after the highest of a table (the bench writes ids itself, in bulk)."""
    return int(connection.scalar(select(column).order_by(column.desc()).limit(1)) or 0) + 1


def _rows(engine: Engine, sequence_ids: list[int], total: int, seed: int) -> Iterator[str]:
    """Schedule ``total`` enrolments spread over the sequences; yield progress lines."""
    rng = random.Random(seed)
    now = utcnow()
    with engine.connect() as connection:
        contact_ids = list(
            connection.scalars(
                select(Contact.id).where(Contact.email_consent != ConsentBasis.withdrawn)
            )
        )
        steps = {
            sequence_id: list(
                connection.scalars(
                    select(SequenceStep.id)
                    .where(SequenceStep.sequence_id == sequence_id)
                    .order_by(SequenceStep.position)
                )
            )
            for sequence_id in sequence_ids
        }
    per_sequence = min(len(contact_ids), -(-total // len(sequence_ids)))
    written = 0
    message_number = 0
    for sequence_id in sequence_ids:
        chosen = rng.sample(contact_ids, per_sequence)
        for start in range(0, len(chosen), CHUNK):
            part = chosen[start : start + CHUNK]
            if written >= total:
                return
            part = part[: total - written]
            with engine.begin() as connection:
                first_id = _next_id(connection, Enrolment.id)
                connection.execute(
                    insert(Enrolment),
                    [
                        {
                            "id": first_id + offset,
                            "sequence_id": sequence_id,
                            "contact_id": contact_id,
                            "status": "active",
                            "current_step_id": rng.choice(steps[sequence_id][1:]),
                            "next_run_at": now + timedelta(minutes=rng.randint(60, 30 * 24 * 60)),
                            "source": "segment",
                            "enrolled_at": now - timedelta(days=rng.randint(1, 60)),
                            "version": 1,
                        }
                        for offset, contact_id in enumerate(part)
                    ],
                )
                first_message = _next_id(connection, DeliveryMessage.id)
                messages: list[dict[str, Any]] = []
                runs: list[dict[str, Any]] = []
                for offset, contact_id in enumerate(part):
                    message_pk = None
                    if offset % 2 == 0:
                        message_pk = first_message + len(messages)
                        message_number += 1
                        roll = rng.random()
                        messages.append(
                            {
                                "id": message_pk,
                                "message_id": f"<bench-{message_number}@bench.example>",
                                "to_address": f"c{contact_id}@bench.example",
                                "contact_id": contact_id,
                                "stream": f"sequence-{sequence_id}",
                                "subject": "Hello",  # sent already: no body row
                                "status": "failed" if roll < 0.02 else "sent",
                                "attempts": 1,
                                "next_attempt_at": now,
                                "possible_duplicate": False,
                                "created_at": now,
                                "sent_at": now,
                                "opened_at": now if roll < 0.4 else None,
                                "clicked_at": now if roll < 0.08 else None,
                                "unsubscribed_at": now if 0.5 < roll < 0.505 else None,
                            }
                        )
                    runs.append(
                        {
                            "enrolment_id": first_id + offset,
                            "step_id": steps[sequence_id][0],
                            "outcome": "done",
                            "message_pk": message_pk,
                            "ran_at": now,
                        }
                    )
                if messages:
                    connection.execute(insert(DeliveryMessage), messages)
                connection.execute(insert(StepRun), runs)
            written += len(part)
            yield f"  scheduled {written:,} enrolments"


def _move_sequences_on(engine: Engine) -> None:
    """On PostgreSQL, move the id sequences past the ids written above (the scheduler inserts)."""
    if engine.dialect.name != "postgresql":
        return
    with engine.begin() as connection:
        for table in ("sequence_enrolments", "delivery_messages", "sequence_step_runs"):
            connection.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
                    f" (SELECT max(id) FROM {table}))"
                )
            )


def _pages(engine: Engine, sequence_id: int) -> dict[str, str]:
    with Session(engine) as session:
        wait_step = session.scalar(
            select(SequenceStep.id).where(
                SequenceStep.sequence_id == sequence_id, SequenceStep.key == "pause"
            )
        )
    return {
        "sequences list": "/sequences",
        "sequence page (figures)": f"/sequences/{sequence_id}",
        "who is at a step": f"/sequences/{sequence_id}?step={wait_step}",
        "contacts list": "/contacts?country=FR",
        "home": "/",
    }


def _measure(client: TestClient, pages: dict[str, str]) -> dict[str, list[float]]:
    found: dict[str, list[float]] = {}
    for name, path in pages.items():
        seconds: list[float] = []
        for number in range(WARM_UP + REQUESTS):
            started = time.perf_counter()
            response = client.get(path)
            elapsed = time.perf_counter() - started
            assert response.status_code == 200, (path, response.status_code, response.text[:300])
            if number >= WARM_UP:
                seconds.append(elapsed)
        found[name] = seconds
    return found


def _scheduler(url: str, ready: Any) -> None:
    """Run the scheduler in a process of its own, as a worker would."""
    import os

    os.environ["PROPULSE_DATABASE_URL"] = url
    from propulse.config import get_settings
    from propulse.nurture import scheduler

    get_settings.cache_clear()
    ready.set()
    from propulse.nurture import tasks

    report = scheduler.run_due()
    print(f"  scheduler: {report.processed:,} enrolments run in {report.batches} batches")
    started = time.perf_counter()
    counted = tasks.count_due_figures(now=utcnow())
    print(f"  figures job: {counted} sequences in {time.perf_counter() - started:.1f} s")


def _make_due(engine: Engine, count: int) -> None:
    with engine.begin() as connection:
        ids = list(
            connection.scalars(select(Enrolment.id).order_by(Enrolment.next_run_at).limit(count))
        )
        for start in range(0, len(ids), 5_000):
            connection.execute(
                update(Enrolment)
                .where(Enrolment.id.in_(ids[start : start + 5_000]))
                .values(next_run_at=utcnow() - timedelta(minutes=1))
            )


def _report(label: str, results: dict[str, list[float]]) -> dict[str, float]:
    print(f"  {label}")
    for name, seconds in results.items():
        print(f"    {name:<26} {latency_summary(seconds)}")
    return {name: percentile(seconds, 0.95) * 1000 for name, seconds in results.items()}


def main() -> None:
    args = options(__doc__, enrolments=1_000_000)
    args.scale = args.scale if args.scale != 0.01 else 0.1
    header("Nurturing: the web pages with a million scheduled steps", args)
    with scratch_database(args.database) as url:
        build_database(url, args.scale, args.seed)
        engine = make_engine(url)
        sequence_ids = _sequences(engine)
        from propulse.app import create_app

        with TestClient(create_app(), follow_redirects=False) as client:
            sign_in(client)
            pages = _pages(engine, sequence_ids[0])
            before = _report("before any enrolment", _measure(client, pages))
            started = time.perf_counter()
            for line in _rows(engine, sequence_ids, args.enrolments, args.seed):
                if line.endswith("0,000 enrolments"):
                    print(line, flush=True)
            _move_sequences_on(engine)
            seconds = time.perf_counter() - started
            print(f"  scheduling {args.enrolments:,} enrolments: {seconds:.1f} s")
            started = time.perf_counter()
            counted = nurture_jobs.count_due_figures(now=utcnow())
            seconds = time.perf_counter() - started
            print(f"  figures job: {counted} sequences counted in {seconds:.1f} s")
            after = _report("with the enrolments", _measure(client, pages))
            _make_due(engine, DUE_WHILE_MEASURING)
            context = multiprocessing.get_context("spawn")
            ready = context.Event()
            worker = context.Process(target=_scheduler, args=(url, ready))
            worker.start()
            ready.wait(60)
            busy = _report(
                "while the scheduler runs 20,000 due enrolments", _measure(client, pages)
            )
            worker.join()
        engine.dispose()
    worst = max(busy.values())
    outcome = verdict(worst, TARGET_MS)
    print(f"  target p95 < {TARGET_MS:.0f} ms with the enrolments, scheduler running: {outcome}")
    for name in before:
        print(
            markdown_row(
                [
                    args.database,
                    name,
                    f"{before[name]:.0f} ms",
                    f"{after[name]:.0f} ms",
                    f"{busy[name]:.0f} ms",
                ]
            )
        )


if __name__ == "__main__":
    main()
