"""`propulse demo` seeds a realistic workspace in a database of its own."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest


@pytest.mark.slow
def test_the_demo_workspace_is_seeded_once_and_holds_every_module(tmp_path: Path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("PROPULSE_")}
    env["PROPULSE_DATA_DIR"] = str(tmp_path)
    command = [sys.executable, "-m", "propulse", "demo", "--no-serve"]
    first = subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=180, check=False
    )
    assert first.returncode == 0, first.stderr
    assert "claire.martin@alpinea.example" in first.stdout and "propulse-demo" in first.stdout
    database = sqlite3.connect(tmp_path / "propulse.db")

    def count(table: str, where: str = "1=1") -> int:
        return int(database.execute(f"SELECT count(*) FROM {table} WHERE {where}").fetchone()[0])

    assert count("users") == 11
    assert count("okr_objectives", "status = 'active'") == 3
    assert count("okr_check_ins") > 10
    assert count("triage_requests") == 30
    states = {row[0] for row in database.execute("SELECT DISTINCT state FROM triage_requests")}
    assert states == {"new", "accepted", "parked", "declined", "duplicate"}
    assert count("playbooks") == 14
    assert count("projects") == 2
    assert count("content_packages", "status = 'ready'") == 1
    assert count("content_pieces") >= 1 + 5 + 8 + 4
    assert count("contacts") == 40_000
    assert count("companies") > 4_000
    assert 300_000 < count("contact_events") < 500_000
    assert count("contact_fields") == 4
    assert count("scoring_rules") >= 10
    assert count("contacts", "score > 0 AND grade IS NOT NULL") > 30_000
    assert 0 < count("contacts", "mql_at IS NOT NULL") < 10_000
    assert count("segments") == 9  # the 8 of the contacts demo and the e-book downloaders
    assert count("segments", "kind = 'static' AND member_count > 0") == 2
    assert count("email_templates") == 3
    assert count("email_template_variants") == 6
    assert count("signup_forms") == 2
    assert count("sequences", "status = 'active'") == 1
    # The downloaders entered the list, so the sequence's trigger enrolled each of them.
    assert count("sequence_enrolments", "status = 'active'") == 150
    assert count("segments", "kind = 'dynamic' AND member_count > 0") == 7
    assert count("segment_members") == int(
        database.execute("SELECT sum(member_count) FROM segments").fetchone()[0]
    )
    again = subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=180, check=False
    )
    assert again.returncode == 0 and "already there" in again.stdout
    assert count("users") == 11
