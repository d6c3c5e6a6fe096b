"""Playbooks as JSON: what the API takes and returns, and what the CLI prints (``--json``)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BaseModel, Field

from propulse.playbooks import service
from propulse.playbooks.content import PlaybookContent, StepContent
from propulse.playbooks.models import Playbook, PlaybookVersion

Text = Annotated[str, Field(max_length=50_000)]
Items = Annotated[list[Annotated[str, Field(max_length=5_000)]], Field(max_length=200)]


class StepIn(BaseModel):
    """A step: an offset from the anchor (D-21 is -21) or the step it follows, not both."""

    key: Annotated[str, Field(max_length=80, description="Unique in the playbook: [a-z0-9-].")]
    title: Annotated[str, Field(max_length=200)]
    owner_role: Annotated[str, Field(max_length=80, description="Mapped to a person at launch.")]
    offset_days: int | None = Field(None, ge=-3650, le=3650)
    after_key: str | None = Field(None, description="The step it follows (finish-to-start).")
    lag_days: int = Field(0, ge=-365, le=365)
    duration_days: int = Field(1, ge=1, le=3650)
    day_kind: str = Field("working", description="working or calendar")
    effort_hours: float | None = Field(None, ge=0, le=10_000)
    checklist: Items = []
    deliverables: Items = []
    advice: Text = ""
    optional: bool = False
    tutorial: Text = Field("", description="Markdown.")


class PlaybookFields(BaseModel):
    name: Annotated[str, Field(max_length=200)]
    category: str = Field("custom", description="webinar, email_campaign, trade_show, ...")
    goal: Text = ""
    anchor: str = Field("event", description="event, send, launch or start")
    anchor_label: Annotated[str, Field(max_length=80)] = ""
    tutorial: Text = Field("", description="Markdown.")
    best_practices: Items = []
    success_measures: Items = []
    review_every_months: int = Field(6, ge=1, le=24)
    translation: str | None = Field(
        None, description="The language of the linked translation (same slug)."
    )
    steps: Annotated[list[StepIn], Field(max_length=200)] = []

    def content(self, *, slug: str, language: str) -> PlaybookContent:
        data = self.model_dump(include=set(PlaybookFields.model_fields))
        steps = [StepContent(**step) for step in data.pop("steps")]
        return PlaybookContent(slug=slug, language=language, steps=steps, **data)


class PlaybookCreate(PlaybookFields):
    slug: Annotated[str, Field(max_length=80, description="Shared by translations: [a-z0-9-].")]
    language: str = Field(description="en or fr")
    publish: bool = Field(False, description="Publish at once as version 1 (else a draft).")


class PlaybookUpdate(PlaybookFields):
    version: int | None = Field(None, description="The `version` read: a stale one gets 409.")
    note: Annotated[str, Field(max_length=500)] = Field("", description="What changed.")


class StepOut(StepIn):
    pass


class PlaybookOut(BaseModel):
    id: int
    slug: str
    language: str
    name: str
    category: str
    goal: str
    anchor: str
    anchor_label: str
    status: str
    is_builtin: bool
    current_version: int = Field(description="The newest published version (0: never).")
    version: int = Field(description="Send it back when you change the playbook (409 if stale).")
    owner_id: int | None
    translation_id: int | None
    reviewed_on: date | None
    review_every_months: int
    review_due_on: date
    stale: bool = Field(description="The review date has passed.")
    steps_count: int
    updated_at: datetime


class PlaybookDetail(PlaybookOut):
    tutorial: str
    best_practices: list[str]
    success_measures: list[str]
    steps: list[StepOut]
    has_draft: bool = Field(description="Accepted suggestions wait in a draft of the next version.")


class VersionOut(BaseModel):
    number: int
    note: str
    created_by_id: int | None
    created_at: datetime
    steps_count: int


class VersionDetail(VersionOut):
    snapshot: dict[str, Any] = Field(description="The playbook's content frozen at that version.")


class LaunchIn(BaseModel):
    anchor: date = Field(description="The date the steps' offsets count from.")
    country: Annotated[str, Field(min_length=2, max_length=2)] = Field(
        description="ISO 3166 code: its public holidays are skipped in working days."
    )
    roles: dict[str, int] = Field(
        default_factory=dict, description="Each role of the playbook → a user id."
    )
    name: Annotated[str, Field(max_length=200)] | None = Field(
        None, description="Default: the playbook's name and the anchor date."
    )
    objective_id: int | None = None
    key_result_id: int | None = None
    request_id: int | None = Field(None, description="The accepted request that asked for it.")


def playbook_out(playbook: Playbook, *, today: date) -> PlaybookOut:
    return PlaybookOut(
        id=playbook.id,
        slug=playbook.slug,
        language=playbook.language,
        name=playbook.name,
        category=playbook.category,
        goal=playbook.goal,
        anchor=playbook.anchor,
        anchor_label=playbook.anchor_label,
        status=playbook.status,
        is_builtin=playbook.is_builtin,
        current_version=playbook.current_version,
        version=playbook.version,
        owner_id=playbook.owner_id,
        translation_id=playbook.translation_id,
        reviewed_on=playbook.reviewed_on,
        review_every_months=playbook.review_every_months,
        review_due_on=service.review_due_on(playbook),
        stale=service.is_stale(playbook, today=today),
        steps_count=len(playbook.steps),
        updated_at=playbook.updated_at,
    )


def playbook_detail(playbook: Playbook, *, today: date) -> PlaybookDetail:
    content = service.content_of(playbook)
    return PlaybookDetail(
        **playbook_out(playbook, today=today).model_dump(),
        tutorial=content.tutorial,
        best_practices=content.best_practices,
        success_measures=content.success_measures,
        steps=[StepOut.model_validate(step, from_attributes=True) for step in content.steps],
        has_draft=bool(playbook.draft),
    )


def version_out(version: PlaybookVersion) -> VersionOut:
    return VersionOut(
        number=version.number,
        note=version.note,
        created_by_id=version.created_by_id,
        created_at=version.created_at,
        steps_count=len(version.snapshot.get("steps", [])),
    )


def version_detail(version: PlaybookVersion) -> VersionDetail:
    return VersionDetail(**version_out(version).model_dump(), snapshot=version.snapshot)
