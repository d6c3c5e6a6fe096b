"""Fixtures of the nurturing tests: an empty trigger cache for each test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from propulse.nurture import triggers


@pytest.fixture(autouse=True)
def fresh_trigger_cache() -> Iterator[None]:
    """Each test rolls its sequences back: the in-process cache must not outlive them."""
    triggers.clear()
    yield
    triggers.clear()
