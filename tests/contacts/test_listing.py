"""The contacts list: every filter, the three sorts, and cursor pages with no gap or repeat."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from propulse.contacts.listing import ContactFilters, list_contacts
from propulse.contacts.models import Company, Contact
from propulse.kit.errors import InvalidInput
from propulse.kit.pagination import encode_cursor
from propulse.segments.models import Segment, SegmentKind, SegmentMember

START = datetime(2027, 1, 4, 9, 0, tzinfo=UTC)


def add_contacts(session, rows):
    """Insert contacts as they are (score, grade... set by hand): the list only reads them."""
    contacts = [
        Contact(
            email=row.pop("email"),
            first_name=row.pop("first_name", ""),
            last_name=row.pop("last_name", ""),
            custom={},
            **row,
        )
        for row in rows
    ]
    session.add_all(contacts)
    session.flush()
    return contacts


def every_page(session, filters, sort, limit):
    """Walk the list page by page; return the ids in order and the number of pages."""
    ids, cursor, pages = [], None, 0
    while True:
        found, cursor = list_contacts(
            session, filters=filters, sort=sort, cursor=cursor, limit=limit
        )
        ids += [contact.id for contact in found]
        pages += 1
        if cursor is None:
            return ids, pages
        assert len(found) == limit


@pytest.fixture
def people(session, cast):
    acme = Company(name="Acme", name_key="acme")
    session.add(acme)
    session.flush()
    return add_contacts(
        session,
        [
            {"email": "jean.dupont@acme.example", "first_name": "Jean", "last_name": "Dupont",
                 "country": "FR", "score": 80, "grade": "A1", "lifecycle_stage": "mql",
                 "owner_id": cast.intern.id, "company_id": acme.id},
            {"email": "anna@beta.example", "first_name": "Anna", "last_name": "Schmidt",
                 "country": "DE", "score": 55, "grade": "B2", "lifecycle_stage": "lead"},
            {"email": "jeanne@gamma.example", "first_name": "Jeanne", "last_name": "Martin",
                 "country": "FR", "score": 30, "grade": "C3", "lifecycle_stage": "lead",
                 "owner_id": cast.manager.id},
            {"email": "paul_100%@delta.example", "first_name": "Paul", "last_name": "Jeandel",
                 "country": "BE", "score": 10, "grade": None, "lifecycle_stage": "subscriber",
                 "company_id": acme.id},
        ],
    )  # fmt: skip


def emails(found):
    return [contact.email for contact in found]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (ContactFilters(), ["jean.dupont", "anna", "jeanne", "paul_100%"]),
        (ContactFilters(country="fr"), ["jean.dupont", "jeanne"]),
        (ContactFilters(lifecycle_stage="lead"), ["anna", "jeanne"]),
        (ContactFilters(grade="b2"), ["anna"]),
        (ContactFilters(min_score=55), ["jean.dupont", "anna"]),
        (ContactFilters(country="FR", min_score=50), ["jean.dupont"]),
        # a prefix of the e-mail, the first name or the last name, whatever the case
        (ContactFilters(search="JEAN"), ["jean.dupont", "jeanne", "paul_100%"]),
        (ContactFilters(search="schm"), ["anna"]),
        (ContactFilters(search="anna@beta"), ["anna"]),
        (ContactFilters(search="jean dup"), ["jean.dupont"]),
        (ContactFilters(search="upont"), []),  # a prefix, not any part
        # LIKE wildcards typed by someone are plain characters
        (ContactFilters(search="paul_1"), ["paul_100%"]),
        (ContactFilters(search="%"), []),
        (ContactFilters(search="_"), []),
        (ContactFilters(search="   "), ["jean.dupont", "anna", "jeanne", "paul_100%"]),
    ],
)
def test_each_filter_narrows_the_list(session, people, filters, expected):
    found, cursor = list_contacts(session, filters=filters)
    assert [email.split("@")[0] for email in emails(found)] == expected
    assert cursor is None


def test_filters_by_owner_company_and_segment(session, cast, people):
    jean, anna, jeanne, paul = people
    by_owner, _ = list_contacts(session, filters=ContactFilters(owner_id=cast.manager.id))
    assert by_owner == [jeanne]
    by_company, _ = list_contacts(session, filters=ContactFilters(company_id=jean.company_id))
    assert by_company == [jean, paul]
    segment = Segment(name="Germany and Belgium", kind=SegmentKind.static)
    session.add(segment)
    session.flush()
    session.add_all([SegmentMember(segment_id=segment.id, contact_id=c.id) for c in (anna, paul)])
    session.flush()
    members, _ = list_contacts(session, filters=ContactFilters(segment_id=segment.id))
    assert members == [anna, paul]
    both, _ = list_contacts(session, filters=ContactFilters(segment_id=segment.id, country="BE"))
    assert both == [paul]


def test_score_pages_break_ties_by_id_with_no_gap_or_repeat(session, cast):
    # 83 contacts on 5 scores: most rows share their score with many others.
    contacts = add_contacts(
        session,
        [
            {
                "email": f"c{i}@tie.example",
                "country": "FR" if i % 3 else "DE",
                "score": (i * 7) % 5 * 10,
            }
            for i in range(83)
        ],
    )
    expected = [c.id for c in sorted(contacts, key=lambda c: (c.score, c.id), reverse=True)]
    for limit in (1, 7, 50, 83, 100):
        ids, pages = every_page(session, ContactFilters(), "score", limit)
        assert ids == expected
        assert pages == max(1, -(-83 // limit))
    french = [i for i in expected if session.get(Contact, i).country == "FR"]
    assert every_page(session, ContactFilters(country="FR"), "score", 9)[0] == french


def test_search_results_page_like_the_rest(session, cast):
    contacts = add_contacts(
        session,
        [
            {"email": f"lead{i}@{'acme' if i % 2 else 'beta'}.example", "score": i % 3}
            for i in range(40)
        ],
    )
    by_score = sorted(contacts, key=lambda c: (c.score, c.id), reverse=True)
    for search, limit in (("lead1", 3), ("LEAD3@acme", 1), ("lead", 7)):
        expected = [c.id for c in by_score if c.email.startswith(search.lower())]
        assert every_page(session, ContactFilters(search=search), "score", limit)[0] == expected


def test_recent_activity_first_and_contacts_without_activity_last(session, cast):
    contacts = add_contacts(
        session,
        [
            {
                "email": f"r{i}@recent.example",
                "last_activity_at": None if i % 4 == 0 else START + timedelta(hours=i % 6),
            }
            for i in range(30)
        ],
    )
    active = [c for c in contacts if c.last_activity_at is not None]
    idle = [c for c in contacts if c.last_activity_at is None]
    expected = [
        c.id for c in sorted(active, key=lambda c: (c.last_activity_at, c.id), reverse=True)
    ]
    expected += sorted((c.id for c in idle), reverse=True)
    for limit in (4, 7, 22, 23, 30):  # pages that end before, on and after the idle ones start
        assert every_page(session, ContactFilters(), "recent", limit)[0] == expected


def test_newest_first(session, cast):
    contacts = add_contacts(session, [{"email": f"n{i}@new.example"} for i in range(12)])
    ids, pages = every_page(session, ContactFilters(), "created", 5)
    assert ids == sorted((c.id for c in contacts), reverse=True) and pages == 3


def test_a_page_far_down_a_long_list(session, cast):
    rows = [
        {
            "email": f"far{i}@long.example",
            "country": ("FR", "DE", "FR", "IT")[i % 4],
            "score": i % 101,
        }
        for i in range(2400)
    ]
    contacts = add_contacts(session, rows)
    french = sorted((c for c in contacts if c.country == "FR"), key=lambda c: (c.score, c.id))
    expected = [c.id for c in reversed(french)]
    cursor, seen = None, []
    while len(seen) < 1000:
        found, cursor = list_contacts(
            session, filters=ContactFilters(country="FR"), cursor=cursor, limit=200
        )
        seen += [c.id for c in found]
    found, cursor = list_contacts(session, filters=ContactFilters(country="FR"), cursor=cursor)
    assert [c.id for c in found] == expected[1000:1050]
    assert cursor is not None


def test_a_cursor_only_works_for_its_own_sort_and_list(session, people):
    _, cursor = list_contacts(session, filters=ContactFilters(), sort="score", limit=1)
    assert cursor
    for sort in ("recent", "created"):
        with pytest.raises(InvalidInput) as refused:
            list_contacts(session, filters=ContactFilters(), sort=sort, cursor=cursor)
        assert refused.value.problems[0].field == "cursor"
    shapes = (["score", "x", 1], ["score", 1], ["recent", "yesterday", 1], ["score", True, 1])
    for garbage in ("nope", "%%%", *(encode_cursor(values) for values in shapes)):
        with pytest.raises(InvalidInput):
            list_contacts(session, filters=ContactFilters(), cursor=garbage)
    with pytest.raises(InvalidInput) as refused:
        list_contacts(session, filters=ContactFilters(), sort="alphabetical")
    assert refused.value.problems[0].field == "sort"
    with pytest.raises(InvalidInput):
        list_contacts(session, filters=ContactFilters(), limit=0)
