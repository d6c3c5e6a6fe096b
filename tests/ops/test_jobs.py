"""Jobs through both storages (SQLite and Redis) with a real worker process, and the scheduler."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from propulse import jobs
from tests.conftest import REQUIRE_ALL

REDIS_URL = os.environ.get("PROPULSE_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def _redis_available() -> bool:
    try:
        import redis

        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except Exception:
        return False
    return True


def _propulse(env: dict[str, str], *args: str, stdin: str | None = None) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "propulse", *args],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.mark.slow
@pytest.mark.parametrize("storage", ["sqlite", "redis"])
def test_a_job_goes_through_the_storage_to_a_worker_process(storage, tmp_path: Path, smtp_server):
    """`users invite` enqueues after commit; a separate `propulse worker` sends the e-mail."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PROPULSE_")}
    env.update(
        PROPULSE_DATA_DIR=str(tmp_path / "data"),
        PROPULSE_SMTP_URL=f"smtp://127.0.0.1:{smtp_server.port}",
        PROPULSE_SECRET_KEY="worker-test-key",
    )
    if storage == "redis":
        if not _redis_available():
            if REQUIRE_ALL:
                pytest.fail(
                    f"Redis is required (PROPULSE_TEST_REQUIRE_ALL=1) but {REDIS_URL} does not answer"
                )
            pytest.skip(f"Redis at {REDIS_URL} does not answer")
        import redis

        redis.Redis.from_url(REDIS_URL).flushdb()
        env["PROPULSE_REDIS_URL"] = REDIS_URL
    _propulse(env, "init")
    _propulse(env, "users", "add", "cmo@alpinea.example", "--name", "CMO", "--role", "admin")
    _propulse(env, "users", "add", "new@alpinea.example", "--name", "Newcomer")
    _propulse(env, "users", "invite", "new@alpinea.example", "--json")
    if storage == "sqlite":
        assert (tmp_path / "data" / "jobs.db").exists()  # the queue lives in the data directory
    worker = subprocess.Popen(
        [sys.executable, "-m", "propulse", "worker", "--workers", "1"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        messages = smtp_server.wait_for(1, timeout=30)
    finally:
        worker.terminate()
        worker.wait(timeout=20)
    assert messages[0]["To"] == "new@alpinea.example"
    assert "/invitation/" in messages[0].get_payload(decode=True).decode()
    time.sleep(0.2)
    assert len(smtp_server.messages) == 1  # sent once


def test_the_periodic_backup_is_scheduled_nightly_and_rotates(tmp_path: Path, monkeypatch):
    from propulse.config import Settings, get_settings
    from propulse.ops import tasks

    jobs.load_tasks()
    at_night = datetime(2027, 1, 15, 3, 17, tzinfo=UTC)
    at_noon = datetime(2027, 1, 15, 12, 0, tzinfo=UTC)
    night_names = {task.name for task in jobs.huey.read_periodic(at_night)}
    assert "propulse.automatic_backup" in night_names
    assert "propulse.automatic_backup" not in {t.name for t in jobs.huey.read_periodic(at_noon)}

    settings = Settings(
        data_dir=tmp_path, database_url=f"sqlite:///{tmp_path / 'p.db'}", backups_kept=2
    )
    import sqlite3

    sqlite3.connect(tmp_path / "p.db").execute("CREATE TABLE t (x)").connection.close()
    monkeypatch.setattr(tasks, "get_settings", lambda: settings)
    for _night in range(3):
        tasks.automatic_backup.call_local()
        time.sleep(1.05)  # backups are named to the second
    kept = sorted((tmp_path / "backups").glob("auto-backup-*.tar.gz"))
    assert len(kept) == 2
    get_settings.cache_clear()


def test_jobs_are_enqueued_only_after_commit(session, cast, smtp_server):
    from propulse.auth import service as auth

    jobs.huey.flush()
    auth.invite(session, actor=cast.cmo, user=cast.intern)
    assert jobs.huey.pending_count() == 0  # nothing queued before the commit
    session.rollback()
    assert jobs.huey.pending_count() == 0  # and nothing after a rollback
    auth.invite(session, actor=cast.cmo, user=cast.intern)
    session.commit()
    assert jobs.huey.pending_count() == 1
