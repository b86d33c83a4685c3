"""Requests awaiting their reply, and the ordered outbox of sends waiting for a link.

Each request gets a fresh integer ``id``; the reader hands every ``result``/``error`` back here
by that id. Sends carry an idempotency key, so unlike other requests they survive a dropped
link: they go back to the outbox, in call order, and are written again after the reconnect.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable
from typing import Any

import msgspec

from chatshop.client.errors import RequestTimeout
from chatshop.protocol import encode
from chatshop.protocol.frames import Request


class Call:
    """One request: its encoded frame, the future its caller awaits, and its reply timer."""

    __slots__ = ("frame", "future", "id", "kind", "replayable", "request", "result_type", "timer")

    def __init__(
        self,
        call_id: int,
        request: Request[Any],
        result_type: type[Any],
        future: asyncio.Future[Any],
        *,
        replayable: bool,
    ) -> None:
        self.id = call_id
        self.request = request
        self.kind = str(type(request).__struct_config__.tag)
        self.result_type = result_type
        self.frame = encode(request)
        self.future = future
        self.replayable = replayable
        self.timer: asyncio.TimerHandle | None = None

    @property
    def written(self) -> bool:
        """Whether the frame went out on the current link (its reply timer runs)."""
        return self.timer is not None

    def succeed(self, value: Any) -> None:
        """Hand the decoded result to the caller, unless it gave up already."""
        if not self.future.done():
            self.future.set_result(value)

    def fail(self, exc: BaseException) -> None:
        """Raise ``exc`` in the caller, unless it gave up already."""
        if not self.future.done():
            self.future.set_exception(exc)

    def stop_timer(self) -> None:
        """Forget the reply deadline (answered, or back in the outbox)."""
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None


class PendingTable:
    """Calls by id, plus the outbox of replayable calls not (or no longer) written."""

    def __init__(self) -> None:
        self._next_id = 0
        self._calls: dict[int, Call] = {}
        self.outbox: deque[Call] = deque()

    def __len__(self) -> int:
        return len(self._calls)

    def new(self, request: Request[Any], result_type: type[Any], *, replayable: bool) -> Call:
        """Register ``request`` under a fresh id (replacing whatever id it was built with)."""
        self._next_id += 1
        request = msgspec.structs.replace(request, id=self._next_id)
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        call = Call(self._next_id, request, result_type, future, replayable=replayable)
        self._calls[call.id] = call
        return call

    def arm(self, call: Call, timeout: float) -> None:
        """Start the reply deadline: the frame is about to be written."""
        call.stop_timer()
        call.timer = asyncio.get_running_loop().call_later(timeout, self._expire, call, timeout)

    def _expire(self, call: Call, timeout: float) -> None:
        call.timer = None
        self.discard(call)
        call.fail(RequestTimeout(f"no reply to {call.kind!r} within {timeout:g} s"))

    def pop(self, call_id: int | str) -> Call | None:
        """The call a reply answers, removed from the table; None for an unknown id."""
        if not isinstance(call_id, int):
            return None
        call = self._calls.pop(call_id, None)
        if call is not None:
            call.stop_timer()
        return call

    def discard(self, call: Call) -> None:
        """Drop a call whose caller is gone (answered, timed out or cancelled)."""
        if self._calls.pop(call.id, None) is not None:
            call.stop_timer()
            if call in self.outbox:
                self.outbox.remove(call)

    def link_lost(self, make_error: Callable[[], Exception]) -> None:
        """The link dropped: fail written calls, except replayable ones, which go back to the
        outbox ahead of later ones (ids grow in call order)."""
        back: list[Call] = []
        for call in list(self._calls.values()):
            if not call.written:
                continue
            call.stop_timer()
            if call.replayable:
                back.append(call)
            else:
                del self._calls[call.id]
                call.fail(make_error())
        if back:
            self.outbox = deque(sorted([*back, *self.outbox], key=lambda c: c.id))

    def fail_all(self, make_error: Callable[[], Exception]) -> None:
        """Fail every call, written or queued: the client goes offline or closes."""
        calls = list(self._calls.values())
        self._calls.clear()
        self.outbox.clear()
        for call in calls:
            call.stop_timer()
            call.fail(make_error())
