"""Validated input and output of scoring rules, settings and explanations."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from propulse.contacts.schemas import EVENT_TYPE_PATTERN
from propulse.scoring.models import Decay, RuleKind

MAX_POINTS = 1000
MAX_DECAY_DAYS = 3650
MAX_LIMIT = 100_000


def _stripped(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def _blank_to_none(value: Any) -> Any:
    value = _stripped(value)
    return None if value == "" else value


Name = Annotated[str, BeforeValidator(_stripped), Field(min_length=1, max_length=120)]
GroupName = Annotated[str, BeforeValidator(_stripped), Field(max_length=60)]
EventTypeName = Annotated[
    Annotated[str, Field(pattern=EVENT_TYPE_PATTERN)] | None, BeforeValidator(_blank_to_none)
]
Points = Annotated[int, Field(ge=-MAX_POINTS, le=MAX_POINTS)]
Cap = Annotated[Annotated[int, Field(ge=1, le=MAX_LIMIT)] | None, BeforeValidator(_blank_to_none)]
Days = Annotated[
    Annotated[int, Field(ge=1, le=MAX_DECAY_DAYS)] | None, BeforeValidator(_blank_to_none)
]
Threshold = Annotated[int, Field(ge=0, le=MAX_LIMIT)]


class RuleIn(BaseModel):
    """A new rule. Fit: ``condition`` on the contact's fields. Engagement: ``event_type``,
    and ``condition = {"where": {property: value}}`` to count only some events."""

    model_config = ConfigDict(extra="forbid")

    name: Name
    kind: RuleKind
    group: GroupName = ""
    event_type: EventTypeName = None
    condition: dict[str, Any] = Field(default_factory=dict)
    points: Points
    cap: Cap = None
    decay: Decay = Decay.none
    decay_days: Days = None
    active: bool = True
    position: int | None = Field(default=None, ge=0, le=10_000)


class RulePatch(BaseModel):
    """A change to a rule: only the fields sent change; ``version`` refuses a stale edit."""

    model_config = ConfigDict(extra="forbid")

    name: Name | None = None
    kind: RuleKind | None = None
    group: GroupName | None = None
    event_type: EventTypeName = None
    condition: dict[str, Any] | None = None
    points: Points | None = None
    cap: Cap = None
    decay: Decay | None = None
    decay_days: Days = None
    active: bool | None = None
    position: int | None = Field(default=None, ge=0, le=10_000)
    version: int | None = None


class RuleOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    kind: RuleKind
    group: str = Field(validation_alias="group_name")
    event_type: str | None
    condition: dict[str, Any]
    points: int
    cap: int | None
    decay: Decay
    decay_days: int | None
    active: bool
    position: int
    version: int
    created_at: datetime
    updated_at: datetime


GroupCaps = dict[
    Annotated[str, Field(min_length=1, max_length=60)], Annotated[int, Field(ge=1, le=MAX_LIMIT)]
]


class SettingsIn(BaseModel):
    """The whole settings, as a PUT replaces them; ``version`` refuses a stale edit."""

    model_config = ConfigDict(extra="forbid")

    total_limit: Cap = 100
    group_caps: GroupCaps = Field(default_factory=dict)
    fit_grade_a: Threshold = 40
    fit_grade_b: Threshold = 20
    engagement_grade_1: Threshold = 30
    engagement_grade_2: Threshold = 10
    mql_threshold: Threshold = 60
    mql_notify_owner: bool = True
    mql_set_stage: bool = True
    mql_segment_id: int | None = None
    version: int | None = None


class SettingsOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    total_limit: int | None
    group_caps: dict[str, int]
    fit_grade_a: int
    fit_grade_b: int
    engagement_grade_1: int
    engagement_grade_2: int
    mql_threshold: int
    mql_notify_owner: bool
    mql_set_stage: bool
    mql_segment_id: int | None
    rules_version: int
    rescored_version: int
    rescored_at: datetime | None
    version: int


class RescoreOut(BaseModel):
    """A full rescore was queued; it runs in the background."""

    queued: bool
    rules_version: int
