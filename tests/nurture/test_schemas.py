"""A sequence's shape is validated with the field named: keys, targets, waits, windows."""

from __future__ import annotations

from typing import Any

import pytest

from propulse.kit.errors import InvalidInput
from propulse.kit.forms import validate
from propulse.nurture.schemas import EnrolIn, SequenceIn

SEND = {"key": "hello", "kind": "send_email", "config": {"template_id": 1}}


def problems(data: dict[str, Any]) -> dict[str, str]:
    with pytest.raises(InvalidInput) as error:
        validate(SequenceIn, data)
    return {problem.field: problem.message for problem in error.value.problems}


def test_a_good_sequence_is_normalised() -> None:
    data = validate(
        SequenceIn,
        {
            "name": "  E-book  ",
            "triggers": [{"kind": "segment_entered", "segment_id": 4}],
            "reenrolment": "after_days",
            "reenrol_after_days": 30,
            "exit_goals": ["became_sql", "became_sql", "replied"],
            "sending_windows": {"de": {"start": "8:00", "end": "17:00", "weekdays": [4, 0, 0]}},
            "steps": [
                SEND,
                {"key": "pause", "kind": "wait", "config": {"days": "3"}},
                {
                    "key": "opened",
                    "kind": "branch",
                    "config": {"condition": {"type": "opened", "step": "hello"}, "yes": "done"},
                },
                {
                    "key": "tuesday",
                    "kind": "wait",
                    "config": {"until_weekday": 1, "until_hour": 10},
                },
                {"key": "done", "kind": "end"},
            ],
        },
    )
    assert data.name == "E-book"
    assert data.exit_goals == ["became_sql", "replied"]
    assert data.sending_windows["DE"].start == "08:00"
    assert data.sending_windows["DE"].weekdays == [0, 4]
    assert data.steps[1].config == {"days": 3}
    assert data.steps[2].config["no"] is None
    assert data.triggers[0].stored() == {"kind": "segment_entered", "segment_id": 4}


def test_at_least_one_step() -> None:
    assert "steps" in problems({"name": "Empty", "steps": []})


def test_keys_are_unique_and_targets_exist() -> None:
    twice = problems({"name": "A", "steps": [SEND, {**SEND}]})
    assert "hello" in twice["steps"]
    lost = problems(
        {
            "name": "A",
            "steps": [
                {
                    "key": "b",
                    "kind": "branch",
                    "config": {"condition": {"type": "score", "op": ">=", "value": 5}, "yes": "zz"},
                }
            ],
        }
    )
    assert "zz" in lost["steps"]
    bad_key = problems({"name": "A", "steps": [{**SEND, "key": "Has Spaces"}]})
    assert "steps.0.key" in bad_key


def test_an_opened_condition_looks_at_an_email_step() -> None:
    found = problems(
        {
            "name": "A",
            "steps": [
                {"key": "pause", "kind": "wait", "config": {"days": 1}},
                {
                    "key": "b",
                    "kind": "branch",
                    "config": {"condition": {"type": "opened", "step": "pause"}},
                },
            ],
        }
    )
    assert "not an e-mail step" in found["steps"]


@pytest.mark.parametrize(
    ("config", "fragment"),
    [
        ({"days": 0}, "between 1 and 365"),
        ({"days": 400}, "between 1 and 365"),
        ({}, "number of days"),
        ({"until_weekday": 7, "until_hour": 10}, "day of the week"),
        ({"until_weekday": 1, "until_hour": 24}, "hour"),
    ],
)
def test_waits(config: dict[str, Any], fragment: str) -> None:
    found = problems({"name": "A", "steps": [{"key": "w", "kind": "wait", "config": config}]})
    assert fragment in found["steps.0.config"]


def test_step_settings_by_kind() -> None:
    assert "steps.0.config" in problems({"name": "A", "steps": [{**SEND, "config": {}}]})
    stage = problems(
        {"name": "A", "steps": [{"key": "s", "kind": "set_stage", "config": {"stage": "vip"}}]}
    )
    assert "lifecycle stage" in stage["steps.0.config"]
    assert "steps.0.kind" in problems({"name": "A", "steps": [{"key": "s", "kind": "teleport"}]})


def test_triggers_windows_and_reenrolment() -> None:
    found = problems(
        {
            "name": "A",
            "steps": [SEND],
            "triggers": [{"kind": "segment_entered"}, {"kind": "event", "event_type": "Bad Type"}],
            "sending_windows": {"default": {"start": "18:00", "end": "09:00"}},
            "reenrolment": "after_days",
        }
    )
    assert "triggers.0" in found and "triggers.1" in found
    assert "end after it starts" in found["sending_windows.default"]
    assert "after how many days" in found["reenrol_after_days"]
    assert (
        "Mars"
        in problems({"name": "A", "steps": [SEND], "sending_windows": {"Mars": {}}})[
            "sending_windows"
        ]
    )
    hours = problems({"name": "A", "steps": [SEND], "sending_windows": {"FR": {"start": "25:00"}}})
    assert "HH:MM" in hours["sending_windows.FR.start"]


def test_bulk_enrolment_takes_emails_or_a_segment() -> None:
    assert EnrolIn(emails=["a@example.org"]).segment_id is None
    with pytest.raises(InvalidInput):
        validate(EnrolIn, {})
    with pytest.raises(InvalidInput):
        validate(EnrolIn, {"emails": ["a@example.org"], "segment_id": 3})
