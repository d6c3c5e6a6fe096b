"""Text written to CSV or XLSX cells, safe from formula injection (OWASP's CSV-injection rule)."""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(text: str) -> str:
    """Prefix an apostrophe to text a spreadsheet would take for a formula."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def restore(text: str) -> str:
    """Undo ``neutralise`` when importing, so an export imported again is lossless."""
    return text[1:] if text.startswith("'") and text[1:].startswith(FORMULA_STARTS) else text
