"""What a condition may test: the built-in fields of contacts, their kinds, their operators.

One table shared by the parser, the SQL compiler, the Python evaluator, the sentences and the
builder, so that a field cannot mean one thing in SQL and another in Python.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from enum import StrEnum

from propulse.contacts.models import ConsentBasis, FieldKind, LifecycleStage
from propulse.kit.i18n import lazy_gettext

CUSTOM_PREFIX = "custom."
GRADES = tuple(f"{fit}{engagement}" for fit in "ABC" for engagement in "123")


class Kind(StrEnum):
    """How a field compares: what its operators and values are."""

    text = "text"
    choice = "choice"
    number = "number"
    reference = "reference"  # an id (the owner): equality only
    moment = "moment"  # a stored date and time, compared by day (UTC)
    day = "day"  # a custom date, stored as "YYYY-MM-DD"
    flag = "flag"  # true or false


EMPTINESS = ("is_empty", "is_not_empty")
OPERATORS: dict[Kind, tuple[str, ...]] = {
    Kind.text: (
        "eq",
        "ne",
        "in",
        "not_in",
        "contains",
        "not_contains",
        "starts_with",
        *EMPTINESS,
    ),
    Kind.choice: ("eq", "ne", "in", "not_in", *EMPTINESS),
    Kind.number: ("eq", "ne", "in", "not_in", "gt", "gte", "lt", "lte", "between", *EMPTINESS),
    Kind.reference: ("eq", "ne", "in", "not_in", *EMPTINESS),
    Kind.moment: (
        "eq",
        "gt",
        "gte",
        "lt",
        "lte",
        "between",
        "within_days",
        "before_days",
        *EMPTINESS,
    ),
    Kind.flag: ("eq", "ne"),
}
OPERATORS[Kind.day] = OPERATORS[Kind.moment]
ALL_OPERATORS = frozenset(op for ops in OPERATORS.values() for op in ops)
LIST_OPERATORS = frozenset({"in", "not_in"})
DAY_COUNT_OPERATORS = frozenset({"within_days", "before_days"})
TEXT_MATCH_OPERATORS = frozenset({"contains", "not_contains", "starts_with"})

# The kind a custom field's definition gives its values in conditions.
CUSTOM_KINDS = {
    FieldKind.text: Kind.text,
    FieldKind.number: Kind.number,
    FieldKind.date: Kind.day,
    FieldKind.choice: Kind.choice,
}


def _upper(value: str) -> str:
    return value.upper()


def _lower(value: str) -> str:
    return value.lower()


@dataclass(frozen=True)
class FieldSpec:
    """A built-in field: its kind, whether it can be missing, and its stored normal form.

    ``normalise`` is set for columns always stored in one case (the country in capitals...):
    equality compares the stored value with the normalised one, which lets the database use
    its indexes and means the same as a case-insensitive comparison.
    """

    name: str
    kind: Kind
    label: str
    can_be_missing: bool = True
    normalise: Callable[[str], str] | None = None
    choices: tuple[str, ...] = ()

    @property
    def operators(self) -> tuple[str, ...]:
        ops = OPERATORS[self.kind]
        return ops if self.can_be_missing else tuple(op for op in ops if op not in EMPTINESS)


BUILT_IN_FIELDS: dict[str, FieldSpec] = {
    spec.name: spec
    for spec in (
        FieldSpec(
            "email", Kind.text, lazy_gettext("E-mail"), can_be_missing=False, normalise=_lower
        ),
        FieldSpec("first_name", Kind.text, lazy_gettext("First name")),
        FieldSpec("last_name", Kind.text, lazy_gettext("Last name")),
        FieldSpec("job_title", Kind.text, lazy_gettext("Job title")),
        FieldSpec("phone", Kind.text, lazy_gettext("Phone")),
        FieldSpec("company", Kind.text, lazy_gettext("Company")),
        FieldSpec("sector", Kind.text, lazy_gettext("Sector")),
        FieldSpec("company_size", Kind.text, lazy_gettext("Company size")),
        FieldSpec("maturity", Kind.number, lazy_gettext("Maturity (1 to 5)")),
        FieldSpec("country", Kind.text, lazy_gettext("Country"), normalise=_upper),
        FieldSpec("language", Kind.text, lazy_gettext("Language"), normalise=_lower),
        FieldSpec("timezone", Kind.text, lazy_gettext("Time zone")),
        FieldSpec(
            "lifecycle_stage",
            Kind.choice,
            lazy_gettext("Lifecycle stage"),
            can_be_missing=False,
            normalise=_lower,
            choices=tuple(stage.value for stage in LifecycleStage),
        ),
        FieldSpec("owner_id", Kind.reference, lazy_gettext("Owner")),
        FieldSpec("source", Kind.text, lazy_gettext("Source")),
        FieldSpec("score", Kind.number, lazy_gettext("Score"), can_be_missing=False),
        FieldSpec("fit_score", Kind.number, lazy_gettext("Fit score"), can_be_missing=False),
        FieldSpec(
            "engagement_score", Kind.number, lazy_gettext("Engagement score"), can_be_missing=False
        ),
        FieldSpec(
            "grade", Kind.choice, lazy_gettext("Lead grade"), normalise=_upper, choices=GRADES
        ),
        FieldSpec(
            "email_consent",
            Kind.choice,
            lazy_gettext("E-mail consent"),
            normalise=_lower,
            choices=tuple(basis.value for basis in ConsentBasis),
        ),
        FieldSpec(
            "do_not_contact", Kind.flag, lazy_gettext("Do not contact"), can_be_missing=False
        ),
        FieldSpec("created_at", Kind.moment, lazy_gettext("Creation date"), can_be_missing=False),
        FieldSpec("last_activity_at", Kind.moment, lazy_gettext("Last activity")),
    )
}

# Fields whose value moves with time alone: engagement points fade as events age.
DECAYING_FIELDS = frozenset({"score", "engagement_score", "grade"})


def is_custom(name: str) -> bool:
    return name.startswith(CUSTOM_PREFIX)


def custom_key(name: str) -> str:
    return name[len(CUSTOM_PREFIX) :]


# Lowercase A-Z only, the same in Python, SQLite (whose lower() is ASCII-only) and PostgreSQL
# (translate(), whatever the database's locale): the three must agree on every contact.
ASCII_UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
ASCII_LOWER = "abcdefghijklmnopqrstuvwxyz"
_FOLD = str.maketrans(ASCII_UPPER, ASCII_LOWER)


def fold(text: str) -> str:
    """Return ``text`` with the letters A-Z in lower case, as the SQL comparisons do."""
    return text.translate(_FOLD)


def day_start(day: date) -> datetime:
    """Return the first instant of a day in UTC: conditions on dates compare whole days."""
    return datetime.combine(day, time(0), tzinfo=UTC)
