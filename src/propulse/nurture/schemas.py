"""Validated input and output of nurturing sequences.

Everything a user can get wrong in a sequence's shape is refused here with the field named
(``steps.2.config``, ``sending_windows.DE.start``...); what needs the database (a template or
a segment that must exist) is checked by the service.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from propulse.kit.i18n import gettext as _
from propulse.nurture.models import ExitGoal, Reenrolment, StepKind, TriggerKind
from propulse.nurture.step_config import (
    KEY_PATTERN,
    clean_step_config,
)


def _stripped(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


Name = Annotated[str, BeforeValidator(_stripped), Field(min_length=1, max_length=120)]
Description = Annotated[str, BeforeValidator(_stripped), Field(max_length=2000)]

TIME_PATTERN = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
COUNTRY_PATTERN = re.compile(r"^[A-Z]{2}$")
MAX_STEPS = 100


END_OF_DAY = "24:00"


def _time_minutes(value: str) -> int:
    hours, minutes = value.split(":")
    return int(hours) * 60 + int(minutes)


class WindowIn(BaseModel):
    """When messages may leave, in the contact's time zone: hours, weekdays, holidays."""

    model_config = ConfigDict(extra="forbid")

    start: str = "09:00"
    end: str = "18:00"
    # 0 is Monday, as in datetime.weekday().
    weekdays: list[int] = Field(default_factory=lambda: [0, 1, 2, 3, 4])
    skip_holidays: bool = True

    @field_validator("start", "end", mode="before")
    @classmethod
    def _time(cls, value: Any, info: ValidationInfo) -> Any:
        text = _stripped(value)
        if isinstance(text, str) and re.fullmatch(r"\d:[0-5]\d", text):
            text = "0" + text
        if info.field_name == "end" and text == END_OF_DAY:
            return text
        if not isinstance(text, str) or not TIME_PATTERN.match(text):
            raise ValueError(_("Enter a time as HH:MM (00:00 to 23:59; 24:00 ends the day)."))
        return text

    @field_validator("weekdays")
    @classmethod
    def _weekdays(cls, value: list[int]) -> list[int]:
        if not value:
            raise ValueError(_("Choose at least one day of the week."))
        if any(day < 0 or day > 6 for day in value):
            raise ValueError(_("Days of the week go from 0 (Monday) to 6 (Sunday)."))
        return sorted(set(value))

    @model_validator(mode="after")
    def _order(self) -> WindowIn:
        if _time_minutes(self.end) <= _time_minutes(self.start):
            raise ValueError(_("The window must end after it starts."))
        return self


class StepIn(BaseModel):
    """One step; ``key`` names it for branches and stays the same across edits."""

    model_config = ConfigDict(extra="forbid")

    key: Annotated[str, BeforeValidator(_stripped)]
    kind: StepKind
    config: dict[str, Any] = Field(default_factory=dict)
    next_key: Annotated[str | None, BeforeValidator(lambda v: _stripped(v) or None)] = None

    @field_validator("key", "next_key")
    @classmethod
    def _key(cls, value: str | None) -> str | None:
        if value is not None and not KEY_PATTERN.match(value):
            raise ValueError(
                _(
                    "Use 1 to 40 lowercase letters, digits, - or _ "
                    "(starting with a letter or digit)."
                )
            )
        return value

    @field_validator("config")
    @classmethod
    def _config(cls, value: dict[str, Any], info: ValidationInfo) -> dict[str, Any]:
        kind = info.data.get("kind")
        if kind is None:  # the kind itself is invalid: its own error says so
            return value
        return clean_step_config(StepKind(kind), value)


