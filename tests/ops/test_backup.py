"""Backup and restore of a SQLite workspace, through the real CLI in its own data directory."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest


def _env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PROPULSE_")}
    env["PROPULSE_DATA_DIR"] = str(data_dir)
    return env


def _run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "propulse", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.slow
def test_backup_and_restore_round_trip_keeps_data_and_secret_key(tmp_path: Path):
    data = tmp_path / "data"
    env = _env(data)
    assert _run(env, "init").returncode == 0
    assert (
        _run(
            env, "users", "add", "cmo@alpinea.example", "--name", "CMO", "--role", "admin"
        ).returncode
        == 0
    )
    secret = (data / "secret_key").read_text()
    archive = tmp_path / "copy.tar.gz"
    made = _run(env, "backup", str(archive), "--json")
    assert made.returncode == 0, made.stderr
    assert archive.stat().st_size > 0

    # Damage: a new person, and a new secret key, after the backup.
    assert _run(env, "users", "add", "late@alpinea.example", "--name", "Late").returncode == 0
    (data / "secret_key").write_text("another key")

    restored = _run(env, "restore", str(archive), "--yes")
    assert restored.returncode == 0, restored.stderr
    emails = {
        row[0] for row in sqlite3.connect(data / "propulse.db").execute("SELECT email FROM users")
    }
    assert emails == {"cmo@alpinea.example"}
    assert (data / "secret_key").read_text() == secret  # links already sent keep working


def test_restore_refuses_a_file_that_is_not_a_backup(tmp_path: Path):
    env = _env(tmp_path / "data")
    assert _run(env, "init").returncode == 0
    bogus = tmp_path / "bogus.tar.gz"
    bogus.write_bytes(b"not a tarball")
    result = _run(env, "restore", str(bogus), "--yes")
    assert result.returncode == 2
    assert "not a Propulse backup" in result.stderr
    assert "Traceback" not in result.stderr
    missing = _run(env, "restore", str(tmp_path / "nope.tar.gz"), "--yes")
    assert missing.returncode == 2 and "No backup file" in missing.stderr


def test_backup_on_postgresql_points_to_pg_dump(tmp_path: Path):
    env = _env(tmp_path / "data")
    env["PROPULSE_DATABASE_URL"] = "postgresql://postgres@127.0.0.1:5432/none"
    result = _run(env, "backup", str(tmp_path / "x.tar.gz"))
    assert result.returncode == 2
    assert "pg_dump" in result.stderr
