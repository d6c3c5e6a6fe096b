"""The worker process logs one line per message: the standard line, made at less cost."""

from __future__ import annotations

import io
import logging

from propulse.delivery.__main__ import LOG_FORMAT, SentLines, _Formatter
from propulse.delivery.outbox import Claimed
from propulse.delivery.smtp_pool import Outcome, SendResult, Stage


def record_at(created: float) -> logging.LogRecord:
    record = logging.LogRecord(
        "propulse.delivery", logging.INFO, __file__, 1, "sent #%d %s", (7, "<a@b.example>"), None
    )
    record.created = created
    record.msecs = int((created - int(created)) * 1000) + 0.0
    return record


def test_the_worker_log_line_is_the_standard_one():
    standard = logging.Formatter(LOG_FORMAT)
    cached = _Formatter(LOG_FORMAT)
    lines = []
    for created in (1_800_000_000.25, 1_800_000_000.75, 1_800_000_001.5, 1_800_000_000.5):
        record = record_at(created)
        lines.append(cached.format(record))
        assert lines[-1] == standard.format(record)
    assert lines[0].endswith(",250 INFO propulse.delivery: sent #7 <a@b.example>")
    assert lines[0][:19] == lines[1][:19] != lines[2][:19]  # the second changed


def test_the_sent_line_is_written_as_the_logger_would_write_it(caplog):
    caplog.set_level(logging.INFO, logger="propulse.delivery")
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    formatter = _Formatter(LOG_FORMAT)
    handler.setFormatter(formatter)
    message = Claimed(
        id=42,
        message_id="<abc@alpinea.example>",
        to_address="marie@client.example",
        contact_id=None,
        stream="sequence:3",
        subject="Le guide",
        preheader="",
        html_body="",
        text_body="",
        headers=None,
        attempts=0,
        possible_duplicate=False,
    )
    result = SendResult(Outcome.accepted, Stage.content, 250, "2.0.0 Queued")
    SentLines(handler, formatter, clock=lambda: 1_800_000_000.125)(message, result)

    record = logging.LogRecord(
        "propulse.delivery",
        logging.INFO,
        __file__,
        1,
        "sent #%d %s [%s] %s",
        (message.id, message.message_id, message.stream, result.describe()),
        None,
    )
    record.created, record.msecs = 1_800_000_000.125, 125.0
    assert stream.getvalue() == logging.Formatter(LOG_FORMAT).format(record) + "\n"
    assert stream.getvalue().endswith(
        "INFO propulse.delivery: sent #42 <abc@alpinea.example> [sequence:3] "
        "250 2.0.0 Queued (content)\n"
    )
    caplog.set_level(logging.WARNING, logger="propulse.delivery")
    SentLines(handler, formatter)(message, result)
    assert stream.getvalue().count("\n") == 1  # INFO off: no line
