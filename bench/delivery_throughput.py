"""Delivery throughput: the outbox and its worker against a bare smtplib loop, in one run.

    .venv/bin/python bench/delivery_throughput.py --messages 100000 [--connections 4]
        [--database sqlite|postgresql] [--contacts 1000]

Both send to the same local aiosmtpd server (a process of its own, counting what it
receives). The baseline sends pre-rendered messages over one connection with smtplib, before
and after the worker (their mean counts: the load of a shared machine drifts). The outbox run
renders each message, puts it in the outbox (bulk insert: the rows, then their bodies in
a table of their own),
then a real worker process (`python -m propulse.delivery worker`, logging every message to a
file, tracking on: links through signed redirects, an open pixel) claims, re-checks,
composes, sends and records each one. Messages are rendered by
``propulse.email_templates.rendering`` (Jinja when that module is absent). Target: the
worker's rate at least 0.8 of the bare loop's, its peak memory (VmHWM) under 200 MB. The
CPU time each process used per message (the client, and the SMTP server while it served
that client) is printed too: on a shared machine it moves less than the rates do.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import platform
import secrets
import shutil
import signal
import smtplib
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from multiprocessing.sharedctypes import Synchronized
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
FOLDER = Path(tempfile.gettempdir()) / f"propulse-bench-delivery-{secrets.token_hex(4)}"
os.environ["PROPULSE_DATA_DIR"] = str(FOLDER / "data")
os.environ["PROPULSE_JOBS_BACKEND"] = "memory"
os.environ.setdefault("PROPULSE_SECRET_KEY", "bench-secret-key-" + "x" * 32)
os.environ["PROPULSE_MAIL_FROM"] = "Alpinea <news@alpinea.example>"
for _name in ("PROPULSE_DATABASE_URL", "PROPULSE_REDIS_URL", "PROPULSE_SMTP_URL"):
    os.environ.pop(_name, None)
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))  # tests.support.databases: throw-away PostgreSQL databases

POSTGRESQL_SERVER = "postgresql://postgres@127.0.0.1:5432/"
SENDER = "news@alpinea.example"

HTML_TEMPLATE = """<!doctype html><html lang="{{ language }}"><head><meta charset="utf-8">
<title>{{ subject }}</title></head><body style="margin:0;background:#f4f4f7">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0"><tr><td align="center">
<table role="presentation" width="600" style="background:#ffffff;font-family:Arial,sans-serif">
<tr><td style="padding:24px"><h1 style="font-size:22px;color:#1f2937">Bonjour {{ first_name }},</h1>
<p style="font-size:16px;line-height:24px;color:#374151">Les équipes marketing de {{ company }}
nous demandent souvent comment relier leurs contenus à leur pipeline. Voici notre guide :
douze pages, trois exemples chiffrés et une méthode pour choisir vos sujets.</p>
{% for tip in tips %}<p style="font-size:15px;line-height:22px;color:#374151">• {{ tip }}</p>
{% endfor %}<p style="text-align:center;margin:32px 0">
<a href="https://alpinea.example/guide?c={{ contact_id }}"
style="background:#2563eb;color:#ffffff;padding:12px 20px;border-radius:6px;text-decoration:none">
Télécharger le guide</a></p><p style="font-size:13px;color:#6b7280">Alpinea · 12 rue des Alpes ·
38000 Grenoble</p></td></tr></table></td></tr></table></body></html>"""
TEXT_TEMPLATE = """Bonjour {{ first_name }},

Les équipes marketing de {{ company }} nous demandent souvent comment relier leurs contenus
à leur pipeline. Voici notre guide : douze pages, trois exemples chiffrés et une méthode.
{% for tip in tips %}
- {{ tip }}{% endfor %}

Télécharger le guide : https://alpinea.example/guide?c={{ contact_id }}

