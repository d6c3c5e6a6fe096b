"""Importing contacts from CSV and XLSX files: reading, mapping, values, merging, rejects."""

from propulse.contacts.importing.importer import (
    ImportOptions,
    ImportProgress,
    ImportSummary,
    import_file,
)

__all__ = ["ImportOptions", "ImportProgress", "ImportSummary", "import_file"]
