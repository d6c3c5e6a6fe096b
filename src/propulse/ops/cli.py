"""Installation commands: init, serve, worker, demo, backup, restore, jobs."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import typer

from propulse.config import get_settings
from propulse.db import unit_of_work
from propulse.kit.cli import JSON_OPTION, emit, guarded, print_json, stdout
from propulse.ops import backup as backups
from propulse.ops import migrate


@guarded
def init(
    name: str = typer.Option("Propulse", "--workspace-name", help="The company's name."),
    country: str = typer.Option("FR", "--country", help="Default country (ISO 3166)."),
    language: str = typer.Option("en", "--language", help="Default language: en or fr."),
    timezone: str = typer.Option(
        "Europe/Paris", "--timezone", help="Time zone, e.g. Europe/Paris."
    ),
) -> None:
    """Create or migrate the database, and the workspace on first run (idempotent)."""
    from propulse.kit.forms import validate
    from propulse.playbooks import service as playbooks
    from propulse.workspace import service as workspace
    from propulse.workspace.schemas import WorkspaceUpdate

    data = validate(
        WorkspaceUpdate,
        {"name": name, "country": country, "language": language, "timezone": timezone},
    )
    migrate.upgrade()
    get_settings().effective_secret_key()  # generated now, kept in the data directory
    with unit_of_work() as session:
        workspace.ensure_workspace(
            session,
            name=data.name,
            country=data.country,
            language=data.language,
            timezone=data.timezone,
        )
        loaded = playbooks.load_library(session)
    stdout.print(f"Database ready: {get_settings().effective_database_url}")
    if loaded:
        stdout.print(f"{len(loaded)} built-in playbooks loaded")


def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on."),
    port: int = typer.Option(8000, "--port", help="Port to listen on."),
    no_worker: bool = typer.Option(False, "--no-worker", help="Run no embedded job worker."),
) -> None:
    """Serve the web application (and an embedded job worker in a child process)."""
    import uvicorn

    migrate.upgrade()
    worker = None
    if not no_worker:
        # A child process: Huey's consumer installs signal handlers, which need a main thread.
        worker = subprocess.Popen([sys.executable, "-m", "propulse", "worker"])
    try:
        uvicorn.run(
            "propulse.app:app_factory", factory=True, host=host, port=port, proxy_headers=True
        )
    finally:
        if worker is not None:
            worker.send_signal(signal.SIGINT)
            try:
                worker.wait(timeout=15)
            except subprocess.TimeoutExpired:
                worker.kill()


def worker(
    workers: int = typer.Option(2, "--workers", help="Worker threads."),
    periodic: bool = typer.Option(
        True, "--periodic/--no-periodic", help="Schedule the periodic jobs (one worker is enough)."
    ),
) -> None:
    """Run a job worker: many can run on many machines when Redis holds the queue."""
    import logging

    from propulse import jobs
    from propulse.audit import service as audit

    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    audit.set_channel("job")
    jobs.load_tasks()
    consumer = jobs.huey.create_consumer(workers=workers, worker_type="thread", periodic=periodic)
    consumer.run()


def demo(
    reset: bool = typer.Option(False, "--reset", help="Delete everything and seed again."),
    host: str = typer.Option("127.0.0.1", "--host"),
    port: int = typer.Option(8000, "--port"),
    no_serve: bool = typer.Option(False, "--no-serve", help="Seed only, do not serve."),
) -> None:
    """Seed the demo workspace (once, or again with --reset), then serve it."""
    from propulse import demo as demo_data

    if reset:
        migrate.downgrade_to_empty()
    migrate.upgrade()
    with unit_of_work() as session:
        seeded = demo_data.seed(session)
    stdout.print(
        "Demo workspace seeded." if seeded else "Demo workspace already there (use --reset)."
    )
    stdout.print(
        f"Open http://{host}:{port} and sign in as [bold]{demo_data.CMO_EMAIL}[/bold] "
        f"with the password [bold]{demo_data.DEMO_PASSWORD}[/bold]"
    )
    if not no_serve:
        serve(host=host, port=port, no_worker=False)


@guarded
def backup(
    path: Path = typer.Argument(..., help="Where to write the .tar.gz backup."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Write a consistent copy of a SQLite workspace, its secret key included."""
    result = backups.backup(get_settings(), path)
    emit(
        {
            "path": str(result.path),
            "size_bytes": result.size_bytes,
            "created_at": result.created_at,
        },
        as_json=as_json,
        columns=("path", "size_bytes", "created_at"),
    )


@guarded
def restore(
    path: Path = typer.Argument(..., help="A backup written by `propulse backup`."),
    yes: bool = typer.Option(False, "--yes", help="Do not ask for confirmation."),
) -> None:
    """Replace the workspace by a backup (stop the server and workers first)."""
    if not yes and sys.stdin.isatty():
        typer.confirm("This replaces the current workspace. Continue?", abort=True)
    database = backups.restore(get_settings(), path)
    migrate.upgrade()  # a backup from an older version is brought up to date
    stdout.print(f"Restored {database} from {path}")


jobs_app = typer.Typer(help="Background jobs.", no_args_is_help=True)


@jobs_app.command("run-pending")
def run_pending(as_json: bool = JSON_OPTION) -> None:
    """Run the queued jobs in this process, then stop (useful without a worker)."""
    from propulse import jobs

    done = jobs.run_pending()
    if as_json:
        print_json({"executed": done})
    else:
        stdout.print(f"{done} job(s) executed")
