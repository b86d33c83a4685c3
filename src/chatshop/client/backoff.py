"""Delays between reconnection attempts: exponential, capped, with jitter.

Jitter keeps a relay that just restarted from being hit by every client in the same instant.
"""

from __future__ import annotations

import random
from collections.abc import Callable


class Backoff:
    """Hands out the next delay; ``reset()`` after a link that worked.

    The n-th delay is drawn uniformly from ``[cap / 2, cap]`` with
    ``cap = min(max_delay, min_delay * factor**n)``: half fixed, half random ("equal jitter"),
    so delays still grow predictably enough for a countdown.
    """

    def __init__(
        self,
        min_delay: float,
        max_delay: float,
        *,
        factor: float = 2.0,
        rand: Callable[[], float] = random.random,
    ) -> None:
        if min_delay <= 0 or max_delay < min_delay:
            raise ValueError("need 0 < min_delay <= max_delay")
        self.min_delay = min_delay
        self.max_delay = max_delay
        self.factor = factor
        self._rand = rand
        self.attempts = 0

    def next_delay(self) -> float:
        """The delay before the next attempt; each call counts as one more failure."""
        cap = min(self.max_delay, self.min_delay * self.factor**self.attempts)
        if cap < self.max_delay:  # stop counting once capped: factor**n would overflow
            self.attempts += 1
        return cap / 2 + self._rand() * cap / 2

    def reset(self) -> None:
        """Start over from ``min_delay``: the last link came up fine."""
        self.attempts = 0
