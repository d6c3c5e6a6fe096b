"""The triggers of active sequences, cached in-process so the event path costs ~nothing.

Every contact change (an event, an edit, an import batch) reaches the nurturing subscriber;
most match no trigger. The active triggers are read at most every ``TTL_SECONDS`` per process,
and forgotten at once when a sequence is saved or switched in this process (after commit).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from propulse import db
from propulse.nurture.models import Sequence, SequenceStatus, TriggerKind

TTL_SECONDS = 5.0


@dataclass(frozen=True)
class ActiveTriggers:
    """What enrols contacts now, by kind: segment id, score threshold, event type."""

    by_segment: Mapping[int, tuple[int, ...]] = field(default_factory=dict)
    # (threshold, sequence id), lowest threshold first
    by_score: tuple[tuple[int, int], ...] = ()
    # event type -> [(sequence id, properties that must all match)]
    by_event: Mapping[str, tuple[tuple[int, Mapping[str, Any]], ...]] = field(default_factory=dict)
    on_mql: tuple[int, ...] = ()

    @property
    def empty(self) -> bool:
        return not (self.by_segment or self.by_score or self.by_event)


_lock = threading.Lock()
_cached: ActiveTriggers | None = None
_loaded_at = 0.0


def _load(session: Session) -> ActiveTriggers:
    by_segment: dict[int, list[int]] = {}
    by_score: list[tuple[int, int]] = []
    by_event: dict[str, list[tuple[int, Mapping[str, Any]]]] = {}
    on_mql: list[int] = []
    rows = session.execute(
        select(Sequence.id, Sequence.triggers).where(Sequence.status == SequenceStatus.active)
    )
    for sequence_id, stored in rows:
        for trigger in stored or []:
            kind = trigger.get("kind")
            if kind == TriggerKind.segment_entered and trigger.get("segment_id"):
                by_segment.setdefault(int(trigger["segment_id"]), []).append(sequence_id)
            elif kind == TriggerKind.score_reached and trigger.get("score") is not None:
                by_score.append((int(trigger["score"]), sequence_id))
            elif kind == TriggerKind.event and trigger.get("event_type"):
                by_event.setdefault(str(trigger["event_type"]), []).append(
                    (sequence_id, dict(trigger.get("properties") or {}))
                )
            elif kind == TriggerKind.mql:
                on_mql.append(sequence_id)
    return ActiveTriggers(
        by_segment={key: tuple(ids) for key, ids in by_segment.items()},
        by_score=tuple(sorted(by_score)),
        by_event={key: tuple(items) for key, items in by_event.items()},
        on_mql=tuple(sorted(set(on_mql))),
    )


def active_triggers(session: Session) -> ActiveTriggers:
    """Return the cached triggers, reading them again when older than the TTL."""
    global _cached, _loaded_at
    now = time.monotonic()
    cached = _cached
    if cached is not None and now - _loaded_at < TTL_SECONDS:
        return cached
    fresh = _load(session)
    with _lock:
        _cached, _loaded_at = fresh, now
    return fresh


def clear() -> None:
    """Forget the cache now (tests, and after a sequence is saved)."""
    global _cached
    with _lock:
        _cached = None


def forget_cache(session: Session) -> None:
    """Forget the cache now and again once this transaction commits."""
    clear()
    if clear not in session.info.get(db.AFTER_COMMIT_KEY, []):
        db.after_commit(session, clear)
