"""Realistic sample contacts: French and European B2B companies, their people, a year of activity.

Pure and deterministic: the same seed and day give the same rows. ``generate`` streams plain
dicts and tuples in batches (no ORM), so the demo, the benchmarks and the tests load them the
way they like, a million contacts and ten million events included, in bounded memory.
Addresses live under the reserved ``.example`` top-level domain: nothing here can reach a real
inbox, and phone numbers of the UK use Ofcom's range for fiction.
"""

from __future__ import annotations

import bisect
import itertools
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, TypeVar

from propulse.contacts import sample_vocabulary as words
from propulse.contacts.sample_companies import CompanyNames, slug
from propulse.contacts.sample_events import ACTIVITY_TYPES, DAY, EventRow, Year, contact_events

__all__ = [
    "ACTIVITY_TYPES",
    "CONTACT_IN_FIELDS",
    "CUSTOM_FIELDS",
    "EventRow",
    "SampleBatch",
    "contact_input",
    "generate",
    "slug",
]

T = TypeVar("T")

# (key, label, kind, choices): the custom fields the sample fills, defined by the demo and benches.
CUSTOM_FIELDS: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    ("crm_id", "CRM id", "text", ()),
    ("budget_eur", "Budget (EUR)", "number", ()),
    ("renewal_date", "Renewal date", "date", ()),
    ("tier", "Account tier", "choice", ("Strategic", "Key", "Standard")),
)
# The keys of a contact row that ContactIn accepts (an import row, an API payload).
CONTACT_IN_FIELDS = (
    "email", "first_name", "last_name", "phone", "job_title", "company", "sector",
    "company_size", "maturity", "country", "language", "timezone", "lifecycle_stage",
    "source", "custom",
)  # fmt: skip

# Stage and recency push engagement up; this brings the average back to events_per_contact.
_CREATED_IN_YEAR = 0.35
_MEAN_STAGE = sum(weight * words.STAGE_ACTIVITY[stage] for stage, weight in words.LIFECYCLE) / sum(
    weight for _stage, weight in words.LIFECYCLE
)
_NORMALISE = 1.0 / (_MEAN_STAGE * (1 - _CREATED_IN_YEAR / 2))
_SIGMA = 0.9  # spread of engagement: a lognormal with mean 1
_CONTACTS_PER_COMPANY = {
    "1-10": (1, 2), "11-50": (1, 4), "51-200": (2, 7), "201-500": (3, 12),
    "501-1000": (4, 18), "1000+": (6, 30),
}  # fmt: skip
_WEBMAIL_SHARE = 0.2  # of groups: about 4 % of contacts write from a personal address


@dataclass
class SampleBatch:
    """A slice of the sample: companies first (contacts point to them), then the rest."""

    companies: list[dict[str, Any]] = field(default_factory=list)
    contacts: list[dict[str, Any]] = field(default_factory=list)
    consents: list[dict[str, Any]] = field(default_factory=list)
    events: list[EventRow] = field(default_factory=list)


class _Weighted:
    """Draw among weighted choices with one random number."""

    def __init__(self, pairs: Sequence[tuple[T, float]]) -> None:
        self.items = [item for item, _weight in pairs]
        self.cumulative = list(itertools.accumulate(weight for _item, weight in pairs))

    def __call__(self, rng: random.Random) -> Any:
        return self.items[bisect.bisect(self.cumulative, rng.random() * self.cumulative[-1])]


def _phone_format(pattern: str) -> tuple[str, int]:
    return pattern.replace("{", "{{").replace("#", "{}"), pattern.count("#")


@dataclass(frozen=True)
class _Place:
    country: words.Country
    language: str
    first_male: tuple[str, ...]
    first_female: tuple[str, ...]
    last: tuple[str, ...]
    phones: tuple[tuple[str, int], ...]


