"""The sequence editor's values: read from a saved sequence or a posted form, rows changed.

Rows are named by position: ``triggers-0-kind``, ``windows-1-start``, ``steps-2-template_id``.
A step keeps its ``key`` (a hidden field) across edits and moves, so branches and figures
follow it. Buttons named ``action`` add, remove and move rows; the form is then shown again
with the change (with htmx, only the form is swapped), nothing is saved until "Save".
"""

from __future__ import annotations

import re
from typing import Any

from starlette.datastructures import FormData

from propulse.nurture.models import Reenrolment, Sequence, StepKind, TriggerKind

STEP_FIELDS = (
    "key",
    "kind",
    "template_id",
    "wait_mode",
    "days",
    "until_weekday",
    "until_hour",
    "condition_type",
    "condition_step",
    "condition_score_op",
    "condition_score",
    "condition_segment_id",
    "condition_field",
    "condition_field_op",
    "condition_field_value",
    "yes",
    "no",
    "field",
    "value",
    "stage",
    "segment_id",
    "message",
    "next_key",
)
TRIGGER_FIELDS = ("kind", "segment_id", "score", "event_type", "properties")
WINDOW_FIELDS = ("country", "start", "end", "skip_holidays")
DEFAULT_WINDOW = {
    "country": "default",
    "start": "09:00",
    "end": "18:00",
    "weekdays": ["0", "1", "2", "3", "4"],
    "skip_holidays": True,
}
_ROW = re.compile(r"^(triggers|windows|steps)-(\d{1,3})-([a-z_]+)$")
_STEP_KEY = re.compile(r"^s(\d+)$")
MAX_ROWS = 200


def empty_step(key: str, kind: str = StepKind.send_email.value) -> dict[str, Any]:
    step: dict[str, Any] = dict.fromkeys(STEP_FIELDS, "")
    step.update(key=key, kind=kind, wait_mode="days", condition_type="opened")
    step.update(condition_score_op=">=", condition_field_op="eq")
    return step


def empty_values() -> dict[str, Any]:
    """Return the values of a new sequence: one e-mail step and the default window."""
    return {
        "name": "",
        "description": "",
        "version": "",
        "reenrolment": Reenrolment.never.value,
        "reenrol_after_days": "",
        "exit_goals": [],
        "triggers": [],
        "windows": [dict(DEFAULT_WINDOW)],
        "steps": [empty_step("s1")],
    }


def new_step_key(steps: list[dict[str, Any]]) -> str:
    """Return the next free generated key (s1, s2...), after the highest one ever shown."""
    numbers = [int(m.group(1)) for s in steps if (m := _STEP_KEY.match(str(s.get("key", ""))))]
    taken = {str(s.get("key", "")) for s in steps}
    number = max(numbers, default=0) + 1
    while f"s{number}" in taken:
        number += 1
    return f"s{number}"


def text_of(value: Any) -> str:
    """Return a stored value as the form shows it (None: empty)."""
    return "" if value is None else str(value)


def _step_values(
    key: str, kind: str, config: dict[str, Any], next_key: str | None
) -> dict[str, Any]:
    step = empty_step(key, kind)
    step["next_key"] = next_key or ""
    if kind == StepKind.send_email:
        step["template_id"] = text_of(config.get("template_id"))
    elif kind == StepKind.wait:
        if config.get("days") is not None:
            step.update(wait_mode="days", days=text_of(config["days"]))
        else:
            step.update(
                wait_mode="weekday",
                until_weekday=text_of(config.get("until_weekday")),
                until_hour=text_of(config.get("until_hour")),
            )
    elif kind == StepKind.branch:
        condition = config.get("condition") or {}
        kind_of = condition.get("type", "opened")
        step.update(
            condition_type=kind_of, yes=text_of(config.get("yes")), no=text_of(config.get("no"))
        )
        if kind_of in ("opened", "clicked"):
            step["condition_step"] = text_of(condition.get("step"))
        elif kind_of == "score":
            step["condition_score_op"] = text_of(condition.get("op") or ">=")
            step["condition_score"] = text_of(condition.get("value"))
        elif kind_of == "segment":
            step["condition_segment_id"] = text_of(condition.get("segment_id"))
        else:
            step["condition_field"] = text_of(condition.get("field"))
            step["condition_field_op"] = text_of(condition.get("op") or "eq")
            step["condition_field_value"] = text_of(condition.get("value"))
    elif kind == StepKind.update_field:
        step.update(field=text_of(config.get("field")), value=text_of(config.get("value")))
    elif kind == StepKind.set_stage:
        step["stage"] = text_of(config.get("stage"))
    elif kind in (StepKind.add_to_segment, StepKind.remove_from_segment):
        step["segment_id"] = text_of(config.get("segment_id"))
    elif kind == StepKind.notify_owner:
        step["message"] = text_of(config.get("message"))
    return step


def _properties_text(properties: dict[str, Any] | None) -> str:
    return "\n".join(f"{key}={value}" for key, value in (properties or {}).items())


