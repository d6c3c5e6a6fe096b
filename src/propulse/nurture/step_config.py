"""The settings of each kind of step, checked and put in their normal form.

``clean_step_config`` raises ValueError with a message already translated: the schemas turn
it into a problem on ``steps.<n>.config``.
"""

from __future__ import annotations

import re
from typing import Any

from propulse.contacts.models import LifecycleStage
from propulse.kit.i18n import gettext as _
from propulse.nurture.models import StepKind

KEY_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
BRANCH_CONDITIONS = ("opened", "clicked", "score", "segment", "field")
FIELD_OPS = ("eq", "ne", "empty", "not_empty")
SCORE_OPS = (">=", "<")
MAX_WAIT_DAYS = 365


def stripped(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def _int(config: dict[str, Any], name: str, low: int, high: int, message: str) -> int:
    value = config.get(name)
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        value = int(value.strip())
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise ValueError(message)
    return value


def _optional_key(config: dict[str, Any], name: str) -> str | None:
    value = stripped(config.get(name))
    if value in (None, ""):
        return None
    if not isinstance(value, str) or not KEY_PATTERN.match(value):
        raise ValueError(_("“%(name)s” must name a step by its key.", name=name))
    return value


def _condition(raw: Any) -> dict[str, Any]:
    if not isinstance(raw, dict) or raw.get("type") not in BRANCH_CONDITIONS:
        raise ValueError(
            _("Choose a condition: %(choices)s.", choices=", ".join(BRANCH_CONDITIONS))
        )
    kind = raw["type"]
    if kind in ("opened", "clicked"):
        step = stripped(raw.get("step"))
        if not isinstance(step, str) or not KEY_PATTERN.match(step):
            raise ValueError(_("Name the e-mail step the condition looks at."))
        return {"type": kind, "step": step}
    if kind == "score":
        if raw.get("op") not in SCORE_OPS:
            raise ValueError(_("Compare the score with >= or <."))
        value = _int(raw, "value", -100_000, 100_000, _("Enter the score to compare with."))
        return {"type": kind, "op": raw["op"], "value": value}
    if kind == "segment":
        segment_id = _int(raw, "segment_id", 1, 2**31 - 1, _("Choose a segment."))
        return {"type": kind, "segment_id": segment_id}
    field = stripped(raw.get("field"))
    if not isinstance(field, str) or not field:
        raise ValueError(_("Name the field the condition looks at."))
    if raw.get("op") not in FIELD_OPS:
        raise ValueError(_("Choose a comparison: %(choices)s.", choices=", ".join(FIELD_OPS)))
    condition: dict[str, Any] = {"type": kind, "field": field, "op": raw["op"]}
    if raw["op"] in ("eq", "ne"):
        condition["value"] = raw.get("value")
    return condition


def clean_step_config(kind: StepKind, config: dict[str, Any]) -> dict[str, Any]:
    """Return the normal form of a step's settings, or raise ValueError saying what is wrong."""
    if kind == StepKind.send_email:
        return {"template_id": _int(config, "template_id", 1, 2**31 - 1, _("Choose a template."))}
    if kind == StepKind.wait:
        if config.get("days") not in (None, ""):
            message = _("Wait between 1 and %(n)s days.", n=MAX_WAIT_DAYS)
            return {"days": _int(config, "days", 1, MAX_WAIT_DAYS, message)}
        if config.get("until_weekday") in (None, "") and config.get("until_hour") in (None, ""):
            raise ValueError(_("Wait a number of days, or until a day of the week and an hour."))
        weekday = _int(config, "until_weekday", 0, 6, _("Choose a day of the week (0 to 6)."))
        hour = _int(config, "until_hour", 0, 23, _("Choose an hour between 0 and 23."))
        return {"until_weekday": weekday, "until_hour": hour}
    if kind == StepKind.branch:
        return {
            "condition": _condition(config.get("condition")),
            "yes": _optional_key(config, "yes"),
            "no": _optional_key(config, "no"),
        }
    if kind == StepKind.update_field:
        field = stripped(config.get("field"))
        if not isinstance(field, str) or not field:
            raise ValueError(_("Name the field to update."))
        return {"field": field, "value": config.get("value")}
    if kind == StepKind.set_stage:
        stage = config.get("stage")
        if stage not in set(LifecycleStage):
            choices = ", ".join(s.value for s in LifecycleStage)
            raise ValueError(_("Choose a lifecycle stage: %(choices)s.", choices=choices))
        return {"stage": str(stage)}
    if kind in (StepKind.add_to_segment, StepKind.remove_from_segment):
        return {"segment_id": _int(config, "segment_id", 1, 2**31 - 1, _("Choose a list."))}
    if kind == StepKind.notify_owner:
        message = stripped(config.get("message") or "")
        if not isinstance(message, str) or len(message) > 500:
            raise ValueError(_("Write a message of at most 500 characters."))
        return {"message": message}
    return {}
