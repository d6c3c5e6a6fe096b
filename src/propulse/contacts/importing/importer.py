"""Import a contacts file: stream its rows, merge them by e-mail in batches, report every reject.

``import_file`` is the whole import, callable from the CLI, the web job or a script. It only
flushes: ``on_batch`` runs after each batch is written, and that is where the edge commits, so a
crash leaves complete rows only and running the same file again completes the rest.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from propulse.audit import service as audit
from propulse.contacts import hooks
from propulse.contacts.importing import mapping
from propulse.contacts.importing.batch import plan_batch
from propulse.contacts.importing.mapping import CustomDefinition
from propulse.contacts.importing.pipeline import Batch, Conversion, converted_batches
from propulse.contacts.importing.reader import Table, open_table
from propulse.contacts.importing.rejects import RejectsWriter
from propulse.contacts.importing.rows import Record, owner_index
from propulse.contacts.importing.store import ContactStore, DryRunStore
from propulse.contacts.merge import UpdateRule
from propulse.contacts.models import CustomField, SuppressionReason
from propulse.kit.i18n import gettext as _
from propulse.workspace.models import Role, User
from propulse.workspace.permissions import ensure_role

BATCH_SIZE = 5000
SQLITE_CACHE_KIB = 64 * 1024
SQLITE_CHECKPOINT_PAGES = 16_000  # about 64 MB of WAL


@dataclass(frozen=True)
class ImportOptions:
    """How to import: the update rule, a dry run, the mapping and where rejects go."""

    rule: UpdateRule = UpdateRule.fill
    dry_run: bool = False
    # A full mapping (one target per column, the web's); None: proposed from the headers.
    targets: Sequence[str | None] | None = None
    # "Column=field" choices applied on top (the CLI's --map).
    overrides: Sequence[str] = ()
    rejects_path: Path | None = None
    batch_size: int = BATCH_SIZE
    # The ContactImport row of a web import, named in the audit entry.
    import_id: int | None = None


@dataclass
class ImportProgress:
    """Where an import stands: rows read, file units read (bytes or rows), counts so far."""

    rows: int = 0
    position: int = 0
    size: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0

    def estimated_total(self) -> int | None:
        """Return the rows the whole file probably holds, from the share read so far."""
        if not self.size or not self.position or not self.rows:
            return None
        return max(self.rows, round(self.rows * self.size / self.position))


@dataclass(frozen=True)
class ImportSummary:
    """The outcome of an import; ``as_json`` is the CLI's summary."""

    created: int
    updated: int
    unchanged: int
    rejected: int
    rejects_file: Path | None
    rows: int
    headers: list[str]
    targets: list[str | None]
    dry_run: bool
    seconds: float = 0.0
    ignored: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, object]:
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
            "rejects_file": str(self.rejects_file) if self.rejects_file else None,
        }


def default_rejects_path(path: Path) -> Path:
    """Return ``contacts.rejects.csv`` next to ``contacts.csv``."""
    return path.with_name(path.stem + ".rejects.csv")


def custom_definitions(session: Session) -> list[CustomDefinition]:
    """Return the custom fields a column can fill."""
    fields = session.scalars(select(CustomField).order_by(CustomField.position, CustomField.id))
    return [CustomDefinition(f.key, f.label, f.kind, tuple(f.choices or ())) for f in fields]


def resolve_targets(
    session: Session,
    headers: Sequence[str],
    *,
    targets: Sequence[str | None] | None = None,
    overrides: Sequence[str] = (),
) -> list[str | None]:
    """Return the mapping of these columns: given or proposed, then the overrides; checked."""
    definitions = custom_definitions(session)
    if targets is None:
        chosen = mapping.propose(headers, definitions)
    else:
        chosen = list(targets)[: len(headers)]
        chosen += [None] * (len(headers) - len(chosen))
    chosen = mapping.apply_overrides(headers, chosen, overrides, definitions)
    mapping.check_targets(chosen, definitions)
    return chosen


def import_file(
    session: Session,
    *,
    actor: User,
    path: Path,
    options: ImportOptions | None = None,
    on_batch: Callable[[ImportProgress], None] | None = None,
) -> ImportSummary:
    """Import the contacts of a CSV or XLSX file (managers); see the module's docstring."""
    ensure_role(actor, Role.manager, action=_("import contacts"))
    options = options or ImportOptions()
    # A script may pass "fill": merge_fields compares rules by identity.
    options = replace(options, rule=UpdateRule(options.rule))
    started = time.perf_counter()
    with open_table(path) as table, _larger_sqlite_cache(session):
        targets = resolve_targets(
            session, table.header, targets=options.targets, overrides=options.overrides
        )
        rejects_path = options.rejects_path or default_rejects_path(path)
        run = _Run(session, table, path, targets, options, rejects_path, on_batch)
        try:
            run.all_rows()
        finally:
            run.close()
    progress = run.progress
    summary = ImportSummary(
        created=progress.created,
        updated=progress.updated,
        unchanged=progress.unchanged,
        rejected=progress.rejected,
        rejects_file=run.rejects.written,
        rows=progress.rows,
        headers=table.header,
        targets=targets,
        dry_run=options.dry_run,
        seconds=time.perf_counter() - started,
        ignored=mapping.ignored_columns(table.header, targets),
    )
    if not options.dry_run:
        _audit(session, actor=actor, path=path, summary=summary, options=options)
    return summary