class _Generator:
    """The state of one generation: random source, names already used, running ids."""

    def __init__(self, seed: int, today: date, first_company_id: int, first_contact_id: int):
        self.rng = random.Random(seed)
        self.today = today
        self.year = Year(today)
        self.company_id = first_company_id - 1
        self.contact_id = first_contact_id - 1
        self.company_names = CompanyNames(self.rng)
        self.countries = _Weighted([(country, country.weight) for country in words.COUNTRIES])
        self.languages = {
            c.code: _Weighted([(lang, weight) for lang, weight in c.languages])
            for c in words.COUNTRIES
        }
        self.sectors = _Weighted(words.SECTORS)
        self.sizes = _Weighted(words.SIZES)
        self.stages = _Weighted(words.LIFECYCLE)
        self.sources = _Weighted(words.SOURCES)
        self.titles_fr = _Weighted(words.TITLES_FR)
        self.titles_en = _Weighted(words.TITLES_EN)
        self.places: dict[tuple[str, str], _Place] = {}
        self.slugs: dict[str, str] = {}

    def place(self, country: words.Country, language: str) -> _Place:
        """Return the names and phone formats of people of a country speaking a language."""
        key = (country.code, language)
        if key not in self.places:
            names = words.PEOPLE.get(f"{country.code}-{language}") or words.PEOPLE[country.code]
            male, female, last = names
            phones = tuple(_phone_format(pattern) for pattern in country.phones)
            self.places[key] = _Place(country, language, male, female, last, phones)
        return self.places[key]

    def pick(self, items: Sequence[T]) -> T:
        return items[int(self.rng.random() * len(items))]

    def slug(self, text: str) -> str:
        cached = self.slugs.get(text)
        if cached is None:
            cached = self.slugs[text] = slug(text)
        return cached

    # Companies -------------------------------------------------------------------------

    def company(self, batch: SampleBatch, place: _Place, created: float) -> dict[str, Any]:
        """Invent a company with a name and domain no other company of the sample has."""
        sector = self.sectors(self.rng)
        name, label = self.company_names.invent(place.country, place.language, place.last, sector)
        self.company_id += 1
        if len(label) > 60:
            label = f"{label[:50]}{self.company_id}"
        size = self.sizes(self.rng)
        if sector in ("Public sector", "Education", "Healthcare") and self.rng.random() < 0.5:
            size = self.pick(("201-500", "501-1000", "1000+"))
        row = {
            "id": self.company_id,
            "name": name,
            "domain": f"{label}.{place.country.code.lower()}.example",
            "sector": sector,
            "size": size,
            "country": place.country.code,
            "created_at": self.year.moment(created),
        }
        batch.companies.append(row)
        return row

    # Contacts --------------------------------------------------------------------------

    def contact(
        self,
        batch: SampleBatch,
        *,
        place: _Place,
        company: dict[str, Any] | None,
        maturity: int | None,
        used: set[str],
        expected_events: float,
    ) -> None:
        """Invent one person, their consent records and their year of activity."""
        rng = self.rng
        self.contact_id += 1
        contact_id = self.contact_id
        female = rng.random() < 0.5
        first = self.pick(place.first_female if female else place.first_male)
        last = self.pick(place.last)
        if female and place.country.code == "PL" and last.endswith("ki"):
            last = last[:-1] + "a"
        stage = self.stages(rng)
        if company is None:
            domain = f"mail.{place.country.code.lower()}.example"
            local = f"{self.slug(first)}.{self.slug(last)}{contact_id}"
        else:
            domain = company["domain"]
            local = self.local_part(self.slug(first), self.slug(last), used)
        if place.language == "fr":
            title = self.titles_fr(rng)[1 if female else 0]
        else:
            title = self.titles_en(rng)
        source = self.sources(rng)
        created = self.year.start - rng.random() * 2 * 365 * DAY
        if rng.random() < _CREATED_IN_YEAR:
            created = self.year.start + rng.random() * (self.year.end - self.year.start - DAY)
        engagement = rng.lognormvariate(-_SIGMA * _SIGMA / 2, _SIGMA)
        engagement *= words.STAGE_ACTIVITY[stage]
        latest = contact_events(
            rng,
            self.year,
            contact_id=contact_id,
            expected=expected_events * engagement * _NORMALISE,
            engagement=engagement,
            stage=stage,
            sector=company["sector"] if company else None,
            since=created,
            out=batch.events,
        )
        consent = self.consents(batch, contact_id, created, source)
        do_not_contact = rng.random() < 0.006
        phone = None
        if rng.random() < 0.7:
            pattern, digits = self.pick(place.phones)
            phone = pattern.format(*f"{rng.randrange(10**digits):0{digits}d}")
        batch.contacts.append(
            {
                "id": contact_id,
                "email": f"{local}@{domain}",
                "first_name": first,
                "last_name": last,
                "phone": phone,
                "job_title": title,
                "company_id": company["id"] if company else None,
                "company": company["name"] if company else None,
                "sector": company["sector"] if company else None,
                "company_size": company["size"] if company else None,
                "maturity": maturity,
                "country": place.country.code,
                "language": place.language,
                "timezone": place.country.timezone,
                "lifecycle_stage": stage,
                "source": source,
                "custom": self.custom(contact_id, stage, company),
                "email_consent": consent,
                "do_not_contact": do_not_contact,
                "do_not_contact_reason": (
                    self.pick(words.DO_NOT_CONTACT_REASONS) if do_not_contact else None
                ),
                "created_at": self.year.moment(created),
                "last_activity_at": self.year.moment(latest) if latest else None,
            }
        )

    def local_part(self, first: str, last: str, used: set[str]) -> str:
        """Return the usual first.last, or the company's other habits; unique in the company."""
        roll = self.rng.random()
        if roll < 0.72:
            preferred = f"{first}.{last}"
        elif roll < 0.86:
            preferred = f"{first[:1]}.{last}"
        elif roll < 0.92:
            preferred = f"{first}{last}"
        elif roll < 0.97:
            preferred = f"{first[:1]}{last}"
        else:
            preferred = f"{last}.{first}"
        for candidate in itertools.chain(
            (preferred, f"{first}.{last}", f"{first[:1]}.{last}", f"{first}-{last}"),
            (f"{first}.{last}{n}" for n in itertools.count(2)),
        ):
            if candidate not in used:
                used.add(candidate)
                return candidate
        raise AssertionError("unreachable")  # pragma: no cover

    def consents(
        self, batch: SampleBatch, contact_id: int, created: float, source: str
    ) -> str | None:
        """Record how the contact agreed to e-mails (a few withdraw later); return the basis."""
        rng = self.rng
        roll = rng.random()
        if roll < 0.05:
            return None
        basis = "opt_in" if roll < 0.63 else "legitimate_interest"
        ip = None
        if basis == "opt_in":
            network = self.pick(("192.0.2", "198.51.100", "203.0.113"))  # documentation ranges
            ip = f"{network}.{1 + int(rng.random() * 254)}"
        batch.consents.append(
            {
                "contact_id": contact_id,
                "channel": "email",
                "basis": basis,
                "source": words.CONSENT_SOURCES[source],
                "wording_version": "2025-01" if basis == "opt_in" else None,
                "ip_address": ip,
                "recorded_at": self.year.moment(created),
            }
        )
        if rng.random() < 0.045:
            withdrawn = max(created, self.year.start) + rng.random() * DAY * 60
            batch.consents.append(
                {
                    "contact_id": contact_id,
                    "channel": "email",
                    "basis": "withdrawn",
                    "source": "Unsubscribe link",
                    "wording_version": None,
                    "ip_address": None,
                    "recorded_at": self.year.moment(min(withdrawn, self.year.end - DAY)),
                }
            )
            return "withdrawn"
        return basis

    def custom(self, contact_id: int, stage: str, company: dict[str, Any] | None) -> dict[str, Any]:
        """Fill the custom fields the way a CRM sync leaves them: often, not always."""
        rng = self.rng
        values: dict[str, Any] = {}
        if rng.random() < 0.55:
            values["crm_id"] = f"SF-{contact_id:07d}"
        if stage not in ("subscriber", "lead") and rng.random() < 0.7:
            values["budget_eur"] = float(5000 * (1 + int(rng.random() * 40)))
        if stage == "customer":
            renewal = self.today + timedelta(days=15 + int(rng.random() * 350))
            values["renewal_date"] = renewal.isoformat()
        if company is not None and rng.random() < 0.6:
            big = company["size"] in ("501-1000", "1000+")
            values["tier"] = self.pick(
                ("Strategic", "Key") if big else ("Key", "Standard", "Standard")
            )
        return values

    def maturity(self, size: str | None) -> int:
        """Marketing maturity 1-5: larger companies tend to be further along."""
        level = 1 + min(4, int(self.rng.random() * 3.2 + self.rng.random() * 1.8))
        if size in ("501-1000", "1000+") and level < 5 and self.rng.random() < 0.4:
            level += 1
        return level


