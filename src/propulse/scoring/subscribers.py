"""How scoring reacts to contact changes (see propulse.contacts.hooks)."""

from __future__ import annotations
