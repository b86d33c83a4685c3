"""Client-side pacing of bursts, so replaying a long offline queue stays under the relay's
rate limit instead of collecting ``rate_limited`` errors for half of it."""

from __future__ import annotations

import asyncio


class Pacer:
    """A token bucket that waits instead of refusing: ``burst`` at once, then ``rate``/s.

    A ``rate`` of 0 (the relay's "unlimited") never waits.
    """

    def __init__(self, rate: float, burst: int) -> None:
        self.rate = rate
        self.burst = max(1.0, float(burst))
        self._tokens = self.burst
        self._stamp: float | None = None

    async def wait(self) -> None:
        """Return when one more request may go out."""
        if self.rate <= 0:
            return
        loop = asyncio.get_running_loop()
        now = loop.time()
        if self._stamp is not None:
            self._tokens = min(self.burst, self._tokens + (now - self._stamp) * self.rate)
        self._stamp = now
        if self._tokens < 1.0:
            await asyncio.sleep((1.0 - self._tokens) / self.rate)
            self._stamp = loop.time()
            self._tokens = 1.0
        self._tokens -= 1.0
