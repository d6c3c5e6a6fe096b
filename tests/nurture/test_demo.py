"""The demo sequence: an e-book follow-up triggered by a list, seeded once."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from propulse.nurture import service
from propulse.nurture.demo import SEQUENCE_NAME, seed_demo_sequences
from tests.nurture.factories import make_template


def test_seed_once(session: Session, cast: Any) -> None:
    ids = [make_template(session, cast.manager) for _ in range(3)]
    seed_demo_sequences(session, actor=cast.cmo, template_ids=ids)
    seed_demo_sequences(session, actor=cast.cmo, template_ids=ids)
    (summary,) = service.list_sequences(session)
    assert (summary.name, summary.status, summary.steps) == (SEQUENCE_NAME, "active", 8)
    sequence = service.get_sequence(session, sequence_id=summary.id)
    sends = [s.config["template_id"] for s in sequence.steps if s.kind == "send_email"]
    assert sends == ids
    assert sequence.triggers[0]["kind"] == "segment_entered"
