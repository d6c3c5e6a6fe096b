"""Which opens and clicks count: machines that fetch pixels and follow links are left out.

The rules (documented in docs/delivery.md, "Open and click tracking"):

- a ``HEAD`` request never counts (link checkers ask for headers only);
- a request without a user agent, or from a known scanner, preview or script (security
  gateways such as Proofpoint, Mimecast, Barracuda or Safe Links; link previews of chat
  apps; ``curl``, ``python-requests``; anything calling itself a bot, spider or crawler)
  never counts;
- opens: image proxies that fetch when the person opens the message (Gmail's
  ``GoogleImageProxy``, Yahoo's) count; Apple Mail Privacy Protection fetches every
  image in advance with the bare user agent ``Mozilla/5.0``: not counted;
- clicks: within ``CLICK_GRACE_SECONDS`` of the server's acceptance (scanners follow links
  on arrival), or on a second, different link of the same message within
  ``BURST_SECONDS`` of a counted one (a person does not click two links in one second; a
  scanner following every link does) → not counted.

A request that does not count is still answered: the pixel is returned, the link redirects.
"""

from __future__ import annotations

import re
from datetime import datetime
from enum import StrEnum

CLICK_GRACE_SECONDS = 10.0
BURST_SECONDS = 1.0

_SCANNERS = re.compile(
    r"bot\b|bot/|spider|crawl|slurp|scanner|preview|proofpoint|mimecast|barracuda|"
    r"messagelabs|symantec|trendmicro|trend micro|forcepoint|fireeye|sophos|safelinks|"
    r"urldefense|python-requests|python-urllib|aiohttp|httpx|curl/|wget/|go-http-client|"
    r"java/|okhttp|libwww|headlesschrome|phantomjs|facebookexternalhit|whatsapp|"
    r"skypeuripreview|embedly|googlebot",
    re.IGNORECASE,
)
# What Apple's Mail Privacy Protection proxy sends when it prefetches every image.
APPLE_PREFETCH_AGENT = "Mozilla/5.0"


class Ignored(StrEnum):
    """Why a hit was not counted."""

    head = "head"
    no_agent = "no_agent"
    scanner = "scanner"
    prefetch = "prefetch"
    too_soon = "too_soon"
    burst = "burst"
    unknown_message = "unknown_message"


def machine_agent(user_agent: str | None) -> Ignored | None:
    """Say whether a user agent is a machine's (None: it may be a person's)."""
    agent = (user_agent or "").strip()
    if not agent:
        return Ignored.no_agent
    if _SCANNERS.search(agent):
        return Ignored.scanner
    return None


def open_ignored(*, method: str, user_agent: str | None) -> Ignored | None:
    """Say why an open does not count (None: it counts)."""
    if method.upper() == "HEAD":
        return Ignored.head
    machine = machine_agent(user_agent)
    if machine is not None:
        return machine
    if (user_agent or "").strip() == APPLE_PREFETCH_AGENT:
        return Ignored.prefetch
    return None


def click_ignored(
    *,
    method: str,
    user_agent: str | None,
    url: str,
    now: datetime,
    sent_at: datetime | None,
    recent_clicks: list[tuple[datetime, str]],
) -> Ignored | None:
    """Say why a click does not count (None: it counts).

    ``recent_clicks`` are the counted clicks of the same message (time, URL) of the last
    moments.
    """
    if method.upper() == "HEAD":
        return Ignored.head
    machine = machine_agent(user_agent)
    if machine is not None:
        return machine
    if sent_at is not None and (now - sent_at).total_seconds() < CLICK_GRACE_SECONDS:
        return Ignored.too_soon
    for at, other_url in recent_clicks:
        if other_url != url and abs((now - at).total_seconds()) < BURST_SECONDS:
            return Ignored.burst
    return None
