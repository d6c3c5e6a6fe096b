"""Composing messages, and the pace of sending: pure functions, checked directly."""

from __future__ import annotations

import binascii
import email
import smtplib
from datetime import UTC, datetime, timedelta, timezone
from email import policy

import pytest

from propulse.delivery import headers
from propulse.delivery.headers import (
    OutgoingEmail,
    compose,
    domain_of,
    header_problem,
    list_unsubscribe,
    with_preheader,
)
from propulse.delivery.ratelimit import RateLimiter, RateLimits, retry_delay_seconds
from propulse.delivery.smtp_pool import (
    Outcome,
    Stage,
    _dot_stuffed,
    classify,
    envelope_address,
)

WHEN = datetime(2026, 11, 27, 9, 30, tzinfo=UTC)


def outgoing(**fields) -> OutgoingEmail:
    values = {
        "sender": "Équipe Alpinéa <news@alpinea.example>",
        "to": "marie@client.example",
        "subject": "Votre guide",
        "html_body": "<p>Bonjour</p>",
        "text_body": "Bonjour\n.début de ligne\n" + "long " * 40,
        "message_id": "<abc@alpinea.example>",
        "date": WHEN,
        **fields,
    }
    return OutgoingEmail(**values)


def test_a_composed_message_reads_back_with_the_standard_parser():
    raw = compose(
        outgoing(
            unsubscribe_url="https://mkt.example/u/TOKEN",
            extra_headers={"X-Campaign": "Automne ☕"},
        )
    )
    assert b"\n" not in raw.replace(b"\r\n", b"")  # CRLF line ends only
    assert all(len(line) <= 998 for line in raw.split(b"\r\n"))
    parsed = email.message_from_bytes(raw, policy=policy.default)
    assert str(parsed["From"]) == "Équipe Alpinéa <news@alpinea.example>"
    assert parsed["Date"] == "Fri, 27 Nov 2026 09:30:00 +0000"
    assert parsed["X-Campaign"] == "Automne ☕"
    assert parsed["List-Unsubscribe"] == "<https://mkt.example/u/TOKEN>"
    assert parsed["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    text = parsed.get_body(("plain",)).get_content()
    assert text.replace("\r\n", "\n") == "Bonjour\n.début de ligne\n" + "long " * 40


QP_SAMPLES = [
    "Bonjour Marie,\n\nVoici le guide : 12 pages.",
    "x" * 75 + " \nsuite",  # a blank where a soft break falls
    "a=b\tc é € \n.\n..\n",
    '<p style="margin: 0">' + "très long paragraphe " * 40 + "</p>",
    "fin \r\nligne\rsuite\t",
    "",
    "\n\n",
]


@pytest.mark.parametrize("text", QP_SAMPLES)
def test_quoted_printable_lines_decode_back_and_stay_within_76_characters(text):
    expected = text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\r\n")
    first = headers._quoted_printable(text)
    for _ in range(3):  # the shared lines come from the cache the second time
        encoded = headers._quoted_printable(text)
        assert encoded == first
        assert binascii.a2b_qp(encoded) == expected.encode("utf-8")
        assert all(len(line) <= 76 for line in encoded.split(b"\r\n"))
        assert b"\n" not in encoded.replace(b"\r\n", b"")


def test_the_cache_of_shared_lines_stays_bounded(monkeypatch):
    monkeypatch.setattr(headers, "QP_CACHE_LINES", 50)
    monkeypatch.setattr(headers, "_QP_SHARED", {})
    monkeypatch.setattr(headers, "_QP_SEEN_ONCE", {})
    for number in range(500):  # lines seen once (a greeting): never shared
        headers._quoted_printable(f"Bonjour Marie{number},")
    assert headers._QP_SHARED == {}
    for _round in range(2):
        headers._quoted_printable("\n".join(f"ligne {n}" for n in range(30)))
    assert len(headers._QP_SHARED) == 30  # the template's lines, seen in two messages
    for _round in range(2):
        headers._quoted_printable("\n".join(f"autre {n}" for n in range(40)))
    assert 0 < len(headers._QP_SHARED) <= 50 and len(headers._QP_SEEN_ONCE) <= 50
    assert len(headers._QP_SEEN_ONCE) <= 50
    long_line = "é" * (headers.QP_CACHED_LINE_LENGTH + 1)
    for _round in range(2):
        headers._quoted_printable(long_line)
    assert long_line not in headers._QP_SHARED and long_line not in headers._QP_SEEN_ONCE


def test_the_date_header_follows_the_second_and_the_zone():
    paris = timezone(timedelta(hours=1))
    assert headers._date(WHEN) == b"Fri, 27 Nov 2026 09:30:00 +0000"
    assert headers._date(WHEN.replace(microsecond=999)) == b"Fri, 27 Nov 2026 09:30:00 +0000"
    assert headers._date(WHEN.astimezone(paris)) == b"Fri, 27 Nov 2026 10:30:00 +0100"
    assert headers._date(WHEN + timedelta(seconds=1)) == b"Fri, 27 Nov 2026 09:30:01 +0000"


@pytest.mark.parametrize(
    "address",
    [
        "marie@client.example",
        "o'neil+news@mail.client-1.example",
        "Marie <marie@client.example>",
        "<marie@client.example>",
        "a..b@client.example",
        ".marie@client.example",
        "marie@client..example",
        "marie@[127.0.0.1]",
        "no-at-sign",
        "",
    ],
)
def test_envelope_addresses_are_written_as_smtplib_writes_them(address):
    assert envelope_address(address) == smtplib.quoteaddr(address)


def test_leading_dots_are_doubled_on_every_line():
    assert _dot_stuffed(b".a\r\n.b\r\nc.\r\n") == b"..a\r\n..b\r\nc.\r\n.\r\n"
    assert _dot_stuffed(b"x\r\n..y") == b"x\r\n...y\r\n.\r\n"
    assert _dot_stuffed(b"no dot") == b"no dot\r\n.\r\n"


def test_the_preheader_is_hidden_first_in_the_body():
    assert with_preheader("<p>x</p>", "") == "<p>x</p>"
    shown = with_preheader('<html><BODY class="a"><p>x</p></body></html>', "Tips & <tricks>")
    assert shown.startswith('<html><BODY class="a"><div style="display:none')
    assert "Tips &amp; &lt;tricks&gt;</div><p>x</p>" in shown
    assert with_preheader("<p>x</p>", "Hi").endswith(">Hi</div><p>x</p>")


def test_unsubscribe_targets_and_extra_headers():
    assert list_unsubscribe(None, None) is None
    assert list_unsubscribe("https://a/u/t", "mailto:r@a?subject=x") == (
        "<https://a/u/t>, <mailto:r@a?subject=x>"
    )
    assert header_problem("X-Campaign", "ok") is None
    assert header_problem("Bcc", "spy@evil.example") == "reserved"
    assert header_problem("X-Bad Name", "v") == "name"
    assert header_problem("X-Inject", "a\r\nBcc: spy@evil.example") == "value"
    assert domain_of("Alpinea <news@Alpinea.Example>") == "alpinea.example"
    assert domain_of("nobody") == "localhost"


def test_server_replies_become_outcomes():
    assert classify(250, "OK", Stage.content).outcome == Outcome.accepted
    assert classify(451, "later", Stage.rcpt).outcome == Outcome.temporary
    assert classify(550, "no such user", Stage.rcpt).outcome == Outcome.permanent
    assert classify(554, "rejected", Stage.content).outcome == Outcome.permanent
    # A refusal of our sender or of the DATA command is not the recipient's fault.
    assert classify(550, "sender refused", Stage.mail).outcome == Outcome.temporary
    assert not classify(421, "busy", Stage.mail).recipient_failure
    assert classify(451, "later", Stage.rcpt).recipient_failure


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_token_bucket_allows_a_second_of_burst_then_the_steady_pace():
    clock = Clock()
    limiter = RateLimiter(RateLimits(per_second=10), clock)
    assert [limiter.try_acquire() for _ in range(10)] == [0.0] * 10
    assert limiter.try_acquire() == pytest.approx(0.1)
    clock.now += 0.1
    assert limiter.try_acquire() == 0.0
    assert limiter.try_acquire() == pytest.approx(0.1)


def test_the_sliding_window_caps_what_goes_out_per_window():
    clock = Clock()
    limiter = RateLimiter(RateLimits(per_window=3, window_seconds=60), clock)
    for _step in range(3):
        assert limiter.try_acquire() == 0.0
        clock.now += 10
    assert limiter.try_acquire() == pytest.approx(30.0)  # the first send leaves the window
    clock.now += 30
    assert limiter.try_acquire() == 0.0
    assert limiter.try_acquire() == pytest.approx(10.0)


def test_no_limit_means_no_wait():
    limiter = RateLimiter(RateLimits(), Clock())
    assert all(limiter.try_acquire() == 0.0 for _ in range(10_000))


def test_retries_back_off_exponentially_up_to_a_cap():
    delays = [retry_delay_seconds(n, base_seconds=60) for n in range(1, 12)]
    assert delays[:4] == [60, 120, 240, 480]
    assert delays[-1] == 6 * 3600
    assert retry_delay_seconds(1, base_seconds=60, jitter=1) == pytest.approx(66)
    assert retry_delay_seconds(1, base_seconds=60, jitter=-5) == pytest.approx(54)
