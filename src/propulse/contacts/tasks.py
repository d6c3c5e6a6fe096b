"""Jobs of contacts: running an import started from the web."""

from __future__ import annotations

from propulse import jobs
from propulse.audit import service as audit
from propulse.contacts.importing import uploads
from propulse.db import unit_of_work


@jobs.task(uploads.IMPORT_JOB)
def import_contacts(import_id: int) -> None:
    """Run a queued import; idempotent: an import running or finished is not run again."""
    audit.set_channel("job")
    with unit_of_work() as session:
        uploads.run_import(session, import_id=import_id)
