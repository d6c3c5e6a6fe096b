"""Test fixtures: a database built by `alembic upgrade head`, one rolled-back transaction per test.

SQLite by default; PostgreSQL when PROPULSE_TEST_DATABASE_URL points to a server (a fresh
database is created there for the run and dropped afterwards).
"""

from __future__ import annotations

import os
import secrets
import tempfile
from collections.abc import Iterator
from pathlib import Path

_RUN_DIR = Path(tempfile.mkdtemp(prefix="propulse-tests-"))
# Before propulse is imported: the job queue and the settings read these.
os.environ["PROPULSE_JOBS_BACKEND"] = "memory"
os.environ["PROPULSE_DATA_DIR"] = str(_RUN_DIR / "data")
os.environ["PROPULSE_SECRET_KEY"] = "test-secret-key-" + "x" * 32
os.environ["PROPULSE_BASE_URL"] = "http://testserver"
for _name in ("PROPULSE_DATABASE_URL", "PROPULSE_REDIS_URL", "PROPULSE_SMTP_URL", "PROPULSE_USER"):
    os.environ.pop(_name, None)

import pytest  # noqa: E402
from sqlalchemy import Engine  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402
from sqlalchemy.orm import Session, sessionmaker  # noqa: E402

from tests.support.databases import create_database, drop_database  # noqa: E402

REQUIRE_ALL = os.environ.get("PROPULSE_TEST_REQUIRE_ALL") == "1"


def pytest_report_header(config: pytest.Config) -> list[str]:
    url = os.environ.get("PROPULSE_TEST_DATABASE_URL")
    target = (
        make_url(url).render_as_string(hide_password=True) if url else "SQLite (temporary file)"
    )
    return [f"propulse database: {target}"]


@pytest.fixture(scope="session")
def database_url() -> Iterator[str]:
    """Create the run's database and migrate it with Alembic; drop it at the end."""
    server_url = os.environ.get("PROPULSE_TEST_DATABASE_URL")
    if server_url:
        url = create_database(server_url, "propulse_test_" + secrets.token_hex(4))
    else:
        url = f"sqlite:///{_RUN_DIR / 'test.db'}"
    os.environ["PROPULSE_DATABASE_URL"] = url
    from propulse import db
    from propulse.config import get_settings
    from propulse.ops import migrate

    get_settings.cache_clear()
    db.get_engine.cache_clear()
    db.get_session_factory.cache_clear()
    db.get_read_session_factory.cache_clear()
    migrate.upgrade(url)
    yield url
    db.get_engine().dispose()
    if server_url:
        drop_database(url)


@pytest.fixture
def committed_database(tmp_path: Path) -> Iterator[str]:
    """A migrated database of its own, outside the test transaction: its commits are real,
    so other connections, threads and processes see them (races, crashes, two workers)."""
    from propulse.ops import migrate

    server_url = os.environ.get("PROPULSE_TEST_DATABASE_URL")
    if server_url:
        url = create_database(server_url, "propulse_own_" + secrets.token_hex(4))
    else:
        url = f"sqlite:///{tmp_path / 'own.db'}"
    migrate.upgrade(url)
    yield url
    if server_url:
        drop_database(url)


@pytest.fixture(scope="session")
def engine(database_url: str) -> Engine:
    from propulse import db

    return db.get_engine()


@pytest.fixture
def session_factory(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> Iterator[sessionmaker[Session]]:
    """Bind every session of the test (requests, CLI, jobs) to one transaction, rolled back."""
    from propulse import db
    from propulse.jobs import huey

    connection = engine.connect()
    outer = connection.begin()
    factory = sessionmaker(
        bind=connection, expire_on_commit=False, join_transaction_mode="create_savepoint"
    )
    reading_factory = sessionmaker(
        bind=connection,
        expire_on_commit=False,
        join_transaction_mode="create_savepoint",
        info={db.READ_ONLY: True},  # refuses writes as in production
    )
    monkeypatch.setattr(db, "get_session_factory", lambda: factory)
    monkeypatch.setattr(db, "get_read_session_factory", lambda: reading_factory)
    huey.flush()
    yield factory
    huey.flush()
    outer.rollback()
    connection.close()


@pytest.fixture
def session(session_factory: sessionmaker[Session]) -> Iterator[Session]:
    with session_factory() as opened:
        yield opened


@pytest.fixture
def workspace(session: Session):  # type: ignore[no-untyped-def]
    from propulse.workspace import service

    created = service.ensure_workspace(session, name="Alpinea", country="FR", language="en")
    session.commit()
    return created


@pytest.fixture
def cast(session: Session, workspace: object):  # type: ignore[no-untyped-def]
    """The cast of the tests: the CMO, a manager, an intern and a salesperson."""
    from tests.support.factories import make_cast

    people = make_cast(session)
    session.commit()
    return people


@pytest.fixture
def app(session_factory: sessionmaker[Session]):  # type: ignore[no-untyped-def]
    from propulse.app import create_app, workspace_defaults

    workspace_defaults.forget()
    return create_app()


@pytest.fixture
def client(app):  # type: ignore[no-untyped-def]
    from fastapi.testclient import TestClient

    with TestClient(app, follow_redirects=False) as test_client:
        yield test_client


@pytest.fixture
def smtp_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    """A real SMTP server (aiosmtpd) on loopback; PROPULSE_SMTP_URL points to it."""
    from propulse.config import get_settings
    from tests.support.smtp import RecordingSmtpServer

    server = RecordingSmtpServer()
    server.start()
    monkeypatch.setenv("PROPULSE_SMTP_URL", f"smtp://127.0.0.1:{server.port}")
    get_settings.cache_clear()
    yield server
    server.stop()
    monkeypatch.delenv("PROPULSE_SMTP_URL")
    get_settings.cache_clear()


@pytest.fixture
def run(session_factory, capsys):
    """Run a command in-process as `main()` would; return (exit code, stdout, stderr)."""
    from propulse.cli import main
    from propulse.cli_support import set_acting_email

    def invoke(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
        import io
        import sys

        old_argv, old_stdin = sys.argv, sys.stdin
        sys.argv = ["propulse", *args]
        if stdin is not None:
            sys.stdin = io.StringIO(stdin)
        try:
            with pytest.raises(SystemExit) as exit_info:
                main()
        finally:
            sys.argv, sys.stdin = old_argv, old_stdin
            set_acting_email(None)
        captured = capsys.readouterr()
        return int(exit_info.value.code or 0), captured.out, captured.err

    return invoke