def suppression_reason(reason: str) -> str:
    """Return why an import refuses a suppressed address, in the user's language."""
    if reason == SuppressionReason.erased:
        return _("This address belongs to an erased contact: it cannot be imported again.")
    if reason == SuppressionReason.unsubscribed:
        return _("This address unsubscribed: an import cannot add it again.")
    if reason == SuppressionReason.bounced:
        return _("This address bounced: an import cannot add it again.")
    if reason == SuppressionReason.complained:
        return _("This address reported spam: an import cannot add it again.")
    return _("This address is on the suppression list: an import cannot add it again.")


class _Run:
    """One pass over a file: rows are converted, gathered in batches, merged and written."""

    def __init__(
        self,
        session: Session,
        table: Table,
        path: Path,
        targets: list[str | None],
        options: ImportOptions,
        rejects_path: Path,
        on_batch: Callable[[ImportProgress], None] | None,
    ) -> None:
        self.session = session
        self.table = table
        self.path = path
        self.options = options
        self.on_batch = on_batch
        # Deactivated people too: an export names them as owners and must import back as is.
        users = session.execute(select(User.id, User.email, User.name))
        self.conversion = Conversion(
            targets=targets,
            custom_fields=custom_definitions(session),
            owners=owner_index([(row.id, row.email, row.name) for row in users]),
            batch_size=options.batch_size,
        )
        self.store = DryRunStore(session) if options.dry_run else ContactStore(session)
        self.rejects = RejectsWriter(rejects_path, header=table.header, delimiter=table.delimiter)
        self.progress = ImportProgress(size=table.size)

    def all_rows(self) -> None:
        with converted_batches(self.table, self.path, self.conversion) as batches:
            for batch in batches:
                self.flush(batch)

    def flush(self, batch: Batch) -> None:
        """Merge and write a batch, write its rejects, report progress."""
        records = [entry for _row, entry in batch.entries if isinstance(entry, Record)]
        emails = {record.email for record in records}
        existing = self.store.existing(emails)
        suppressed = self.store.suppressed(emails - existing.keys())
        kept: list[Record] = []
        for index, (row, entry) in enumerate(batch.entries):
            if isinstance(entry, Record) and entry.email in suppressed:
                entry = suppression_reason(suppressed[entry.email])
            if isinstance(entry, Record):
                kept.append(entry)
            else:
                self.rejects.write(row.number, batch.values_of(index), entry)
                self.progress.rejected += 1
        plan = plan_batch(kept, existing, self.options.rule)
        changed_ids = self.store.write(plan.pending())
        self.session.flush()
        if changed_ids:
            # Core wrote behind the ORM's back: objects a subscriber loaded before are stale.
            self.session.expire_all()
            hooks.publish(self.session, hooks.ContactChange(changed_ids, cause="import"))
        self.progress.rows += len(batch.entries)
        self.progress.created += plan.created_rows
        self.progress.updated += plan.updated_rows
        self.progress.unchanged += plan.unchanged_rows
        self.progress.position = batch.position
        if self.on_batch is not None:
            self.on_batch(self.progress)

    def close(self) -> None:
        self.rejects.close()
        self.store.close()


@contextmanager
def _larger_sqlite_cache(session: Session) -> Iterator[None]:
    """Give SQLite 64 MB of page cache while importing: a million rows touch seven indexes."""
    if session.get_bind().dialect.name != "sqlite":
        yield
        return
    connection = session.connection()
    before = connection.exec_driver_sql("PRAGMA cache_size").scalar()
    checkpoint = connection.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar()
    connection.exec_driver_sql(f"PRAGMA cache_size = -{SQLITE_CACHE_KIB}")
    # A batch writes thousands of pages (seven indexes): with the default (1,000 pages) every
    # commit copied them back into the database and synced it; fewer, larger checkpoints
    # write a page changed by several batches once.
    connection.exec_driver_sql(f"PRAGMA wal_autocheckpoint = {SQLITE_CHECKPOINT_PAGES}")
    yield
    # The batches committed meanwhile: ask the session for its current connection. Not after
    # a failure (the session then waits for a rollback): that connection keeps the larger
    # cache and checkpoint interval, which cost memory and WAL size only.
    current = session.connection()
    current.exec_driver_sql(f"PRAGMA cache_size = {int(before or -2000)}")
    current.exec_driver_sql(f"PRAGMA wal_autocheckpoint = {int(checkpoint or 1000)}")


def _audit(
    session: Session, *, actor: User, path: Path, summary: ImportSummary, options: ImportOptions
) -> None:
    """Record the import once: counts and the file's name, no personal data."""
    counts = summary.as_json()
    counts.pop("rejects_file")
    audit.record(
        session,
        actor=actor,
        action="imported",
        object_type="contact_import",
        object_id=options.import_id,
        summary=(
            f"contacts imported from {path.name}: {summary.created} created, "
            f"{summary.updated} updated, {summary.unchanged} unchanged, "
            f"{summary.rejected} rejected"
        ),
        details={**counts, "file": path.name, "rows": summary.rows, "rule": options.rule.value},
    )
