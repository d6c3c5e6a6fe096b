"""An aiosmtpd server on loopback that misbehaves on request, per recipient and per attempt.

A plan maps a recipient's local part to the answers of its successive attempts:
``"451"``/``"421"``/``"550"`` at RCPT, ``"drop"`` (connection closed at RCPT),
``"drop-after-data"`` (the message is received, then the connection closes before the reply),
``"ok"``. Once a plan is used up, the recipient is accepted.
"""

from __future__ import annotations

import email
import threading
import time
from email.message import Message
from typing import Any

from aiosmtpd.controller import Controller

from tests.support.smtp import free_port

REPLIES = {
    "451": "451 4.3.0 Try again later",
    "421": "421 4.7.0 Too busy, closing",
    "550": "550 5.1.1 No such mailbox",
}


class _Handler:
    def __init__(self, plan: dict[str, list[str]]) -> None:
        self.plan = {key: list(steps) for key, steps in plan.items()}
        self.messages: list[Message] = []
        self.raw: list[bytes] = []
        self.attempts: dict[str, int] = {}
        self.lock = threading.Lock()
        self._pending: dict[int, str] = {}

    def _next(self, address: str) -> str:
        local = address.split("@", 1)[0].lower()
        with self.lock:
            self.attempts[local] = self.attempts.get(local, 0) + 1
            steps = self.plan.get(local)
            return steps.pop(0) if steps else "ok"

    async def handle_RCPT(  # noqa: N802
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        step = self._next(address)
        if step == "drop":
            server.transport.close()
            return "451 closing"
        if step in REPLIES:
            return REPLIES[step]
        if step == "drop-after-data":
            self._pending[id(session)] = step
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        with self.lock:
            self.raw.append(envelope.original_content)
            self.messages.append(email.message_from_bytes(envelope.original_content))
        if self._pending.pop(id(session), None) == "drop-after-data":
            server.transport.close()
        return "250 2.0.0 Queued"


class FaultySmtpServer:
    def __init__(self, plan: dict[str, list[str]] | None = None) -> None:
        self.port = free_port()
        self.handler = _Handler(plan or {})
        self._controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)

    def start(self) -> None:
        self._controller.start()

    def stop(self) -> None:
        self._controller.stop()

    def plan(self, local_part: str, *steps: str) -> None:
        with self.handler.lock:
            self.handler.plan[local_part] = list(steps)

    @property
    def messages(self) -> list[Message]:
        with self.handler.lock:
            return list(self.handler.messages)

    @property
    def raw(self) -> list[bytes]:
        with self.handler.lock:
            return list(self.handler.raw)

    def attempts(self, local_part: str) -> int:
        with self.handler.lock:
            return self.handler.attempts.get(local_part, 0)

    def wait_for(self, count: int, timeout: float = 10.0) -> list[Message]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(self.messages) >= count:
                return self.messages
            time.sleep(0.02)
        raise AssertionError(f"expected {count} messages, received {len(self.messages)}")
