"""Test helpers for the client tests: an event recorder, a cuttable TCP proxy, fast clients.

The proxy is plain TCP forwarding between a real client and the real relay; cutting it is how
a test drops one client's link (or holds its replies) without touching the relay.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import Any, TypeVar

from chatshop.client import ChatClient, ConnectionState, StateChanged, StreamItem

T = TypeVar("T")


def fast_client(url: str, *, token: str | None = None, cursor: int | None = None) -> ChatClient:
    """A client that reconnects within a tenth of a second (not yet connected)."""
    return ChatClient(
        url, token=token, cursor=cursor, min_backoff=0.02, max_backoff=0.1, request_timeout=5.0
    )


def state_of(client: ChatClient) -> ConnectionState:
    """The client's state, read afresh (keeps mypy from narrowing it across awaits)."""
    return client.state


async def fast_user(url: str, handle: str, *, password: str = "pw-secret") -> ChatClient:
    """A registered, logged-in client that reconnects within a tenth of a second."""
    client = fast_client(url)
    await client.connect()
    await client.register(handle, handle.capitalize(), password)
    return client


class Recorder:
    """Drains a client's event stream in the background so tests can wait on conditions."""

    def __init__(self, client: ChatClient) -> None:
        self.client = client
        self.items: list[StreamItem] = []
        self._changed = asyncio.Condition()
        self._task = asyncio.create_task(self._drain())

    async def _drain(self) -> None:
        async for item in self.client.events():
            async with self._changed:
                self.items.append(item)
                self._changed.notify_all()

    @property
    def events(self) -> list[Any]:
        """The relay events so far (state notifications left out)."""
        return [i for i in self.items if not isinstance(i, StateChanged)]

    @property
    def states(self) -> list[StateChanged]:
        return [i for i in self.items if isinstance(i, StateChanged)]

    async def wait_until(self, condition: Callable[[], T], within: float = 5.0) -> T:
        """Return ``condition()`` as soon as it is truthy, re-checked on every new item."""
        async with asyncio.timeout(within), self._changed:
            while not (result := condition()):
                await self._changed.wait()
            return result

    async def wait_for(
        self, kind: type[T], predicate: Callable[[T], bool] = lambda _: True, within: float = 5.0
    ) -> T:
        """The first recorded item of ``kind`` matching ``predicate``."""

        def find() -> T | None:
            for item in self.items:
                if isinstance(item, kind) and predicate(item):
                    return item
            return None

        found = await self.wait_until(find, within)
        assert found is not None
        return found

    async def wait_state(self, state: ConnectionState, *, after: int = 0) -> StateChanged:
        """The first notification of ``state`` among items recorded from index ``after``."""

        def find() -> StateChanged | None:
            for item in self.items[after:]:
                if isinstance(item, StateChanged) and item.state is state:
                    return item
            return None

        found = await self.wait_until(find)
        assert found is not None
        return found

    async def stop(self) -> None:
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task


class Proxy:
    """A TCP forwarder in front of the relay that a test can cut, refuse or make deaf.

    * ``cut()`` aborts every forwarded connection (the client sees 1006 and reconnects);
    * while ``refusing``, new connections are closed at once (reconnect attempts fail);
    * while ``dropping_replies``, bytes from the relay are discarded (replies never arrive).
    """

    def __init__(self, upstream_port: int) -> None:
        self.upstream_port = upstream_port
        self.refusing = False
        self.dropping_replies = False
        self.accepted = 0
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()

    @property
    def url(self) -> str:
        assert self._server is not None
        port = self._server.sockets[0].getsockname()[1]
        return f"ws://127.0.0.1:{port}"

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)

    async def stop(self) -> None:
        self.cut()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    def cut(self) -> None:
        for writer in list(self._writers):
            writer.transport.abort()
        self._writers.clear()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self.refusing:
            writer.transport.abort()
            return
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.upstream_port)
        except OSError:
            writer.transport.abort()
            return
        self.accepted += 1
        self._writers.update((writer, up_writer))
        await asyncio.gather(
            self._pipe(reader, up_writer, lambda: False),
            self._pipe(up_reader, writer, lambda: self.dropping_replies),
            return_exceptions=True,
        )

    async def _pipe(
        self, src: asyncio.StreamReader, dst: asyncio.StreamWriter, drop: Callable[[], bool]
    ) -> None:
        try:
            while data := await src.read(65536):
                if not drop():
                    dst.write(data)
                    await dst.drain()
        finally:
            dst.transport.abort()
            self._writers.discard(dst)
