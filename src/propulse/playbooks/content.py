"""A playbook's content as plain data: what files hold, versions freeze and diffs compare."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from propulse.kit.i18n import gettext as _

KEY_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")
CATEGORIES = (
    "webinar",
    "email_campaign",
    "trade_show",
    "nurturing_sequence",
    "content_recycling",
    "market_entry",
    "onboarding",
    "custom",
)
ANCHORS = ("event", "send", "launch", "start")
DAY_KINDS = ("working", "calendar")
DEFAULT_EFFORT_HOURS_PER_DAY = 4.0


@dataclass
class StepContent:
    key: str
    title: str
    owner_role: str
    offset_days: int | None = None
    after_key: str | None = None
    lag_days: int = 0
    duration_days: int = 1
    day_kind: str = "working"
    effort_hours: float | None = None
    checklist: list[str] = field(default_factory=list)
    deliverables: list[str] = field(default_factory=list)
    advice: str = ""
    optional: bool = False
    tutorial: str = ""

    @property
    def planned_effort_hours(self) -> float:
        """Return the effort given, or half a day of work per day of duration."""
        if self.effort_hours is not None:
            return self.effort_hours
        return DEFAULT_EFFORT_HOURS_PER_DAY * self.duration_days


@dataclass
class PlaybookContent:
    slug: str
    language: str
    name: str
    category: str = "custom"
    goal: str = ""
    anchor: str = "event"
    anchor_label: str = ""
    tutorial: str = ""
    best_practices: list[str] = field(default_factory=list)
    success_measures: list[str] = field(default_factory=list)
    reviewed_on: date | None = None
    review_every_months: int = 6
    translation: str | None = None
    version: int | None = None
    steps: list[StepContent] = field(default_factory=list)

    def to_snapshot(self) -> dict[str, Any]:
        """Return JSON-ready data (dates as ISO text) for a version."""
        data = asdict(self)
        data["reviewed_on"] = self.reviewed_on.isoformat() if self.reviewed_on else None
        return data

    @classmethod
    def from_snapshot(cls, data: dict[str, Any]) -> PlaybookContent:
        values = dict(data)
        values["steps"] = [StepContent(**step) for step in values.get("steps", [])]
        reviewed = values.get("reviewed_on")
        values["reviewed_on"] = date.fromisoformat(reviewed) if reviewed else None
        return cls(**values)


class ContentError(ValueError):
    """The content breaks a rule; ``problems`` lists (where, what)."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        super().__init__("; ".join(f"{where}: {what}" for where, what in problems))
        self.problems = problems


def check_content(content: PlaybookContent) -> list[tuple[str, str]]:
    """Return every rule the content breaks (empty when it is sound)."""
    problems: list[tuple[str, str]] = []
    if not KEY_PATTERN.match(content.slug or ""):
        problems.append(("slug", _("Use lowercase letters, digits and dashes.")))
    if not content.name.strip():
        problems.append(("name", _("A name is required.")))
    if content.category not in CATEGORIES:
        problems.append(
            ("category", _("Choose one of: %(choices)s.", choices=", ".join(CATEGORIES)))
        )
    if content.anchor not in ANCHORS:
        choices = ", ".join(ANCHORS)
        problems.append(("anchor", _("Choose one of: %(choices)s.", choices=choices)))
    keys = [step.key for step in content.steps]
    seen: set[str] = set()
    for index, step in enumerate(content.steps, start=1):
        where = _("step %(n)s (%(key)s)", n=index, key=step.key)
        if not KEY_PATTERN.match(step.key or ""):
            problems.append((where, _("The key uses lowercase letters, digits and dashes.")))
        if step.key in seen:
            problems.append((where, _("Two steps share this key.")))
        seen.add(step.key)
        if not step.title.strip():
            problems.append((where, _("A title is required.")))
        if not step.owner_role.strip():
            problems.append((where, _("An owner role is required.")))
        if (step.offset_days is None) == (step.after_key is None):
            problems.append(
                (where, _("Give either an offset from the anchor or a step it follows."))
            )
        if step.after_key is not None and step.after_key not in keys:
            problems.append(
                (where, _("It follows %(key)s, which is not a step here.", key=step.after_key))
            )
        if step.after_key == step.key:
            problems.append((where, _("A step cannot follow itself.")))
        if step.duration_days < 1:
            problems.append((where, _("The duration is at least one day.")))
        if step.day_kind not in DAY_KINDS:
            problems.append((where, _("Days are working or calendar days.")))
    if not problems and (cycle := find_cycle(content.steps)):
        problems.append(
            ("steps", _("These steps wait for each other: %(steps)s.", steps=" → ".join(cycle)))
        )
    return problems


def find_cycle(steps: list[StepContent]) -> list[str] | None:
    """Return the keys of a dependency cycle, or None."""
    after = {step.key: step.after_key for step in steps}
    for start in after:
        path: list[str] = []
        current: str | None = start
        while current is not None:
            if current in path:
                return [*path[path.index(current) :], current]
            path.append(current)
            current = after.get(current)
    return None
