"""Validated input and output of e-mail templates."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from propulse.email_templates.models import BodyFormat


def _stripped(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def _language(value: Any) -> Any:
    return value.strip().lower() if isinstance(value, str) else value


Name = Annotated[str, BeforeValidator(_stripped), Field(min_length=1, max_length=120)]
Description = Annotated[str, BeforeValidator(_stripped), Field(max_length=2000)]
Language = Annotated[str, BeforeValidator(_language), Field(min_length=2, max_length=8)]


class VariantIn(BaseModel):
    """One language of a template: a one-line subject, a preheader and a body."""

    model_config = ConfigDict(extra="forbid")

    language: Language = "en"
    subject: Annotated[str, BeforeValidator(_stripped), Field(min_length=1, max_length=300)]
    preheader: Annotated[str, BeforeValidator(_stripped), Field(max_length=300)] = ""
    body_format: BodyFormat = BodyFormat.markdown
    body: Annotated[str, Field(max_length=200_000)] = ""


class TemplateIn(BaseModel):
    """A template with a variant per language; ``version`` refuses a stale edit (409)."""

    model_config = ConfigDict(extra="forbid")

    name: Name
    description: Description = ""
    default_language: Language = "en"
    variants: list[VariantIn] = Field(min_length=1, max_length=10)
    version: int | None = None


class VariantOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    language: str
    subject: str
    preheader: str
    body_format: str
    body: str
    updated_at: datetime


class TemplateOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    description: str
    default_language: str
    variants: list[VariantOut]
    created_at: datetime
    updated_at: datetime
    version: int


class PreviewIn(BaseModel):
    """Render a saved template for a contact (by e-mail) or for a made-up sample contact."""

    model_config = ConfigDict(extra="forbid")

    contact_email: str | None = None
    language: str | None = None


class RenderedOut(BaseModel):
    language: str
    subject: str
    preheader: str
    html_body: str
    text_body: str
