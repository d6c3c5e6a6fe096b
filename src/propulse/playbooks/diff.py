"""What changed between two versions of a playbook: pure comparison of their content."""

from __future__ import annotations

import difflib
from dataclasses import asdict, dataclass, field
from typing import Any

from propulse.playbooks.content import PlaybookContent, StepContent

PLAYBOOK_FIELDS = (
    "name",
    "category",
    "goal",
    "anchor",
    "anchor_label",
    "tutorial",
    "best_practices",
    "success_measures",
    "review_every_months",
)
STEP_FIELDS = (
    "title",
    "owner_role",
    "offset_days",
    "after_key",
    "lag_days",
    "duration_days",
    "day_kind",
    "effort_hours",
    "checklist",
    "deliverables",
    "advice",
    "optional",
    "tutorial",
)


@dataclass(frozen=True)
class FieldChange:
    field: str
    before: Any
    after: Any

    @property
    def text_diff(self) -> list[str]:
        """Return a unified diff of long texts and lists, line by line."""

        def lines(value: Any) -> list[str]:
            if isinstance(value, list):
                return [str(item) for item in value]
            return str(value if value is not None else "").splitlines()

        return list(difflib.unified_diff(lines(self.before), lines(self.after), lineterm="", n=1))[
            2:
        ]


@dataclass
class StepChange:
    key: str
    kind: str  # added, removed, changed, moved
    title: str
    fields: list[FieldChange] = field(default_factory=list)


@dataclass
class PlaybookDiff:
    fields: list[FieldChange]
    steps: list[StepChange]

    @property
    def is_empty(self) -> bool:
        return not self.fields and not self.steps


def _changes(
    before: dict[str, Any], after: dict[str, Any], names: tuple[str, ...]
) -> list[FieldChange]:
    return [
        FieldChange(name, before.get(name), after.get(name))
        for name in names
        if before.get(name) != after.get(name)
    ]


def compare(before: PlaybookContent, after: PlaybookContent) -> PlaybookDiff:
    """Compare two versions: playbook fields, then steps added, removed, changed or moved."""
    fields = _changes(asdict(before), asdict(after), PLAYBOOK_FIELDS)
    old_steps: dict[str, StepContent] = {step.key: step for step in before.steps}
    new_steps: dict[str, StepContent] = {step.key: step for step in after.steps}
    old_order = [step.key for step in before.steps if step.key in new_steps]
    new_order = [step.key for step in after.steps if step.key in old_steps]
    steps: list[StepChange] = []
    for step in after.steps:
        if step.key not in old_steps:
            steps.append(StepChange(step.key, "added", step.title))
            continue
        changed = _changes(asdict(old_steps[step.key]), asdict(step), STEP_FIELDS)
        moved = old_order.index(step.key) != new_order.index(step.key)
        if changed:
            steps.append(StepChange(step.key, "changed", step.title, changed))
        elif moved:
            steps.append(StepChange(step.key, "moved", step.title))
    for step in before.steps:
        if step.key not in new_steps:
            steps.append(StepChange(step.key, "removed", step.title))
    return PlaybookDiff(fields=fields, steps=steps)
