"""Definitions in words, as the segment page and the builder's count show them."""

from __future__ import annotations

from propulse.segments.definition import parse_condition
from propulse.segments.describe import Describer


def words(raw: object, **names: object) -> str:
    return Describer(**names)(parse_condition(raw))  # type: ignore[arg-type]


def test_sentences() -> None:
    assert (
        words(
            {
                "all": [
                    {"field": "country", "op": "in", "value": ["FR", "BE"]},
                    {"event": "email_clicked", "within_days": 30},
                ]
            }
        )
        == "Country is one of FR, BE AND clicked an e-mail in the last 30 days"
    )
    assert (
        words({"event": "webinar_attended", "min_count": 2, "where": {"sector": "industry"}})
        == "attended a webinar at least 2 times with sector = industry"
    )
    assert (
        words(
            {
                "any": [
                    {"field": "score", "op": "gte", "value": 60},
                    {
                        "not": {
                            "all": [
                                {"segment": 3},
                                {"consent": "email", "in": ["opt_in", "legitimate_interest"]},
                            ]
                        }
                    },
                ]
            },
            segment_names={3: "Customers"},
        )
        == "Score is at least 60 OR NOT (is in Customers AND e-mail consent is opt-in or legitimate interest)"
    )
    assert (
        words({"field": "created_at", "op": "gte", "value": "2027-01-01"})
        == "Creation date is on or after Jan 1, 2027"
    )
    assert (
        words({"field": "last_activity_at", "op": "before_days", "value": 90})
        == "Last activity is more than 90 days ago"
    )
    assert (
        words(
            {"field": "custom.budget", "op": "between", "value": [1000, 5000.5]},
            custom_labels={"budget": "Budget"},
        )
        == "Budget is between 1,000 and 5,000.50"
    )
    assert (
        words({"field": "job_title", "op": "contains", "value": "CMO"})
        == "Job title contains “CMO”"
    )
    assert words({"field": "do_not_contact", "op": "eq", "value": False}) == "Do not contact is no"
    assert words({"all": []}) == "every contact"
    assert words({"event": "trade_show_visit"}) == "did “trade_show_visit”"
