"""The recycling job: the pipeline runs in a worker, its progress saved as it goes."""

from __future__ import annotations

import logging
from datetime import timedelta

from huey import crontab
from sqlalchemy import select

from propulse import jobs
from propulse.audit import service as audit
from propulse.content import pipeline, serialize, service
from propulse.content.models import Package, PackageStatus
from propulse.db import unit_of_work, utcnow

logger = logging.getLogger(__name__)
LOST_AFTER = timedelta(minutes=2)
STALLED_AFTER = timedelta(minutes=10)


def _set_progress(package_id: int, percent: int, step: str) -> None:
    # Its own transaction, so the page polling the package sees it at once.
    with unit_of_work() as session:
        package = session.get(Package, package_id)
        if package is not None:
            package.progress, package.step = percent, step


@jobs.task("propulse.recycle_package")
def recycle_package(package_id: int) -> str:
    """Recycle a queued package (idempotent: a ready or running package is left alone)."""
    audit.set_channel("job")
    with unit_of_work() as session:
        # Locked until this transaction ends, so two workers never both take the package.
        session.execute(select(Package.id).where(Package.id == package_id).with_for_update())
        package = session.get(Package, package_id)
        if package is None or package.status not in (PackageStatus.queued, PackageStatus.failed):
            return "skipped"
        package.status, package.progress, package.error = PackageStatus.running, 5, None
        document = service.document_of(package.source)
        brand = serialize.brand_from_json(package.brand)
        logo = service.brand_settings(session).logo
        start, country = package.start_on, package.country
    try:
        content = pipeline.recycle(
            document,
            brand,
            start=start,
            country=country,
            logo=logo,
            progress=lambda percent, step: _set_progress(package_id, percent, step),
        )
    except Exception as error:  # a failed package says why, and can be tried again
        logger.exception("recycling package %s failed", package_id)
        _fail(package_id, error)
        return "failed"
    try:
        with unit_of_work() as session:
            package = service.get_package(session, package_id=package_id)
            if package.pieces:
                return "already stored"
            service.store_result(session, package=package, content=content)
    except Exception as error:  # not left "running" until the sweep calls it stalled
        logger.exception("storing package %s failed", package_id)
        _fail(package_id, error)
        return "failed"
    return "ready"


def _fail(package_id: int, error: Exception) -> None:
    with unit_of_work() as session:
        package = session.get(Package, package_id)
        if package is not None:
            package.status = PackageStatus.failed
            package.error = f"{type(error).__name__}: {error}"[:2000]


@jobs.periodic_task("propulse.sweep_content_packages", crontab(minute="*/5"))
def sweep_content_packages() -> int:
    """Re-enqueue queued packages whose job was lost, and fail those stalled in running."""
    with unit_of_work() as session:
        # Queued for two minutes since it was created or tried again: its job was lost.
        queued = list(
            session.scalars(
                select(Package.id).where(
                    Package.status == PackageStatus.queued,
                    Package.updated_at < utcnow() - LOST_AFTER,
                )
            )
        )
        for package in session.scalars(
            select(Package).where(
                Package.status == PackageStatus.running,
                Package.updated_at < utcnow() - STALLED_AFTER,
            )
        ):
            package.status, package.error = PackageStatus.failed, "stalled: the worker stopped"
    for package_id in queued:
        jobs.enqueue("propulse.recycle_package", package_id)
    return len(queued)
