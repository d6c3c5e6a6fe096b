"""Company names of the sample: plausible for their country and sector, and never twice the same.

Names are unique once stripped of case, accents, spaces and legal form, so that no rule of
matching companies by name (contacts.models.company_key) can merge two sample companies.
"""

from __future__ import annotations

import itertools
import random
import re
import unicodedata
from collections.abc import Sequence
from typing import TypeVar

from propulse.contacts import sample_vocabulary as words
from propulse.contacts.sample_vocabulary import Country

T = TypeVar("T")

_TRANSLITERATION = str.maketrans(
    {"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "ł": "l", "ø": "o", "æ": "ae", "å": "aa"}
)
_WORDS = re.compile(r"[\s'&/.-]+")


def slug(text: str) -> str:
    """Return ascii lowercase letters and digits of a name: "Müller" -> "mueller"."""
    lowered = text.lower().translate(_TRANSLITERATION)
    plain = unicodedata.normalize("NFKD", lowered).encode("ascii", "ignore").decode("ascii")
    return "".join(char for char in plain if char.isalnum())


class CompanyNames:
    """Invent company names with the sample's random source, remembering those given."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.keys: set[str] = set()

    def choose(self, items: Sequence[T]) -> T:
        return items[int(self.rng.random() * len(items))]

    def invent(
        self, country: Country, language: str, last_names: Sequence[str], sector: str
    ) -> tuple[str, str]:
        """Return a plausible name for the place and sector, unique in the sample, and its label.

        The label (``alpea-logistique``) names the company's domain; names are unique without
        their legal form and case or accents, so no normalisation of names can merge two.
        """
        rng = self.rng
        templates = words.SECTOR_NAMES.get((language, sector), ())
        by_sector = words.ACTIVITY_WORDS[language]
        activities = by_sector.get(sector, ()) * 3 + by_sector["*"]
        for attempt in itertools.count():
            brand = (
                self.choose(words.BRAND_STARTS)
                + self.choose(words.BRAND_MIDDLES)
                + self.choose(words.BRAND_ENDS)
            )
            values = {
                "brand": brand,
                "city": self.choose(country.cities),
                "region": self.choose(country.regions),
                "last": self.choose(last_names),
            }
            roll = rng.random()
            if templates and roll < 0.6:
                name = self.choose(templates).format(**values)
            elif roll < 0.35:
                name = f"{brand} {self.choose(activities)}"
            elif roll < 0.55:
                name = brand
            elif roll < 0.7:
                name = f"{values['last']} {self.choose(activities)}"
            elif roll < 0.8:
                name = f"{self.choose(activities)} {values['region']}"
            elif roll < 0.9:
                name = f"{values['last']}-{self.choose(last_names)}"
            else:
                name = f"{brand} {values['city']}"
            if attempt >= 8:
                name = f"{name} {attempt}"
            key = slug(name)
            if key not in self.keys:
                self.keys.add(key)
                label = "-".join(filter(None, (slug(word) for word in _WORDS.split(name))))
                if rng.random() < 0.3 and sector not in ("Public sector", "Education"):
                    name = f"{name} {self.choose(country.legal_forms)}"
                return name, label
        raise AssertionError("unreachable")  # pragma: no cover
