"""Managers change rules and settings; each change is audited and rescores everyone."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from propulse import jobs
from propulse.audit.models import AuditEntry
from propulse.kit.errors import Conflict, Forbidden, InvalidInput
from propulse.scoring import config, rules
from propulse.scoring.schemas import RuleIn, RulePatch, SettingsIn
from propulse.segments.models import Segment, SegmentKind
from tests.scoring.factories import add_event, make_contact

FRANCE = {"field": "country", "op": "eq", "value": "FR"}


def engagement(**fields):
    return RuleIn(
        **{
            "name": "Clicked",
            "kind": "engagement",
            "event_type": "email_clicked",
            "points": 5,
            **fields,
        }
    )


def fit(**fields):
    return RuleIn(**{"name": "France", "kind": "fit", "condition": FRANCE, "points": 10, **fields})


def problem(error: InvalidInput) -> tuple[str, str]:
    (found,) = error.problems
    return found.field, found.message


def test_a_new_rule_is_audited_and_rescores_everyone_after_commit(session, cast):
    contact = make_contact(session, country="FR")
    add_event(session, contact, "email_clicked")
    session.commit()
    before = config.get_settings(session).rules_version
    rule = rules.create_rule(session, actor=cast.manager, data=fit())
    assert jobs.huey.pending_count() == 0  # not before the commit
    session.commit()
    assert config.get_settings(session).rules_version == before + 1
    entry = session.scalars(select(AuditEntry).where(AuditEntry.object_type == "scoring")).one()
    assert entry.action == "rule_created" and entry.object_id == str(rule.id)
    assert jobs.run_pending() == 1
    session.refresh(contact)
    assert (contact.score, contact.fit_score) == (10, 10)
    settings = config.get_settings(session)
    session.refresh(settings)
    assert settings.rescored_version == settings.rules_version


def test_only_managers_change_rules(session, cast):
    with pytest.raises(Forbidden):
        rules.create_rule(session, actor=cast.intern, data=fit())


@pytest.mark.parametrize(
    ("data", "field", "words"),
    [
        ({"condition": {"event": "email_clicked"}}, "condition", "engagement rule"),
        ({"condition": {"all": [FRANCE, {"segment": 1, "member": True}]}}, "condition", "all[1]"),
        (
            {"condition": {"field": "score", "op": "gt", "value": 3}},
            "condition",
            "score it computes",
        ),
        ({"condition": {"field": "colour", "op": "eq", "value": "red"}}, "condition", "colour"),
        ({"condition": {}}, "condition", "needs a condition"),
        ({"event_type": "email_clicked"}, "event_type", "counts no events"),
        ({"decay": "half_life", "decay_days": 10}, "decay", "engagement rules fade"),
        ({"points": 0}, "points", "0 points"),
    ],
)
def test_a_fit_rule_is_checked(session, cast, data, field, words):
    with pytest.raises(InvalidInput) as refused:
        rules.create_rule(session, actor=cast.manager, data=fit(**data))
    assert problem(refused.value)[0] == field
    assert words in problem(refused.value)[1]


@pytest.mark.parametrize(
    ("data", "field", "words"),
    [
        ({"event_type": None}, "event_type", "type of event"),
        ({"decay": "expiry"}, "decay_days", "how many days"),
        ({"condition": {"field": "country"}}, "condition", '"where"'),
        ({"condition": {"where": {"bad key": "x"}}}, "condition", "bad key"),
        ({"condition": {"where": {"campaign": ["a"]}}}, "condition", "where.campaign"),
    ],
)
def test_an_engagement_rule_is_checked(session, cast, data, field, words):
    with pytest.raises(InvalidInput) as refused:
        rules.create_rule(session, actor=cast.manager, data=engagement(**data))
    assert problem(refused.value)[0] == field
    assert words in problem(refused.value)[1]


def test_a_group_holds_one_kind_of_rule(session, cast):
    rules.create_rule(session, actor=cast.manager, data=engagement(group="activity"))
    with pytest.raises(InvalidInput) as refused:
        rules.create_rule(session, actor=cast.manager, data=fit(group="activity"))
    assert problem(refused.value)[0] == "group"


def test_an_edit_changes_what_is_sent_and_refuses_a_stale_version(session, cast):
    rule = rules.create_rule(
        session, actor=cast.manager, data=engagement(cap=20, decay="half_life", decay_days=30)
    )
    version = rule.version
    changed = rules.update_rule(
        session,
        actor=cast.manager,
        rule_id=rule.id,
        data=RulePatch(points=7, cap=None, decay="none", version=version),
    )
    assert (changed.points, changed.cap, changed.decay, changed.decay_days) == (
        7,
        None,
        "none",
        None,
    )
    assert changed.name == "Clicked"
    with pytest.raises(Conflict):
        rules.update_rule(
            session, actor=cast.manager, rule_id=rule.id, data=RulePatch(points=1, version=version)
        )


def test_deleting_a_rule_rescores(session, cast):
    rule = rules.create_rule(session, actor=cast.manager, data=engagement())
    session.commit()
    jobs.run_pending()
    rules.delete_rule(session, actor=cast.manager, rule_id=rule.id)
    session.commit()
    assert rules.list_rules(session) == []
    assert jobs.huey.pending_count() == 1


def test_settings_are_checked_and_versioned(session, cast):
    dynamic = Segment(name="Dynamic", kind=SegmentKind.dynamic, definition=FRANCE)
    session.add(dynamic)
    session.flush()
    with pytest.raises(InvalidInput) as refused:
        rules.update_settings(
            session,
            actor=cast.manager,
            data=SettingsIn(fit_grade_a=10, fit_grade_b=30, mql_segment_id=dynamic.id),
        )
    assert {p.field for p in refused.value.problems} == {"fit_grade_b", "mql_segment_id"}
    settings = config.get_settings(session)
    saved = rules.update_settings(
        session,
        actor=cast.manager,
        data=SettingsIn(total_limit=None, group_caps={"email": 15}, version=settings.version),
    )
    assert saved.total_limit is None and saved.group_caps == {"email": 15}
    with pytest.raises(Conflict):
        rules.update_settings(
            session, actor=cast.manager, data=SettingsIn(version=settings.version - 1)
        )


def test_a_rescore_job_for_an_older_version_skips_itself(session, cast):
    from propulse.scoring import tasks

    contact = make_contact(session, country="FR")
    rules.create_rule(session, actor=cast.manager, data=fit())
    session.commit()
    old = config.get_settings(session).rules_version - 1
    assert tasks.rescore_contacts.call_local(old) == 0
    session.refresh(contact)
    assert contact.score == 0
    assert tasks.rescore_contacts.call_local(None) == 1
