"""A demo content package: the French webinar transcript shipped as a sample, recycled."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from sqlalchemy.orm import Session

from propulse.content import pipeline, service
from propulse.content.models import PackageStatus
from propulse.workspace.models import User

SAMPLE = Path(__file__).resolve().parent / "samples" / "webinaire-marketing-en-hypercroissance.srt"


def seed(session: Session, *, actor: User, today: date) -> None:
    """Recycle the sample transcript at once (the demo needs no worker for it)."""
    source = service.add_source(
        session, actor=actor, data=SAMPLE.read_bytes(), filename=SAMPLE.name, language=None
    )
    package = service.start_package(
        session, actor=actor, source_id=source.id, start_on=today + timedelta(days=7), country="FR"
    )
    content = pipeline.recycle(
        service.document_of(source),
        service.brand_kit(session),
        start=package.start_on,
        country=package.country,
    )
    package.status = PackageStatus.running
    session.flush()
    service.store_result(session, package=package, content=content)