class TriggerIn(BaseModel):
    """What enrols contacts by itself: entering a segment, reaching a score, an event."""

    model_config = ConfigDict(extra="forbid")

    kind: TriggerKind
    segment_id: int | None = Field(default=None, ge=1)
    score: int | None = Field(default=None, ge=1, le=100_000)
    event_type: Annotated[str | None, BeforeValidator(lambda v: _stripped(v) or None)] = None
    properties: dict[str, Any] | None = None

    @model_validator(mode="after")
    def _needs(self) -> TriggerIn:
        if self.kind == TriggerKind.segment_entered and self.segment_id is None:
            raise ValueError(_("Choose the segment that enrols contacts."))
        if self.kind == TriggerKind.score_reached and self.score is None:
            raise ValueError(_("Enter the score that enrols contacts."))
        if self.kind == TriggerKind.event and (
            not self.event_type or not re.fullmatch(r"[a-z][a-z0-9_]{0,39}", self.event_type)
        ):
            raise ValueError(_("Name the event type that enrols contacts (e.g. form_submitted)."))
        return self

    def stored(self) -> dict[str, Any]:
        """Return the trigger as the sequence stores it (only what its kind uses)."""
        if self.kind == TriggerKind.segment_entered:
            return {"kind": self.kind.value, "segment_id": self.segment_id}
        if self.kind == TriggerKind.score_reached:
            return {"kind": self.kind.value, "score": self.score}
        if self.kind == TriggerKind.mql:
            return {"kind": self.kind.value}
        return {
            "kind": self.kind.value,
            "event_type": self.event_type,
            "properties": self.properties or {},
        }


class SequenceIn(BaseModel):
    """A whole sequence as the page, the API and the CLI send it (create and replace)."""

    model_config = ConfigDict(extra="forbid")

    name: Name
    description: Description = ""
    triggers: list[TriggerIn] = Field(default_factory=list, max_length=20)
    reenrolment: Reenrolment = Reenrolment.never
    reenrol_after_days: int | None = Field(default=None, ge=1, le=3650, validate_default=True)
    exit_goals: list[ExitGoal] = Field(default_factory=list)
    sending_windows: dict[str, WindowIn] = Field(default_factory=dict)
    steps: list[StepIn] = Field(default_factory=list, max_length=MAX_STEPS)
    # The version the editor saw: a stale edit is refused (409) when given.
    version: int | None = None

    @field_validator("exit_goals")
    @classmethod
    def _goals(cls, value: list[ExitGoal]) -> list[ExitGoal]:
        return list(dict.fromkeys(value))

    @field_validator("sending_windows", mode="before")
    @classmethod
    def _window_keys(cls, value: Any) -> Any:
        if not isinstance(value, dict):
            return value
        normal: dict[str, Any] = {}
        for raw_key, window in value.items():
            key = str(raw_key).strip()
            key = "default" if key.lower() == "default" else key.upper()
            if key != "default" and not COUNTRY_PATTERN.match(key):
                raise ValueError(
                    _(
                        "“%(key)s” is not a country: use “default” or a two-letter code (FR, DE).",
                        key=raw_key,
                    )
                )
            normal[key] = window
        return normal

    @field_validator("steps")
    @classmethod
    def _steps(cls, steps: list[StepIn]) -> list[StepIn]:
        if not steps:
            raise ValueError(_("Add at least one step."))
        keys = [step.key for step in steps]
        seen: set[str] = set()
        for key in keys:
            if key in seen:
                raise ValueError(_("Two steps share the key “%(key)s”.", key=key))
            seen.add(key)
        for step in steps:
            targets = [step.next_key]
            if step.kind == StepKind.branch:
                targets += [step.config.get("yes"), step.config.get("no")]
                condition = step.config.get("condition", {})
                if condition.get("type") in ("opened", "clicked"):
                    looked_at = condition.get("step")
                    kinds = {s.key: s.kind for s in steps}
                    if kinds.get(looked_at) != StepKind.send_email:
                        raise ValueError(
                            _(
                                "Step “%(key)s”: “%(target)s” is not an e-mail step.",
                                key=step.key,
                                target=looked_at,
                            )
                        )
            for target in targets:
                if target is not None and target not in seen:
                    raise ValueError(
                        _(
                            "Step “%(key)s” goes to “%(target)s”, which is not a step.",
                            key=step.key,
                            target=target,
                        )
                    )
                if target == step.key:
                    raise ValueError(_("Step “%(key)s” cannot go to itself.", key=step.key))
        return steps

    @field_validator("reenrol_after_days")
    @classmethod
    def _reenrol(cls, value: int | None, info: ValidationInfo) -> int | None:
        rule = info.data.get("reenrolment")
        if rule == Reenrolment.after_days and value is None:
            raise ValueError(_("Say after how many days a contact may be enrolled again."))
        return value if rule == Reenrolment.after_days else None