Alpinea · 12 rue des Alpes · 38000 Grenoble"""
TIPS = [
    "Partez des questions que vos commerciaux entendent chaque semaine.",
    "Un article, trois formats : recyclez ce qui a déjà marché.",
    "Mesurez les rendez-vous obtenus, pas seulement les clics.",
]


# The SMTP server: a process of its own, so it does not share a core's GIL with the worker.


def _serve(port: int, received: Synchronized[int], ready: Any) -> None:
    import asyncio

    from aiosmtpd.controller import Controller

    class Counter:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
            received.value += 1
            return "250 2.0.0 Queued"

    controller = Controller(Counter(), hostname="127.0.0.1", port=port)
    controller.start()
    ready.set()
    signal.sigwait({signal.SIGTERM})
    controller.stop()
    asyncio.set_event_loop(None)


def cpu_seconds(pid: int) -> float:
    """Return the CPU time (user + system) a process has used so far, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class SmtpSink:
    def __init__(self) -> None:
        self.port = free_port()
        self.received: Synchronized[int] = multiprocessing.Value("q", 0, lock=False)
        ready = multiprocessing.Event()
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM})
        self.process = multiprocessing.Process(
            target=_serve, args=(self.port, self.received, ready), daemon=True
        )
        self.process.start()
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM})
        ready.wait(20)

    def wait_for(self, count: int, timeout: float) -> float:
        """Wait until ``count`` messages arrived; return the time it happened."""
        deadline = time.monotonic() + timeout
        while self.received.value < count:
            if time.monotonic() > deadline:
                raise SystemExit(f"only {self.received.value} of {count} messages arrived")
            time.sleep(0.005)
        return time.perf_counter()

    def cpu_seconds(self) -> float:
        return cpu_seconds(self.process.pid or 0)

    def stop(self) -> None:
        if self.process.pid:
            os.kill(self.process.pid, signal.SIGTERM)
        self.process.join(10)


MARKDOWN_BODY = """# Bonjour {{ contact.first_name }},

Les équipes marketing de {{ contact.company }} nous demandent souvent comment relier leurs
contenus à leur pipeline. Voici notre guide : douze pages, trois exemples chiffrés et une
méthode pour choisir vos sujets.

- Partez des questions que vos commerciaux entendent chaque semaine.
- Un article, trois formats : recyclez ce qui a déjà marché.
- Mesurez les rendez-vous obtenus, pas seulement les clics.

[Télécharger le guide](https://alpinea.example/guide?c={{ contact.id }}) ·
[Lire le blog](https://alpinea.example/blog)

Alpinea · 12 rue des Alpes · 38000 Grenoble
"""


def _values(number: int) -> dict[str, Any]:
    return {
        "first_name": f"Marie{number % 97}",
        "company": f"Client {number % 211}",
        "contact_id": number,
        "language": "fr",
        "subject": "Votre guide du contenu B2B",
        "tips": TIPS,
    }


def render_all(count: int) -> tuple[list[dict[str, Any]], str]:
    """Render every message (what a campaign or a sequence step does); say with what."""
    try:
        from propulse.email_templates.rendering import VariantSource, render_variant
    except ImportError:
        return _render_with_jinja(count), "Jinja (text + HTML templates)"
    source = VariantSource(
        language="fr",
        subject="{{ contact.first_name }}, votre guide du contenu B2B",
        preheader="Douze pages, trois exemples chiffrés",
        body_format="markdown",
        body=MARKDOWN_BODY,
    )
    rendered = []
    for number in range(count):
        values = _values(number)
        contact = {"id": number, "first_name": values["first_name"], "company": values["company"]}
        email = render_variant(source, {"contact": contact})
        rendered.append(
            {
                "to_address": f"reader{number}@client{number % 50}.example",
                "subject": email.subject,
                "html_body": email.html_body,
                "text_body": email.text_body,
            }
        )
    return rendered, "propulse.email_templates (Markdown, layout, CSS inlined, text part)"


def _render_with_jinja(count: int) -> list[dict[str, Any]]:
    from jinja2 import Environment

    environment = Environment(autoescape=True)
    html_template = environment.from_string(HTML_TEMPLATE)
    text_template = Environment(autoescape=False).from_string(TEXT_TEMPLATE)  # noqa: S701 - plain text
    rendered = []
    for number in range(count):
        values = _values(number)
        rendered.append(
            {
                "to_address": f"reader{number}@client{number % 50}.example",
                "subject": f"{values['first_name']}, votre guide du contenu B2B",
                "html_body": html_template.render(values),
                "text_body": text_template.render(values),
            }
        )
    return rendered


