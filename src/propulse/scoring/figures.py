"""What the scoring page shows at a glance: contacts per grade, the spread of scores, MQLs."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from propulse.contacts.models import Contact
from propulse.kit.i18n import gettext as _

FIT_LETTERS = ("A", "B", "C")
ENGAGEMENT_DIGITS = ("1", "2", "3")
BUCKET_WIDTH = 10
TOP_BUCKET = 10  # 100 and more
BELOW_ZERO = -1


@dataclass
class Overview:
    contacts: int = 0
    ungraded: int = 0
    mql: int = 0
    grades: dict[str, int] = field(default_factory=dict)
    buckets: dict[int, int] = field(default_factory=dict)

    def grade_count(self, grade: str) -> int:
        return self.grades.get(grade, 0)

    def bucket_rows(self) -> list[tuple[str, int]]:
        """Return (label, contacts) from the lowest scores to the highest, gaps included."""
        if not self.buckets:
            return []
        low = min(min(self.buckets), 0)
        high = max(self.buckets)
        return [(bucket_label(b), self.buckets.get(b, 0)) for b in range(low, high + 1)]


def bucket_label(bucket: int) -> str:
    if bucket == BELOW_ZERO:
        return _("below 0")
    if bucket >= TOP_BUCKET:
        return _("%(n)s and more", n=TOP_BUCKET * BUCKET_WIDTH)
    start = bucket * BUCKET_WIDTH
    return f"{start}–{start + BUCKET_WIDTH - 1}"


def overview(session: Session) -> Overview:
    """Count contacts per grade and per band of 10 points, and the MQLs, in one pass."""
    bucket = case(
        (Contact.score < 0, BELOW_ZERO),
        (Contact.score >= TOP_BUCKET * BUCKET_WIDTH, TOP_BUCKET),
        else_=Contact.score // BUCKET_WIDTH,
    ).label("bucket")
    statement = select(Contact.grade, bucket, func.count(), func.count(Contact.mql_at)).group_by(
        Contact.grade, bucket
    )
    found = Overview()
    for grade, band, contacts, mql in session.execute(statement):
        found.contacts += contacts
        found.mql += mql
        found.buckets[int(band)] = found.buckets.get(int(band), 0) + contacts
        if grade is None:
            found.ungraded += contacts
        else:
            found.grades[grade] = found.grades.get(grade, 0) + contacts
    return found


def grade_matrix(found: Overview) -> Sequence[tuple[str, list[tuple[str, int]]]]:
    """Return rows A, B, C of (grade, contacts) for engagement 1, 2, 3."""
    return [
        (
            letter,
            [(letter + digit, found.grade_count(letter + digit)) for digit in ENGAGEMENT_DIGITS],
        )
        for letter in FIT_LETTERS
    ]
