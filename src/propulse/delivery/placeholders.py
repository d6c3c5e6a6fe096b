"""Links that exist only once a message has its outbox row, written into bodies as markers.

Templates are rendered before the message is queued, so a body cannot hold its own signed
unsubscribe or preference link yet. The renderer writes these markers (plain letters and
``%``, unchanged by HTML escaping, Markdown and CSS inlining) and the composer replaces them
with the message's signed URLs when it sends.
"""

from __future__ import annotations

UNSUBSCRIBE_URL = "%%PROPULSE_UNSUBSCRIBE_URL%%"
PREFERENCES_URL = "%%PROPULSE_PREFERENCES_URL%%"