def bare_loop(sink: SmtpSink, messages: list[dict[str, Any]]) -> dict[str, float]:
    """Send pre-rendered messages over one smtplib connection; return seconds and CPU used."""
    from propulse.delivery.headers import OutgoingEmail, compose, new_message_id
    from propulse.delivery.placeholders import PREFERENCES_URL, UNSUBSCRIBE_URL

    now = datetime.now(UTC)
    link = "https://mkt.alpinea.example/u/" + "t" * 70

    def filled(body: str) -> str:
        return body.replace(UNSUBSCRIBE_URL, link).replace(PREFERENCES_URL, link)

    payloads = [
        (
            message["to_address"],
            compose(
                OutgoingEmail(
                    sender="Alpinea <news@alpinea.example>",
                    to=message["to_address"],
                    subject=message["subject"],
                    html_body=filled(message["html_body"]),
                    text_body=filled(message["text_body"]),
                    message_id=new_message_id("alpinea.example"),
                    date=now,
                    unsubscribe_url=link,
                )
            ),
        )
        for message in messages
    ]
    start, cpu, server_cpu = time.perf_counter(), time.process_time(), sink.cpu_seconds()
    with smtplib.SMTP("127.0.0.1", sink.port) as connection:
        for to_address, payload in payloads:
            connection.sendmail(SENDER, [to_address], payload)
    seconds = sink.wait_for(len(payloads), 600) - start
    return {
        "seconds": seconds,
        "cpu": time.process_time() - cpu,
        "server_cpu": sink.cpu_seconds() - server_cpu,
    }


def prepare_database(kind: str) -> str:
    from propulse.ops import migrate

    if kind == "sqlite":
        url = f"sqlite:///{FOLDER / 'bench.db'}"
    else:
        from tests.support.databases import create_database

        url = create_database(POSTGRESQL_SERVER, "propulse_bench_" + secrets.token_hex(4))
    migrate.upgrade(url)
    return url


def create_contacts(url: str, count: int) -> list[int]:
    """Create the contacts the messages go to (the worker re-checks each one before sending)."""
    from sqlalchemy.orm import Session

    from propulse import models  # noqa: F401
    from propulse.contacts.models import Contact
    from propulse.db import make_engine
    from propulse.delivery.models import DeliveryStream

    engine = make_engine(url)
    with Session(engine) as session:
        people = [Contact(email=f"person{n}@client.example") for n in range(count)]
        session.add_all(people)
        session.add(DeliveryStream(name="campaign:1"))
        session.commit()
        ids = [person.id for person in people]
    engine.dispose()
    return ids


