"""Validated input and output of contacts, companies, consent and events.

``ContactIn`` is the one gate every contact passes (form, API, batch, import): an import row
that fails it is rejected with the field's message, never half-written.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, SkipValidation

from propulse.contacts.emails import normalise_email
from propulse.contacts.models import ConsentBasis, FieldKind, LifecycleStage
from propulse.kit.i18n import gettext as _
from propulse.workspace.schemas import country_codes, timezone_names

EVENT_TYPE_PATTERN = r"^[a-z][a-z0-9_]{1,39}$"


def _blank_to_none(value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def _email(value: str) -> str:
    normalised = normalise_email(value)
    if normalised is None:
        raise ValueError(_("%(value)s is not a valid e-mail address.", value=value))
    return normalised


def _country(value: str | None) -> str | None:
    if value is None:
        return None
    code = value.upper()
    if code not in country_codes():
        raise ValueError(
            _("%(value)s is not an ISO 3166 country code (e.g. FR, DE, GB).", value=value)
        )
    return code


def _language(value: str | None) -> str | None:
    if value is None:
        return None
    code = value.lower().replace("_", "-").split("-")[0]
    if len(code) != 2 or not code.isalpha():
        raise ValueError(_("%(value)s is not a language code (e.g. fr, en, de).", value=value))
    return code


def _timezone(value: str | None) -> str | None:
    if value is not None and value not in timezone_names():
        raise ValueError(_("%(value)s is not a time zone (e.g. Europe/Paris).", value=value))
    return value


def _maturity(value: Any) -> Any:
    value = _blank_to_none(value)
    if isinstance(value, str) and value.replace(".0", "").isdigit():
        return int(value.replace(".0", ""))
    return value


def _lifecycle(value: Any) -> Any:
    value = _blank_to_none(value)
    return value.lower().replace(" ", "") if isinstance(value, str) else value


OptionalText = Annotated[str | None, BeforeValidator(_blank_to_none)]
Text20 = Annotated[Annotated[str, Field(max_length=20)] | None, BeforeValidator(_blank_to_none)]
Text40 = Annotated[Annotated[str, Field(max_length=40)] | None, BeforeValidator(_blank_to_none)]
Text45 = Annotated[Annotated[str, Field(max_length=45)] | None, BeforeValidator(_blank_to_none)]
Text80 = Annotated[Annotated[str, Field(max_length=80)] | None, BeforeValidator(_blank_to_none)]
Text100 = Annotated[Annotated[str, Field(max_length=100)] | None, BeforeValidator(_blank_to_none)]
Text200 = Annotated[Annotated[str, Field(max_length=200)] | None, BeforeValidator(_blank_to_none)]
Text320 = Annotated[Annotated[str, Field(max_length=320)] | None, BeforeValidator(_blank_to_none)]
Email = Annotated[str, BeforeValidator(lambda v: v.strip() if isinstance(v, str) else v)]
# Trimmed text where a blank is "missing" ("This field is required."), not a null.
Required = BeforeValidator(lambda v: v.strip() if isinstance(v, str) else v)


class ContactIn(BaseModel):
    """A contact as given by a form, the API or an import row; the e-mail is its key."""

    model_config = ConfigDict(extra="forbid")

    email: Annotated[Email, AfterValidator(_email)]
    first_name: Text100 = None
    last_name: Text100 = None
    phone: Text40 = None
    job_title: Text200 = None
    company: Text200 = None
    sector: Text80 = None
    company_size: Text20 = None
    maturity: Annotated[Annotated[int, Field(ge=1, le=5)] | None, BeforeValidator(_maturity)] = None
    country: Annotated[OptionalText, AfterValidator(_country)] = None
    language: Annotated[OptionalText, AfterValidator(_language)] = None
    timezone: Annotated[OptionalText, AfterValidator(_timezone)] = None
    lifecycle_stage: Annotated[LifecycleStage | None, BeforeValidator(_lifecycle)] = None
    owner_email: Text320 = None
    source: Text80 = None
    # Custom field values by key; checked against the definitions by the service.
    custom: dict[str, Any] = Field(default_factory=dict)


class ContactPatch(BaseModel):
    """An edit of a contact: only the fields sent change; ``version`` refuses a stale edit."""

    model_config = ConfigDict(extra="forbid")

    first_name: Text100 = None
    last_name: Text100 = None
    phone: Text40 = None
    job_title: Text200 = None
    company: Text200 = None
    sector: Text80 = None
    company_size: Text20 = None
    maturity: Annotated[Annotated[int, Field(ge=1, le=5)] | None, BeforeValidator(_maturity)] = None
    country: Annotated[OptionalText, AfterValidator(_country)] = None
    language: Annotated[OptionalText, AfterValidator(_language)] = None
    timezone: Annotated[OptionalText, AfterValidator(_timezone)] = None
    lifecycle_stage: Annotated[LifecycleStage | None, BeforeValidator(_lifecycle)] = None
    owner_id: int | None = None
    source: Text80 = None
    custom: dict[str, Any] | None = None
    version: int | None = None


class CompanyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, BeforeValidator(_blank_to_none), Field(min_length=1, max_length=200)]
    domain: Text200 = None
    sector: Text80 = None
    size: Text20 = None
    country: Annotated[OptionalText, AfterValidator(_country)] = None


class CompanyPatch(BaseModel):
    """An edit of a company: only the fields sent change; ``version`` refuses a stale edit."""

    model_config = ConfigDict(extra="forbid")

    name: Annotated[
        str | None, BeforeValidator(_blank_to_none), Field(min_length=1, max_length=200)
    ] = None
    domain: Text200 = None
    sector: Text80 = None
    size: Text20 = None
    country: Annotated[OptionalText, AfterValidator(_country)] = None
    version: int | None = None


class CompanyOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    domain: str | None
    sector: str | None
    size: str | None
    country: str | None
    version: int


class ContactOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    email: str
    first_name: str
    last_name: str
    phone: str | None
    job_title: str | None
    company_id: int | None
    sector: str | None
    company_size: str | None
    maturity: int | None
    country: str | None
    language: str | None
    timezone: str | None
    lifecycle_stage: str
    owner_id: int | None
    source: str | None
    custom: dict[str, Any]
    email_consent: str | None
    do_not_contact: bool
    do_not_contact_reason: str | None
    score: int
    fit_score: int
    engagement_score: int
    grade: str | None
    mql_at: datetime | None
    last_activity_at: datetime | None
    created_at: datetime
    updated_at: datetime
    version: int


class ConsentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    channel: Annotated[str, Field(pattern=r"^[a-z_]{2,20}$")] = "email"
    basis: ConsentBasis
    source: Annotated[str, Field(max_length=200)] = ""
    wording_version: Text40 = None
    ip_address: Text45 = None
    recorded_at: datetime | None = None


class ConsentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    channel: str
    basis: str
    source: str
    wording_version: str | None
    ip_address: str | None
    recorded_at: datetime


class EventIn(BaseModel):
    """One activity event; ``id`` (yours) makes sending it twice harmless."""

    model_config = ConfigDict(extra="forbid")

    id: Annotated[str | None, Field(min_length=1, max_length=120)] = None
    email: Annotated[Email, AfterValidator(_email)]
    type: Annotated[str, Field(pattern=EVENT_TYPE_PATTERN)]
    occurred_at: datetime | None = None
    properties: dict[str, Any] = Field(default_factory=dict)


class EventOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    contact_id: int
    type: str
    occurred_at: datetime
    external_id: str | None
    properties: dict[str, Any] | None


class CustomFieldIn(BaseModel):
    """A custom field definition; ``choices`` are required for a choice field."""

    model_config = ConfigDict(extra="forbid")

    key: Annotated[str, Required, Field(min_length=1, max_length=40)]
    label: Annotated[str, Required, Field(min_length=1, max_length=100)]
    kind: FieldKind = FieldKind.text
    choices: list[Annotated[str, Field(min_length=1, max_length=100)]] = Field(default_factory=list)
    position: int = 0


class CustomFieldPatch(BaseModel):
    """An edit of a custom field: its label, choices and position (key and kind stay)."""

    model_config = ConfigDict(extra="forbid")

    label: Annotated[str, Required, Field(min_length=1, max_length=100)] | None = None
    choices: list[Annotated[str, Field(min_length=1, max_length=100)]] | None = None
    position: int | None = None


class CustomFieldOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    key: str
    label: str
    kind: str
    choices: list[str]
    position: int


MAX_BATCH = 1000


class ContactBatchIn(BaseModel):
    """Up to 1,000 contacts to create or update by e-mail; each item is checked on its own."""

    # Items are validated one by one by the endpoint, so one bad item never sinks the batch.
    items: Annotated[list[SkipValidation[ContactIn]], Field(max_length=MAX_BATCH)]


class ProblemOut(BaseModel):
    field: str
    message: str


class RejectedItemOut(BaseModel):
    index: int
    errors: list[ProblemOut]


class ContactBatchOut(BaseModel):
    """What a batch did; ``ids[i]`` is the contact of item ``i`` (null when it was rejected)."""

    created: int
    updated: int
    unchanged: int
    rejected: list[RejectedItemOut]
    ids: list[int | None]


class EventBatchIn(BaseModel):
    """Up to 1,000 events; each is checked on its own, and an ``id`` already seen is skipped."""

    items: Annotated[list[SkipValidation[EventIn]], Field(max_length=MAX_BATCH)]


class RejectedEventOut(BaseModel):
    index: int
    reason: str


class EventBatchOut(BaseModel):
    accepted: int
    duplicates: int
    rejected: list[RejectedEventOut]


class DoNotContactIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Annotated[str, Required, Field(min_length=1, max_length=500)]
