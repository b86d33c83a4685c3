"""The relay as a program: command line, health check and plain HTTP, signals, demo seeding, and
a SIGKILL in the middle of a burst of sends."""

from __future__ import annotations

import asyncio
import contextlib
import json
import signal
import subprocess
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.exceptions import ConnectionClosed

import chatshop
from chatshop_server.cli import build_parser
from conftest import (
    SERVER_SCRIPT,
    RawClient,
    RelayProcess,
    RunningRelay,
    all_history,
    db_count,
    marker,
    new_key,
    raw_connect,
    raw_user,
    resume,
    send_text,
    wait_closed,
)


def http_url(relay: RunningRelay | RelayProcess, path: str) -> str:
    return f"http://127.0.0.1:{relay.port}{path}"


async def started(relay_processes: list[RelayProcess], db: Path, *args: str) -> RelayProcess:
    """A relay subprocess on ``db``, registered for teardown."""
    process = RelayProcess(db, *args)
    relay_processes.append(process)
    await process.start()
    return process


# --------------------------------------------------------------------------- command line


def test_help_explains_every_option() -> None:
    """--help exits 0 and lists every option of the parser with a non-empty explanation."""
    done = subprocess.run(
        [str(SERVER_SCRIPT), "--help"], capture_output=True, text=True, timeout=30, check=False
    )
    assert done.returncode == 0, done.stderr
    flat = " ".join(done.stdout.split())
    options = [a for a in build_parser()._actions if a.option_strings]
    for required in ("--host", "--port", "--db", "--seed-demo", "--print-port", "--fast-passwords"):
        assert any(required in a.option_strings for a in options), required
    for action in options:
        assert action.help, action.option_strings
        assert action.option_strings[-1] in flat
        first_words = " ".join(action.help.split("%(")[0].split()[:3])
        assert first_words in flat, (action.option_strings, first_words)


