"""The one place the TUI talks to the relay: a long-lived link worker, and ``call``.

The app runs :meth:`Link.run` in one exclusive worker. It connects, logs in (or resumes with a
stored token), then runs two loops in one task group: relay events go into the
:class:`~chatshop.tui.feed.Feed` (which publishes them), and calls made with :meth:`Link.call`
run as tasks whose typed result (or :class:`~chatshop.tui.failure.Failure`) is handed back on
the widget that asked, in its own message loop. Screens and widgets never hold the client.

"Retry now" replaces a client that is waiting to reconnect with a fresh one on the same
session and cursor; calls that were waiting on the old one run again on the new one with
the same idempotency keys, so nothing is lost and nothing happens twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from textual.message import Message as TextualMessage
from textual.message_pump import MessagePump

from chatshop.client import ChatClient, ClientError, ConnectionLost, ConnectionState, StateChanged
from chatshop.protocol.errors import ErrorCode
from chatshop.protocol.models import User
from chatshop.tui.failure import Failure, failure_of
from chatshop.tui.feed import Feed

log = logging.getLogger("chatshop.tui")

T = TypeVar("T")
Request = Callable[[ChatClient], Awaitable[T]]
"""What a call runs: one awaited request on the client, with a typed result."""
ClientFactory = Callable[[str, str | None, int | None], ChatClient]

CLIENT_NAME = "chatshop-tui/0.2"
MAX_BACKOFF = 10.0
"""The longest wait between reconnect attempts (ctrl+r tries at once)."""


def default_client(url: str, token: str | None, cursor: int | None) -> ChatClient:
    return ChatClient(
        url, token=token, cursor=cursor, client_name=CLIENT_NAME, max_backoff=MAX_BACKOFF
    )


@dataclass(frozen=True)
class LoginPlan:
    """How the link should get a session: a stored token, a login, or a registration."""

    url: str
    handle: str
    password: str = ""
    token: str | None = None
    register: bool = False
    display_name: str = ""


# --------------------------------------------------------------------------- to the app


class LoggedIn(TextualMessage):
    """A session is open as ``user``; ``token`` is the session token to store."""

    def __init__(self, url: str, user: User, token: str) -> None:
        super().__init__()
        self.url = url
        self.user = user
        self.token = token


class LoginFailed(TextualMessage):
    """No session: ``reason`` (cleaned) says why; ``token_rejected`` if a stored token no
    longer works."""

    def __init__(self, reason: str, *, token_rejected: bool = False) -> None:
        super().__init__()
        self.reason = reason
        self.token_rejected = token_rejected


class LinkEnded(TextualMessage):
    """The link worker stopped (logout, a revoked session, or the app is closing)."""


# --------------------------------------------------------------------------- the link


@dataclass(eq=False)
class _Call:
    label: str
    request: Request[Any]
    deliver: Callable[[Any], None]
    fail: Callable[[Failure], None]


class Link:
    """The app's handle on the relay: ``call`` from any widget, events into the feed."""

    def __init__(self, feed: Feed, factory: ClientFactory | None = None) -> None:
        self.feed = feed
        self.factory = factory or default_client
        self._client: ChatClient | None = None
        self._kick = asyncio.Event()
        self._swapped = asyncio.Event()
        self._retrying: asyncio.Task[None] | None = None
        self._queue: asyncio.Queue[_Call] = asyncio.Queue()
        self._open: list[_Call] = []
        self._state = ConnectionState.CONNECTING
        self._generation = 0
        self.user: User | None = None

    @property
    def state(self) -> ConnectionState:
        return self._state

    def call(
        self,
        caller: MessagePump,
        request: Request[T],
        on_result: Callable[[T], object],
        on_error: Callable[[Failure], object] | None = None,
        *,
        label: str = "",
    ) -> None:
        """Run ``request(client)`` in the link worker; ``on_result(result)`` (or
        ``on_error(failure)``) then runs on ``caller``, in its own message loop. A caller
        that is gone by then gets nothing. Without ``on_error`` a failure is a notice."""

        def deliver(result: Any) -> None:
            if caller.is_running:
                caller.call_next(on_result, result)

        def fail(failure: Failure) -> None:
            if not caller.is_running:
                return
            if on_error is not None:
                caller.call_next(on_error, failure)
            else:
                what = f"{label}: " if label else ""
                caller.app.notify(f"{what}{failure.text}", severity="error", markup=False)

        self._queue.put_nowait(_Call(label, request, deliver, fail))

    def retry_now(self) -> bool:
        """Reconnect at once instead of waiting for the next attempt; False when the link
        is not waiting."""
        if self._client is None or self._state is not ConnectionState.RECONNECTING:
            return False
        if self._retrying is not None and not self._retrying.done():
            self._kick.set()
        else:
            self._retrying = asyncio.get_running_loop().create_task(self._reconnect())
        return True

    async def _reconnect(self) -> None:
        """Fresh clients on the same session and cursor until one connects."""
        delay = 1.0
        while True:
            old = self._client
            assert old is not None
            fresh = self.factory(old.url, old.token, old.cursor)
            self._client = fresh
            self._generation += 1
            self._swapped.set()
            self._swapped = asyncio.Event()
            await old.close()  # its waiting calls run again on ``fresh``
            try:
                await fresh.connect()
                return
            except (ClientError, OSError) as exc:
                failure = failure_of(exc)
                if failure.code is ErrorCode.UNAUTHORIZED:
                    return
            self._set_state(StateChanged(state=ConnectionState.RECONNECTING, retry_in=delay))
            self._kick.clear()
            # asyncio.timeout, not wait_for, which on Python 3.11 can swallow a cancel.
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(delay):
                    await self._kick.wait()
            delay = min(delay * 2, MAX_BACKOFF)

    # ------------------------------------------------------------------ the worker

    async def run(self, app: MessagePump, plan: LoginPlan) -> None:
        """Connect, open a session per ``plan``, then pump events and calls until cancelled."""
        client = self.factory(plan.url, plan.token, None)
        self._client = client
        try:
            user, token = await self._login(app, client, plan)
            if user is None or token is None:
                return
            self.user = user
            app.post_message(LoggedIn(plan.url, user, token))
            self._state = ConnectionState.CONNECTED
            async with asyncio.TaskGroup() as group:
                group.create_task(self._pump_events())
                group.create_task(self._pump_calls(group))
        finally:
            if self._retrying is not None:
                self._retrying.cancel()
            if self._client is not None:
                await self._client.close()
            app.post_message(LinkEnded())

    async def _login(
        self, app: MessagePump, client: ChatClient, plan: LoginPlan
    ) -> tuple[User | None, str | None]:
        try:
            await client.connect()
            if plan.token is not None:
                return client.user, plan.token
            if plan.register:
                result = await client.register(
                    plan.handle, plan.display_name or plan.handle, plan.password
                )
            else:
                result = await client.login(plan.handle, plan.password)
            return result.user, result.token
        except (ClientError, OSError) as exc:
            failure = failure_of(exc)
            rejected = plan.token is not None and failure.code is ErrorCode.UNAUTHORIZED
            app.post_message(LoginFailed(failure.text, token_rejected=rejected))
            return None, None

    async def _pump_events(self) -> None:
        while True:
            client = self._client
            assert client is not None
            async for item in client.events():
                if isinstance(item, StateChanged):  # the stream's two kinds of item
                    if client is self._client:
                        self._set_state(item)
                else:
                    self.feed.take(item)
            if client is self._client:  # closed for good, not swapped
                return

    def _set_state(self, change: StateChanged) -> None:
        if change.state is ConnectionState.CLOSED:
            return
        self._state = change.state
        self.feed.link_changed(change)
        self._publish_queued()

    def _publish_queued(self) -> None:
        waiting = () if self._state is ConnectionState.CONNECTED else self._open
        self.feed.queued.publish(tuple(c.label for c in waiting if c.label))

    async def _pump_calls(self, group: asyncio.TaskGroup) -> None:
        while True:
            call = await self._queue.get()
            group.create_task(self._run(call))

    async def _run(self, call: _Call) -> None:
        self._open.append(call)
        self._publish_queued()
        try:
            while True:
                generation = self._generation
                client = self._client
                assert client is not None
                swapped = self._swapped
                try:
                    result = await call.request(client)
                except ConnectionLost:
                    if generation != self._generation:  # swapped by retry_now: run again
                        continue
                    if self._retrying is not None and not self._retrying.done():
                        await swapped.wait()  # the next fresh client takes it
                        continue
                    raise
                break
        except (ClientError, OSError, ValueError) as exc:
            failure = failure_of(exc)
            log.info("%s failed: %s", call.label or "call", failure.text)
            call.fail(failure)
        else:
            call.deliver(result)
        finally:
            self._open.remove(call)
            self._publish_queued()
