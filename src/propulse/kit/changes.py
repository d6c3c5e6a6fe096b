"""Apply submitted values to an object and say which really changed (for the audit log)."""

from __future__ import annotations

from typing import Any


def apply_changes(obj: Any, values: dict[str, Any]) -> list[str]:
    """Set the attributes whose value differs; return their names, in the order given."""
    changed = []
    for key, value in values.items():
        if getattr(obj, key) != value:
            setattr(obj, key, value)
            changed.append(key)
    return changed
