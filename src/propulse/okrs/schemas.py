"""Validated input and output of OKRs, shared by the pages, the API, the CLI and imports."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

from propulse.kit.i18n import gettext as _
from propulse.okrs.models import Commitment, Direction, ObjectiveLevel, ObjectiveStatus

Title = Annotated[str, Field(min_length=1, max_length=200)]


class PeriodCreate(BaseModel):
    name: Annotated[str, Field(min_length=1, max_length=40)]
    starts_on: date | None = None
    ends_on: date | None = None
    team_id: int | None = None  # None: the marketing team
    company: bool = False

    @model_validator(mode="after")
    def _dates_in_order(self) -> PeriodCreate:
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValueError(_("The period must end after it starts."))
        return self


class ObjectiveCreate(BaseModel):
    title: Title
    description: Annotated[str, Field(max_length=5000)] = ""
    owner_id: int | None = None
    serves_id: int | None = None


class ObjectiveUpdate(ObjectiveCreate):
    version: int | None = None


class KeyResultCreate(BaseModel):
    title: Title
    unit: Annotated[str, Field(max_length=40)] = ""
    start_value: float
    target_value: float
    current_value: float | None = None
    direction: Direction = Direction.increase
    commitment: Commitment = Commitment.committed
    owner_id: int | None = None
    weight: Annotated[float, Field(gt=0, le=100)] = 1.0

    @model_validator(mode="after")
    def _target_moves_the_right_way(self) -> KeyResultCreate:
        if self.direction == Direction.increase and self.target_value <= self.start_value:
            raise ValueError(_("To increase, the target must be above the start value."))
        if self.direction == Direction.decrease and self.target_value >= self.start_value:
            raise ValueError(_("To decrease, the target must be below the start value."))
        return self


class KeyResultUpdate(KeyResultCreate):
    version: int | None = None


class CheckInCreate(BaseModel):
    value: float
    confidence: Annotated[int, Field(ge=1, le=10)]
    comment: Annotated[str, Field(max_length=5000)] = ""
    checked_on: date | None = None


class LimitsUpdate(BaseModel):
    max_objectives: Annotated[int, Field(ge=1, le=3)]
    max_key_results: Annotated[int, Field(ge=1, le=4)]


class CheckInOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    key_result_id: int
    value: float
    confidence: int
    comment: str
    checked_on: date
    author_id: int | None
    created_at: datetime


class KeyResultOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    objective_id: int
    title: str
    unit: str
    start_value: float
    target_value: float
    current_value: float
    direction: Direction
    commitment: Commitment
    owner_id: int | None
    weight: float
    grade: float | None
    is_archived: bool
    version: int
    progress: float = 0.0


class ObjectiveOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    period_id: int
    level: ObjectiveLevel
    title: str
    description: str
    owner_id: int | None
    status: ObjectiveStatus
    serves_id: int | None
    carried_from_id: int | None
    version: int
    progress: float = 0.0
    health: str | None = None
    key_results: list[KeyResultOut] = []


class PeriodOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    team_id: int | None
    starts_on: date
    ends_on: date
    status: str
    version: int
