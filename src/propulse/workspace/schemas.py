"""Validated input and output of the workspace: shared by the web forms, the API and the CLI."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from typing import Annotated
from zoneinfo import available_timezones

from babel import Locale
from pydantic import AfterValidator, BaseModel, ConfigDict, EmailStr, Field

from propulse.kit.i18n import SUPPORTED_LANGUAGES
from propulse.kit.i18n import gettext as _
from propulse.workspace.models import Role


@lru_cache
def country_codes() -> frozenset[str]:
    """Return the ISO 3166-1 alpha-2 codes Babel knows (not its private-use groupings)."""
    not_countries = {"ZZ", "QO", "EU", "EZ", "UN", "XA", "XB"}
    codes = (str(code) for code in Locale("en").territories)
    return frozenset(
        code for code in codes if len(code) == 2 and code.isalpha() and code not in not_countries
    )


@lru_cache
def timezone_names() -> frozenset[str]:
    return frozenset(available_timezones())


def _country(value: str | None) -> str | None:
    if value is None or value == "":
        return None
    code = value.strip().upper()
    if code not in country_codes():
        raise ValueError(
            _("%(value)s is not an ISO 3166 country code (e.g. FR, DE, GB).", value=value)
        )
    return code


def _required_country(value: str) -> str:
    code = _country(value)
    if code is None:
        raise ValueError(_("A country code is required."))
    return code


def _timezone(value: str) -> str:
    if value not in timezone_names():
        raise ValueError(_("%(value)s is not a time zone (e.g. Europe/Paris).", value=value))
    return value


def _ui_language(value: str | None) -> str | None:
    if value in (None, ""):
        return None
    if value not in SUPPORTED_LANGUAGES:
        raise ValueError(_("The interface exists in English (en) and French (fr)."))
    return value


def _languages(values: list[str]) -> list[str]:
    cleaned: list[str] = []
    for value in values:
        code = value.strip().lower()
        if not code:
            continue
        if len(code) != 2 or not code.isalpha():
            raise ValueError(
                _("%(value)s is not a two-letter language code (e.g. fr, en).", value=value)
            )
        if code not in cleaned:
            cleaned.append(code)
    return cleaned


Country = Annotated[str | None, AfterValidator(_country)]
RequiredCountry = Annotated[str, AfterValidator(_required_country)]
TimeZone = Annotated[str, AfterValidator(_timezone)]
UiLanguage = Annotated[str | None, AfterValidator(_ui_language)]
Languages = Annotated[list[str], AfterValidator(_languages)]
Name = Annotated[str, Field(min_length=1, max_length=200)]


class WorkspaceUpdate(BaseModel):
    name: Name
    country: RequiredCountry
    language: Annotated[str, AfterValidator(lambda v: _ui_language(v) or "en")]
    timezone: TimeZone
    version: int | None = None


class WorkspaceOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    country: str
    language: str
    timezone: str
    version: int


class UserCreate(BaseModel):
    email: EmailStr
    name: Name
    role: Role = Role.member
    country: Country = None
    languages: Languages = Field(default_factory=list)
    ui_language: UiLanguage = None
    weekly_capacity_hours: float = Field(default=35.0, ge=0, le=80)
    manager_id: int | None = None


class UserUpdate(BaseModel):
    name: Name
    role: Role
    country: Country = None
    languages: Languages = Field(default_factory=list)
    ui_language: UiLanguage = None
    weekly_capacity_hours: float = Field(ge=0, le=80)
    manager_id: int | None = None
    is_active: bool = True
    version: int | None = None


class UserOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    email: str
    name: str
    role: Role
    country: str | None
    languages: list[str]
    ui_language: str | None
    weekly_capacity_hours: float
    manager_id: int | None
    is_active: bool
    has_password: bool
    created_at: datetime
    version: int


class TeamCreate(BaseModel):
    name: Annotated[str, Field(min_length=1, max_length=120)]
    description: Annotated[str, Field(max_length=2000)] = ""


class TeamOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    description: str
    is_marketing: bool
    member_ids: list[int]
    version: int