def test_unknown_option_is_refused() -> None:
    """An unknown option exits with status 2 and a usage message on stderr."""
    done = subprocess.run(
        [str(SERVER_SCRIPT), "--no-such-option"],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert done.returncode == 2
    assert "usage" in done.stderr.lower()


# --------------------------------------------------------------------------- HTTP


async def test_healthz_reports_version_uptime_and_clients(relay: RunningRelay) -> None:
    """GET /healthz answers 200 JSON with the version, the uptime and the connected clients."""
    async with httpx.AsyncClient(timeout=5) as http:
        response = await http.get(http_url(relay, "/healthz"))
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("application/json")
        body = response.json()
        assert body["version"] == chatshop.__version__
        uptime = [v for k, v in body.items() if k.startswith("uptime")]
        assert len(uptime) == 1 and isinstance(uptime[0], int | float) and uptime[0] >= 0
        assert body["connected_clients"] == 0
        sam = await raw_user(relay.url, "sam")
        await raw_user(relay.url, "alice")
        body = (await http.get(http_url(relay, "/healthz?probe=1"))).json()
        assert body["connected_clients"] == 2
        await sam.close()
        async with asyncio.timeout(5):
            while True:
                body = (await http.get(http_url(relay, "/healthz"))).json()
                if body["connected_clients"] == 1:
                    break
                await asyncio.sleep(0.02)


@pytest.mark.parametrize(
    ("method", "path", "statuses"),
    [
        ("GET", "/", {426}),
        ("GET", "/chat", {404, 426}),
        ("GET", "/favicon.ico", {404, 426}),
        ("POST", "/", {404, 426, 405}),
        ("HEAD", "/nope", {404, 426, 405}),
    ],
)
async def test_plain_http_elsewhere_is_refused_not_fatal(
    relay: RunningRelay, method: str, path: str, statuses: set[int]
) -> None:
    """Non-upgrade requests to other paths get 404 or 426, and the relay keeps serving."""
    async with httpx.AsyncClient(timeout=5) as http:
        response = await http.request(method, http_url(relay, path))
        assert response.status_code in statuses
        assert (await http.get(http_url(relay, "/healthz"))).status_code == 200
    await raw_user(relay.url, "sam")


async def test_broken_upgrade_is_refused_not_fatal(relay: RunningRelay) -> None:
    """A websocket upgrade missing its key gets a 4xx answer and the relay keeps serving."""
    headers = {"Upgrade": "websocket", "Connection": "Upgrade"}
    async with httpx.AsyncClient(timeout=5) as http:
        response = await http.get(http_url(relay, "/"), headers=headers)
        assert 400 <= response.status_code < 500
    await raw_user(relay.url, "sam")


async def test_websocket_upgrades_on_any_path(relay: RunningRelay) -> None:
    """A websocket to ws://HOST:PORT/chat speaks the protocol like one to /."""
    client = await raw_connect(relay.url + "/chat")
    await client.ok("register", handle="sam", display_name="Sam", password="pw-pw")
    assert await client.ok("threads") == {"threads": []}


# --------------------------------------------------------------------------- process


async def test_print_port_and_logs(tmp_path: Path, relay_processes: list[RelayProcess]) -> None:
    """With --port 0 --print-port, stdout holds just the port; logs go to stderr."""
    process = await started(relay_processes, tmp_path / "relay.db")
    assert process.stdout_line == f"{process.port}\n"
    assert process.port > 0
    sam = await raw_user(process.url, "sam")
    await sam.ok("ping")
    process.signal(signal.SIGTERM)
    assert await process.wait() == 0
    assert process.proc is not None and process.proc.stdout is not None
    assert await process.proc.stdout.read() == b""
    log = process.stderr.decode()
    assert "listening" in log and str(process.port) in log
    assert "Traceback" not in log


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
async def test_signal_closes_connections_with_1001_and_exits_0(
    tmp_path: Path, relay_processes: list[RelayProcess], signum: int
) -> None:
    """SIGTERM and SIGINT close every connection with 1001 and exit 0, keeping what was stored."""
    db = tmp_path / "relay.db"
    process = await started(relay_processes, db)
    sam = await raw_user(process.url, "sam")
    alice = await raw_user(process.url, "alice")
    anonymous = await raw_connect(process.url)
    tid = (await sam.ok("dm_open", handle="alice"))["id"]
    sent = await send_text(sam, tid, "stored before the signal")
    process.signal(signum)
    for client in (sam, alice, anonymous):
        assert await wait_closed(client, timeout=10) == 1001
    assert await process.wait() == 0
    assert "Traceback" not in process.stderr.decode()
    again = await started(relay_processes, db)
    back = await resume(again.url, alice.token, None)
    assert (await back.ok("history", thread_id=tid))["messages"] == [sent]
    again.signal(signal.SIGTERM)
    assert await again.wait() == 0


async def test_seed_demo_fills_an_empty_database_once(
    tmp_path: Path, relay_processes: list[RelayProcess]
) -> None:
    """--seed-demo creates sam/alice/bob (password demo), Pizza Friday and @northwind's brand
    thread with history, and changes nothing when run again."""
    db = tmp_path / "demo.db"
    process = await started(relay_processes, db, "--seed-demo")
    sam = await raw_connect(process.url)
    data = await sam.ok("login", handle="sam", password="demo")
    assert data["user"]["handle"] == "sam"
    for handle in ("alice", "bob"):
        other = await raw_connect(process.url)
        await other.ok("login", handle=handle, password="demo")
    contacts = {c["user"]["handle"]: c["status"] for c in (await sam.ok("contacts"))["contacts"]}
    assert contacts["alice"] == "friend" and contacts["bob"] == "friend"
    brand = (await sam.ok("user", handle="northwind"))["user"]
    assert brand["kind"] == "brand"
    threads = (await sam.ok("threads"))["threads"]
    groups = [t for t in threads if t["kind"] == "group"]
    assert [g["name"] for g in groups] == ["Pizza Friday"]
    assert {m["handle"] for m in groups[0]["members"]} == {"sam", "alice", "bob"}
    brand_threads = [t for t in threads if t["kind"] == "brand"]
    assert len(brand_threads) == 1
    assert {m["handle"] for m in brand_threads[0]["members"]} == {"sam", "northwind"}
    directs = [t for t in threads if t["kind"] == "direct"]
    assert sorted(h for t in directs for m in t["members"] if (h := m["handle"]) != "sam") == [
        "alice",
        "bob",
    ]
    for thread in threads:
        history = await all_history(sam, thread["id"])
        assert len(history) >= 2, thread["name"]
        assert [m["seq"] for m in history] == list(range(1, len(history) + 1))
        assert thread["last_message"] == history[-1]
    process.signal(signal.SIGTERM)
    assert await process.wait() == 0

    tables = ("users", "threads", "messages", "events", "contacts", "memberships")
    before = {table: db_count(db, table) for table in tables}
    again = await started(relay_processes, db, "--seed-demo")
    sam = await raw_connect(again.url)
    await sam.ok("login", handle="sam", password="demo")
    assert {table: db_count(db, table) for table in tables} == before
    again.signal(signal.SIGTERM)
    assert await again.wait() == 0


# --------------------------------------------------------------------------- crash


class Acks:
    """Counts acknowledgements across clients; ``enough`` is set once ``threshold`` arrived."""

    def __init__(self, threshold: int) -> None:
        self.threshold = threshold
        self.count = 0
        self.enough = asyncio.Event()

    def add(self) -> None:
        self.count += 1
        if self.count >= self.threshold:
            self.enough.set()


class Burst:
    """One client sending pipelined messages while its replies are read in the background."""

    def __init__(self, client: RawClient, acks: Acks) -> None:
        self.client = client
        self.acks = acks
        self.frames: dict[str, dict[str, Any]] = {}  # request id -> send frame
        self.acked: dict[str, dict[str, Any]] = {}  # request id -> stored message
        self.errors: list[dict[str, Any]] = []
        self.reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        with contextlib.suppress(ConnectionClosed):
            while True:
                frame = await self.client.recv_frame(timeout=60)
                if frame["type"] == "result" and frame["id"] in self.frames:
                    self.acked[frame["id"]] = frame["data"]
                    self.acks.add()
                elif frame["type"] == "error":
                    self.errors.append(frame)

    async def send(self, thread_id: int, text: str) -> None:
        request_id = f"send-{text}"
        frame = {"type": "send", "id": request_id, "thread_id": thread_id, "text": text}
        frame["key"] = new_key()
        self.frames[request_id] = frame
        with contextlib.suppress(ConnectionClosed):
            await self.client.send_raw(json.dumps(frame))


async def resend(client: RawClient, frames: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Send ``frames`` again (same keys) pipelined; return the replies in order."""
    for frame in frames:
        await client.send_raw(json.dumps(frame))
    return [await client.reply_to(frame["id"], timeout=30) for frame in frames]


async def test_sigkill_mid_burst_loses_and_duplicates_nothing(
    tmp_path: Path, relay_processes: list[RelayProcess]
) -> None:
    """After a SIGKILL during concurrent sends, every acknowledged message exists once, seqs are
    contiguous, a resumed reader gets every message once in order, and retries by key are safe."""
    db = tmp_path / "crash.db"
    first = await started(relay_processes, db, "--rate-limit", "0")
    alice, bob, carol, dave = [
        await raw_user(first.url, h) for h in ("alice", "bob", "carol", "dave")
    ]
    gid = (await alice.ok("group_create", name="Busy", handles=["bob", "carol", "dave"]))["id"]
    dm = (await alice.ok("dm_open", handle="bob"))["id"]
    await marker(alice, gid, dave, "start")
    await marker(bob, dm, alice, "dm start")

    async def watch() -> None:  # dave only reads: his events pile up in dave.events
        with contextlib.suppress(ConnectionClosed):
            while True:
                await dave.recv_frame(timeout=60)

    watcher = asyncio.create_task(watch())
    acks = Acks(threshold=300)
    senders = (("a", alice), ("b", bob), ("c", carol))
    bursts = {name: Burst(client, acks) for name, client in senders}
    per_sender = 600
    for n in range(per_sender):
        for name, burst in bursts.items():
            thread = dm if name != "c" and n % 3 == 0 else gid
            await burst.send(thread, f"{name}{n}")
    await asyncio.wait_for(acks.enough.wait(), 30)
    first.signal(signal.SIGKILL)
    assert await first.wait() == -signal.SIGKILL
    await asyncio.wait_for(asyncio.gather(watcher, *(b.reader for b in bursts.values())), 10)

    acked = {rid: m for b in bursts.values() for rid, m in b.acked.items()}
    attempted = {rid: f for b in bursts.values() for rid, f in b.frames.items()}
    assert not [e for b in bursts.values() for e in b.errors]
    assert 300 <= len(acked) < len(attempted), "the kill did not land mid-burst"

    second = await started(relay_processes, db, "--rate-limit", "0")
    reader = await resume(second.url, alice.token, None)
    histories = {tid: await all_history(reader, tid) for tid in (gid, dm)}
    for tid, history in histories.items():
        assert [m["seq"] for m in history] == list(range(1, len(history) + 1)), tid
        assert len({m["text"] for m in history}) == len(history), "a message was stored twice"
    by_id = {m["id"]: m for history in histories.values() for m in history}
    for message in acked.values():
        assert by_id.get(message["id"]) == message, message

    # dave resumes from the last cursor he processed and must end up with each group message
    # exactly once, in seq order: what he got live before the crash plus the replay.
    replayed = await resume(second.url, dave.token, dave.cursor)
    await marker(reader, gid, replayed, "after the crash")
    live_and_replayed = [
        e["message"]
        for e in [*dave.events, *replayed.events]
        if e["type"] == "message" and e["thread_id"] == gid
    ]
    assert [m["id"] for m in live_and_replayed] == [m["id"] for m in histories[gid]] + [
        live_and_replayed[-1]["id"]
    ]
    assert [m["seq"] for m in live_and_replayed] == list(range(1, len(live_and_replayed) + 1))

    # Retrying every send with its key after the crash stores each text exactly once.
    for name, client in (("a", alice), ("b", bob), ("c", carol)):
        again = await resume(second.url, client.token, None)
        frames = list(bursts[name].frames.values())
        replies = await resend(again, frames)
        for frame, reply in zip(frames, replies, strict=True):
            assert reply["type"] == "result", reply
            if frame["id"] in acked:
                assert reply["data"] == acked[frame["id"]]
    texts: list[str] = []
    for tid in (gid, dm):
        history = await all_history(reader, tid)
        assert [m["seq"] for m in history] == list(range(1, len(history) + 1))
        texts += [m["text"] for m in history]
    markers = ["start", "dm start", "after the crash"]
    assert sorted(texts) == sorted([f["text"] for f in attempted.values()] + markers)
