"""Re-check a claimed batch against suppressions and contacts, in two queries per batch.

Deliberately reads two columns of the contacts domain's tables instead of calling
``contacts.service.is_suppressed`` and ``get_contact`` per message: those per-message ORM
lookups were a third of the worker's CPU time (bench/delivery_throughput.py). Same rules as
``service.blocked_reason`` (same normal form and hash of the address); to move into the
contacts service once it offers batch look-ups.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from propulse.contacts.emails import email_hash, normalise_email
from propulse.contacts.models import ConsentBasis, Contact, Suppression
from propulse.delivery.outbox import Claimed
from propulse.delivery.service import Block


def blocked_among(session: Session, *, messages: Sequence[Claimed]) -> dict[int, Block]:
    """Return, by message row id, why a message may not be sent now (absent: it may)."""
    hashes: dict[int, str] = {}
    for message in messages:
        normalised = normalise_email(message.to_address)
        if normalised is not None:
            hashes[message.id] = email_hash(normalised)
    suppressed = (
        set(
            session.scalars(
                select(Suppression.email_hash).where(
                    Suppression.email_hash.in_(set(hashes.values()))
                )
            )
        )
        if hashes
        else set()
    )
    contact_ids = {m.contact_id for m in messages if m.contact_id is not None}
    contact_blocks: dict[int, Block] = {}
    if contact_ids:
        rows = session.execute(
            select(Contact.id, Contact.do_not_contact, Contact.email_consent).where(
                Contact.id.in_(contact_ids)
            )
        )
        for contact_id, do_not_contact, consent in rows:
            if do_not_contact:
                contact_blocks[contact_id] = Block.do_not_contact
            elif consent == ConsentBasis.withdrawn:
                contact_blocks[contact_id] = Block.withdrawn
    blocked: dict[int, Block] = {}
    for message in messages:
        if hashes.get(message.id) in suppressed:
            blocked[message.id] = Block.suppressed
        elif message.contact_id in contact_blocks:
            blocked[message.id] = contact_blocks[message.contact_id]
    return blocked