# ---- Output ---------------------------------------------------------------------------------


class StepOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    key: str
    position: int
    kind: str
    config: dict[str, Any]
    next_key: str | None


class SequenceOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    description: str
    status: str
    paused_reason: str | None
    triggers: list[dict[str, Any]]
    reenrolment: str
    reenrol_after_days: int | None
    exit_goals: list[str]
    sending_windows: dict[str, Any]
    owner_id: int | None
    version: int
    created_at: datetime
    updated_at: datetime
    steps: list[StepOut]


class SequenceSummary(BaseModel):
    """A line of the sequences list: its state and how many contacts are where."""

    id: int
    name: str
    status: str
    paused_reason: str | None
    steps: int
    active_enrolments: int
    completed: int
    exited: int


class EnrolOutcome(BaseModel):
    """What enrolling one contact did: ``enrolled``, or why not (``reason``)."""

    enrolled: bool
    enrolment_id: int | None = None
    # "already_enrolled" (active in this sequence now) or "not_allowed" (re-enrolment rule).
    reason: str | None = None


class EnrolReject(BaseModel):
    """An item of a bulk enrolment that was not enrolled, and why (already translated)."""

    item: str
    reason: str
    message: str


class EnrolSummary(BaseModel):
    """How a bulk enrolment went."""

    enrolled: int = 0
    already_enrolled: int = 0
    not_allowed: int = 0
    rejects: list[EnrolReject] = Field(default_factory=list)


class EnrolmentRow(BaseModel):
    """Who is at which step: a line of the enrolments list."""

    id: int
    contact_id: int
    email: str
    name: str
    step_id: int | None
    step_key: str | None
    status: str
    source: str
    enrolled_at: datetime
    next_run_at: datetime | None
    finished_at: datetime | None
    exit_reason: str | None


class EnrolIn(BaseModel):
    """A bulk enrolment through the API: e-mails or a segment (one of the two)."""

    model_config = ConfigDict(extra="forbid")

    emails: list[str] = Field(default_factory=list, max_length=1000)
    segment_id: int | None = Field(default=None, ge=1)

    @model_validator(mode="after")
    def _one(self) -> EnrolIn:
        if bool(self.emails) == (self.segment_id is not None):
            raise ValueError(_("Send either “emails” or “segment_id”."))
        return self


class StepFigures(BaseModel):
    """What one step did: counted from its step runs and their outbox messages."""

    step_id: int
    key: str
    kind: str
    at_step: int = 0  # active contacts waiting on this step
    reached: int = 0  # enrolments that ran this step (the funnel)
    ran: int = 0
    blocked: int = 0
    queued: int = 0  # e-mails waiting in the outbox (a sending window, a paused stream)
    sent: int = 0
    delivered: int = 0
    opened: int = 0
    clicked: int = 0
    bounced: int = 0
    unsubscribed: int = 0
    goal_reached: int = 0  # contacts who reached an exit goal right after this step


class SequenceFigures(BaseModel):
    """A sequence's figures: per step, a funnel (label, contacts) and the totals."""

    steps: list[StepFigures]
    funnel: list[tuple[str, int]]
    enrolled: int
    active: int
    completed: int
    exited: int
    cancelled: int = 0
    goal_reached: int
    # When the figures job counted them (a big sequence); None when counted for this request.
    counted_at: datetime | None = None