def values_from_sequence(sequence: Sequence) -> dict[str, Any]:
    """Return the form's values for a saved sequence."""
    windows = [
        {
            "country": country,
            "start": window.get("start", "09:00"),
            "end": window.get("end", "18:00"),
            "weekdays": [str(day) for day in window.get("weekdays", [])],
            "skip_holidays": bool(window.get("skip_holidays", True)),
        }
        for country, window in sorted(
            (sequence.sending_windows or {}).items(), key=lambda item: item[0] != "default"
        )
    ]
    if not windows or windows[0]["country"] != "default":
        windows.insert(0, dict(DEFAULT_WINDOW))
    return {
        "name": sequence.name,
        "description": sequence.description,
        "version": str(sequence.version),
        "reenrolment": sequence.reenrolment,
        "reenrol_after_days": text_of(sequence.reenrol_after_days),
        "exit_goals": list(sequence.exit_goals or []),
        "triggers": [
            {
                "kind": trigger.get("kind", ""),
                "segment_id": text_of(trigger.get("segment_id")),
                "score": text_of(trigger.get("score")),
                "event_type": text_of(trigger.get("event_type")),
                "properties": _properties_text(trigger.get("properties")),
            }
            for trigger in sequence.triggers or []
        ],
        "windows": windows,
        "steps": [
            _step_values(step.key, step.kind, step.config or {}, step.next_key)
            for step in sequence.steps
        ],
    }


def values_from_form(form: FormData) -> dict[str, Any]:
    """Read the posted form back into values (rows in their posted order)."""
    values = empty_values()
    for name in ("name", "description", "version", "reenrolment", "reenrol_after_days"):
        values[name] = str(form.get(name) or "").replace("\r\n", "\n")
    values["exit_goals"] = [str(goal) for goal in form.getlist("exit_goals")]
    rows: dict[str, dict[int, dict[str, Any]]] = {"triggers": {}, "windows": {}, "steps": {}}
    for name in form:
        match = _ROW.match(name)
        if match is None or int(match.group(2)) >= MAX_ROWS:
            continue
        group, index, field = match.group(1), int(match.group(2)), match.group(3)
        row = rows[group].setdefault(index, {})
        if group == "windows" and field == "weekdays":
            row["weekdays"] = [str(day) for day in form.getlist(name)]
        else:
            row[field] = str(form.get(name) or "").replace("\r\n", "\n")
    values["triggers"] = [
        {name: row.get(name, "") for name in TRIGGER_FIELDS}
        for _index, row in sorted(rows["triggers"].items())
    ]
    values["windows"] = [
        {
            "country": row.get("country", "").strip() or "default",
            "start": row.get("start", ""),
            "end": row.get("end", ""),
            "weekdays": row.get("weekdays", []),
            "skip_holidays": bool(row.get("skip_holidays")),
        }
        for _index, row in sorted(rows["windows"].items())
    ]
    if not values["windows"]:  # a post made without the editor: the usual hours
        values["windows"] = [dict(DEFAULT_WINDOW)]
    elif values["windows"][0]["country"] != "default":
        values["windows"].insert(0, dict(DEFAULT_WINDOW))
    steps = []
    for _index, row in sorted(rows["steps"].items()):
        step = empty_step(row.get("key", ""), row.get("kind") or StepKind.send_email.value)
        step.update({name: row[name] for name in STEP_FIELDS if name in row})
        steps.append(step)
    for step in steps:  # a row without its hidden key (a hand-made post) still gets one
        if not step["key"]:
            step["key"] = new_step_key(steps)
    values["steps"] = steps
    return values


# ---- Actions: add, remove, move rows --------------------------------------------------------


def _move(items: list[Any], index: int, offset: int) -> int | None:
    target = index + offset
    if 0 <= index < len(items) and 0 <= target < len(items):
        items[index], items[target] = items[target], items[index]
        return target
    return None


def apply_action(values: dict[str, Any], action: str, new_kind: str = "") -> str | None:
    """Change the rows as the button says; return the id of the element to focus after."""
    name, _sep, raw_index = action.partition("-")
    index = int(raw_index) if raw_index.isdigit() else -1
    steps: list[dict[str, Any]] = values["steps"]
    if name == "add_step":
        kind = new_kind if new_kind in set(StepKind) else StepKind.send_email.value
        steps.append(empty_step(new_step_key(steps), kind))
        return f"f-steps-{len(steps) - 1}-kind"
    if name == "remove_step" and 0 <= index < len(steps):
        del steps[index]
        return "add-step"
    if name in ("up", "down"):
        moved = _move(steps, index, -1 if name == "up" else 1)
        if moved is not None:
            return f"step-{moved}-{name}" if 0 < moved < len(steps) - 1 else f"f-steps-{moved}-kind"
        return None
    if name == "add_trigger":
        values["triggers"].append(
            {"kind": TriggerKind.segment_entered.value, **dict.fromkeys(TRIGGER_FIELDS[1:], "")}
        )
        return f"f-triggers-{len(values['triggers']) - 1}-kind"
    if name == "remove_trigger" and 0 <= index < len(values["triggers"]):
        del values["triggers"][index]
        return "add-trigger"
    if name == "add_window":
        values["windows"].append(dict(DEFAULT_WINDOW, country=""))
        return f"f-windows-{len(values['windows']) - 1}-country"
    if name == "remove_window" and 0 < index < len(values["windows"]):
        del values["windows"][index]
        return "add-window"
    return None
