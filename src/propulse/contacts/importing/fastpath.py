"""The merged fields of a row whose values are plainly valid, without building a ``ContactIn``.

``ContactIn`` stays the one gate: this only accepts a row when every value passes the same
checks the model makes (the e-mail through ``normalise_email``, lengths, maturity 1 to 5,
known codes, a stage) and gives what the model would give. On anything else it returns None
and the caller validates the row with ``ContactIn``, which says what is wrong. Measured on
100,000 rows, the model cost about half of converting a row (some 30 s per million rows).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from propulse.contacts.emails import normalise_email
from propulse.contacts.models import LifecycleStage, company_key
from propulse.workspace.schemas import country_codes, timezone_names

# The text fields of ContactIn and their max_length (see contacts/schemas.py).
MAX_LENGTHS = {
    "first_name": 100,
    "last_name": 100,
    "phone": 40,
    "job_title": 200,
    "company": 200,
    "sector": 80,
    "company_size": 20,
    "owner_email": 320,
    "source": 80,
}
MATURITY = {"1": 1, "2": 2, "3": 3, "4": 4, "5": 5}
STAGES = frozenset(stage.value for stage in LifecycleStage)
CHECKED = frozenset(
    {"email", "maturity", "country", "language", "timezone", "lifecycle_stage", "custom"}
)


class FastFields:
    """Check rows against ContactIn's rules with a few comparisons each."""

    def __init__(self) -> None:
        self.countries = country_codes()
        self.timezones = timezone_names()

    def fields(
        self, data: Mapping[str, Any], owner_id: int | None
    ) -> tuple[str, dict[str, Any]] | None:
        """Return (e-mail, merged fields) of a row's values, or None to ask ``ContactIn``.

        ``data`` holds trimmed, non-empty texts (and the converted codes), as ``RowConverter``
        builds it; the company comes back as its name key.
        """
        for name, value in data.items():
            limit = MAX_LENGTHS.get(name)
            if limit is None:
                if name not in CHECKED:
                    return None  # not a field of ContactIn: the model refuses it
            elif len(value) > limit:
                return None
        email = normalise_email(data["email"])
        if email is None:
            return None
        maturity = data.get("maturity")
        if maturity is not None:
            maturity = MATURITY.get(maturity)
            if maturity is None:
                return None
        country = data.get("country")
        if country is not None and country not in self.countries:
            return None
        language = data.get("language")
        if language is not None and not (
            len(language) == 2 and language.isalpha() and language == language.lower()
        ):
            return None
        timezone = data.get("timezone")
        if timezone is not None and timezone not in self.timezones:
            return None
        stage = data.get("lifecycle_stage")
        if stage is not None and stage not in STAGES:
            return None
        company = data.get("company")
        return email, {
            "first_name": data.get("first_name"),
            "last_name": data.get("last_name"),
            "phone": data.get("phone"),
            "job_title": data.get("job_title"),
            "company": company_key(company) if company else None,
            "sector": data.get("sector"),
            "company_size": data.get("company_size"),
            "maturity": maturity,
            "country": country,
            "language": language,
            "timezone": timezone,
            "lifecycle_stage": stage,
            "owner_id": owner_id,
            "source": data.get("source"),
            "custom": data["custom"],
        }
