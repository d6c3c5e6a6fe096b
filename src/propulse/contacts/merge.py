"""How an incoming record updates an existing contact: fill blanks, or overwrite."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any


class UpdateRule(StrEnum):
    """``fill`` only sets what is empty; ``overwrite`` replaces with any non-empty value."""

    fill = "fill"
    overwrite = "overwrite"


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def merge_fields(
    existing: Mapping[str, Any], incoming: Mapping[str, Any], rule: UpdateRule
) -> dict[str, Any]:
    """Return the fields to change on ``existing``; an empty incoming value never erases.

    ``custom`` (the custom fields) merges key by key under the same rule.
    """
    changes: dict[str, Any] = {}
    for name, value in incoming.items():
        if name == "custom":
            merged = merge_fields(existing.get("custom") or {}, value or {}, rule)
            if merged:
                changes["custom"] = {**(existing.get("custom") or {}), **merged}
            continue
        if is_blank(value):
            continue
        current = existing.get(name)
        if rule is UpdateRule.fill and not is_blank(current):
            continue
        if current != value:
            changes[name] = value
    return changes
