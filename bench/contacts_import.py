"""Benchmark: `propulse contacts import` of a 1M-row CSV (at --scale 1.0) into a fresh database.

The CSV (the sample's contacts, headers as `propulse contacts export` writes them) goes to
/tmp; the import runs in a subprocess, as a user would run it, and its wall time and peak
memory (ru_maxrss of the child) are measured. Targets: under 2 minutes, under 500 MB.
Baseline in the same run: Python's csv module reading the same file, row by row.

Run: `.venv/bin/python bench/contacts_import.py [--scale 0.01] [--database sqlite|postgresql]`
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from contacts_common import (
    contacts_at,
    header,
    markdown_row,
    options,
    scratch_database,
    scratch_folder,
    timed,
    verdict,
)
from contacts_data import TODAY, setup_workspace
from sqlalchemy.orm import Session

from propulse.contacts.sample import CONTACT_IN_FIELDS, generate
from propulse.db import make_engine
from propulse.ops import migrate

TARGET_S = 120.0
TARGET_MB = 500.0
COLUMNS = [name for name in CONTACT_IN_FIELDS if name != "custom"]


def write_csv(path: Path, rows: int, seed: int) -> int:
    """Write the sample's contacts as a CSV export would; return the file's size in bytes."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for batch in generate(rows, 0.0, seed, TODAY, batch_size=20_000):
            writer.writerows(
                ["" if contact[name] is None else contact[name] for name in COLUMNS]
                for contact in batch.contacts
            )
    return path.stat().st_size


def read_with_csv_module(path: Path) -> int:
    with path.open(encoding="utf-8", newline="") as handle:
        return sum(1 for _row in csv.reader(handle)) - 1


def run_measured(command: list[str]) -> tuple[float, float, int, str, str]:
    """Run a command; return its wall time, its own peak RSS in MB, exit code, stdout, stderr."""
    folder = scratch_folder()
    out_path, err_path = folder / "stdout.txt", folder / "stderr.txt"
    with out_path.open("w") as out, err_path.open("w") as err:
        started = time.perf_counter()
        child = subprocess.Popen(command, env=dict(os.environ), stdout=out, stderr=err)
        _pid, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    return (
        seconds,
        usage.ru_maxrss / 1024,
        child.returncode,
        out_path.read_text(encoding="utf-8"),
        err_path.read_text(encoding="utf-8"),
    )


def main() -> None:
    args = options(__doc__)
    header("Import of a CSV file", args)
    rows = contacts_at(args.scale)
    path = scratch_folder() / "contacts.csv"
    seconds, size = timed(lambda: write_csv(path, rows, args.seed))
    print(f"  wrote {rows:,} rows ({size / 1e6:.1f} MB) to {path} in {seconds:.1f} s")
    with scratch_database(args.database) as url:
        migrate.upgrade(url)
        engine = make_engine(url)
        with Session(engine) as session:
            setup_workspace(session)  # the acting user (first admin) and the custom fields
            session.commit()
        engine.dispose()
        command = [sys.executable, "-m", "propulse", "contacts", "import", str(path), "--json"]
        load_before = os.getloadavg()
        import_s, peak_mb, code, stdout, stderr = run_measured(command)
        load_after = os.getloadavg()
        start_s, start_mb, *_rest = run_measured([sys.executable, "-m", "propulse", "--help"])
        baseline_s, counted = timed(lambda: read_with_csv_module(path))
        path.unlink()
    if code != 0:
        print(stdout[-2000:], stderr[-2000:])
        raise SystemExit(f"the import failed (exit {code})")
    summary = json.loads(stdout)
    print(f"  import: {import_s:.1f} s ({rows / import_s:,.0f} rows/s), peak RSS {peak_mb:.0f} MB")
    print(f"  summary: {summary}")
    print(
        "  load average (1, 5 min) before / after the import: "
        f"{load_before[0]:.1f}, {load_before[1]:.1f} / {load_after[0]:.1f}, {load_after[1]:.1f}"
    )
    print(f"  of which the CLI's start (`propulse --help`): {start_s:.1f} s, {start_mb:.0f} MB")
    print(f"  target < {TARGET_S:.0f} s: {verdict(import_s, TARGET_S)}; "
          f"< {TARGET_MB:.0f} MB: {verdict(peak_mb, TARGET_MB)}")  # fmt: skip
    print(f"  baseline, csv.reader over the file: {baseline_s:.2f} s ({counted:,} rows)")
    print(
        markdown_row(
            [
                args.database,
                f"{args.scale:g}",
                f"{rows:,}",
                f"**{import_s:.1f} s**",
                f"**{peak_mb:.0f} MB**",
                f"{baseline_s:.2f} s",
            ]
        )
    )


if __name__ == "__main__":
    main()
