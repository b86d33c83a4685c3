"""The one ordered stream of relay events and state notifications handed to the caller.

It also owns the cursor bookkeeping, because "no duplicate ever reaches the caller" and
"resume from the last cursor" are the same question: which stored events has the caller got?
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterable

from chatshop.client.state import StateChanged
from chatshop.protocol.frames import AnyEvent

StreamItem = AnyEvent | StateChanged


class EventStream:
    """An unbounded FIFO that drops already-seen stored events and ends on ``finish()``.

    ``seen`` is the highest cursor queued (what to resume from); ``delivered`` the highest
    cursor the caller has taken out (what it may persist). Events without a cursor (typing)
    are ephemeral and always pass.
    """

    def __init__(self, cursor: int | None = None) -> None:
        self._queue: asyncio.Queue[StreamItem | None] = asyncio.Queue()
        self.seen = cursor
        self.delivered = cursor
        self._finished = False
        # Highest cursors queued / delivered since begin_session(): a relay may push a new
        # session's first events before the login result that names its starting cursor.
        self._fresh_seen: int | None = None
        self._fresh_delivered: int | None = None

    def begin_session(self) -> None:
        """A login or register is on its way: watch which cursors arrive before its result."""
        self._fresh_seen = None
        self._fresh_delivered = None

    def reset_cursor(self, cursor: int) -> None:
        """Count from ``cursor``, the start of a new session (or later, for events that
        arrived ahead of its result)."""
        self.seen = _max(cursor, self._fresh_seen)
        self.delivered = _max(cursor, self._fresh_delivered)

    def adopt_cursor(self, cursor: int) -> None:
        """Take ``cursor`` only when none is known yet (resuming a session without one)."""
        if self.seen is None:
            self.reset_cursor(cursor)

    def put_events(self, events: Iterable[AnyEvent]) -> None:
        """Queue new events in order; a stored event at or below ``seen`` is a replayed
        duplicate and is dropped."""
        if self._finished:
            return
        for event in events:
            cursor = event.cursor
            if cursor is not None:
                if self.seen is not None and cursor <= self.seen:
                    continue
                self.seen = cursor
                self._fresh_seen = _max(cursor, self._fresh_seen)
            self._queue.put_nowait(event)

    def put_state(self, change: StateChanged) -> None:
        """Queue a state notification between the events it separates."""
        if not self._finished:
            self._queue.put_nowait(change)

    def finish(self) -> None:
        """End the stream after what is queued; iteration stops there."""
        if not self._finished:
            self._finished = True
            self._queue.put_nowait(None)

    async def __aiter__(self) -> AsyncIterator[StreamItem]:
        """Yield items until ``finish()``; meant for a single consumer."""
        while True:
            item = await self._queue.get()
            if item is None:
                self._queue.put_nowait(None)  # later iterators end at once too
                return
            if not isinstance(item, StateChanged):
                cursor = item.cursor
                if cursor is not None:
                    self.delivered = _max(cursor, self.delivered)
                    self._fresh_delivered = _max(cursor, self._fresh_delivered)
            yield item


def _max(cursor: int, other: int | None) -> int:
    return cursor if other is None or cursor > other else other
