"""Shared fixtures: a real relay on a loopback port with a fresh SQLite file, and clients.

Tests talk to the relay exactly as users do, over real websockets; nothing of ours is mocked.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import shutil
import signal
import sqlite3
import sys
import uuid
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from chatshop_server.app import Relay
from chatshop_server.clock import now_ms
from chatshop_server.config import RelayConfig


class ManualClock:
    """The relay's clock, moved forward by the test instead of waiting for real time."""

    def __init__(self) -> None:
        self.offset_ms = 0

    def __call__(self) -> int:
        return now_ms() + self.offset_ms

    def advance(self, seconds: float) -> None:
        self.offset_ms += int(seconds * 1000)


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
        # Tests fund their accounts from the demo card, with room for large amounts; the
        # documented limits are tested with relays that set them.
        options = {
            "demo_funding": True,
            "demo_topup_max_major": 10_000,
            "demo_topup_daily_major": 1_000_000,
            **self.options,
        }
        return RelayConfig(
            host="127.0.0.1",
            port=self.port,
            db_path=self.db_path,
            fast_passwords=True,
            synchronous="NORMAL",
            **options,
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


@pytest.fixture(scope="session")
def schema_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty database at the newest schema, migrated once per test run."""
    from chatshop_server.storage.migrate import upgrade_to_head

    path = tmp_path_factory.mktemp("schema") / "template.db"
    upgrade_to_head(path)
    return path


def fresh_db(template: Path, path: Path) -> Path:
    """A new, empty relay database at ``path``: a copy of the migrated template.

    Copying costs a millisecond where running the migrations costs a few hundred; relays
    still run ``upgrade_to_head`` at start (a no-op here), and the process tests and the
    tests that name their own file keep exercising migrations from nothing.
    """
    shutil.copyfile(template, path)
    return path


@pytest.fixture
async def relay(tmp_path: Path, schema_template: Path) -> AsyncIterator[RunningRelay]:
    running = RunningRelay(fresh_db(schema_template, tmp_path / "relay.db"))
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


async def raw_connect(url: str, *, hello: bool = True, source: str | None = None) -> RawClient:
    """A connected raw client (from loopback address ``source``, e.g. 127.0.0.7, if given:
    Linux routes all of 127/8 to loopback, so tests can play clients on other hosts)."""
    # max_queue=None: a test reads frames lazily, and a full receive queue would stall the
    # closing handshake until close_timeout whenever the relay stops or restarts.
    extra: dict[str, Any] = {} if source is None else {"local_addr": (source, 0)}
    client = RawClient(
        await connect(url, compression=None, max_size=2**20, max_queue=None, **extra)
    )
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


# --------------------------------------------------------------------------- server-test helpers

SERVER_SCRIPT = Path(sys.executable).with_name("chatshop-server")


def new_key() -> str:
    """A fresh idempotency key."""
    return uuid.uuid4().hex


async def send_text(client: RawClient, thread_id: int, text: str, **fields: Any) -> Any:
    """Send a message with a fresh key; return the stored message."""
    return await client.ok("send", thread_id=thread_id, text=text, key=new_key(), **fields)


async def wait_closed(client: RawClient, timeout: float = 5.0) -> int | None:
    """Read (and record) frames until the relay closes the connection; return its close code."""

    async def drain() -> None:
        with contextlib.suppress(ConnectionClosed):
            while True:
                await client.recv_frame(timeout)

    await asyncio.wait_for(drain(), timeout)
    return client.ws.close_code


async def resume(url: str, token: str, since: int | None) -> RawClient:
    """A new connection resuming ``token``'s session, replaying after ``since``."""
    client = await raw_connect(url)
    fields: dict[str, Any] = {"token": token}
    if since is not None:
        fields["since"] = since
    data = await client.ok("auth", **fields)
    client.token, client.user = token, data["user"]
    client.cursor = max(client.cursor, since or data["cursor"])
    return client


async def marker(client: RawClient, thread_id: int, seen_by: RawClient, text: str) -> None:
    """``client`` posts ``text``; wait until ``seen_by`` has its message event.

    Events reach a connection in cursor order, so anything that was going to arrive before the
    marker has arrived once this returns: the proof that an event did NOT come.
    """
    await send_text(client, thread_id, text)
    await seen_by.wait_event(lambda e: e["type"] == "message" and e["message"]["text"] == text)


def message_events(client: RawClient, thread_id: int | None = None) -> list[dict[str, Any]]:
    """The message events ``client`` received (in one thread, if given)."""
    return [
        e
        for e in client.events
        if e["type"] == "message" and (thread_id is None or e["thread_id"] == thread_id)
    ]


def db_rows(db_path: Path, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    """Rows straight from the relay's SQLite file, through a separate read-only connection."""
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def db_count(db_path: Path, table: str) -> int:
    """Number of rows in one of the relay's tables."""
    return int(db_rows(db_path, f"SELECT count(*) FROM {table}")[0][0])


async def all_history(client: RawClient, thread_id: int) -> list[dict[str, Any]]:
    """Every message of a thread, oldest first, paging backwards 200 at a time."""
    messages: list[dict[str, Any]] = []
    before = None
    while True:
        page = await client.ok("history", thread_id=thread_id, before=before, limit=200)
        messages[:0] = page["messages"]
        if not page["more"]:
            return messages
        before = page["messages"][0]["seq"]


class RelayProcess:
    """``chatshop-server`` in a subprocess on port 0; stderr is collected in ``stderr``."""

    def __init__(self, db_path: Path, *args: str, open_files: int | None = None) -> None:
        """``open_files``: the relay's file-descriptor limit (``ulimit -n``), if set."""
        self.db_path = db_path
        self.args = args
        self.open_files = open_files
        self.port = 0
        self.stdout_line = ""
        self.stderr = bytearray()
        self.proc: asyncio.subprocess.Process | None = None
        self._stderr_task: asyncio.Task[None] | None = None

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    async def start(self, timeout: float = 30.0) -> None:
        self.proc = await asyncio.create_subprocess_exec(
            str(SERVER_SCRIPT),
            "--port",
            "0",
            "--print-port",
            "--db",
            str(self.db_path),
            "--fast-passwords",
            "--demo-funding",
            "--demo-topup-max",
            "10000",
            "--demo-topup-daily",
            "1000000",
            *self.args,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            preexec_fn=None if self.open_files is None else self._limit_open_files,
        )
        self._stderr_task = asyncio.create_task(self._drain_stderr())
        assert self.proc.stdout is not None
        line = await asyncio.wait_for(self.proc.stdout.readline(), timeout)
        self.stdout_line = line.decode()
        assert line.strip().isdigit(), (line, bytes(self.stderr))
        self.port = int(line)

    def _limit_open_files(self) -> None:
        """In the child, before exec: ``ulimit -n open_files`` (soft and hard)."""
        import resource

        assert self.open_files is not None
        resource.setrlimit(resource.RLIMIT_NOFILE, (self.open_files, self.open_files))

    async def _drain_stderr(self) -> None:
        assert self.proc is not None and self.proc.stderr is not None
        while chunk := await self.proc.stderr.read(4096):
            self.stderr.extend(chunk)

    def signal(self, signum: int) -> None:
        assert self.proc is not None
        self.proc.send_signal(signum)

    async def wait(self, timeout: float = 15.0) -> int:
        """Wait for the process to exit; return its exit status."""
        assert self.proc is not None
        code = await asyncio.wait_for(self.proc.wait(), timeout)
        if self._stderr_task is not None:
            await asyncio.wait_for(self._stderr_task, timeout)
        return code

    async def kill(self) -> None:
        """SIGKILL, if still running, and reap."""
        if self.proc is not None and self.proc.returncode is None:
            self.proc.send_signal(signal.SIGKILL)
            await self.wait()


@pytest.fixture
async def relay_processes() -> AsyncIterator[list[RelayProcess]]:
    """Relay subprocesses started by a test go in this list; they are killed at teardown."""
    started: list[RelayProcess] = []
    try:
        yield started
    finally:
        for process in started:
            await process.kill()


def nth(predicate: Callable[[dict[str, Any]], bool], n: int) -> Callable[[dict[str, Any]], bool]:
    """For one ``wait_event`` call: true on the ``n``-th event matching ``predicate``."""
    matches = 0

    def check(event: dict[str, Any]) -> bool:
        nonlocal matches
        if predicate(event):
            matches += 1
        return matches >= n

    return check


async def send_many(
    client: RawClient, thread_id: int, texts: list[str], *, timeout: float = 30.0
) -> list[dict[str, Any]]:
    """Send every text back to back (pipelined, fresh keys), then collect the replies in order."""
    request_ids = []
    for n, text in enumerate(texts):
        request_id = f"many-{new_key()[:8]}-{n}"
        request_ids.append(request_id)
        frame = {"type": "send", "id": request_id, "thread_id": thread_id, "text": text}
        await client.send_raw(json.dumps({**frame, "key": new_key()}))
    return [await client.reply_to(request_id, timeout) for request_id in request_ids]
