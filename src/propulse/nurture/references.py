"""What a sequence names must exist: templates, segments and lists, contact fields."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from propulse.contacts import fields
from propulse.email_templates.models import EmailTemplate
from propulse.kit.errors import FieldProblem, InvalidInput
from propulse.kit.i18n import gettext as _
from propulse.nurture.conditions import CONTACT_FIELDS
from propulse.nurture.models import StepKind
from propulse.nurture.schemas import SequenceIn
from propulse.nurture.steps import SETTABLE_FIELDS
from propulse.segments.models import Segment, SegmentKind


def check_references(session: Session, data: SequenceIn) -> None:
    """Refuse steps and triggers that name a template or a segment that does not exist."""
    problems: list[FieldProblem] = []
    template_ids = {
        step.config["template_id"] for step in data.steps if step.kind == StepKind.send_email
    }
    segment_ids = {t.segment_id for t in data.triggers if t.segment_id is not None}
    for step in data.steps:
        if "segment_id" in step.config:
            segment_ids.add(step.config["segment_id"])
        condition = step.config.get("condition") or {}
        if condition.get("type") == "segment":
            segment_ids.add(condition["segment_id"])
    templates = set(
        session.scalars(select(EmailTemplate.id).where(EmailTemplate.id.in_(template_ids)))
    )
    segments = {
        row.id: row.kind
        for row in session.execute(
            select(Segment.id, Segment.kind).where(Segment.id.in_(segment_ids))
        )
    }
    for index, step in enumerate(data.steps):
        where = f"steps.{index}.config"
        if step.kind == StepKind.send_email and step.config["template_id"] not in templates:
            problems.append(FieldProblem(where, _("This template does not exist.")))
        if step.kind in (StepKind.add_to_segment, StepKind.remove_from_segment):
            kind = segments.get(step.config["segment_id"])
            if kind is None:
                problems.append(FieldProblem(where, _("This list does not exist.")))
            elif kind != SegmentKind.static:
                problems.append(
                    FieldProblem(where, _("Only a static list can be changed by a step."))
                )
        condition = step.config.get("condition") or {}
        if condition.get("type") == "segment" and condition["segment_id"] not in segments:
            problems.append(FieldProblem(where, _("This segment does not exist.")))
    problems += _field_problems(session, data)
    for index, trigger in enumerate(data.triggers):
        if trigger.segment_id is not None and trigger.segment_id not in segments:
            problems.append(
                FieldProblem(f"triggers.{index}.segment_id", _("This segment does not exist."))
            )
    if problems:
        raise InvalidInput(_("Some fields need your attention."), problems)


def _field_problems(session: Session, data: SequenceIn) -> list[FieldProblem]:
    """Refuse steps that set or test a field contacts do not have."""
    custom_keys = {field.key for field in fields.list_fields(session)}
    problems = []
    for index, step in enumerate(data.steps):
        name = None
        known: frozenset[str] = frozenset()
        if step.kind == StepKind.update_field:
            name, known = step.config["field"], SETTABLE_FIELDS | {"lifecycle_stage"}
        elif (step.config.get("condition") or {}).get("type") == "field":
            name, known = step.config["condition"]["field"], CONTACT_FIELDS
        if name is not None and name not in known and name not in custom_keys:
            problems.append(
                FieldProblem(
                    f"steps.{index}.config",
                    _("Contacts have no field “%(name)s”.", name=name),
                )
            )
    return problems
