"""What a score is made of: the shapes the contact page and the API show ("why this score")."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RuleContribution:
    """One rule's part of a score, after its own cap (and its group's, shared out)."""

    rule_id: int
    name: str
    kind: str  # "fit" or "engagement"
    group: str
    points: float  # what counts in the score
    raw_points: float  # before caps
    capped: bool
    detail: str  # e.g. "3 × email_clicked, half-life 30 days"


@dataclass(frozen=True)
class ScoreExplanation:
    score: int
    fit_score: int
    engagement_score: int
    grade: str | None
    contributions: list[RuleContribution]
    capped_groups: list[str]
    total_limited: bool
