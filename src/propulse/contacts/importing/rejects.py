"""The rejects file: each refused row as it was read, plus its ``row`` number and the ``reason``.

Created on the first reject only. UTF-8 with a BOM (Excel reads the accents right) and the
source's delimiter; cells are neutralised against formula injection, which the importer
undoes, so a corrected rejects file can be imported as it is.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any

from propulse.kit.spreadsheets import neutralise


class RejectsWriter:
    """Write rejected rows to ``path``, opening it on the first one."""

    def __init__(self, path: Path, *, header: Sequence[str], delimiter: str) -> None:
        self.path = path
        self.header = list(header)
        self.delimiter = delimiter
        self.count = 0
        self._file: IO[str] | None = None
        self._writer: Any = None

    def write(self, number: int, values: Sequence[str], reason: str) -> None:
        """Append one rejected row (the original values, then its row number and reason)."""
        if self._writer is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._file = self.path.open("w", encoding="utf-8-sig", newline="")
            self._writer = csv.writer(self._file, delimiter=self.delimiter)
            # Fixed names (not translated): scripts and a re-import look for them.
            self._writer.writerow([neutralise(h) for h in self.header] + ["row", "reason"])
        width = len(self.header)
        cells = list(values[:width]) + [""] * (width - len(values))
        self._writer.writerow([neutralise(cell) for cell in cells] + [str(number), reason])
        self.count += 1

    @property
    def written(self) -> Path | None:
        """Return the file's path when at least one row was rejected."""
        return self.path if self.count else None

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
