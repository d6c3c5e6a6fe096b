"""Custom fields: definitions by an admin, values coerced by kind, deletion guarded by users."""

from __future__ import annotations

import pytest

from propulse.contacts import fields, service
from propulse.contacts.schemas import ContactIn, ContactPatch, CustomFieldIn, CustomFieldPatch
from propulse.kit.errors import Conflict, Forbidden, InvalidInput
from propulse.scoring.models import ScoringRule
from propulse.segments.models import Segment


def define(session, actor, key, kind="text", choices=(), label=None):
    data = CustomFieldIn(key=key, label=label or key.title(), kind=kind, choices=list(choices))
    created = fields.create_field(session, actor=actor, data=data)
    session.commit()
    return created


@pytest.fixture
def defined(session, cast):
    return {
        "crm_id": define(session, cast.cmo, "crm_id"),
        "budget_eur": define(session, cast.cmo, "budget_eur", "number"),
        "renewal_date": define(session, cast.cmo, "renewal_date", "date"),
        "tier": define(session, cast.cmo, "tier", "choice", ["Gold", "Silver"]),
    }


def test_only_an_admin_defines_fields(session, cast):
    with pytest.raises(Forbidden):
        define(session, cast.manager, "crm_id")


@pytest.mark.parametrize(
    ("key", "kind", "choices", "field"),
    [
        ("Budget", "text", (), "key"),
        ("9lives", "text", (), "key"),
        ("b", "text", (), "key"),
        ("country", "text", (), "key"),
        ("company", "text", (), "key"),
        ("tier", "choice", (), "choices"),
        ("tier", "choice", ("Gold", "gold"), "choices"),
    ],
)
def test_a_bad_definition_is_refused_on_its_field(session, cast, key, kind, choices, field):
    with pytest.raises(InvalidInput) as refused:
        define(session, cast.cmo, key, kind, choices)
    assert refused.value.problems[0].field == field


def test_a_key_is_unique_and_definitions_keep_their_order(session, cast, defined):
    with pytest.raises(Conflict):
        define(session, cast.cmo, "crm_id")
    fields.update_field(
        session,
        actor=cast.cmo,
        field_id=defined["tier"].id,
        data=CustomFieldPatch(
            label="Account tier", choices=["Gold", "Silver", "Bronze"], position=-1
        ),
    )
    listed = fields.list_fields(session)
    assert listed[0].key == "tier" and listed[0].label == "Account tier"
    assert listed[0].choices == ["Gold", "Silver", "Bronze"]


def test_values_are_coerced_by_kind(session, defined):
    checked = fields.check_custom_values(
        session,
        values={
            "crm_id": " HS-42 ",
            "budget_eur": "12 500,50",
            "renewal_date": "2027-06-30",
            "tier": "gold",
        },
    )
    assert checked == {
        "crm_id": "HS-42",
        "budget_eur": 12500.5,
        "renewal_date": "2027-06-30",
        "tier": "Gold",
    }
    assert fields.check_custom_values(session, values={"budget_eur": 3, "tier": ""}) == {
        "budget_eur": 3.0,
        "tier": None,
    }


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"budget_eur": "a lot"}, "custom.budget_eur"),
        ({"budget_eur": True}, "custom.budget_eur"),
        ({"renewal_date": "30/06/2027"}, "custom.renewal_date"),
        ({"renewal_date": "2027-02-30"}, "custom.renewal_date"),
        ({"tier": "Platinum"}, "custom.tier"),
        ({"nickname": "Bob"}, "custom.nickname"),
    ],
)
def test_a_bad_value_is_refused_on_its_field(session, defined, values, field):
    with pytest.raises(InvalidInput) as refused:
        fields.check_custom_values(session, values=values)
    assert [p.field for p in refused.value.problems] == [field]


def test_contacts_hold_the_coerced_values(session, cast, defined):
    contact = service.create_contact(
        session,
        actor=cast.intern,
        data=ContactIn(email="a@client.fr", custom={"budget_eur": "1000", "tier": "silver"}),
    )
    assert contact.custom == {"budget_eur": 1000.0, "tier": "Silver"}
    service.update_contact(
        session,
        actor=cast.intern,
        contact_id=contact.id,
        data=ContactPatch(custom={"tier": None, "crm_id": "X1"}),
    )
    assert contact.custom == {"budget_eur": 1000.0, "crm_id": "X1"}
    with pytest.raises(InvalidInput) as refused:
        service.create_contact(
            session, actor=cast.intern, data=ContactIn(email="b@client.fr", custom={"tier": "?"})
        )
    assert refused.value.problems[0].field == "custom.tier"


def test_deleting_a_field_drops_its_values(session, cast, defined):
    contact = service.create_contact(
        session,
        actor=cast.intern,
        data=ContactIn(email="a@client.fr", custom={"crm_id": "X1", "tier": "Gold"}),
    )
    session.commit()
    fields.delete_field(session, actor=cast.cmo, field_id=defined["crm_id"].id)
    session.commit()
    assert [f.key for f in fields.list_fields(session)] == ["budget_eur", "renewal_date", "tier"]
    session.refresh(contact)
    assert contact.custom == {"tier": "Gold"}


def test_a_field_used_by_a_segment_or_a_rule_is_not_deleted(session, cast, defined):
    session.add(
        Segment(
            name="Gold accounts",
            definition={"all": [{"field": "custom.tier", "op": "eq", "value": "Gold"}]},
        )
    )
    session.add(
        ScoringRule(
            name="Big budget",
            kind="fit",
            condition={"field": "custom.budget_eur", "op": "gte", "value": 10000},
            points=10,
        )
    )
    session.commit()
    with pytest.raises(Conflict, match="Gold accounts"):
        fields.delete_field(session, actor=cast.cmo, field_id=defined["tier"].id)
    with pytest.raises(Conflict, match="Big budget"):
        fields.delete_field(session, actor=cast.cmo, field_id=defined["budget_eur"].id)
    with pytest.raises(Forbidden):
        fields.delete_field(session, actor=cast.manager, field_id=defined["crm_id"].id)
