"""Jobs of contacts."""

from __future__ import annotations
