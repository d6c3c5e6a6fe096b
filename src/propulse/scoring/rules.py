"""Scoring rules and settings: managers change them; every change rescores everyone after commit.

A change bumps ``rules_version``, records an audit entry, and queues the full rescore job once
the transaction commits (the job skips itself when a newer change queued another).
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from propulse import jobs
from propulse.audit import service as audit
from propulse.db import after_commit
from propulse.kit.errors import FieldProblem, InvalidInput, NotFound
from propulse.kit.i18n import gettext as _
from propulse.kit.pagination import SortKey, paginate
from propulse.scoring import config
from propulse.scoring.models import Decay, RuleKind, ScoringRule, ScoringSettings
from propulse.scoring.schemas import RuleIn, RulePatch, SettingsIn
from propulse.workspace import service as workspace
from propulse.workspace.models import Role, User
from propulse.workspace.permissions import ensure_role

RESCORE_JOB = "propulse.rescore_contacts"
PROPERTY_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,59}$")
MAX_WHERE = 10
MAX_TEXT = 200
# Fields a fit rule may not test: the score is what the rule computes.
SCORE_FIELDS = frozenset({"score", "fit_score", "engagement_score", "grade"})


def _manage_action() -> str:
    return _("manage lead scoring")


def list_rules(session: Session) -> list[ScoringRule]:
    """Return every rule, fit first, in their order."""
    statement = select(ScoringRule).order_by(
        ScoringRule.kind.desc(), ScoringRule.position, ScoringRule.id
    )
    return list(session.scalars(statement))


def list_rules_page(
    session: Session,
    *,
    kind: str | None = None,
    cursor: str | None = None,
    limit: int | None = None,
) -> tuple[list[ScoringRule], str | None]:
    """Return rules by id, one page at a time (the API's listing)."""
    statement = select(ScoringRule)
    if kind:
        if kind not in RuleKind.__members__:
            raise _bad("kind", _("Choose fit or engagement."))
        statement = statement.where(ScoringRule.kind == kind)
    return paginate(session, statement, keys=[SortKey(ScoringRule.id)], cursor=cursor, limit=limit)


def get_rule(session: Session, *, rule_id: int) -> ScoringRule:
    rule = session.get(ScoringRule, rule_id)
    if rule is None:
        raise NotFound(_("This scoring rule does not exist."))
    return rule


def _bad(field: str, message: str) -> InvalidInput:
    return InvalidInput.on_field(field, message)


def _check_fit_condition(session: Session, raw: dict[str, Any]) -> None:
    from propulse.segments.definition import (
        EventTest,
        FieldTest,
        MembershipTest,
        check_definition,
        walk,
    )

    if not raw:
        raise _bad("condition", _("A fit rule needs a condition on the contact's fields."))
    try:
        condition = check_definition(session, raw)
    except InvalidInput as error:
        raise _bad("condition", error.message) from None
    for node in walk(condition):
        where = f"{node.path}: " if getattr(node, "path", "") else ""
        if isinstance(node, EventTest | MembershipTest):
            raise _bad(
                "condition",
                where
                + _(
                    "A fit rule tests who the contact is (fields and consent); "
                    "count activity with an engagement rule."
                ),
            )
        if isinstance(node, FieldTest) and node.field in SCORE_FIELDS:
            raise _bad("condition", where + _("A fit rule cannot depend on the score it computes."))


def _check_where(raw: dict[str, Any]) -> dict[str, Any]:
    """Return the engagement condition ``{"where": {...}}`` once checked (or ``{}``)."""
    unknown = sorted(set(raw) - {"where"})
    if unknown:
        raise _bad(
            "condition",
            _(
                'An engagement rule takes only "where": {property: value} (not %(keys)s).',
                keys=", ".join(unknown),
            ),
        )
    where = raw.get("where") or {}
    if not isinstance(where, dict):
        raise _bad("condition", _('"where" maps event properties to the values they must have.'))
    if len(where) > MAX_WHERE:
        raise _bad("condition", _("At most %(n)s properties.", n=MAX_WHERE))
    for key, value in where.items():
        if not PROPERTY_KEY.match(key):
            raise _bad(
                "condition",
                _("%(key)s is not a property name (letters, digits and _).", key=key),
            )
        valid_text = isinstance(value, str) and 0 < len(value) <= MAX_TEXT
        if not (valid_text or isinstance(value, bool | int | float)):
            raise _bad(
                "condition",
                _("where.%(key)s: a text, a number, true or false is expected.", key=key),
            )
    return {"where": dict(where)} if where else {}


def _check_rule(session: Session, rule: ScoringRule) -> None:
    """Check a rule as it would be saved: fields that go with its kind, one kind per group."""
    if rule.kind == RuleKind.fit:
        if rule.event_type:
            raise _bad("event_type", _("A fit rule counts no events: leave the event empty."))
        if rule.decay != Decay.none:
            raise _bad("decay", _("Only engagement rules fade with time."))
        _check_fit_condition(session, rule.condition)
    else:
        if not rule.event_type:
            raise _bad("event_type", _("Choose the type of event this rule counts."))
        rule.condition = _check_where(rule.condition)
        if rule.decay != Decay.none and rule.decay_days is None:
            raise _bad("decay_days", _("Say after how many days the points fade."))
    if rule.decay == Decay.none:
        rule.decay_days = None
    if rule.points == 0:
        raise _bad("points", _("A rule of 0 points changes no score."))
    if rule.group_name:
        others = select(ScoringRule.kind).where(
            ScoringRule.group_name == rule.group_name, ScoringRule.kind != rule.kind
        )
        if rule.id is not None:
            others = others.where(ScoringRule.id != rule.id)
        other_kind = session.scalar(others.limit(1))
        if other_kind is not None:
            raise _bad(
                "group",
                _(
                    "The group %(group)s holds rules of the other kind: a group is either "
                    "fit or engagement.",
                    group=rule.group_name,
                ),
            )


def _changed(session: Session, *, actor: User, action: str, object_id: int, summary: str) -> None:
    """Bump the rules version, record the change, and rescore everyone after commit."""
    settings = config.get_settings(session)
    # A plain UPDATE: bumping the version must not make an open settings form stale.
    session.execute(
        update(ScoringSettings)
        .where(ScoringSettings.id == settings.id)
        .values(rules_version=ScoringSettings.rules_version + 1)
        .execution_options(synchronize_session=False)
    )
    session.expire(settings, ["rules_version"])
    version = settings.rules_version
    audit.record(
        session,
        actor=actor,
        action=action,
        object_type="scoring",
        object_id=object_id,
        summary=summary,
    )
    after_commit(session, lambda: jobs.enqueue(RESCORE_JOB, version))


def create_rule(session: Session, *, actor: User, data: RuleIn) -> ScoringRule:
    ensure_role(actor, Role.manager, action=_manage_action())
    position = data.position
    if position is None:
        position = (session.scalar(select(func.max(ScoringRule.position))) or 0) + 1
    rule = ScoringRule(
        name=data.name,
        kind=data.kind.value,
        group_name=data.group,
        event_type=data.event_type,
        condition=dict(data.condition),
        points=data.points,
        cap=data.cap,
        decay=data.decay.value,
        decay_days=data.decay_days,
        active=data.active,
        position=position,
    )
    _check_rule(session, rule)
    session.add(rule)
    session.flush()
    _changed(
        session,
        actor=actor,
        action="rule_created",
        object_id=rule.id,
        summary=f"scoring rule {rule.name!r} ({rule.kind}, {rule.points:+d} points)",
    )
    return rule


PATCH_FIELDS = {
    "name": "name",
    "kind": "kind",
    "group": "group_name",
    "event_type": "event_type",
    "condition": "condition",
    "points": "points",
    "cap": "cap",
    "decay": "decay",
    "decay_days": "decay_days",
    "active": "active",
    "position": "position",
}
NOT_NULL = frozenset({"name", "kind", "group", "condition", "points", "decay", "active"})


def update_rule(session: Session, *, actor: User, rule_id: int, data: RulePatch) -> ScoringRule:
    """Change the fields sent (``null`` clears the cap, the event type or the decay days)."""
    ensure_role(actor, Role.manager, action=_manage_action())
    rule = get_rule(session, rule_id=rule_id)
    workspace.check_version(rule, data.version)
    for field, attribute in PATCH_FIELDS.items():
        if field not in data.model_fields_set:
            continue
        value = getattr(data, field)
        if value is None and field in NOT_NULL:
            raise _bad(field, _("This field is required."))
        setattr(rule, attribute, value.value if hasattr(value, "value") else value)
    _check_rule(session, rule)
    session.flush()
    _changed(
        session,
        actor=actor,
        action="rule_updated",
        object_id=rule.id,
        summary=f"scoring rule {rule.name!r} ({rule.kind}, {rule.points:+d} points)",
    )
    return rule


def delete_rule(session: Session, *, actor: User, rule_id: int) -> None:
    ensure_role(actor, Role.manager, action=_manage_action())
    rule = get_rule(session, rule_id=rule_id)
    name, rule_id = rule.name, rule.id
    session.delete(rule)
    session.flush()
    _changed(
        session,
        actor=actor,
        action="rule_deleted",
        object_id=rule_id,
        summary=f"scoring rule {name!r} deleted",
    )


def _check_settings(session: Session, data: SettingsIn) -> None:
    problems = []
    if data.fit_grade_b > data.fit_grade_a:
        problems.append(
            FieldProblem("fit_grade_b", _("Grade B starts at or below grade A's threshold."))
        )
    if data.engagement_grade_2 > data.engagement_grade_1:
        problems.append(
            FieldProblem("engagement_grade_2", _("Level 2 starts at or below level 1's threshold."))
        )
    if data.mql_segment_id is not None:
        from propulse.segments.models import Segment, SegmentKind

        segment = session.get(Segment, data.mql_segment_id)
        if segment is None:
            problems.append(FieldProblem("mql_segment_id", _("This segment does not exist.")))
        elif segment.kind != SegmentKind.static:
            problems.append(
                FieldProblem(
                    "mql_segment_id",
                    _("Choose a static list: a dynamic segment chooses its own members."),
                )
            )
    if problems:
        raise InvalidInput(_("Some fields need your attention."), problems)


def update_settings(session: Session, *, actor: User, data: SettingsIn) -> ScoringSettings:
    """Replace the settings (limits, grade thresholds, MQL threshold and actions)."""
    ensure_role(actor, Role.manager, action=_manage_action())
    settings = config.get_settings(session)
    workspace.check_version(settings, data.version)
    _check_settings(session, data)
    for field, value in data.model_dump(exclude={"version"}).items():
        setattr(settings, field, value)
    session.flush()
    _changed(
        session,
        actor=actor,
        action="settings_updated",
        object_id=settings.id,
        summary=(f"scoring settings: limit {data.total_limit}, MQL threshold {data.mql_threshold}"),
    )
    return settings


def request_rescore(session: Session, *, actor: User) -> int:
    """Queue a full rescore after commit (idempotent); return the rules version it computes."""
    ensure_role(actor, Role.manager, action=_("rescore contacts"))
    version = config.get_settings(session).rules_version
    audit.record(
        session,
        actor=actor,
        action="rescore_requested",
        object_type="scoring",
        object_id=None,
        summary="full rescore requested",
    )
    after_commit(session, lambda: jobs.enqueue(RESCORE_JOB, version))
    return version
