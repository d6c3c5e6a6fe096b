"""What the OKR pages show: each objective with its key results, progress, status and history."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from propulse.okrs import progress as math
from propulse.okrs.models import CheckIn, KeyResult, Objective, ObjectiveStatus, Period


@dataclass
class KeyResultView:
    key_result: KeyResult
    progress: float
    status: math.Status
    confidence: int | None
    history: list[CheckIn]
    suggested_grade: float

    @property
    def grade(self) -> float:
        """Return the grade set by hand before closing, else the one suggested by progress."""
        graded = self.key_result.grade
        return graded if graded is not None else self.suggested_grade

    @property
    def success(self) -> bool:
        return math.is_success(grade=self.grade, commitment=self.key_result.commitment)


@dataclass
class ObjectiveView:
    objective: Objective
    key_results: list[KeyResultView]
    progress: float
    status: math.Status
    serves: Objective | None = None
    served_by: list[Objective] = field(default_factory=list)


@dataclass
class PeriodBoard:
    period: Period
    elapsed: float
    objectives: list[ObjectiveView]
    archived: list[Objective]


def _key_result_view(
    key_result: KeyResult, history: list[CheckIn], elapsed: float
) -> KeyResultView:
    progress = math.key_result_progress(
        direction=key_result.direction,
        start=key_result.start_value,
        target=key_result.target_value,
        current=key_result.current_value,
    )
    confidence = history[-1].confidence if history else None
    return KeyResultView(
        key_result=key_result,
        progress=progress,
        status=math.status(progress=progress, elapsed=elapsed, confidence=confidence),
        confidence=confidence,
        history=history,
        suggested_grade=math.suggested_grade(progress),
    )


def build_board(session: Session, *, period: Period, today: date) -> PeriodBoard:
    """Load a period's objectives, key results and check-ins in three queries."""
    objectives = list(
        session.scalars(
            select(Objective)
            .where(Objective.period_id == period.id)
            .options(selectinload(Objective.key_results), selectinload(Objective.serves))
            .order_by(Objective.position, Objective.id)
        )
    )
    key_result_ids = [kr.id for objective in objectives for kr in objective.key_results]
    history: dict[int, list[CheckIn]] = defaultdict(list)
    if key_result_ids:
        for entry in session.scalars(
            select(CheckIn)
            .where(CheckIn.key_result_id.in_(key_result_ids))
            .order_by(CheckIn.checked_on, CheckIn.id)
        ):
            history[entry.key_result_id].append(entry)
    served_by: dict[int, list[Objective]] = defaultdict(list)
    if period.is_company:
        ids = [objective.id for objective in objectives]
        for follower in session.scalars(select(Objective).where(Objective.serves_id.in_(ids))):
            served_by[follower.serves_id or 0].append(follower)
    elapsed = math.time_elapsed(starts_on=period.starts_on, ends_on=period.ends_on, today=today)
    views: list[ObjectiveView] = []
    archived: list[Objective] = []
    for objective in objectives:
        if objective.status == ObjectiveStatus.archived:
            archived.append(objective)
            continue
        krs = [
            _key_result_view(kr, history[kr.id], elapsed)
            for kr in objective.key_results
            if not kr.is_archived
        ]
        objective_progress = math.objective_progress(
            [math.WeightedProgress(view.progress, view.key_result.weight) for view in krs]
        )
        confidences = [view.confidence for view in krs if view.confidence is not None]
        views.append(
            ObjectiveView(
                objective=objective,
                key_results=krs,
                progress=objective_progress,
                status=math.status(
                    progress=objective_progress,
                    elapsed=elapsed,
                    confidence=min(confidences) if confidences else None,
                ),
                serves=objective.serves,
                served_by=served_by.get(objective.id, []),
            )
        )
    return PeriodBoard(period=period, elapsed=elapsed, objectives=views, archived=archived)
