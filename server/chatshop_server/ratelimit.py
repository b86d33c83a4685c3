"""A token bucket per connection: cheap enough to check on every frame."""

from __future__ import annotations

import time


class TokenBucket:
    """Allows ``burst`` requests at once and ``rate`` per second sustained (0: unlimited)."""

    __slots__ = ("_burst", "_rate", "_stamp", "_tokens")

    def __init__(self, rate: float, burst: int) -> None:
        self._rate = rate
        self._burst = float(burst)
        self._tokens = float(burst)
        self._stamp = time.monotonic()

    def take(self) -> float:
        """Take one token; return 0 when allowed, else the seconds to wait for one."""
        if self._rate <= 0:
            return 0.0
        now = time.monotonic()
        self._tokens = min(self._burst, self._tokens + (now - self._stamp) * self._rate)
        self._stamp = now
        if self._tokens >= 1.0:
            self._tokens -= 1.0
            return 0.0
        return (1.0 - self._tokens) / self._rate
