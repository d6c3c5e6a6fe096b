"""The sequence editor's form: values in, a ``SequenceIn`` out, errors beside their rows.

The values themselves (read from the form or a sequence, rows added and moved) are in
``form_values``; here are the choices the selects offer, the validation and the errors.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from propulse.kit.errors import FieldProblem, InvalidInput
from propulse.kit.forms import errors_by_field, validate
from propulse.kit.i18n import gettext as _
from propulse.kit.i18n import lazy_gettext
from propulse.nurture.form_values import (
    apply_action,
    empty_values,
    text_of,
    values_from_form,
    values_from_sequence,
)
from propulse.nurture.models import StepKind, TriggerKind
from propulse.nurture.schemas import SequenceIn

__all__ = [
    "apply_action",
    "data_from_values",
    "empty_values",
    "form_errors",
    "single_error",
    "values_from_form",
    "values_from_sequence",
]

STEP_KINDS = {
    "send_email": lazy_gettext("Send an e-mail"),
    "wait": lazy_gettext("Wait"),
    "branch": lazy_gettext("Branch on a condition"),
    "update_field": lazy_gettext("Update a field"),
    "set_stage": lazy_gettext("Set the lifecycle stage"),
    "add_to_segment": lazy_gettext("Add to a list"),
    "remove_from_segment": lazy_gettext("Remove from a list"),
    "notify_owner": lazy_gettext("Notify the owner"),
    "end": lazy_gettext("End"),
}
TRIGGER_KINDS = {
    "segment_entered": lazy_gettext("Enters a segment"),
    "score_reached": lazy_gettext("Reaches a score"),
    "event": lazy_gettext("An activity (form, webinar...)"),
    "mql": lazy_gettext("Becomes an MQL"),
}
REENROLMENT = {
    "never": lazy_gettext("Never: once enrolled, never again"),
    "after_exit": lazy_gettext("Again as soon as the previous enrolment ended"),
    "after_days": lazy_gettext("Again some days after the previous enrolment ended"),
}
EXIT_GOALS = {
    "became_sql": lazy_gettext("Became a sales-qualified lead (or further)"),
    "booked_meeting": lazy_gettext("Booked a meeting"),
    "unsubscribed": lazy_gettext("Unsubscribed"),
    "replied": lazy_gettext("Replied (needs a reply mailbox)"),
}
CONDITIONS = {
    "opened": lazy_gettext("Opened the e-mail of a step"),
    "clicked": lazy_gettext("Clicked in the e-mail of a step"),
    "score": lazy_gettext("Score"),
    "segment": lazy_gettext("Is in a segment"),
    "field": lazy_gettext("A field"),
}
FIELD_OPS = {
    "eq": lazy_gettext("is"),
    "ne": lazy_gettext("is not"),
    "empty": lazy_gettext("is empty"),
    "not_empty": lazy_gettext("is not empty"),
}
WEEKDAYS = (
    lazy_gettext("Monday"),
    lazy_gettext("Tuesday"),
    lazy_gettext("Wednesday"),
    lazy_gettext("Thursday"),
    lazy_gettext("Friday"),
    lazy_gettext("Saturday"),
    lazy_gettext("Sunday"),
)


def choices(labels: dict[str, str]) -> list[tuple[str, str]]:
    """Return (value, translated label) pairs for a select."""
    return [(value, _(label)) for value, label in labels.items()]


# Kinds whose step goes on to a chosen step ("then go to"); a branch has yes/no, end stops.
JUMPING_KINDS = frozenset(k.value for k in StepKind if k not in (StepKind.branch, StepKind.end))

# ---- Values -> SequenceIn -------------------------------------------------------------------


def _or_none(value: Any) -> Any:
    text = text_of(value).strip()
    return text or None


def _number_or_text(value: str) -> Any:
    text = value.strip()
    return int(text) if re.fullmatch(r"-?\d{1,9}", text) else text


def _properties(text: str, index: int, problems: list[FieldProblem]) -> dict[str, Any] | None:
    found: dict[str, Any] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        key, sep, value = line.partition("=")
        if not sep or not key.strip():
            message = _("Line %(line)s: write each property as name=value.", line=number)
            problems.append(FieldProblem(f"triggers.{index}.properties", message))
            return None
        found[key.strip()] = _number_or_text(value)
    return found or None


def _trigger(row: dict[str, Any], index: int, problems: list[FieldProblem]) -> dict[str, Any]:
    kind = row.get("kind", "")
    raw: dict[str, Any] = {"kind": kind}
    if kind == TriggerKind.segment_entered:
        raw["segment_id"] = _or_none(row.get("segment_id"))
    elif kind == TriggerKind.score_reached:
        raw["score"] = _or_none(row.get("score"))
    elif kind == TriggerKind.event:
        raw["event_type"] = _or_none(row.get("event_type"))
        raw["properties"] = _properties(text_of(row.get("properties")), index, problems)
    return raw


def _condition(step: dict[str, Any]) -> dict[str, Any]:
    kind = step.get("condition_type", "")
    if kind in ("opened", "clicked"):
        return {"type": kind, "step": step.get("condition_step", "")}
    if kind == "score":
        return {
            "type": kind,
            "op": step.get("condition_score_op"),
            "value": step["condition_score"],
        }
    if kind == "segment":
        return {"type": kind, "segment_id": step.get("condition_segment_id", "")}
    if kind == "field":
        condition = {
            "type": kind,
            "field": step.get("condition_field", ""),
            "op": step.get("condition_field_op"),
        }
        if condition["op"] in ("eq", "ne"):
            condition["value"] = step.get("condition_field_value", "")
        return condition
    return {"type": kind}


STEP_CONFIG: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    StepKind.send_email.value: lambda s: {"template_id": s.get("template_id", "")},
    StepKind.wait.value: lambda s: (
        {"days": s.get("days", "")}
        if s.get("wait_mode") != "weekday"
        else {"until_weekday": s.get("until_weekday", ""), "until_hour": s.get("until_hour", "")}
    ),
    StepKind.branch.value: lambda s: {
        "condition": _condition(s),
        "yes": s.get("yes", ""),
        "no": s.get("no", ""),
    },
    StepKind.update_field.value: lambda s: {
        "field": s.get("field", ""),
        "value": _or_none(s.get("value")),
    },
    StepKind.set_stage.value: lambda s: {"stage": s.get("stage", "")},
    StepKind.add_to_segment.value: lambda s: {"segment_id": s.get("segment_id", "")},
    StepKind.remove_from_segment.value: lambda s: {"segment_id": s.get("segment_id", "")},
    StepKind.notify_owner.value: lambda s: {"message": s.get("message", "")},
    StepKind.end.value: lambda s: {},
}


def _step(step: dict[str, Any]) -> dict[str, Any]:
    kind = step.get("kind", "")
    builder = STEP_CONFIG.get(kind)
    return {
        "key": step.get("key", ""),
        "kind": kind,
        "config": builder(step) if builder else {},
        "next_key": _or_none(step.get("next_key")) if kind in JUMPING_KINDS else None,
    }


def _windows(rows: list[dict[str, Any]], problems: list[FieldProblem]) -> dict[str, Any]:
    windows: dict[str, Any] = {}
    for index, row in enumerate(rows):
        country = text_of(row.get("country")).strip()
        key = "default" if index == 0 or country.lower() == "default" else country.upper()
        where = f"windows.{index}.country"
        if not key:
            problems.append(FieldProblem(where, _("Enter a two-letter country code (FR, DE).")))
            continue
        if key in windows:
            message = _("%(country)s has two sending windows: keep one.", country=key)
            problems.append(FieldProblem(where, message))
            continue
        windows[key] = {
            "start": row.get("start", ""),
            "end": row.get("end", ""),
            "weekdays": [int(day) for day in row.get("weekdays", []) if str(day).isdigit()],
            "skip_holidays": bool(row.get("skip_holidays")),
        }
    return windows


def data_from_values(values: dict[str, Any]) -> SequenceIn:
    """Validate the form's values as a ``SequenceIn`` (problems named like the API's)."""
    problems: list[FieldProblem] = []  # found before the schema: reported with its own
    triggers = [_trigger(row, index, problems) for index, row in enumerate(values["triggers"])]
    raw = {
        "name": values["name"],
        "description": values["description"],
        "triggers": triggers,
        "reenrolment": values["reenrolment"],
        "reenrol_after_days": _or_none(values["reenrol_after_days"]),
        "exit_goals": values["exit_goals"],
        "sending_windows": _windows(values["windows"], problems),
        "steps": [_step(step) for step in values["steps"]],
        "version": _or_none(values["version"]),
    }
    try:
        data = validate(SequenceIn, raw)
    except InvalidInput as error:
        if not str(values["name"]).strip():  # pydantic words an empty name as a short list
            error.problems = [
                FieldProblem("name", _("This field is required.")) if p.field == "name" else p
                for p in error.problems
            ]
        error.problems = problems + error.problems
        raise
    if problems:
        raise InvalidInput(_("Some fields need your attention."), problems)
    return data


# ---- Errors beside their rows ----------------------------------------------------------------


# The fields the editor shows with their own message; others are listed atop their row.
FIELDS_WITH_MESSAGE = {
    "steps": {"kind", "next_key"},
    "triggers": {"kind", "segment_id", "score", "event_type", "properties"},
    "windows": {"country", "start", "end"},
}


def _row_errors(
    problems: dict[str, str], group: str, count: int
) -> tuple[list[list[str]], dict[str, str]]:
    per_row: list[list[str]] = [[] for _row in range(count)]
    fields: dict[str, str] = {}
    for name, message in problems.items():
        parts = name.split(".")
        if len(parts) >= 2 and parts[0] == group and parts[1].isdigit() and int(parts[1]) < count:
            index = int(parts[1])
            if len(parts) >= 3 and parts[2] in FIELDS_WITH_MESSAGE[group]:
                fields[f"{group}-{index}-{parts[2]}"] = message
            elif message not in per_row[index]:
                per_row[index].append(message)
    return per_row, fields


def form_errors(error: InvalidInput, values: dict[str, Any]) -> dict[str, Any]:
    """Sort an error's problems: per field, per step, trigger and window row, and the rest."""
    problems = errors_by_field(error.problems) if error.problems else {"form": error.message}
    # The schema names windows by country ("sending_windows.DE.start"); the form by row.
    countries = {
        ("default" if index == 0 else text_of(row.get("country")).strip().upper()): index
        for index, row in enumerate(values["windows"])
    }
    renamed: dict[str, str] = {}
    for name, message in problems.items():
        parts = name.split(".")
        if parts[0] == "sending_windows" and len(parts) >= 2 and parts[1] in countries:
            name = ".".join(["windows", str(countries[parts[1]]), *parts[2:]])
        renamed[name] = message
    steps, step_fields = _row_errors(renamed, "steps", len(values["steps"]))
    triggers, trigger_fields = _row_errors(renamed, "triggers", len(values["triggers"]))
    windows, window_fields = _row_errors(renamed, "windows", len(values["windows"]))
    placed = {"name", "description", "reenrolment", "reenrol_after_days"}
    general = [
        message
        for name, message in renamed.items()
        if name not in placed
        and name != "steps"
        and not re.match(r"^(steps|triggers|windows)\.\d+", name)
    ]
    return {
        "any": True,
        **{name: renamed[name] for name in placed if name in renamed},
        **step_fields,
        **trigger_fields,
        **window_fields,
        "steps_list": renamed.get("steps", ""),
        "step_rows": steps,
        "trigger_rows": triggers,
        "window_rows": windows,
        "general": list(dict.fromkeys(general)),
    }


def single_error(message: str, values: dict[str, Any]) -> dict[str, Any]:
    """Return the errors of a refusal that names no field (a stale edit, a conflict)."""
    return form_errors(InvalidInput(message, [FieldProblem("form", message)]), values)
