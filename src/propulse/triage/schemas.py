"""Validated input and output of requests and their triage."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from propulse.kit.i18n import gettext as _
from propulse.triage.models import RequestState


def _web_link(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    value = value.strip()
    if not value.startswith(("https://", "http://")):
        raise ValueError(_("A link starts with https:// or http://."))
    return value


Score = Annotated[int, Field(ge=1, le=10)]


class RequestCreate(BaseModel):
    title: Annotated[str, Field(min_length=1, max_length=200)]
    description: Annotated[str, Field(max_length=10000)] = ""
    department: Annotated[str, Field(min_length=1, max_length=80)]
    wished_on: date | None = None
    impact: Score = 5
    confidence: Score = 5
    ease: Score = 5
    effort_days: Annotated[float, Field(ge=0, le=1000)] = 0.0
    link: Annotated[str | None, AfterValidator(_web_link)] = None
    requester_id: int | None = None  # a manager may record a request for someone else


class TriageDecision(BaseModel):
    action: Literal["accept", "park", "decline", "duplicate", "reopen"]
    objective_id: int | None = None
    key_result_id: int | None = None
    reason: Annotated[str, Field(max_length=5000)] = ""
    until: date | None = None
    duplicate_of_id: int | None = None
    version: int | None = None


class TransitionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    from_state: str | None
    to_state: str
    actor_id: int | None
    reason: str
    created_at: datetime


class RequestOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    title: str
    description: str
    requester_id: int
    department: str
    wished_on: date | None
    impact: int
    confidence: int
    ease: int
    ice_score: float
    effort_days: float
    link: str | None
    state: RequestState
    objective_id: int | None
    key_result_id: int | None
    parked_reason: str | None
    parked_until: date | None
    declined_reason: str | None
    duplicate_of_id: int | None
    decided_by_id: int | None
    decided_at: datetime | None
    created_at: datetime
    version: int


class SuggestionOut(BaseModel):
    objective_id: int
    title: str
    score: float
    terms: list[str]
