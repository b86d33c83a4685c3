"""Property-based robustness: whatever frame a logged-in client sends, the relay answers it
exactly once with a result or a documented error code (never ``internal``) and keeps the
connection usable.

Hypothesis drives synchronous examples, so the relay runs on its own event loop in a thread
for the whole module and each example talks to it with websockets' synchronous client.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import msgspec.inspect as mi
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from websockets.sync.client import ClientConnection, connect

from chatshop.protocol.errors import ErrorCode
from chatshop.protocol.frames import REQUEST_TYPES
from conftest import RunningRelay, fresh_db

CODES = {code.value for code in ErrorCode} - {"internal"}
# Requests that end or change the session would spoil the shared account for later examples.
SESSION_ENDING = {"logout", "logout_all", "change_password"}
TYPES = sorted({str(cls.__struct_config__.tag) for cls in REQUEST_TYPES} - SESSION_ENDING)
SENTINEL = "sentinel-\u2603"
FIELDS = [
    "id",
    "protocol",
    "client",
    "handle",
    "display_name",
    "password",
    "kind",
    "token",
    "since",
    "device",
    "thread_id",
    "message_id",
    "text",
    "key",
    "reply_to",
    "name",
    "handles",
    "seq",
    "before",
    "limit",
    "unexpected",
]
TEXTS = st.text(alphabet=st.characters(codec="utf-8"), max_size=40) | st.sampled_from(
    ["", " ", "\x00", "\ufffe", "alice", "bob", "x" * 4001]
)
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.integers(min_value=0, max_value=5)
    | st.floats(allow_nan=False, allow_infinity=False)
    | TEXTS
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXTS, inner, max_size=3),
    max_leaves=6,
)
UNTYPED_FRAMES = st.fixed_dictionaries(
    {"type": st.sampled_from([*TYPES, "nope"]) | TEXTS},
    optional={
        "id": st.integers(min_value=0, max_value=10**6) | TEXTS | VALUES,
        **{field: VALUES for field in FIELDS[1:]},
    },
)


def value_of(kind: mi.Type) -> st.SearchStrategy[Any]:
    """Values of a field's declared type, biased toward edges (0, 1, limits, odd text)."""
    if isinstance(kind, mi.IntType):
        low = kind.ge if kind.ge is not None else -(2**63)
        high = kind.le if kind.le is not None else 2**63 - 1
        return st.sampled_from([v for v in (0, 1, 2, 3, low, high) if low <= v <= high]) | (
            st.integers(min_value=low, max_value=high)
        )
    if isinstance(kind, mi.FloatType):
        return st.floats(allow_nan=False, allow_infinity=False)
    if isinstance(kind, mi.BoolType):
        return st.booleans()
    if isinstance(kind, mi.NoneType):
        return st.none()
    if isinstance(kind, mi.StrType):
        return TEXTS
    if isinstance(kind, mi.LiteralType):
        return st.sampled_from(list(kind.values))
    if isinstance(kind, mi.ListType | mi.VarTupleType | mi.SetType | mi.FrozenSetType):
        return st.lists(value_of(kind.item_type), max_size=4)
    if isinstance(kind, mi.UnionType):
        return st.one_of([value_of(t) for t in kind.types])
    if isinstance(kind, mi.StructType):
        return object_of(kind)
    return VALUES


def object_of(info: mi.StructType) -> st.SearchStrategy[dict[str, Any]]:
    """JSON objects shaped like a struct: required fields always, optional ones sometimes."""
    required = {f.encode_name: value_of(f.type) for f in info.fields if f.required}
    optional = {f.encode_name: value_of(f.type) for f in info.fields if not f.required}
    return st.fixed_dictionaries(required, optional=optional)


def with_type(tag: str) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """Add the ``type`` tag to a generated request body."""
    return lambda body: {**body, "type": tag}


