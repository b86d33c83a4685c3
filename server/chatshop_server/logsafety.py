"""A flood must not become a flood of log lines.

``RepeatFilter`` lets each kind of record (same logger, same message template) through at
most ``burst`` times per ``period`` seconds; the rest are counted, and the next record of
that kind that gets through says how many were held back. Installed on the relay's log
handlers by ``chatshop-server``, it also covers websockets' and asyncio's records (a file
descriptor shortage logs one line per refused accept).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable


class RepeatFilter(logging.Filter):
    """At most ``burst`` records of one kind per ``period`` seconds (see module docstring)."""

    def __init__(
        self,
        *,
        burst: int = 20,
        period: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__()
        self._burst = burst
        self._period = period
        self._clock = clock
        self._windows: dict[tuple[str, str], tuple[float, int, int]] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        key = (record.name, str(record.msg))
        now = self._clock()
        start, passed, held = self._windows.get(key, (now, 0, 0))
        if now - start >= self._period:
            start, passed = now, 0
        if passed >= self._burst:
            self._windows[key] = (start, passed, held + 1)
            return False
        if held:
            record.msg = f"{record.msg} ({held} similar messages were held back)"
        self._windows[key] = (start, passed + 1, 0)
        if len(self._windows) > 10_000:  # many distinct templates: forget the quiet ones
            self._windows = {k: v for k, v in self._windows.items() if now - v[0] < self._period}
        return True


def install(handlers: list[logging.Handler]) -> None:
    """Put one ``RepeatFilter`` on each of ``handlers``."""
    for handler in handlers:
        handler.addFilter(RepeatFilter())
