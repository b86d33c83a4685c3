"""The link to one relay: open, shake hands, read, reconnect, and match replies to requests.

One supervisor task per client runs attempts one after another; each attempt owns one
websocket and one reader task. Everything that must happen in frame order (session changes
carried by auth results, cursors of events) happens in the reader, synchronously, so a caller
resuming after ``await`` always finds the client in the state the relay's frames describe.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Self, TypeVar

import msgspec
from websockets.asyncio.client import ClientConnection
from websockets.asyncio.client import connect as ws_connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidURI

from chatshop.client.backoff import Backoff
from chatshop.client.errors import (
    ClientClosed,
    ConnectionLost,
    InvalidReply,
    RequestError,
    RequestTimeout,
)
from chatshop.client.pacing import Pacer
from chatshop.client.pending import Call, PendingTable
from chatshop.client.state import ConnectionState, StateChanged
from chatshop.client.stream import EventStream, StreamItem
from chatshop.protocol import (
    PROTOCOL_VERSION,
    ErrorCode,
    User,
    convert_result,
    decode_server_frame,
)
from chatshop.protocol.frames import (
    AnyEvent,
    Auth,
    AuthResult,
    Error,
    Events,
    Hello,
    HelloResult,
    Login,
    Logout,
    LogoutAll,
    Register,
    Request,
    Result,
    Send,
)
from chatshop.protocol.limits import MAX_FRAME_BYTES
from chatshop.protocol.payment_frames import (
    Pay,
    PayRequest,
    RequestMoney,
    SendLuckyMoney,
    Split,
    TopUp,
)
from chatshop.protocol.session import link_end

log = logging.getLogger("chatshop.client")

T = TypeVar("T")
R = TypeVar("R", bound=msgspec.Struct)

# Limits
MAX_INCOMING_BYTES = 2**25  # a replay batch of 500 long messages, with room to spare

# Requests that carry an idempotency key the relay deduplicates: like ``send``, they survive a
# dropped link (written again with the same key after the reconnect, stored once).
REPLAYABLE: tuple[type[Request[Any]], ...] = (
    Send,
    TopUp,
    Pay,
    RequestMoney,
    PayRequest,
    Split,
    SendLuckyMoney,
)

_loose_decoder = msgspec.json.Decoder()


@dataclass(frozen=True, slots=True)
class _LinkEnd:
    """How one attempt ended: why, whether to try again, and what ``connect()`` raises."""

    reason: str
    retry: bool
    error: RequestError | None = None


class Connection:
    """A self-healing link to a relay with request/reply matching and one event stream.

    ``ChatClient`` adds the typed convenience calls on top; this class is the machinery.
    """

    def __init__(
        self,
        url: str,
        *,
        token: str | None = None,
        cursor: int | None = None,
        client_name: str = "chatshop",
        # Timeouts
        min_backoff: float = 0.25,
        max_backoff: float = 30.0,
        request_timeout: float = 15.0,
    ) -> None:
        self.url = url
        self.token = token
        """The session token; set by login/register, cleared by logout or revocation."""
        self.user: User | None = None
        """The logged-in account, once auth/login/register answered."""
        self.server: HelloResult | None = None
        """What the relay announced in its hello result (version, limits)."""
        self.client_name = client_name
        self.request_timeout = request_timeout
        self._backoff = Backoff(min_backoff, max_backoff)
        self._stream = EventStream(cursor)
        self._calls = PendingTable()
        self._state = ConnectionState.OFFLINE
        self._ws: ClientConnection | None = None
        self._link_up = False  # handshake done on self._ws: requests may go straight out
        self._resume = False  # reconnect when the link drops
        self._closed = False
        self._supervisor: asyncio.Task[None] | None = None

    # ------------------------------------------------------------------ public surface

    @property
    def state(self) -> ConnectionState:
        """Where the link stands now (the stream carries each change as ``StateChanged``)."""
        return self._state

    @property
    def cursor(self) -> int | None:
        """The highest event cursor handed to the caller: persist it to resume from there."""
        return self._stream.delivered

    def events(self) -> AsyncIterator[StreamItem]:
        """Relay events and ``StateChanged`` notifications, in order; ends after ``close()``.

        Meant for a single consumer: two iterators would split the stream between them.
        Items wait in an unbounded queue until taken, so a long-lived client should drain it.
        """
        return aiter(self._stream)

    async def connect(self) -> None:
        """Open the link: hello, then auth (resuming from the cursor) when a token is set.

        Raises ``ConnectionLost`` when the relay cannot be reached, ``RequestError`` when it
        refuses the hello or the token (the token is then cleared). Either way the client is
        OFFLINE and ``connect()`` may be called again. Once connected, drops are healed by
        reconnecting in the background.
        """
        if self._closed:
            raise ClientClosed()
        if self._supervisor is not None and not self._supervisor.done():
            raise RuntimeError("connect() called while the client is already linked")
        first: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._resume = True
        self._supervisor = asyncio.create_task(self._supervise(first), name="chatshop-link")
        try:
            await first
        except asyncio.CancelledError:
            self._supervisor.cancel()
            raise

    async def close(self) -> None:
        """Close the link for good: pending calls raise ``ClientClosed``, the stream ends."""
        if self._closed:
            return
        self._closed = True
        self._resume = False
        supervisor = self._supervisor
        if supervisor is not None and not supervisor.done():
            supervisor.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await supervisor
        self._calls.fail_all(ClientClosed)
        self._set_state(ConnectionState.CLOSED)
        self._stream.finish()

    async def __aenter__(self) -> Self:
        await self.connect()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    @property
    def queued_sends(self) -> int:
        """Sends waiting for the link (the TUI's "pending" count)."""
        return len(self._calls.outbox)

    async def request(
        self, request: Request[Any] | type[Request[Any]], /, **fields: Any
    ) -> msgspec.Struct:
        """Send any request and return its decoded result struct (``request.result_type``).

        Pass a built struct (its ``id`` is replaced by the client's own), or a request class
        and its fields: ``request(GetUser, handle="sam")``. Raises ``RequestError`` for an
        error reply, ``ConnectionLost`` when there is no link (a ``Send`` or a keyed money
        request waits for the link instead), ``RequestTimeout`` after ``request_timeout``.
        """
        if isinstance(request, type):
            request = request(id=0, **fields)
        elif fields:
            request = msgspec.structs.replace(request, **fields)
        return await self._call(request, request.result_type)

    async def call(self, request: Request[R]) -> R:
        """Send a built request and return its result, typed by the request
        (``await client.call(GetThread(id=0, thread_id=3))`` is a ``Thread``)."""
        result: R = await self._call(request, request.result_type)  # type: ignore[arg-type]
        return result

    # ------------------------------------------------------------------ requests

    async def _call(
        self, request: Request[Any], result_type: type[T], *, via: ClientConnection | None = None
    ) -> T:
        """Register, write (or queue) and await one request. ``via`` is the handshake path."""
        if self._closed:
            raise ClientClosed()
        call = self._calls.new(request, result_type, replayable=isinstance(request, REPLAYABLE))
        if isinstance(request, Login | Register):
            self._stream.begin_session()
        try:
            self._check_size(call)
            if via is not None:
                await self._write(via, call)
            elif (
                self._link_up
                and self._ws is not None
                and not (call.replayable and self._calls.outbox)
            ):
                await self._write(self._ws, call)
            elif call.replayable and self._state is not ConnectionState.OFFLINE:
                self._calls.outbox.append(call)  # goes out once the link is back
            else:
                raise ConnectionLost()
            result: T = await call.future
            return result
        finally:
            self._calls.discard(call)

    def _check_size(self, call: Call) -> None:
        """Refuse locally what the relay would answer by closing the link (1009)."""
        limit = self.server.limits.max_frame_bytes if self.server else MAX_FRAME_BYTES
        if len(call.frame) > limit:
            raise RequestError(
                ErrorCode.TOO_LARGE, f"{call.kind} frame is {len(call.frame)} bytes; limit {limit}"
            )

    async def _write(self, ws: ClientConnection, call: Call) -> None:
        """Write one frame; a dead link is left to the reader, which settles the call."""
        self._calls.arm(call, self.request_timeout)
        with contextlib.suppress(ConnectionClosed):
            await ws.send(call.frame, text=True)

    # ------------------------------------------------------------------ link lifecycle

    async def _supervise(self, first: asyncio.Future[None]) -> None:
        """Run attempts until told to stop; back off between failed ones."""
        try:
            while True:
                end = await self._attempt(first)
                if not first.done():
                    self._go_offline(end.reason)
                    first.set_exception(end.error or ConnectionLost(end.reason))
                    return
                if not (end.retry and self._resume):
                    self._go_offline(end.reason)
                    return
                delay = self._backoff.next_delay()
                log.info("relay link down (%s); retrying in %.2f s", end.reason, delay)
                self._set_state(ConnectionState.RECONNECTING, retry_in=delay, error=end.reason)
                await asyncio.sleep(delay)
        except asyncio.CancelledError:
            if not self._closed:  # connect() itself was cancelled
                self._go_offline("connect() was cancelled")
            if not first.done():
                first.set_exception(ClientClosed())
            raise
        except Exception as exc:  # a bug here must not leave callers hanging
            log.exception("relay link supervisor failed")
            self._go_offline(f"internal client error: {exc!r}")
            if not first.done():
                first.set_exception(exc)

    async def _attempt(self, first: asyncio.Future[None]) -> _LinkEnd:
        """One websocket from open to close; returns why it ended."""
        self._set_state(ConnectionState.CONNECTING)
        try:
            ws = await ws_connect(
                self.url,
                compression=None,
                max_size=MAX_INCOMING_BYTES,
                open_timeout=self.request_timeout,
                user_agent_header=f"{self.client_name} (chatshop)",
            )
        except InvalidURI as exc:
            return _LinkEnd(f"invalid relay URL: {exc}", retry=False)
        except (OSError, TimeoutError, InvalidHandshake) as exc:
            return _LinkEnd(f"cannot reach the relay: {exc}", retry=True)
        self._ws = ws
        reader = asyncio.create_task(self._read(ws), name="chatshop-reader")
        try:
            try:
                await self._handshake(ws)
            except ConnectionLost:
                pass  # the reader saw the close; its code says what to do
            except RequestTimeout as exc:
                return _LinkEnd(f"handshake: {exc}", retry=True)
            except RequestError as exc:
                return _LinkEnd(str(exc), retry=False, error=exc)
            else:
                self._link_up = True
                self._backoff.reset()
                self._set_state(ConnectionState.CONNECTED)
                if not first.done():
                    first.set_result(None)
                await self._flush(ws)
            await asyncio.shield(reader)
            return self._link_end(ws)
        finally:
            self._link_up = False
            if not reader.done():
                await ws.close()
            await reader

    async def _handshake(self, ws: ClientConnection) -> None:
        """Hello, then auth when a token is known; the relay replays after ``since``."""
        self.server = await self._call(
            Hello(id=0, protocol=PROTOCOL_VERSION, client=self.client_name), HelloResult, via=ws
        )
        if self.token is None:
            return
        try:
            await self._call(
                Auth(id=0, token=self.token, since=self._stream.seen), AuthResult, via=ws
            )
        except RequestError as exc:
            if exc.code == ErrorCode.UNAUTHORIZED:
                self.token = None
                self.user = None
            raise

    async def _flush(self, ws: ClientConnection) -> None:
        """Write the sends that waited for the link, oldest first."""
        limits = self.server.limits if self.server else None
        pacer = Pacer(limits.rate_per_second, limits.rate_burst // 2) if limits else None
        while self._link_up and self._ws is ws and self._calls.outbox:
            if pacer is not None:
                await pacer.wait()
                if not (self._link_up and self._ws is ws and self._calls.outbox):
                    break
            await self._write(ws, self._calls.outbox.popleft())

    def _link_end(self, ws: ClientConnection) -> _LinkEnd:
        """What the close code means (``protocol.session.link_end``): revoked and protocol
        errors are final, the rest is retried."""
        end = link_end(ws.close_code, ws.close_reason or "")
        if end.forget_session:
            self.token = None
            self.user = None
        return _LinkEnd(end.reason, retry=end.retry)

    def _lost_error(self) -> ConnectionLost:
        if self._closed:
            return ClientClosed()
        return ConnectionLost("the link dropped before the reply")

    def _go_offline(self, reason: str) -> None:
        """Stop trying: queued sends fail, the caller is told why."""
        log.info("relay link offline: %s", reason)
        self._calls.fail_all(lambda: ConnectionLost(reason))
        self._set_state(ConnectionState.OFFLINE, error=reason)

    def _set_state(
        self, state: ConnectionState, *, retry_in: float | None = None, error: str | None = None
    ) -> None:
        if self._closed and state is not ConnectionState.CLOSED:
            return
        self._state = state
        log.debug("link %s (retry in %s, error %s)", state, retry_in, error)
        self._stream.put_state(StateChanged(state=state, retry_in=retry_in, error=error))

    # ------------------------------------------------------------------ reading

    async def _read(self, ws: ClientConnection) -> None:
        """The only reader of ``ws``: dispatch frames until it closes, then settle calls."""
        try:
            async for raw in ws:
                self._dispatch(raw)
        except ConnectionClosed:
            pass
        except Exception:
            log.exception("failed to handle a relay frame; dropping the link")
            await ws.close(1011)
        finally:
            if self._ws is ws:
                self._ws = None
                self._link_up = False
                self._calls.link_lost(self._lost_error)

    def _dispatch(self, raw: str | bytes) -> None:
        try:
            frame = decode_server_frame(raw)
        except (msgspec.DecodeError, msgspec.ValidationError) as exc:
            self._dispatch_loose(raw, exc)
            return
        if isinstance(frame, Events):
            self._stream.put_events(frame.events)
        elif isinstance(frame, Result):
            call = self._calls.pop(frame.id)
            if call is not None:
                self._complete(call, frame.data)
            else:
                log.debug("result for unknown request id %r", frame.id)
        elif isinstance(frame, Error):
            self._on_error(frame)

    def _dispatch_loose(self, raw: str | bytes, exc: Exception) -> None:
        """A frame that does not decode as a whole: keep the events we understand (a newer
        relay may add event types) and fail the request a broken reply answers."""
        try:
            value = _loose_decoder.decode(raw)
        except msgspec.DecodeError:
            log.warning("undecodable frame from the relay: %s", exc)
            return
        if not isinstance(value, dict):
            log.warning("unexpected frame from the relay: %s", exc)
            return
        if value.get("type") == "events" and isinstance(value.get("events"), list):
            events: list[AnyEvent] = []
            for item in value["events"]:
                try:
                    events.append(msgspec.convert(item, AnyEvent))
                except msgspec.ValidationError as item_exc:
                    log.info("skipping an event this client does not understand: %s", item_exc)
            self._stream.put_events(events)
            return
        rid = value.get("id")
        call = self._calls.pop(rid) if isinstance(rid, (int, str)) else None
        if call is not None:
            call.fail(InvalidReply(f"reply to {call.kind!r} does not fit the protocol: {exc}"))
        else:
            log.warning("unexpected frame from the relay: %s", exc)

    def _complete(self, call: Call, data: Any) -> None:
        try:
            value = convert_result(data, call.result_type)
        except msgspec.ValidationError as exc:
            call.fail(InvalidReply(f"result of {call.kind!r} does not fit the protocol: {exc}"))
            return
        self._apply_session(call.request, value)
        call.succeed(value)

    def _on_error(self, frame: Error) -> None:
        call = self._calls.pop(frame.id) if frame.id is not None else None
        if call is None:
            log.warning("relay error %s: %s", frame.code, frame.message)
            return
        call.fail(RequestError(frame.code, frame.message, retry_after=frame.retry_after))

    def _apply_session(self, request: Request[Any], value: Any) -> None:
        """Session changes take effect in frame order, before any later event is queued."""
        if isinstance(request, Hello):
            self.server = value
        elif isinstance(request, Login | Register):
            self.token = value.token
            self.user = value.user
            self._stream.reset_cursor(value.cursor)
            self._resume = True
        elif isinstance(request, Auth):
            self.token = value.token
            self.user = value.user
            self._stream.adopt_cursor(value.cursor)
        elif isinstance(request, Logout | LogoutAll):
            self.token = None
            self.user = None
            self._resume = False
