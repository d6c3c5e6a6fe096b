"""Definitions: a bad node is refused with a message naming its path; time dependence."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.orm import Session

from propulse.kit.errors import InvalidInput
from propulse.segments.definition import (
    check_definition,
    is_time_dependent,
    parse_condition,
    referenced_segments,
)
from tests.segments.factories import make_field, make_segment

COUNTRY_FR = {"field": "country", "op": "eq", "value": "FR"}


def refusal(raw: Any) -> str:
    with pytest.raises(InvalidInput) as caught:
        parse_condition(raw)
    assert caught.value.problems[0].field == "definition"
    return caught.value.message


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (
            {
                "all": [
                    COUNTRY_FR,
                    COUNTRY_FR,
                    {"any": [{"field": "country", "op": "in", "value": "FR"}]},
                ]
            },
            'all[2].any[0].value: a list is expected for "in"',
        ),
        (
            {"all": [{"field": "shoe_size", "op": "eq", "value": 42}]},
            'all[0].field: unknown field "shoe_size"',
        ),
        (
            {"any": [{"field": "score", "op": "contains", "value": "1"}]},
            'any[0].op: "contains" does not apply to score',
        ),
        ({"field": "score", "op": "gt", "value": "high"}, "value: a number is expected"),
        (
            {"field": "created_at", "op": "gte", "value": "15/02/2027"},
            "value: a date as YYYY-MM-DD",
        ),
        (
            {"field": "score", "op": "between", "value": [50, 10]},
            'value: the first value of "between"',
        ),
        (
            {"field": "last_activity_at", "op": "within_days", "value": 0},
            "value: a whole number of days",
        ),
        ({"field": "country", "op": "is_empty", "value": "FR"}, 'value: "is_empty" takes no value'),
        ({"field": "country", "op": "eq", "value": "  "}, "value: the text is empty"),
        ({"field": "lifecycle_stage", "op": "eq", "value": "prospect"}, '"prospect" is not one of'),
        ({"not": {"event": "Clicked!"}}, "not.event: an event type is expected"),
        ({"event": "email_clicked", "min_count": 0}, "min_count: a whole number from 1"),
        ({"event": "email_clicked", "where": {"sector": ["a"]}}, "where.sector: a text, a number"),
        ({"consent": "sms", "in": ["opt_in"]}, 'consent: only the "email" channel'),
        ({"consent": "email", "in": ["yes"]}, 'in[0]: "yes" is not a consent basis'),
        ({"segment": "VIP"}, "segment: a segment id is expected"),
        (
            {"all": [{"field": "country", "op": "eq", "value": "FR", "x": 1}]},
            'all[0].x: unknown key "x"',
        ),
        ({"all": [{"nothing": 1}]}, "all[0]: say what to test"),
        ([COUNTRY_FR], "a condition is expected"),
        ({"all": COUNTRY_FR}, "all: a list of conditions is expected"),
    ],
)
def test_a_bad_node_is_refused_with_its_path(raw: Any, message: str) -> None:
    assert message in refusal(raw)


def test_nesting_and_size_are_limited() -> None:
    nested: dict[str, Any] = COUNTRY_FR
    for _level in range(5):
        nested = {"all": [nested]}
    parse_condition(nested)  # five levels of groups are fine
    assert "nested at most 5 levels" in refusal({"any": [nested]})
    assert "at most 100 conditions" in refusal({"all": [COUNTRY_FR] * 100})


def test_a_good_definition_reads_into_typed_nodes() -> None:
    condition = parse_condition(
        {
            "all": [
                {"field": "country", "op": "in", "value": ["FR", "BE", "FR"]},
                {"event": "email_clicked", "within_days": 30},
                {"not": {"segment": 4}},
            ]
        }
    )
    assert referenced_segments(condition) == {4}
    assert condition.children[0].value == ("FR", "BE")  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ({"field": "country", "op": "eq", "value": "FR"}, False),
        ({"event": "email_clicked"}, False),
        ({"event": "email_clicked", "within_days": 30}, True),
        ({"not": {"field": "last_activity_at", "op": "before_days", "value": 90}}, True),
        ({"field": "created_at", "op": "gte", "value": "2027-01-01"}, False),
        ({"any": [{"field": "score", "op": "gte", "value": 60}]}, True),
        ({"field": "grade", "op": "in", "value": ["A1", "A2"]}, True),
        ({"field": "fit_score", "op": "gte", "value": 40}, False),
    ],
)
def test_time_dependence(raw: dict[str, Any], expected: bool) -> None:
    assert is_time_dependent(raw) is expected


def test_custom_fields_are_checked_against_their_definitions(session: Session) -> None:
    make_field(session, key="budget", kind="number")
    make_field(session, key="renewal", kind="date")
    make_field(session, key="plan", kind="choice", choices=["Basic", "Premium"])
    check_definition(session, {"field": "custom.budget", "op": "gte", "value": 1000})
    check_definition(session, {"field": "custom.renewal", "op": "within_days", "value": 30})
    check_definition(session, {"field": "custom.renewal", "op": "eq", "value": "2027-03-01"})
    check_definition(session, {"field": "custom.plan", "op": "in", "value": ["premium"]})
    cases = [
        (
            {"field": "custom.shoe", "op": "eq", "value": "x"},
            'field: there is no custom field "shoe"',
        ),
        ({"field": "custom.budget", "op": "contains", "value": "1"}, '"contains" does not apply'),
        ({"field": "custom.budget", "op": "eq", "value": "1000"}, "value: a number is expected"),
        ({"field": "custom.renewal", "op": "eq", "value": "soon"}, "value: a date as YYYY-MM-DD"),
        (
            {"field": "custom.plan", "op": "eq", "value": "Gold"},
            '"Gold" is not one of: Basic, Premium',
        ),
    ]
    for raw, message in cases:
        with pytest.raises(InvalidInput) as caught:
            check_definition(session, {"all": [raw]})
        assert message in caught.value.message
        assert caught.value.message.startswith("all[0].")


def test_segment_references_exist_and_never_loop(session: Session) -> None:
    base = make_segment(session, name="Base", definition=COUNTRY_FR)
    middle = make_segment(session, name="Middle", definition={"segment": base.id})
    with pytest.raises(InvalidInput) as caught:
        check_definition(session, {"all": [{"segment": 999}]})
    assert "all[0].segment: segment 999 does not exist" in caught.value.message
    with pytest.raises(InvalidInput) as caught:
        check_definition(session, {"segment": base.id}, segment_id=base.id)
    assert "cannot depend on itself" in caught.value.message
    # Base testing Middle would loop: Middle already tests Base.
    with pytest.raises(InvalidInput) as caught:
        check_definition(session, {"any": [{"segment": middle.id}]}, segment_id=base.id)
    assert "any[0].segment: segment Middle depends on this one" in caught.value.message
    check_definition(session, {"segment": base.id, "member": False}, segment_id=middle.id)
