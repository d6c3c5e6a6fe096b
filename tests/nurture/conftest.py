"""Fixtures of the nurturing tests: an empty trigger cache for each test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from propulse.nurture import figures, triggers


@pytest.fixture(autouse=True)
def fresh_trigger_cache() -> Iterator[None]:
    """Each test rolls its sequences back: the in-process caches must not outlive them."""
    triggers.clear()
    figures.forget()
    yield
    triggers.clear()
    figures.forget()
