"""The relay's notion of now: integer milliseconds since the epoch, the protocol's unit."""

from __future__ import annotations

import time
from collections.abc import Callable

Clock = Callable[[], int]


def now_ms() -> int:
    """Server time in integer milliseconds since the epoch."""
    return time.time_ns() // 1_000_000
