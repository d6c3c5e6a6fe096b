"""The rule forms of the scoring page: plain form fields to rule data, and a rule back to fields.

A fit condition is edited as a few "field, operator, value" rows joined by "all" or "any", or
as JSON for anything richer; an engagement rule's property filter as a few "property = value"
rows. The service validates the result (messages name the field or the condition's path).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

from propulse.kit.errors import InvalidInput
from propulse.kit.i18n import gettext as _

FIT_ROWS = 3
WHERE_ROWS = 2
CUSTOM_EVENT = "__custom__"
PLAIN_FIELDS = ("name", "points", "cap", "group", "decay", "decay_days", "version")
LIST_OPS = frozenset({"in", "not_in"})
NO_VALUE_OPS = frozenset({"is_empty", "is_not_empty"})
DAY_OPS = frozenset({"within_days", "before_days"})
_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


def _text(form: Mapping[str, Any], key: str) -> str:
    return str(form.get(key, "") or "").strip()


def _number(raw: str) -> Any:
    if _NUMBER.match(raw):
        return float(raw) if "." in raw else int(raw)
    return raw


def _scalar(raw: str, kind: str) -> Any:
    """Read one typed value: numbers for numeric fields, booleans for flags, else the text."""
    if kind in ("number", "reference"):
        return _number(raw)
    if kind == "flag":
        lowered = raw.lower()
        if lowered in ("true", "yes", "1"):
            return True
        if lowered in ("false", "no", "0"):
            return False
    return raw


def _row_value(op: str, raw: str, kind: str) -> Any:
    if op in LIST_OPS or op == "between":
        return [_scalar(part.strip(), kind) for part in raw.split(",") if part.strip()]
    if op in DAY_OPS:
        return _number(raw)
    return _scalar(raw, kind)


def _property_value(raw: str) -> Any:
    """Read a property value: a number, true or false, else text ("..." forces text)."""
    if len(raw) >= 2 and raw.startswith('"') and raw.endswith('"'):
        return raw[1:-1]
    if raw in ("true", "false"):
        return raw == "true"
    return _number(raw)


def fit_condition(form: Mapping[str, Any], kinds: Mapping[str, str]) -> dict[str, Any]:
    """Return the fit condition of a form: its JSON if given, else its rows."""
    raw_json = _text(form, "condition_json")
    if raw_json:
        try:
            parsed = json.loads(raw_json)
        except ValueError as error:
            raise InvalidInput.on_field(
                "condition", _("This is not valid JSON: %(error)s", error=str(error))
            ) from None
        if not isinstance(parsed, dict):
            raise InvalidInput.on_field("condition", _("A condition is a JSON object {...}."))
        return parsed
    nodes: list[dict[str, Any]] = []
    for index in range(_row_count(form, "field_")):
        name, op = _text(form, f"field_{index}"), _text(form, f"op_{index}")
        if not name:
            continue
        node: dict[str, Any] = {"field": name, "op": op}
        if op not in NO_VALUE_OPS:
            node["value"] = _row_value(op, _text(form, f"value_{index}"), kinds.get(name, "text"))
        nodes.append(node)
    if not nodes:
        return {}
    if len(nodes) == 1:
        return nodes[0]
    return {"any" if _text(form, "match") == "any" else "all": nodes}


def _row_count(form: Mapping[str, Any], prefix: str) -> int:
    suffixes = [key[len(prefix) :] for key in form if key.startswith(prefix)]
    indexes = [int(suffix) for suffix in suffixes if suffix.isdigit()]
    return max(indexes, default=-1) + 1


def where_condition(form: Mapping[str, Any]) -> dict[str, Any]:
    where: dict[str, Any] = {}
    for index in range(_row_count(form, "where_key_")):
        key = _text(form, f"where_key_{index}")
        if key:
            where[key] = _property_value(_text(form, f"where_value_{index}"))
    return {"where": where} if where else {}


def rule_data(form: Mapping[str, Any], *, kind: str, kinds: Mapping[str, str]) -> dict[str, Any]:
    """Return the data of a rule form (for RuleIn or RulePatch); blank optional fields are null."""
    data: dict[str, Any] = {key: _text(form, key) for key in PLAIN_FIELDS}
    data["kind"] = kind
    data["active"] = form.get("active") in ("on", "true", "1")
    if not data["version"]:
        data.pop("version")
    if kind == "fit":
        data["condition"] = fit_condition(form, kinds)
        data["event_type"] = None
        data["decay"], data["decay_days"] = "none", None
    else:
        chosen = _text(form, "event_type")
        data["event_type"] = _text(form, "custom_event_type") if chosen == CUSTOM_EVENT else chosen
        data["condition"] = where_condition(form)
        data["decay"] = data["decay"] or "none"
    return data


def _row_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ", ".join(_row_text(item) for item in value)
    return "" if value is None else str(value)


def _simple_rows(condition: Mapping[str, Any]) -> tuple[str, list[Mapping[str, Any]]] | None:
    """Return (match, field nodes) when the condition fits the rows, else None."""
    if "field" in condition:
        return "all", [condition]
    for match in ("all", "any"):
        children = condition.get(match)
        if (
            isinstance(children, list)
            and len(condition) == 1
            and 0 < len(children) <= FIT_ROWS
            and all(isinstance(child, Mapping) and "field" in child for child in children)
        ):
            return match, children
    return None


def rule_values(rule: Any, known_events: Sequence[str]) -> dict[str, Any]:
    """Return the form fields of an existing rule, for its edit form."""
    values: dict[str, Any] = {
        "name": rule.name,
        "points": rule.points,
        "cap": rule.cap if rule.cap is not None else "",
        "group": rule.group_name,
        "decay": rule.decay,
        "decay_days": rule.decay_days if rule.decay_days is not None else "",
        "active": rule.active,
        "version": rule.version,
    }
    condition = dict(rule.condition or {})
    if rule.kind == "fit":
        simple = _simple_rows(condition)
        if simple is None:
            values["condition_json"] = json.dumps(condition, ensure_ascii=False, indent=2)
        else:
            values["match"] = simple[0]
            for index, node in enumerate(simple[1]):
                values[f"field_{index}"] = node.get("field", "")
                values[f"op_{index}"] = node.get("op", "")
                values[f"value_{index}"] = _row_text(node.get("value"))
    else:
        event = rule.event_type or ""
        if event in known_events:
            values["event_type"] = event
        else:
            values["event_type"], values["custom_event_type"] = CUSTOM_EVENT, event
        for index, (key, value) in enumerate((condition.get("where") or {}).items()):
            values[f"where_key_{index}"] = key
            shown = _row_text(value)
            # Text that would read back as a number or a boolean is quoted to stay text.
            if isinstance(value, str) and _property_value(shown) != value:
                shown = f'"{shown}"'
            values[f"where_value_{index}"] = shown
    return values
