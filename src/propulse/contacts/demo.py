"""Demo contacts: about 40,000 people of French and European companies, a year of activity.

The base comes from ``sample`` and goes in through the driver (``sample_load``: one ORM
object per row would take minutes); fields and segments go through their services, scoring
rules through the models (their service would queue a full rescore per rule), then every
contact is scored and every segment built, as a real workspace would have them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from propulse.contacts import demo_setup as setup
from propulse.contacts import fields, sample_load
from propulse.contacts.models import Company, Contact
from propulse.contacts.sample import SampleBatch, generate
from propulse.contacts.schemas import CustomFieldIn
from propulse.scoring import config as scoring_config
from propulse.scoring import service as scoring
from propulse.scoring.models import ScoringRule
from propulse.segments import service as segments
from propulse.segments.models import SegmentKind
from propulse.segments.schemas import SegmentIn
from propulse.workspace.models import Role, User

DEMO_CONTACTS = 40_000
# Ten events a contact on average: about 400,000 events, seeded in seconds.
EVENTS_PER_CONTACT = 10.0
SEED = 40
ADVANCED_STAGES = ("sql", "opportunity", "customer")


def seed(session: Session, *, owners: list[User], today: date) -> None:
    """Seed the demo contacts, their events, segments and scoring rules."""
    if session.scalar(select(Contact.id).limit(1)) is not None:
        return
    admin = next((user for user in owners if user.role == Role.admin), None)
    if admin is not None:
        for position, (key, label, kind, choices) in enumerate(setup.FIELDS):
            field = CustomFieldIn(
                key=key, label=label, kind=kind, choices=list(choices), position=position
            )
            fields.create_field(session, actor=admin, data=field)
    vip = load_sample(session, owners=[user.id for user in owners], today=today)
    _scoring_rules(session)
    _score_without_notifying(session)
    if admin is None:
        return
    for name, description, definition in setup.SEGMENTS:
        data = SegmentIn(
            name=name,
            description=description,
            kind=SegmentKind.dynamic if definition else SegmentKind.static,
            definition=definition,
        )
        # A dynamic segment of a base this size is built at once, in this transaction.
        segment = segments.create_segment(session, actor=admin, data=data)
        if definition is None:
            segments.add_members(session, actor=admin, segment_id=segment.id, contact_ids=vip)


def load_sample(session: Session, *, owners: Sequence[int], today: date) -> list[int]:
    """Insert the sample base in bulk; return the ids of the VIP accounts' contacts."""
    first_company = (session.scalar(select(func.max(Company.id))) or 0) + 1
    first_contact = (session.scalar(select(func.max(Contact.id))) or 0) + 1
    vip: list[int] = []

    def noting_vip(batches: Iterable[SampleBatch]) -> Iterator[SampleBatch]:
        for batch in batches:
            vip.extend(
                contact["id"]
                for contact in batch.contacts
                if contact["custom"].get("tier") == "Strategic"
                and contact["lifecycle_stage"] in ADVANCED_STAGES
            )
            yield batch

    def owner(contact: dict[str, Any]) -> int | None:
        """Leads further down the funnel have an owner; subscribers and a third of leads not."""
        if not owners or contact["lifecycle_stage"] == "subscriber" or contact["id"] % 3 == 0:
            return None
        return owners[int(contact["id"]) % len(owners)]

    batches = generate(
        DEMO_CONTACTS,
        EVENTS_PER_CONTACT,
        SEED,
        today,
        batch_size=10_000,
        first_company_id=first_company,
        first_contact_id=first_contact,
    )
    sample_load.load(
        session.connection(), noting_vip(batches), owner=owner, rebuild_event_indexes=True
    )
    return vip[: setup.VIP_COUNT]


def _scoring_rules(session: Session) -> None:
    for position, rule in enumerate(setup.RULES):
        session.add(ScoringRule(position=position, **{"condition": {}, **rule}))
    settings = scoring_config.get_settings(session)
    settings.total_limit = 100
    settings.group_caps = dict(setup.GROUP_CAPS)
    settings.mql_threshold = setup.MQL_THRESHOLD
    session.flush()


def _score_without_notifying(session: Session) -> None:
    """Score everyone; those already past the threshold became MQL in the past, not today.

    The MQL actions are off meanwhile, so seeding does not send the owners thousands of
    notifications nor move a year of leads to "mql" at once.
    """
    settings = scoring_config.get_settings(session)
    notify, set_stage = settings.mql_notify_owner, settings.mql_set_stage
    settings.mql_notify_owner = settings.mql_set_stage = False
    session.flush()
    scoring.rescore_all(session)
    session.execute(
        update(Contact)
        .where(Contact.mql_at.is_not(None))
        .values(mql_at=func.coalesce(Contact.last_activity_at, Contact.created_at))
        .execution_options(synchronize_session=False)
    )
    settings.mql_notify_owner, settings.mql_set_stage = notify, set_stage
    session.flush()
