"""Validated input and output of sign-up forms and their submissions."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

from propulse.kit.i18n import SUPPORTED_LANGUAGES
from propulse.kit.i18n import gettext as _

SLUG_PATTERN = r"^[a-z0-9](?:[a-z0-9-]{0,78}[a-z0-9])?$"
# /f/confirm/{token} lives beside /f/{slug}: a form may not take the name of that page.
RESERVED_SLUGS = frozenset({"confirm"})


def _stripped(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def _blank_to_none(value: Any) -> Any:
    value = _stripped(value)
    return value or None


def _language(value: str) -> str:
    code = value.lower()
    if code not in SUPPORTED_LANGUAGES:
        raise ValueError(
            _("Choose a language among: %(codes)s.", codes=", ".join(SUPPORTED_LANGUAGES))
        )
    return code


def _slug(value: str) -> str:
    if not re.match(SLUG_PATTERN, value):
        raise ValueError(
            _(
                "Use lowercase letters, digits and hyphens, starting and ending with a letter "
                "or a digit (e.g. ebook-cold-chain)."
            )
        )
    if value in RESERVED_SLUGS:
        raise ValueError(_("%(slug)s is reserved: choose another address.", slug=value))
    return value


def _web_address(value: str | None) -> str | None:
    if value is not None and not value.lower().startswith(("https://", "http://")):
        raise ValueError(_("Enter a web address starting with https://."))
    if value is not None and any(character.isspace() for character in value):
        raise ValueError(_("A web address has no spaces."))
    return value


Name = Annotated[str, Field(min_length=1, max_length=120), BeforeValidator(_stripped)]
Slug = Annotated[
    str,
    Field(min_length=1, max_length=80),
    BeforeValidator(lambda v: v.strip().lower() if isinstance(v, str) else v),
    AfterValidator(_slug),
]
Language = Annotated[str, BeforeValidator(_stripped), AfterValidator(_language)]
Title = Annotated[str, Field(min_length=1, max_length=200), BeforeValidator(_stripped)]
LongText = Annotated[str, Field(max_length=5000), BeforeValidator(_stripped)]
Wording = Annotated[str, Field(min_length=1, max_length=2000), BeforeValidator(_stripped)]
WordingVersion = Annotated[str, Field(min_length=1, max_length=40), BeforeValidator(_stripped)]
DownloadUrl = Annotated[
    Annotated[str, Field(max_length=500)] | None,
    BeforeValidator(_blank_to_none),
    AfterValidator(_web_address),
]


class FieldSpec(BaseModel):
    """A field the form asks besides the e-mail: a contact field or a custom field key."""

    model_config = ConfigDict(extra="forbid")

    key: Annotated[str, Field(min_length=1, max_length=40), BeforeValidator(_stripped)]
    label: Annotated[str, Field(max_length=120), BeforeValidator(_stripped)] = ""
    required: bool = False


class FormIn(BaseModel):
    """A sign-up form as written on its page or sent to the API."""

    model_config = ConfigDict(extra="forbid")

    name: Name
    slug: Slug
    language: Language = "en"
    title: Title
    introduction: LongText = ""
    fields: list[FieldSpec] = Field(default_factory=list, max_length=20)
    consent_wording: Wording
    wording_version: WordingVersion = "1"
    double_opt_in: bool = True
    thank_you_message: LongText = ""
    download_url: DownloadUrl = None
    active: bool = True
    # The version read before editing: an older one is refused (409).
    version: int | None = None


class FormOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    slug: str
    language: str
    title: str
    introduction: str
    fields: list[FieldSpec]
    consent_wording: str
    wording_version: str
    double_opt_in: bool
    thank_you_message: str
    download_url: str | None
    active: bool
    hosted_url: str = ""
    created_at: datetime
    updated_at: datetime
    version: int


class SubmissionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    form_id: int
    email: str
    data: dict[str, Any]
    submitted_at: datetime
    confirmed_at: datetime | None
    contact_id: int | None
    status: str = ""