def enqueue_all(url: str, messages: list[dict[str, Any]], contact_ids: list[int]) -> None:
    """Put the rendered messages in the outbox (bulk insert, as a campaign would)."""
    from propulse.db import make_engine, utcnow
    from propulse.delivery.bulk import insert_messages
    from propulse.delivery.headers import new_message_id

    engine = make_engine(url)
    now = utcnow()
    with engine.begin() as connection:
        for start in range(0, len(messages), 5000):
            rows = [
                {
                    **message,
                    "message_id": new_message_id("alpinea.example"),
                    "contact_id": contact_ids[(start + offset) % len(contact_ids)]
                    if contact_ids
                    else None,
                    "stream": "campaign:1",
                    "preheader": "Douze pages, trois exemples chiffrés",
                    "status": "queued",
                    "attempts": 0,
                    "next_attempt_at": now,
                    "possible_duplicate": False,
                    "created_at": now,
                }
                for offset, message in enumerate(messages[start : start + 5000])
            ]
            insert_messages(connection, rows)  # the messages, then their bodies
    engine.dispose()


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def run_worker(url: str, sink: SmtpSink, count: int, connections: int) -> dict[str, float]:
    log = FOLDER / "worker.log"
    env = {
        **os.environ,
        "PROPULSE_DATABASE_URL": url,
        "PROPULSE_SMTP_URL": f"smtp://127.0.0.1:{sink.port}",
        "PYTHONPATH": str(ROOT / "src"),
        # What the target asks for: the outbox, tracking (links and pixel) and logging on.
        "PROPULSE_DELIVERY_TRACKING": "true",
        "PROPULSE_BASE_URL": "https://mkt.alpinea.example",
    }
    command = [sys.executable, "-m", "propulse.delivery", "worker"]
    command += ["--connections", str(connections), "--poll", "0.2"]
    start = time.perf_counter()
    with log.open("wb") as output:
        worker = subprocess.Popen(command, env=env, cwd=ROOT, stdout=output, stderr=output)
        try:
            sink.wait_for(1, 120)
            first, worker_cpu, server_cpu = (
                time.perf_counter(),
                cpu_seconds(worker.pid),
                sink.cpu_seconds(),
            )
            done = sink.wait_for(count, 3600)
            worker_cpu = cpu_seconds(worker.pid) - worker_cpu
            server_cpu = sink.cpu_seconds() - server_cpu
            rss = peak_rss_mb(worker.pid)
        finally:
            worker.send_signal(signal.SIGTERM)
            worker.wait(60)
    lines = sum(1 for _ in log.open("rb"))
    return {
        "total": done - start,
        "sending": done - first,
        "rss_mb": rss,
        "log_lines": lines,
        "cpu": worker_cpu,
        "server_cpu": server_cpu,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--contacts", type=int, default=1000)
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    arguments = parser.parse_args()
    print(f"load average before: {os.getloadavg()}")
    FOLDER.mkdir(parents=True, exist_ok=True)
    count = arguments.messages
    sink = SmtpSink()
    url = None
    try:
        start = time.perf_counter()
        messages, renderer = render_all(count)
        render_seconds = time.perf_counter() - start
        bare = bare_loop(sink, messages)

        url = prepare_database(arguments.database)
        contact_ids = create_contacts(url, arguments.contacts)
        sink.received.value = 0
        start = time.perf_counter()
        enqueue_all(url, messages, contact_ids)
        enqueue_seconds = time.perf_counter() - start
        worker = run_worker(url, sink, count, arguments.connections)
        # Once more after the worker: on a shared machine the load drifts during a run.
        sink.received.value = 0
        bare_after = bare_loop(sink, messages)
    finally:
        sink.stop()
        if url and arguments.database == "postgresql":
            from tests.support.databases import drop_database

            drop_database(url)
        shutil.rmtree(FOLDER, ignore_errors=True)

    bare_seconds, bare_after_seconds = bare["seconds"], bare_after["seconds"]
    bare_rate = 2 * count / (bare_seconds + bare_after_seconds)
    per_message = 1000 / count  # CPU seconds in all -> ms per message
    bare_cpu = (bare["cpu"] + bare_after["cpu"]) / 2 * per_message
    bare_server_cpu = (bare["server_cpu"] + bare_after["server_cpu"]) / 2 * per_message
    worker_rate = count / worker["sending"]
    end_to_end = count / (render_seconds + enqueue_seconds + worker["total"])
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    rows = [
        ("machine", machine),
        ("database", f"{arguments.database}, {count:,} messages, {arguments.connections} conn."),
        (
            "bare smtplib loop, 1 connection",
            f"{bare_rate:,.0f} msg/s (mean of {count / bare_seconds:,.0f} before the worker "
            f"and {count / bare_after_seconds:,.0f} after)",
        ),
        ("render", f"{count / render_seconds:,.0f} msg/s with {renderer}"),
        ("enqueue (bulk insert)", f"{count / enqueue_seconds:,.0f} msg/s"),
        (
            "outbox worker, first to last",
            f"{worker_rate:,.0f} msg/s ({worker['sending']:.1f} s; "
            f"{worker['total']:.1f} s with start-up)",
        ),
        (
            "CPU ms/msg: client / SMTP server",
            f"bare loop {bare_cpu:.3f} / {bare_server_cpu:.3f}; "
            f"worker {worker['cpu'] * per_message:.3f} / {worker['server_cpu'] * per_message:.3f}",
        ),
        ("end to end (render+enqueue+worker)", f"{end_to_end:,.0f} msg/s"),
        ("ratio worker / bare loop", f"{worker_rate / bare_rate:.2f} (target >= 0.8)"),
        ("ratio end to end / bare loop", f"{end_to_end / bare_rate:.2f}"),
        ("worker peak RSS (VmHWM)", f"{worker['rss_mb']:.1f} MB (target < 200)"),
        ("worker log lines", f"{worker['log_lines']:,.0f}"),
    ]
    rows.append(("load average after (1, 5, 15 min)", str(os.getloadavg())))
    for label, value in rows:
        print(f"{label + ':':<38}{value}")


if __name__ == "__main__":
    main()
