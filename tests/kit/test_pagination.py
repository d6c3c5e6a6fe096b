"""Cursor pagination: pages cut by key, stable under ties, refusing foreign cursors."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from propulse.kit.errors import InvalidInput
from propulse.kit.pagination import SortKey, decode_cursor, encode_cursor, paginate
from propulse.workspace.models import User
from tests.support.factories import make_user


def test_walking_every_page_returns_each_row_once_in_order(session, cast):
    for index in range(7):
        make_user(session, email=f"p{index}@x.example", name="Same name", role="member")
    session.flush()
    keys = [SortKey(User.name), SortKey(User.id)]
    seen: list[int] = []
    cursor = None
    while True:
        rows, cursor = paginate(session, select(User), keys=keys, cursor=cursor, limit=3)
        seen += [row.id for row in rows]
        if cursor is None:
            break
    expected = [u.id for u in session.scalars(select(User).order_by(User.name, User.id))]
    assert seen == expected and len(seen) == 11


def test_descending_keys(session, cast):
    keys = [SortKey(User.id, descending=True)]
    first, cursor = paginate(session, select(User), keys=keys, cursor=None, limit=2)
    second, _ = paginate(session, select(User), keys=keys, cursor=cursor, limit=2)
    assert [u.id for u in first + second] == sorted((u.id for u in first + second), reverse=True)


def test_a_cursor_of_another_shape_is_refused():
    keys = [SortKey(User.name), SortKey(User.id)]
    with pytest.raises(InvalidInput):
        decode_cursor(encode_cursor([1]), keys)
    with pytest.raises(InvalidInput):
        decode_cursor("!!!not base64", keys)
