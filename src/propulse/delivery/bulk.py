"""Insert many ready outbox rows at once: the message rows, then their bodies.

For bulk loads that bypass ``service.enqueue_message`` (its checks included): benchmarks,
tests and data fixes. Each row holds the columns of ``delivery_messages`` and, optionally,
the body fields (``preheader``, ``html_body``, ``text_body``, ``headers``), which go to
``delivery_message_bodies``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, cast

from sqlalchemy import Connection, Table, insert

from propulse.delivery.models import DeliveryMessage, DeliveryMessageBody

MESSAGES = cast(Table, DeliveryMessage.__table__)
BODIES = cast(Table, DeliveryMessageBody.__table__)
BODY_FIELDS = ("preheader", "html_body", "text_body", "headers")
_BODY_DEFAULTS: dict[str, Any] = {
    "preheader": "",
    "html_body": "",
    "text_body": "",
    "headers": None,
}


def insert_messages(connection: Connection, rows: Sequence[Mapping[str, Any]]) -> list[int]:
    """Insert the rows and their bodies in the caller's transaction; return their ids in order."""
    if not rows:
        return []
    messages = [{k: v for k, v in row.items() if k not in BODY_FIELDS} for row in rows]
    ids = list(
        connection.execute(
            insert(MESSAGES).returning(MESSAGES.c.id, sort_by_parameter_order=True), messages
        ).scalars()
    )
    bodies = [
        {"message_pk": pk, **{f: row.get(f, _BODY_DEFAULTS[f]) for f in BODY_FIELDS}}
        for pk, row in zip(ids, rows, strict=True)
    ]
    connection.execute(insert(BODIES), bodies)
    return ids
