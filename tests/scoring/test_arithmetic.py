"""The scoring arithmetic with figures worked out by hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from propulse.scoring import arithmetic
from propulse.scoring.arithmetic import Event, Limits, Rule, compute, make_plan

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
DAY = timedelta(days=1)


def engagement(rule_id: int, event_type: str, points: int, **options) -> Rule:
    return Rule(rule_id, f"rule {rule_id}", "engagement", points, event_type=event_type, **options)


def fit(rule_id: int, points: int, **options) -> Rule:
    return Rule(rule_id, f"fit {rule_id}", "fit", points, **options)


def events(event_type: str, *ages: timedelta, properties=None) -> list[Event]:
    return [Event(event_type, NOW - age, properties) for age in ages]


def score(rules, found, limits=Limits(), fit_matched=()):
    return compute(make_plan(rules, limits), fit_matched=set(fit_matched), events=found, now=NOW)


def test_points_add_up_per_event_without_decay():
    result = score(
        [engagement(1, "email_clicked", 5)], events("email_clicked", DAY, 2 * DAY, 400 * DAY)
    )
    assert (result.engagement_score, result.score) == (15, 15)
    assert result.contributions[0].points == 15 and not result.contributions[0].capped


def test_a_rule_cap_bounds_its_points_and_says_so():
    result = score([engagement(1, "email_clicked", 5, cap=20)], events("email_clicked", *[DAY] * 5))
    (contribution,) = result.contributions
    assert (contribution.raw_points, contribution.points, contribution.capped) == (25, 20, True)
    assert result.score == 20


def test_a_negative_rule_takes_away_at_most_its_cap():
    rule = engagement(1, "email_unsubscribed", -10, cap=25)
    result = score([rule], events("email_unsubscribed", DAY, DAY, DAY))
    assert (result.engagement_score, result.score) == (-25, -25)


def test_half_life_halves_the_points_every_period_and_rounds_half_up():
    rule = engagement(1, "email_opened", 10, decay="half_life", decay_days=30)
    # 10 × (1 + 0.5 + 0.25) = 17.5 → 18
    result = score([rule], events("email_opened", timedelta(0), 30 * DAY, 60 * DAY))
    assert result.contributions[0].points == 17.5
    assert result.engagement_score == 18


def test_expiry_counts_an_event_up_to_the_last_day_then_drops_it():
    rule = engagement(1, "webinar_attended", 15, decay="expiry", decay_days=90)
    result = score(
        [rule], events("webinar_attended", 89 * DAY, 90 * DAY, 90 * DAY + timedelta(seconds=1))
    )
    assert result.engagement_score == 30


def test_an_event_in_the_future_counts_fully():
    rule = engagement(1, "meeting", 8, decay="half_life", decay_days=7)
    result = score([rule], events("meeting", -3 * DAY))
    assert result.engagement_score == 8


def test_a_group_cap_bounds_the_group_and_shares_the_points_out():
    rules = [
        engagement(1, "email_opened", 1, group="email"),
        engagement(2, "email_clicked", 5, group="email"),
        engagement(3, "meeting", 20),
    ]
    found = (
        events("email_opened", *[DAY] * 5)
        + events("email_clicked", DAY, DAY)
        + events("meeting", DAY)
    )
    result = score(rules, found, Limits(total_limit=None, group_caps={"email": 12}))
    # email: 5 + 10 = 15, capped at 12; meeting 20
    assert result.engagement_score == 32
    assert result.capped_groups == ["email"]
    shares = {c.rule_id: (c.points, c.capped) for c in result.contributions}
    assert shares == {1: (4.0, True), 2: (8.0, True), 3: (20.0, False)}


def test_fit_and_engagement_are_rounded_apart_then_the_total_is_limited():
    rules = [
        fit(1, 35),
        fit(2, 30),
        engagement(3, "email_opened", 5, decay="half_life", decay_days=10),
        engagement(4, "meeting", 40),
    ]
    found = events("email_opened", 10 * DAY) + events("meeting", DAY)
    result = score(rules, found, Limits(total_limit=100), fit_matched=[1, 2])
    # fit 65; engagement 2.5 + 40 = 42.5 → 43; 108 → limited to 100
    assert (result.fit_score, result.engagement_score, result.score) == (65, 43, 100)
    assert result.total_limited


def test_fit_rules_count_only_when_matched():
    result = score([fit(1, 20), fit(2, -5), fit(3, 15)], [], fit_matched=[1, 2])
    assert (result.fit_score, result.score) == (15, 15)
    assert [c.rule_id for c in result.contributions] == [1, 2]


@pytest.mark.parametrize(
    ("value", "rounded"), [(2.5, 3), (2.4999999, 2), (-2.5, -2), (-2.6, -3), (0, 0), (7, 7)]
)
def test_rounding_is_half_up(value, rounded):
    assert arithmetic.round_half_up(value) == rounded


@pytest.mark.parametrize(
    ("fit_score", "engagement_score", "expected"),
    [(40, 9, "A3"), (39, 30, "B1"), (0, 10, "C2"), (20, 29, "B2"), (-5, -5, "C3")],
)
def test_grade_combines_fit_letter_and_engagement_digit(fit_score, engagement_score, expected):
    assert arithmetic.grade(fit_score, engagement_score, Limits()) == expected


@pytest.mark.parametrize(
    ("expected", "actual", "matches"),
    [
        ("spring", "SPRING", True),
        ("spring", "Spring ", False),
        ("Été", "été", False),  # only A-Z are folded, as segments do
        (2, 2.0, True),
        (2, "2", False),
        (1, True, False),
        (True, True, True),
        (True, 1, False),
    ],
)
def test_event_properties_compare_by_json_type(expected, actual, matches):
    assert arithmetic.property_matches({"key": actual}, "key", expected) is matches


def test_a_where_condition_counts_only_matching_events():
    rule = engagement(1, "webinar_attended", 10, where={"sector": "retail"})
    found = (
        events("webinar_attended", DAY, properties={"sector": "Retail"})
        + events("webinar_attended", DAY, properties={"sector": "Industry"})
        + events("webinar_attended", DAY)
    )
    assert score([rule], found).engagement_score == 10


def test_ages_count_whole_seconds():
    occurred = datetime(2026, 6, 1, 11, 59, 59, 999_999, tzinfo=UTC)
    assert arithmetic.age_seconds(NOW, occurred) == 1
    assert arithmetic.age_seconds(NOW, NOW + timedelta(microseconds=1)) == 0
