"""Validated input and output of segments."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from propulse.segments.models import SegmentKind


def _stripped(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


Name = Annotated[str, BeforeValidator(_stripped), Field(min_length=1, max_length=120)]
Description = Annotated[str, BeforeValidator(_stripped), Field(max_length=2000)]


class SegmentIn(BaseModel):
    """A new segment: a dynamic one needs its ``definition`` (see docs/segments.md)."""

    model_config = ConfigDict(extra="forbid")

    name: Name
    description: Description = ""
    kind: SegmentKind = SegmentKind.dynamic
    # Any JSON: the definition's own parser names the path of a bad node.
    definition: Any = None


class SegmentPatch(BaseModel):
    """An edit: only the fields sent change; ``version`` refuses a stale edit (409)."""

    model_config = ConfigDict(extra="forbid")

    name: Name | None = None
    description: Description | None = None
    definition: Any = None
    version: int | None = None


class SegmentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    description: str
    kind: str
    definition: dict[str, Any] | None
    time_dependent: bool
    member_count: int
    rebuilt_at: datetime | None
    needs_rebuild: bool
    created_at: datetime
    updated_at: datetime
    version: int


class MemberOut(BaseModel):
    """A contact in a segment, as its member list shows it."""

    id: int
    email: str
    first_name: str
    last_name: str
    company: str | None
    score: int
    grade: str | None
    added_at: datetime | None


class MembersIn(BaseModel):
    """Contacts to add to or remove from a static list, by e-mail or by id (one of the two)."""

    model_config = ConfigDict(extra="forbid")

    emails: list[str] = Field(default_factory=list, max_length=1000)
    contact_ids: list[int] = Field(default_factory=list, max_length=1000)


class MembersChanged(BaseModel):
    """How many contacts were added or removed, and what was not found."""

    changed: int
    unknown_emails: list[str] = Field(default_factory=list)
    unknown_contact_ids: list[int] = Field(default_factory=list)


class RebuildOut(BaseModel):
    segment_id: int
    name: str
    entered: int
    left: int
    members: int
    seconds: float


class CountIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    definition: Any = None


class CountOut(BaseModel):
    count: int
