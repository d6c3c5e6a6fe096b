"""Kill the delivery worker with SIGKILL at random moments: nothing is lost, duplicates stay bounded.

A real worker process (`python -m propulse delivery worker`, 4 connections) sends 2,000
messages from its own committed database to an SMTP server on loopback; it is killed three
times mid-flow and restarted. The bound: at each kill, at most one message per open
connection was accepted by the server but not yet recorded.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from sqlalchemy import func, insert, select

from propulse.db import make_engine, utcnow
from propulse.delivery.bulk import insert_messages
from propulse.delivery.models import DeliveryMessage, DeliveryStatus, DeliveryStream
from tests.delivery.smtp_faults import FaultySmtpServer

MESSAGES = 2000
CONNECTIONS = 4
KILLS = 3
ROOT = Path(__file__).resolve().parents[2]


def fill_outbox(url: str) -> None:
    engine = make_engine(url)
    now = utcnow()
    with engine.begin() as connection:
        connection.execute(
            insert(DeliveryStream).values(
                name="campaign", paused=False, consecutive_failures=0, created_at=now
            )
        )
        insert_messages(
            connection,
            [
                {
                    "message_id": f"<crash-{n}@alpinea.example>",
                    "to_address": f"reader{n}@client.example",
                    "stream": "campaign",
                    "subject": f"Message {n}",
                    "preheader": "",
                    "html_body": f"<p>Message {n}</p>",
                    "text_body": f"Message {n}",
                    "status": DeliveryStatus.queued.value,
                    "attempts": 0,
                    "next_attempt_at": now,
                    "possible_duplicate": False,
                    "created_at": now,
                }
                for n in range(MESSAGES)
            ],
        )
    engine.dispose()


def start_worker(
    url: str, smtp_port: int, data_dir: Path, *, full_cli: bool
) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "PROPULSE_DATABASE_URL": url,
        "PROPULSE_SMTP_URL": f"smtp://127.0.0.1:{smtp_port}",
        "PROPULSE_DATA_DIR": str(data_dir),
        "PROPULSE_DELIVERY_LEASE_SECONDS": "2",
        "PYTHONPATH": str(ROOT / "src"),
    }
    module = ["propulse", "delivery"] if full_cli else ["propulse.delivery"]
    command = [sys.executable, "-m", *module, "worker", "--connections", str(CONNECTIONS)]
    return subprocess.Popen(
        [*command, "--poll", "0.2"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def wait_until(condition, timeout: float, what: str) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.01)


def test_killed_workers_lose_nothing_and_duplicates_stay_within_the_bound(
    committed_database, tmp_path
):
    url = committed_database
    fill_outbox(url)
    smtp = FaultySmtpServer()
    smtp.start()
    rng = random.Random()
    bound = 0
    try:
        for kill in range(KILLS):
            worker = start_worker(url, smtp.port, tmp_path, full_cli=kill == 0)
            target = len(smtp.raw) + rng.randint(60, 400)
            wait_until(lambda: len(smtp.raw) >= target, 120, f"{target} messages")  # noqa: B023
            time.sleep(rng.uniform(0, 0.05))
            worker.send_signal(signal.SIGKILL)
            worker.wait()
            bound += CONNECTIONS  # each connection may have had one message accepted unrecorded
        assert len(smtp.raw) < MESSAGES  # the kills happened mid-flow

        engine = make_engine(url)

        def all_recorded() -> bool:
            with engine.connect() as connection:
                sent = connection.scalar(
                    select(func.count()).where(DeliveryMessage.status == DeliveryStatus.sent)
                )
            return sent == MESSAGES

        worker = start_worker(url, smtp.port, tmp_path, full_cli=False)
        wait_until(all_recorded, 180, "every message recorded as sent")
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=30) == 0
        with engine.connect() as connection:
            flagged = set(
                connection.scalars(
                    select(DeliveryMessage.message_id).where(
                        DeliveryMessage.possible_duplicate.is_(True)
                    )
                )
            )
            expected = set(connection.scalars(select(DeliveryMessage.message_id)))
        engine.dispose()
    finally:
        smtp.stop()

    received = Counter(
        line.split(b":", 1)[1].strip().decode()
        for raw in smtp.raw
        for line in raw.split(b"\r\n")
        if line.lower().startswith(b"message-id:")
    )
    assert set(received) == expected  # zero lost
    duplicates = {message_id: n - 1 for message_id, n in received.items() if n > 1}
    assert sum(duplicates.values()) <= bound
    assert set(duplicates) <= flagged  # every duplicate is listed
    assert len(flagged) <= bound  # and the list stays within the bound too