def typed_frames() -> st.SearchStrategy[dict[str, Any]]:
    """Well-typed requests of every kind (but the session-ending ones), with random values."""
    shapes = []
    for cls in REQUEST_TYPES:
        tag = str(cls.__struct_config__.tag)
        if tag in SESSION_ENDING or tag == "hello":
            continue
        info = mi.type_info(cls)
        assert isinstance(info, mi.StructType)
        shapes.append(object_of(info).map(with_type(tag)))
    return st.one_of(shapes)


FRAMES = typed_frames() | UNTYPED_FRAMES


class ThreadedRelay:
    """A relay on its own event loop in a daemon thread, with one account ready to use."""

    def __init__(self, db_path: Path) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.running = RunningRelay(db_path)
        self.token = ""

    def run(self, coro: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(30)

    def start(self) -> None:
        self.thread.start()
        self.run(self.running.start())

    def stop(self) -> None:
        self.run(self.running.stop())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        self.loop.close()


def call(ws: ClientConnection, frame: dict[str, Any]) -> dict[str, Any]:
    """Send one request and return its reply, skipping events frames."""
    ws.send(json.dumps(frame))
    while True:
        reply: dict[str, Any] = json.loads(ws.recv(timeout=10))
        if reply["type"] != "events":
            return reply


@pytest.fixture(scope="module")
def threaded_relay(
    tmp_path_factory: pytest.TempPathFactory, schema_template: Path
) -> Iterator[ThreadedRelay]:
    relay = ThreadedRelay(fresh_db(schema_template, tmp_path_factory.mktemp("fuzz") / "fuzz.db"))
    relay.start()
    url = relay.running.url
    with connect(url, max_size=2**20) as ws:
        call(ws, {"type": "hello", "id": 1, "protocol": 1})
        for handle in ("alice", "bob"):
            with connect(url) as other:
                call(other, {"type": "hello", "id": 1, "protocol": 1})
                frame = {"type": "register", "id": 2, "handle": handle, "display_name": handle}
                assert call(other, {**frame, "password": "pw-pw"})["type"] == "result"
        reply = call(ws, {"type": "register", "id": 2, "handle": "sam", "display_name": "Sam",
                          "password": "pw-pw"})  # fmt: skip
        relay.token = reply["data"]["token"]
        call(ws, {"type": "dm_open", "id": 3, "handle": "alice"})
        call(ws, {"type": "send", "id": 4, "thread_id": 1, "text": "hi", "key": "k"})
    try:
        yield relay
    finally:
        relay.stop()


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(frame=FRAMES)
def test_any_frame_gets_exactly_one_documented_reply(
    threaded_relay: ThreadedRelay, frame: dict[str, Any]
) -> None:
    """Any JSON object sent after login gets one result or one error with a documented code."""
    with connect(threaded_relay.running.url, max_size=2**20) as ws:
        call(ws, {"type": "hello", "id": "h", "protocol": 1})
        assert call(ws, {"type": "auth", "id": "a", "token": threaded_relay.token})["type"] == (
            "result"
        )
        if frame.get("type") == "hello":
            frame["type"] = "ping"  # a second hello is fine, but keep the session simple
        ws.send(json.dumps(frame))
        ws.send(json.dumps({"type": "ping", "id": SENTINEL}))
        replies: list[dict[str, Any]] = []
        while len(replies) < 2:
            received = json.loads(ws.recv(timeout=10))
            if received["type"] != "events":
                replies.append(received)
        answers = [r for r in replies if r.get("id") != SENTINEL]
        assert len(answers) == 1, replies
        reply = answers[0]
        sent_id = frame.get("id")
        if reply["type"] == "error":
            assert reply["code"] in CODES, (frame, reply)
            readable = isinstance(sent_id, int | str) and not isinstance(sent_id, bool)
            assert reply["id"] in ((sent_id, None) if readable else (None,)), (frame, reply)
        else:
            assert reply["type"] == "result" and reply["id"] == sent_id, (frame, reply)
        # No second answer comes later: the next reply is the next request's.
        assert call(ws, {"type": "ping", "id": "after"}) == {
            "type": "result",
            "id": "after",
            "data": {},
        }
