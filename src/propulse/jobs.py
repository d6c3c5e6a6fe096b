"""The Huey instance: SQLite storage by default, Redis when ``PROPULSE_REDIS_URL`` is set.

Jobs are enqueued after commit (see ``db.after_commit``), take ids and are idempotent.
Services enqueue by name so that a service never imports the tasks modules that import it.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from typing import Any

from huey import Huey, MemoryHuey, RedisHuey, SqliteHuey

from propulse.config import Settings, get_settings

TASK_MODULES = (
    "propulse.notifications.tasks",
    "propulse.ops.tasks",
    "propulse.triage.tasks",
    "propulse.content.tasks",
    "propulse.contacts.tasks",
    "propulse.segments.tasks",
    "propulse.scoring.tasks",
    "propulse.delivery.tasks",
    "propulse.nurture.tasks",
    "propulse.delivery.mailbox_tasks",
)

logger = logging.getLogger(__name__)


def build_huey(settings: Settings) -> Huey:
    """Build the queue the settings describe (memory only for tests)."""
    if settings.jobs_backend == "memory":
        return MemoryHuey("propulse", utc=True)
    if settings.redis_url:
        return RedisHuey("propulse", url=settings.redis_url, utc=True)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return SqliteHuey("propulse", filename=str(settings.data_dir / "jobs.db"), utc=True)


huey: Huey = build_huey(get_settings())
_tasks: dict[str, Any] = {}


def task(name: str, **options: Any) -> Callable[[Callable[..., Any]], Any]:
    """Register a job under a stable name (``propulse.<what it does>``)."""

    def decorator(func: Callable[..., Any]) -> Any:
        wrapper = huey.task(name=name, **options)(func)
        _tasks[name] = wrapper
        return wrapper

    return decorator


def periodic_task(name: str, schedule: Callable[..., bool], **options: Any) -> Callable[..., Any]:
    """Register a periodic job; the worker's scheduler enqueues it when ``schedule`` says."""

    def decorator(func: Callable[..., Any]) -> Any:
        wrapper = huey.periodic_task(schedule, name=name, **options)(func)
        _tasks[name] = wrapper
        return wrapper

    return decorator


def load_tasks() -> dict[str, Any]:
    """Import every module that defines jobs, so the worker and ``enqueue`` know them."""
    for module in TASK_MODULES:
        importlib.import_module(module)
    return _tasks


def enqueue(name: str, *args: Any) -> None:
    """Put a job on the queue; losing it loses no work, because a sweep finds pending rows."""
    try:
        load_tasks()[name](*args)
    except Exception:  # A dead queue must not fail the request that already committed.
        logger.exception("could not enqueue %s%r; the periodic sweep will pick it up", name, args)


def run_pending(limit: int = 1000) -> int:
    """Execute queued jobs in this process (tests and the ``jobs run-pending`` command)."""
    load_tasks()
    done = 0
    while done < limit:
        queued = huey.dequeue()
        if queued is None:
            break
        huey.execute(queued)
        done += 1
    return done