def generate(
    scale_contacts: int,
    events_per_contact: float,
    seed: int,
    today: date,
    *,
    batch_size: int = 5000,
    first_company_id: int = 1,
    first_contact_id: int = 1,
) -> Iterator[SampleBatch]:
    """Yield ``scale_contacts`` contacts with their companies, consents and events, in batches.

    Ids are given from ``first_company_id`` / ``first_contact_id`` on, so rows can be inserted
    as they are; events fall in the 365 days before ``today`` (midnight UTC excluded).
    """
    state = _Generator(seed, today, first_company_id, first_contact_id)
    rng = state.rng
    batch = SampleBatch()
    produced = 0
    while produced < scale_contacts:
        if rng.random() < _WEBMAIL_SHARE:
            country = state.countries(rng)
            place = state.place(country, state.languages[country.code](rng))
            state.contact(
                batch,
                place=place,
                company=None,
                maturity=None if rng.random() < 0.5 else state.maturity(None),
                used=set(),
                expected_events=events_per_contact,
            )
            produced += 1
        else:
            created = state.year.start - rng.random() * 2 * 365 * DAY
            country = state.countries(rng)
            place = state.place(country, state.languages[country.code](rng))
            company = state.company(batch, place, created)
            low, high = _CONTACTS_PER_COMPANY[company["size"]]
            people = min(low + int(rng.random() * (high - low + 1)), scale_contacts - produced)
            maturity = state.maturity(company["size"])
            used: set[str] = set()
            for _ in range(people):
                state.contact(
                    batch,
                    place=place,
                    company=company,
                    maturity=maturity,
                    used=used,
                    expected_events=events_per_contact,
                )
            produced += people
        if len(batch.contacts) >= batch_size:
            yield batch
            batch = SampleBatch()
    if batch.contacts or batch.companies:
        yield batch


def contact_input(row: dict[str, Any]) -> dict[str, Any]:
    """Return the part of a sample contact that ContactIn validates (an import row)."""
    return {key: row[key] for key in CONTACT_IN_FIELDS}
