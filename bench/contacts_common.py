"""What the contacts benchmarks share: options, a throw-away database, timing, the machine.

Each benchmark builds its own database (a file under /tmp for SQLite, a database of its own
on the local PostgreSQL server) and removes it at the end, whatever happens.
"""

from __future__ import annotations

import argparse
import atexit
import os
import platform
import secrets
import shutil
import statistics
import tempfile
import time
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

POSTGRESQL_SERVER = "postgresql://postgres@127.0.0.1:5432/"
SCALE_CONTACTS = 1_000_000  # --scale 1.0
EVENTS_PER_CONTACT = 10.0  # 10,000,000 events at --scale 1.0

# Set before propulse is imported (its job queue reads them): nothing goes to the repository.
_FOLDER = Path(tempfile.gettempdir()) / f"propulse-bench-{secrets.token_hex(6)}"
os.environ["PROPULSE_DATA_DIR"] = str(_FOLDER / "data")
os.environ["PROPULSE_JOBS_BACKEND"] = "memory"
os.environ.setdefault("PROPULSE_SECRET_KEY", "bench-secret-key-" + "x" * 32)
for _name in ("PROPULSE_DATABASE_URL", "PROPULSE_REDIS_URL", "PROPULSE_SMTP_URL"):
    os.environ.pop(_name, None)
# Starlette's TestClient (bench/contacts_list.py) warns about httpx on import: not our figures.
warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")


def options(description: str | None, **extra: Any) -> argparse.Namespace:
    """Parse --scale, --database, --seed (and the script's own options given as defaults)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--scale", type=float, default=0.01, help="1.0 = 1M contacts, 10M events")
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--seed", type=int, default=6)
    for name, default in extra.items():
        parser.add_argument(f"--{name.replace('_', '-')}", type=type(default), default=default)
    return parser.parse_args()


def contacts_at(scale: float) -> int:
    return max(100, round(SCALE_CONTACTS * scale))


@contextmanager
def scratch_database(kind: str) -> Iterator[str]:
    """Yield the URL of an empty database of our own; drop it (or delete the file) afterwards.

    With ``PROPULSE_BENCH_REUSE`` set to a database URL, yield that one and keep it: building
    a million contacts and ten million events takes minutes, so a series of benchmarks can
    share one build (``build_database`` then skips the load).
    """
    reuse = os.environ.get("PROPULSE_BENCH_REUSE")
    if reuse:
        _use(reuse)
        try:
            yield reuse
        finally:
            _dispose()
        return
    folder = scratch_folder()
    try:
        if kind == "sqlite":
            url = f"sqlite:///{folder / 'bench.db'}"
            _use(url)
            yield url
        else:
            url = _create_postgresql("propulse_bench_" + secrets.token_hex(4))
            _use(url)
            try:
                yield url
            finally:
                _dispose()
                _drop_postgresql(url)
    finally:
        _dispose()
        shutil.rmtree(folder, ignore_errors=True)


def _use(url: str) -> None:
    """Point the application (settings, engine, sessions) at the benchmark's database."""
    os.environ["PROPULSE_DATABASE_URL"] = url
    from propulse import db
    from propulse.config import get_settings

    get_settings.cache_clear()
    db.get_engine.cache_clear()
    db.get_session_factory.cache_clear()


def _dispose() -> None:
    from propulse import db

    if db.get_engine.cache_info().currsize:
        db.get_engine().dispose()
    db.get_engine.cache_clear()
    db.get_session_factory.cache_clear()


def _admin_engine() -> Any:
    from sqlalchemy import create_engine

    server = POSTGRESQL_SERVER.replace("postgresql://", "postgresql+psycopg://") + "postgres"
    return create_engine(server, isolation_level="AUTOCOMMIT")


def _create_postgresql(name: str) -> str:
    from sqlalchemy import text

    admin = _admin_engine()
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return POSTGRESQL_SERVER + name


def _drop_postgresql(url: str) -> None:
    from sqlalchemy import text

    name = url.rsplit("/", 1)[1]
    admin = _admin_engine()
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def vacuum_postgresql(url: str, tables: Sequence[str]) -> None:
    """VACUUM ANALYZE these tables, then CHECKPOINT (untimed), as autovacuum would have done.

    The CI server runs with autovacuum off, and the load and first rescore leave a dead
    version of every contact: lookups by key would visit them. The checkpoint writes the
    vacuum's pages now, not while a benchmark is timed.
    """
    from sqlalchemy import create_engine, text

    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        for table in tables:
            connection.execute(text(f"VACUUM ANALYZE {table}"))
        connection.execute(text("CHECKPOINT"))
    engine.dispose()


def timed(function: Callable[[], Any]) -> tuple[float, Any]:
    """Return (seconds, result) of one call."""
    started = time.perf_counter()
    result = function()
    return time.perf_counter() - started, result


def percentile(values: Sequence[float], fraction: float) -> float:
    """Return the value under which ``fraction`` of the values fall (nearest rank)."""
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(fraction * len(ordered) + 0.5) - 1))
    return ordered[rank]


def latency_summary(seconds: Sequence[float]) -> str:
    ms = [value * 1000 for value in seconds]
    return (
        f"p50 {percentile(ms, 0.5):.2f} ms, p95 {percentile(ms, 0.95):.2f} ms, "
        f"p99 {percentile(ms, 0.99):.2f} ms (n={len(ms)}, mean {statistics.fmean(ms):.2f} ms)"
    )


def machine() -> str:
    return (
        f"{os.cpu_count()} CPUs ({platform.machine()}), Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}"
    )


def header(title: str, args: argparse.Namespace) -> None:
    contacts = contacts_at(args.scale)
    print(f"# {title}")
    print(f"machine: {machine()}")
    print(
        f"database: {args.database}, scale {args.scale:g} = {contacts:,} contacts, "
        f"~{round(contacts * EVENTS_PER_CONTACT):,} events, seed {args.seed}"
    )


def verdict(value: float, target: float) -> str:
    return "met" if value < target else "MISSED"


def markdown_row(cells: Sequence[object]) -> str:
    """Return a row for the tables of docs/benchmarks.md."""
    return "| " + " | ".join(str(cell) for cell in cells) + " |"


def scratch_folder() -> Path:
    """Return the benchmark's folder under /tmp (deleted with its database at the end)."""
    if not _FOLDER.exists():
        _FOLDER.mkdir(mode=0o700)
        atexit.register(shutil.rmtree, _FOLDER, ignore_errors=True)
    return _FOLDER
