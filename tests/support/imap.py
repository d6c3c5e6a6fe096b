"""A small IMAP4rev1 server on loopback: what ``imaplib`` needs to poll a mailbox, no more.

Commands: CAPABILITY, NOOP, LOGIN, SELECT/EXAMINE, SEARCH (ALL, UNSEEN), FETCH of a message
(``RFC822``, ``BODY[]``, ``BODY.PEEK[]``, ``FLAGS``), STORE +FLAGS/-FLAGS, CLOSE, LOGOUT.
Messages are put in with :meth:`ImapServer.deliver`; their ``\\Seen`` flags can be read back.
"""

from __future__ import annotations

import re
import socketserver
import threading
from dataclasses import dataclass, field

from tests.support.smtp import free_port

_ATOM = re.compile(rb'"((?:[^"\\]|\\.)*)"|(\S+)')


@dataclass
class StoredMessage:
    raw: bytes
    flags: set[str] = field(default_factory=set)


def _arguments(text: bytes) -> list[bytes]:
    return [
        re.sub(rb"\\(.)", rb"\1", quoted) if quoted or not atom else atom
        for quoted, atom in _ATOM.findall(text)
    ]


def _numbers(spec: bytes, count: int) -> list[int]:
    """Turn a sequence set (``1``, ``2:4``, ``1,3``, ``2:*``) into message numbers."""
    numbers: list[int] = []
    for part in spec.split(b","):
        first, _colon, last = part.partition(b":")
        start = count if first == b"*" else int(first)
        end = start if not _colon else (count if last == b"*" else int(last))
        numbers.extend(range(min(start, end), max(start, end) + 1))
    return [number for number in numbers if 1 <= number <= count]


class _Handler(socketserver.StreamRequestHandler):
    server: _TcpServer

    def send(self, line: bytes) -> None:
        self.wfile.write(line + b"\r\n")

    def handle(self) -> None:
        imap = self.server.imap
        selected = False
        self.send(b"* OK IMAP4rev1 test server ready")
        while True:
            line = self.rfile.readline()
            if not line:
                return
            tag, _space, rest = line.rstrip(b"\r\n").partition(b" ")
            command, _space, arguments = rest.partition(b" ")
            verb = command.upper()
            with imap.lock:
                imap.commands.append(verb.decode())
            if verb == b"CAPABILITY":
                self.send(b"* CAPABILITY IMAP4rev1")
            elif verb == b"NOOP":
                pass
            elif verb == b"LOGIN":
                user, password = [*_arguments(arguments), b"", b""][:2]
                if (user.decode(), password.decode()) != (imap.user, imap.password):
                    self.send(tag + b" NO [AUTHENTICATIONFAILED] Invalid credentials")
                    continue
            elif verb in (b"SELECT", b"EXAMINE"):
                folder = _arguments(arguments)[0].decode()
                if folder != imap.folder:
                    self.send(tag + b" NO [NONEXISTENT] No such mailbox")
                    continue
                selected = True
                with imap.lock:
                    self.send(b"* %d EXISTS" % len(imap.messages))
                self.send(b"* 0 RECENT")
                self.send(b"* FLAGS (\\Seen \\Answered \\Flagged \\Deleted \\Draft)")
                self.send(tag + b" OK [READ-WRITE] " + verb + b" completed")
                continue
            elif verb == b"SEARCH" and selected:
                unseen = b"UNSEEN" in arguments.upper()
                with imap.lock:
                    found = [
                        str(number).encode()
                        for number, message in enumerate(imap.messages, start=1)
                        if not (unseen and "\\Seen" in message.flags)
                    ]
                self.send(b" ".join([b"* SEARCH", *found]))
            elif verb == b"FETCH" and selected:
                self._fetch(arguments)
            elif verb == b"STORE" and selected:
                self._store(arguments)
            elif verb == b"CLOSE":
                selected = False
            elif verb == b"LOGOUT":
                self.send(b"* BYE logging out")
                self.send(tag + b" OK LOGOUT completed")
                return
            else:
                self.send(tag + b" BAD unknown or unexpected command")
                continue
            self.send(tag + b" OK " + verb + b" completed")

    def _fetch(self, arguments: bytes) -> None:
        imap = self.server.imap
        spec, _space, items = arguments.partition(b" ")
        items = items.upper()
        with imap.lock:
            numbers = _numbers(spec, len(imap.messages))
            for number in numbers:
                message = imap.messages[number - 1]
                flags = " ".join(sorted(message.flags)).encode()
                if b"BODY" in items or b"RFC822" in items:
                    name = b"RFC822" if b"RFC822" in items else b"BODY[]"
                    if b"PEEK" not in items:
                        message.flags.add("\\Seen")
                    head = b"* %d FETCH (%s {%d}" % (number, name, len(message.raw))
                    self.wfile.write(head + b"\r\n" + message.raw + b")\r\n")
                else:
                    self.send(b"* %d FETCH (FLAGS (%s))" % (number, flags))

    def _store(self, arguments: bytes) -> None:
        imap = self.server.imap
        spec, _space, rest = arguments.partition(b" ")
        action, _space, flag_list = rest.partition(b" ")
        flags = {flag.decode() for flag in flag_list.strip(b"()").split()}
        with imap.lock:
            for number in _numbers(spec, len(imap.messages)):
                message = imap.messages[number - 1]
                if action.upper().startswith(b"-"):
                    message.flags -= flags
                else:
                    message.flags |= flags
                joined = " ".join(sorted(message.flags)).encode()
                self.send(b"* %d FETCH (FLAGS (%s))" % (number, joined))


class _TcpServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    imap: ImapServer


class ImapServer:
    """An IMAP mailbox on loopback with one folder; ``url`` is what PROPULSE_IMAP_URL takes."""

    def __init__(
        self,
        *,
        user: str = "replies",
        password: str = "s3cret pass",  # noqa: S107 - a test mailbox
        folder: str = "INBOX",
    ) -> None:
        self.user = user
        self.password = password
        self.folder = folder
        self.messages: list[StoredMessage] = []
        self.commands: list[str] = []
        self.lock = threading.Lock()
        self.port = free_port()
        self._server = _TcpServer(("127.0.0.1", self.port), _Handler)
        self._server.imap = self
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        from urllib.parse import quote

        return f"imap://{self.user}:{quote(self.password)}@127.0.0.1:{self.port}/{self.folder}"

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def deliver(self, raw: bytes) -> int:
        """Put a message in the folder, unseen; return its number."""
        with self.lock:
            self.messages.append(StoredMessage(raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")))
            return len(self.messages)

    def seen(self) -> list[bool]:
        with self.lock:
            return ["\\Seen" in message.flags for message in self.messages]
