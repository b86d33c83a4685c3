"""Shared fixtures: a real relay on a loopback port with a fresh SQLite file, and clients.

Tests talk to the relay exactly as users do, over real websockets; nothing of ours is mocked.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from websockets.asyncio.client import ClientConnection, connect

from chatshop_server.app import Relay
from chatshop_server.config import RelayConfig


class RunningRelay:
    """A relay started in-process on 127.0.0.1, port 0, that can be restarted in place."""

    def __init__(self, db_path: Path, **options: Any) -> None:
        self.db_path = db_path
        self.options = options
        self.port = 0
        self.relay: Relay | None = None

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    def _config(self) -> RelayConfig:
        return RelayConfig(
            host="127.0.0.1",
            port=self.port,
            db_path=self.db_path,
            fast_passwords=True,
            synchronous="NORMAL",
            **self.options,
        )

    async def start(self) -> None:
        self.relay = Relay(self._config())
        await self.relay.start()
        self.port = self.relay.port

    async def stop(self) -> None:
        if self.relay is not None:
            await self.relay.stop()
            self.relay = None

    async def restart(self) -> None:
        await self.stop()
        await self.start()


@pytest.fixture
async def relay(tmp_path: Path) -> AsyncIterator[RunningRelay]:
    running = RunningRelay(tmp_path / "relay.db")
    await running.start()
    try:
        yield running
    finally:
        await running.stop()


class RawClient:
    """A bare protocol client for server tests: frames in, frames out, nothing hidden."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self._ids = itertools.count(1)
        self.events: list[dict[str, Any]] = []
        self.replies: dict[Any, dict[str, Any]] = {}
        self.token = ""
        self.user: dict[str, Any] = {}
        self.cursor = 0

    async def send_raw(self, frame: str | bytes) -> None:
        await self.ws.send(frame)

    async def recv_frame(self, timeout: float = 5.0) -> dict[str, Any]:
        import asyncio

        raw = await asyncio.wait_for(self.ws.recv(), timeout)
        frame: dict[str, Any] = json.loads(raw)
        if frame.get("type") == "events":
            self.events.extend(frame["events"])
            for event in frame["events"]:
                if event.get("cursor") is not None:
                    self.cursor = max(self.cursor, event["cursor"])
        else:
            self.replies[frame.get("id")] = frame
        return frame

    async def reply_to(self, request_id: Any, timeout: float = 5.0) -> dict[str, Any]:
        while request_id not in self.replies:
            await self.recv_frame(timeout)
        return self.replies.pop(request_id)

    async def call(self, type_: str, **fields: Any) -> dict[str, Any]:
        """Send a request and return its reply frame (result or error)."""
        request_id = next(self._ids)
        await self.ws.send(json.dumps({"type": type_, "id": request_id, **fields}))
        return await self.reply_to(request_id)

    async def ok(self, type_: str, **fields: Any) -> Any:
        """Send a request that must succeed; return its data."""
        reply = await self.call(type_, **fields)
        assert reply["type"] == "result", reply
        return reply["data"]

    async def wait_event(self, predicate: Any, timeout: float = 5.0) -> dict[str, Any]:
        """The first event (already received or arriving) matching ``predicate``."""
        import asyncio

        async def scan() -> dict[str, Any]:
            seen = 0
            while True:
                for event in self.events[seen:]:
                    if predicate(event):
                        return event
                seen = len(self.events)
                await self.recv_frame(timeout)

        return await asyncio.wait_for(scan(), timeout)

    async def close(self) -> None:
        await self.ws.close()


async def raw_connect(url: str, *, hello: bool = True) -> RawClient:
    client = RawClient(await connect(url, compression=None, max_size=2**20))
    if hello:
        await client.ok("hello", protocol=1)
    return client


async def raw_user(url: str, handle: str, *, password: str = "pw-" + "secret") -> RawClient:
    """A connected, registered and logged-in raw client."""
    client = await raw_connect(url)
    data = await client.ok(
        "register", handle=handle, display_name=handle.capitalize(), password=password
    )
    client.token, client.user, client.cursor = data["token"], data["user"], data["cursor"]
    return client


async def make_user(url: str, handle: str, *, password: str = "pw-secret") -> Any:
    """A registered, logged-in ``chatshop.client.ChatClient`` (the real client library)."""
    from chatshop.client import ChatClient

    client = ChatClient(url)
    await client.connect()
    await client.register(handle, handle.capitalize(), password)
    return client
