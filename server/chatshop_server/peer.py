"""One websocket connection: reads frames, dispatches requests, batches events out.

Requests run as concurrent tasks (so a client may keep many sends in flight and the writer
can commit them together), but each task reaches the storage queue before its first
suspension, so one connection's mutations are applied in the order they arrived.

Events for a connection are queued and written as one ``events`` frame per event-loop turn.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
from typing import Any

from websockets.asyncio.server import ServerConnection
from websockets.exceptions import ConnectionClosed

from chatshop.protocol import (
    ErrorCode,
    ProtocolError,
    error_frame,
    events_frame,
    request_id_of,
    result_frame,
    with_cursor,
)
from chatshop.protocol.bot_frames import Scope
from chatshop.protocol.frames import AuthResult, Hello, Request
from chatshop.protocol.limits import REPLAY_BATCH
from chatshop.protocol.models import User
from chatshop.protocol.session import Close, CloseCode, Refuse, ServerSession
from chatshop_server.context import RelayContext
from chatshop_server.handlers import HANDLERS
from chatshop_server.ratelimit import TokenBucket

log = logging.getLogger("chatshop.server")


class Peer:
    """The relay's side of one client connection."""

    __slots__ = (
        "_bucket",
        "_buffer",
        "_cursor",
        "_deadline",
        "_flushing",
        "_in_flight",
        "_loop",
        "_outbox",
        "_tasks",
        "ctx",
        "session",
        "user",
        "ws",
    )

    def __init__(self, ws: ServerConnection, ctx: RelayContext) -> None:
        self.ws = ws
        self.ctx = ctx
        self.user: User | None = None
        self._loop = asyncio.get_running_loop()
        self.session = ServerSession(
            opened_at=self._loop.time(),
            hello_timeout=ctx.config.hello_timeout,
            auth_timeout=ctx.config.auth_timeout,
        )
        self._deadline: asyncio.TimerHandle | None = None
        self._arm_deadline()
        self._bucket = TokenBucket(ctx.config.rate_per_second, ctx.config.rate_burst)
        self._cursor = 0
        self._outbox: list[bytes] = []
        self._buffer: list[tuple[int | None, bytes]] | None = None
        self._flushing = False
        self._in_flight = asyncio.Semaphore(ctx.config.max_in_flight)
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def user_id(self) -> int:
        return 0 if self.user is None else self.user.id

    @property
    def session_id(self) -> int:
        return self.session.session_id

    @property
    def scopes(self) -> frozenset[Scope] | None:
        return self.session.scopes

    @property
    def address(self) -> str:
        remote = self.ws.remote_address
        return str(remote[0]) if remote else ""

    # ------------------------------------------------------------------ reading

    async def serve(self) -> None:
        """Read frames until the connection closes."""
        try:
            async for raw in self.ws:
                if isinstance(raw, bytes):
                    close = self.session.receive_bytes()
                    await self.ws.close(close.code, close.reason)
                    return
                await self._in_flight.acquire()
                if not self._on_frame(raw):
                    self._in_flight.release()
        except ConnectionClosed:
            pass
        finally:
            if self._deadline is not None:
                self._deadline.cancel()
            if self.user is not None:
                self.ctx.broker.unsubscribe(self)
            for task in list(self._tasks):
                task.cancel()

    def _on_frame(self, raw: str) -> bool:
        """Start handling one frame; False when it was answered at once."""
        wait = self._bucket.take()
        if wait:
            self._reply_error(
                request_id_of(raw),
                ProtocolError(
                    ErrorCode.RATE_LIMITED,
                    f"more than {self.ctx.config.rate_per_second:g} requests per second",
                    retry_after=math.ceil(wait * 1000) / 1000,  # never earlier than allowed
                ),
            )
            return False
        decision = self.session.receive(raw)
        if isinstance(decision, Close):
            self._close_later(decision.code, decision.reason)
            return False
        if isinstance(decision, Refuse):
            self._reply_error(decision.request_id, decision.error)
            if decision.close is not None:
                self._close_later(decision.close.code, decision.close.reason)
            return False
        request = decision.request
        if isinstance(request, Hello):
            # Greeted now, not when the handler runs: the next frame may already be waiting.
            self.session.greeted(self._loop.time())
            self._arm_deadline()
        task = asyncio.create_task(self._handle(request))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return True

    def _arm_deadline(self) -> None:
        """Close this connection if it is still waiting (for hello, for a login) by then."""
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None
        when = self.session.deadline()
        if when is not None:
            self._deadline = self._loop.call_at(when, self._deadline_passed)

    def _deadline_passed(self) -> None:
        self._deadline = None
        close = self.session.expired(self._loop.time())
        if close is None:
            self._arm_deadline()
        else:
            self._close_later(close.code, close.reason)

    async def _handle(self, request: Request[Any]) -> None:
        try:
            try:
                handler = HANDLERS[type(request)]
                result = await handler(self, request)
            except ProtocolError as exc:
                self._reply_error(request.id, exc)
                return
            except Exception:
                log.exception("handler for %s failed", type(request).__name__)
                self._reply_error(request.id, ProtocolError(ErrorCode.INTERNAL, "internal error"))
                return
            await self._send(result_frame(request.id, result))
            if isinstance(result, AuthResult):  # a session started: its result went first
                await self.replay(result.cursor)
        finally:
            self._in_flight.release()

    # ------------------------------------------------------------------ writing

    async def _send(self, frame: bytes) -> None:
        with contextlib.suppress(ConnectionClosed):
            await self.ws.send(frame, text=True)

    def _reply_error(self, request_id: int | str | None, error: ProtocolError) -> None:
        self._spawn(self._send(error_frame(request_id, error)))

    def _spawn(self, coro: Any) -> None:
        task = asyncio.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _close_later(self, code: int, reason: str) -> None:
        self._spawn(self.ws.close(code, reason))

    # ------------------------------------------------------------------ events

    def deliver(self, cursor: int | None, event: bytes) -> None:
        """Queue an event for this connection (called by the broker)."""
        if not self.session.delivers(event):
            return  # a bot's scopes do not cover this kind of event
        if self._buffer is not None:
            self._buffer.append((cursor, event))
            return
        if cursor is not None:
            if cursor <= self._cursor:
                return  # already sent during replay
            self._cursor = cursor
        self._outbox.append(event)
        if len(self._outbox) > self.ctx.config.max_outbox_events:
            self._outbox.clear()
            log.warning("closing a connection of user %s: too far behind", self.user_id)
            self._close_later(CloseCode.POLICY_VIOLATION, "too far behind; resume from your cursor")
            return
        if not self._flushing:
            self._flushing = True
            self._spawn(self._flush())

    async def _flush(self) -> None:
        try:
            while self._outbox:
                batch, self._outbox = self._outbox, []
                await self.ws.send(events_frame(batch), text=True)
        except ConnectionClosed:
            self._outbox.clear()
        finally:
            self._flushing = False

    def revoke(self) -> None:
        """This session was revoked elsewhere: from now on nothing reaches this connection
        and nothing it sends is served; then it is closed with 4001."""
        if self.user is not None:
            self.ctx.broker.unsubscribe(self)
        self.user = None
        close = self.session.revoked()
        self._outbox.clear()
        self._close_later(close.code, close.reason)

    def start_session(
        self, user: User, session_id: int, since: int, scopes: frozenset[Scope] | None = None
    ) -> None:
        """Become ``user`` from cursor ``since`` (a bot bound by ``scopes``): subscribe to
        fan-out, buffering live events until ``replay`` has sent what was committed after
        ``since``."""
        if self.user is not None:
            self.ctx.broker.unsubscribe(self)
        self.user = user
        self.session.authenticated(user.id, session_id, scopes)
        self._arm_deadline()
        self._cursor = since
        self._buffer = []
        self.ctx.broker.subscribe(self)

    async def replay(self, since: int) -> None:
        """Send everything after ``since``, then the live events that arrived meanwhile."""
        after = since
        try:
            while True:
                rows = await self.ctx.stores.log.replay(self.user_id, after, REPLAY_BATCH)
                if rows:
                    after = rows[-1][0]
                    batch = [with_cursor(c, b) for c, b in rows if self.session.delivers(b)]
                    if batch:
                        await self.ws.send(events_frame(batch), text=True)
                if len(rows) < REPLAY_BATCH:
                    break
        except ConnectionClosed:
            return
        except Exception:
            # The reply was already sent, so there is no error frame to give: close, and
            # let the client resume from the last cursor it received.
            log.exception("replay for user %s failed", self.user_id)
            self._close_later(CloseCode.INTERNAL_ERROR, "replay failed; reconnect and resume")
            return
        finally:
            buffered, self._buffer = self._buffer or [], None
            self._cursor = max(self._cursor, after)
        for cursor, event in buffered:
            self.deliver(cursor, event)

    def end_session(self) -> None:
        if self.user is not None:
            self.ctx.broker.unsubscribe(self)
        self.user = None
        self.session.logged_out(self._loop.time())
        self._arm_deadline()
