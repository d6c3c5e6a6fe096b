"""Jobs of scoring."""

from __future__ import annotations
