"""The sending pace of one SMTP server: a token bucket per second and a sliding-window cap.

Pure and thread-safe; the clock is given, so tests drive time themselves.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class RateLimits:
    """``per_second`` 0 and ``per_window`` 0 mean no limit."""

    per_second: float = 0.0
    per_window: int = 0
    window_seconds: float = 3600.0

    @property
    def unlimited(self) -> bool:
        return self.per_second <= 0 and self.per_window <= 0


class RateLimiter:
    """Grant sends one at a time; a refused send learns how long to wait."""

    def __init__(self, limits: RateLimits, clock: Callable[[], float]) -> None:
        self.limits = limits
        self._clock = clock
        self._lock = threading.Lock()
        # A burst of at most one second's worth of messages, then the steady pace.
        self._capacity = max(1.0, limits.per_second)
        self._tokens = self._capacity
        self._refilled_at = clock()
        self._window: deque[float] = deque()

    def try_acquire(self) -> float:
        """Take the right to send now and return 0, or return the seconds to wait first."""
        if self.limits.unlimited:
            return 0.0
        with self._lock:
            now = self._clock()
            wait = max(self._bucket_wait(now), self._window_wait(now))
            if wait > 0:
                return wait
            if self.limits.per_second > 0:
                self._tokens -= 1.0
            if self.limits.per_window > 0:
                self._window.append(now)
            return 0.0

    def _bucket_wait(self, now: float) -> float:
        rate = self.limits.per_second
        if rate <= 0:
            return 0.0
        self._tokens = min(self._capacity, self._tokens + (now - self._refilled_at) * rate)
        self._refilled_at = now
        if self._tokens >= 1.0:
            return 0.0
        return (1.0 - self._tokens) / rate

    def _window_wait(self, now: float) -> float:
        cap = self.limits.per_window
        if cap <= 0:
            return 0.0
        horizon = now - self.limits.window_seconds
        while self._window and self._window[0] <= horizon:
            self._window.popleft()
        if len(self._window) < cap:
            return 0.0
        return self._window[0] - horizon


def retry_delay_seconds(
    attempts: int, *, base_seconds: float, cap_seconds: float = 6 * 3600, jitter: float = 0.0
) -> float:
    """Return the wait before attempt ``attempts + 1``: base, 2x, 4x... capped, then jittered.

    ``jitter`` in [-1, 1] spreads retries by up to ±10% so that a server's recovery is not
    met by every message at the same second.
    """
    delay = min(cap_seconds, base_seconds * float(2 ** max(0, attempts - 1)))
    return max(1.0, delay * (1 + 0.1 * max(-1.0, min(1.0, jitter))))
