"""Relay robustness: every bad frame gets the right error, the connection stays usable and
nothing is stored; oversized and binary frames close the connection."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from conftest import (
    RawClient,
    RunningRelay,
    db_count,
    db_rows,
    fresh_db,
    new_key,
    raw_connect,
    raw_user,
    send_text,
    wait_closed,
)


@pytest.fixture
async def chat(relay: RunningRelay) -> tuple[RawClient, RawClient, int]:
    """sam and alice with one message in their direct thread."""
    sam = await raw_user(relay.url, "sam")
    alice = await raw_user(relay.url, "alice")
    tid = (await sam.ok("dm_open", handle="alice"))["id"]
    await send_text(sam, tid, "the only message")
    return sam, alice, tid


def send_frame(request_id: str, thread_id: int, text_json: str) -> str:
    """A send frame written by hand, so the text can hold JSON escapes as they are."""
    return (
        f'{{"type":"send","id":{request_id},"thread_id":{thread_id},'
        f'"key":"{new_key()}","text":{text_json}}}'
    )


def stored_texts(relay: RunningRelay) -> list[str]:
    return [row[0] for row in db_rows(relay.db_path, "SELECT text FROM messages ORDER BY id")]


async def assert_usable(client: RawClient, relay: RunningRelay) -> None:
    """The connection still answers, and only the fixture's one message is stored."""
    assert await client.ok("ping") == {}
    assert stored_texts(relay) == ["the only message"]


MALFORMED: list[tuple[str, str, Any]] = [
    ("not-json", "this is not json", None),
    ("truncated", '{"type":"send","id":7,"thread_id":1', 7),
    ("array", '[{"type":"ping","id":1}]', None),
    ("string", '"ping"', None),
    ("number", "42", None),
    ("empty-object", "{}", None),
    ("no-type", '{"id":8}', 8),
    ("unknown-type", '{"type":"launch_missiles","id":9}', 9),
    ("type-not-string", '{"type":5,"id":10}', 10),
    ("no-id", '{"type":"ping"}', None),
    ("id-is-bool", '{"type":"ping","id":true}', None),
    ("id-is-float", '{"type":"ping","id":1.5}', None),
    ("id-is-object", '{"type":"ping","id":{"a":1}}', None),
    ("extra-field", '{"type":"ping","id":11,"please":true}', 11),
    ("missing-text", '{"type":"send","id":12,"thread_id":1,"key":"k"}', 12),
    ("missing-key", '{"type":"send","id":13,"thread_id":1,"text":"hi"}', 13),
    ("thread-id-string", '{"type":"send","id":14,"thread_id":"1","text":"hi","key":"k"}', 14),
    ("thread-id-negative", '{"type":"send","id":15,"thread_id":-1,"text":"hi","key":"k"}', 15),
    ("thread-id-float", '{"type":"send","id":16,"thread_id":1.0,"text":"hi","key":"k"}', 16),
    ("thread-id-huge", '{"type":"send","id":17,"thread_id":9007199254740992,"text":"","key":""}', 17),  # noqa: E501
    ("thread-id-null", '{"type":"send","id":18,"thread_id":null,"text":"hi","key":"k"}', 18),
    ("text-is-list", '{"type":"send","id":19,"thread_id":1,"text":["hi"],"key":"k"}', 19),
    ("reply-to-string", '{"type":"send","id":20,"thread_id":1,"text":"h","key":"k","reply_to":"1"}', 20),  # noqa: E501
    ("handles-not-list", '{"type":"group_create","id":21,"name":"g","handles":"alice"}', 21),
    ("since-negative", '{"type":"auth","id":22,"token":"t","since":-5}', 22),
    ("limit-string", '{"type":"history","id":23,"thread_id":1,"limit":"10"}', 23),
    ("string-id-kept", '{"type":"nope","id":"req-24"}', "req-24"),
    ("duplicate-type-wrong", '{"type":"send","type":"ping","id":25}', 25),
]  # fmt: skip


@pytest.mark.parametrize(
    ("raw", "request_id"), [m[1:] for m in MALFORMED], ids=[m[0] for m in MALFORMED]
)
async def test_malformed_frames_get_bad_request(
    relay: RunningRelay, chat: tuple[RawClient, RawClient, int], raw: str, request_id: Any
) -> None:
    """A frame that is no valid request is answered with bad_request carrying its id (or null)."""
    sam, _alice, _tid = chat
    await sam.send_raw(raw)
    frame = await sam.recv_frame()
    while frame["type"] == "events":
        frame = await sam.recv_frame()
    assert frame["type"] == "error", frame
    assert frame["code"] == "bad_request", frame
    assert frame["id"] == request_id
    assert isinstance(frame["message"], str) and frame["message"]
    await assert_usable(sam, relay)


async def test_bad_request_is_answered_the_same_before_login(relay: RunningRelay) -> None:
    """Malformed frames after hello but before login are also answered, not fatal."""
    client = await raw_connect(relay.url)
    await client.send_raw('{"type":"login","id":1,"handle":"sam"}')
    reply = await client.reply_to(1)
    assert reply["code"] == "bad_request"
    await client.send_raw("{{{")
    reply = await client.reply_to(None)
    assert reply["code"] == "bad_request"
    assert await client.ok("ping") == {}


@pytest.mark.parametrize(
    ("request_type", "fields"),
    [
        ("send", {"thread_id": 999, "text": "hi", "key": "k-999"}),
        ("history", {"thread_id": 999}),
        ("thread", {"thread_id": 999}),
        ("typing", {"thread_id": 999}),
        ("read", {"thread_id": 999, "seq": 1}),
        ("group_add", {"thread_id": 999, "handle": "alice"}),
        ("group_rename", {"thread_id": 999, "name": "x"}),
        ("group_leave", {"thread_id": 999}),
        ("edit", {"message_id": 999, "text": "x"}),
        ("delete", {"message_id": 999}),
        ("dm_open", {"handle": "ghost"}),
        ("friend_request", {"handle": "ghost"}),
        ("block", {"handle": "ghost"}),
        ("user", {"handle": "ghost"}),
        ("group_create", {"name": "g", "handles": ["ghost"]}),
    ],
)
async def test_unknown_ids_and_handles_are_not_found(
    relay: RunningRelay,
    chat: tuple[RawClient, RawClient, int],
    request_type: str,
    fields: dict[str, Any],
) -> None:
    """A request naming a thread, message or handle that does not exist is not_found."""
    sam, _alice, _tid = chat
    reply = await sam.call(request_type, **fields)
    assert reply["type"] == "error" and reply["code"] == "not_found", reply
    await assert_usable(sam, relay)
    assert db_count(relay.db_path, "threads") == 1


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("x" * 4001, "too_large"),
        ("😀" * 4001, "too_large"),
        ("nul \x00 inside", "invalid_text"),
        ("\x00", "invalid_text"),
        ("noncharacter \ufffe", "invalid_text"),
        ("noncharacter \uffff", "invalid_text"),
        ("", "bad_request"),
        ("   ", "bad_request"),
        ("\n\t ", "bad_request"),
    ],
    ids=[
        "4001-chars",
        "4001-astral",
        "nul-inside",
        "nul-only",
        "ufffe",
        "uffff",
        "empty",
        "spaces",
        "whitespace",
    ],
)
async def test_refused_texts_are_not_stored(
    relay: RunningRelay, chat: tuple[RawClient, RawClient, int], text: str, code: str
) -> None:
    """send and edit refuse overlong, NUL-holding, noncharacter and blank texts with their code."""
    sam, alice, tid = chat
    reply = await sam.call("send", thread_id=tid, text=text, key=new_key())
    assert reply["type"] == "error" and reply["code"] == code, reply
    first = (await sam.ok("history", thread_id=tid))["messages"][0]
    reply = await sam.call("edit", message_id=first["id"], text=text)
    assert reply["type"] == "error" and reply["code"] == code, reply
    await assert_usable(sam, relay)
    assert (await alice.ok("history", thread_id=tid))["messages"] == [first]


async def test_escaped_nul_in_json_is_invalid_text(
    relay: RunningRelay, chat: tuple[RawClient, RawClient, int]
) -> None:
    """A NUL written as the JSON escape \\u0000 decodes, then is refused as invalid_text."""
    sam, _alice, tid = chat
    await sam.send_raw(send_frame('"nul"', tid, '"a\\u0000b"'))
    reply = await sam.reply_to("nul")
    assert reply["type"] == "error" and reply["code"] == "invalid_text", reply
    await assert_usable(sam, relay)


LONE_SURROGATES = [
    # (case, text as written in the JSON frame, whether the text is the frame's last field);
    # the docs' own example puts the text last.
    ("high-last", '"\\ud800"', True),
    ("high-inside-last", '"a\\ud800b"', True),
    ("high-then-field", '"\\ud800"', False),
    ("low-last", '"\\udc00"', True),
    ("reversed-pair", '"\\udf55\\ud83c"', True),
]


@pytest.mark.parametrize(
    ("text_json", "text_last"),
    [c[1:] for c in LONE_SURROGATES],
    ids=[c[0] for c in LONE_SURROGATES],
)
async def test_lone_surrogate_is_invalid_text_with_the_frame_id(
    relay: RunningRelay, chat: tuple[RawClient, RawClient, int], text_json: str, text_last: bool
) -> None:
    """A lone surrogate escape anywhere in a text is answered invalid_text with the frame's id."""
    sam, _alice, tid = chat
    if text_last:
        frame = send_frame("1", tid, text_json)
    else:
        frame = f'{{"type":"send","id":1,"thread_id":{tid},"text":{text_json},"key":"k"}}'
    await sam.send_raw(frame)
    reply = await sam.reply_to(1)
    assert reply["type"] == "error" and reply["code"] == "invalid_text", (frame, reply)
    await assert_usable(sam, relay)


async def test_backslash_then_ud800_is_ordinary_text(
    relay: RunningRelay, chat: tuple[RawClient, RawClient, int]
) -> None:
    """The six characters backslash-u-d-8-0-0 (JSON "\\\\ud800") are stored as sent."""
    sam, _alice, tid = chat
    await sam.send_raw(send_frame('"plain"', tid, '"C:\\\\ud800 dir"'))
    reply = await sam.reply_to("plain")
    assert reply["type"] == "result", reply
    assert reply["data"]["text"] == "C:\\ud800 dir"


async def test_malformed_frame_with_escaped_backslash_is_bad_request(
    relay: RunningRelay, chat: tuple[RawClient, RawClient, int]
) -> None:
    """A truncated frame whose text holds backslash-u-d-8-0-0 is malformed JSON: bad_request."""
    sam, _alice, tid = chat
    frame = send_frame('"cut"', tid, '"C:\\\\ud800 dir"')[:-1]  # no closing brace
    await sam.send_raw(frame)
    reply = await sam.reply_to("cut")
    assert reply["type"] == "error" and reply["code"] == "bad_request", (frame, reply)
    await assert_usable(sam, relay)


async def test_paired_surrogate_escapes_make_one_character(
    relay: RunningRelay, chat: tuple[RawClient, RawClient, int]
) -> None:
    """A paired surrogate escape is a valid astral character and is stored as such."""
    sam, _alice, tid = chat
    await sam.send_raw(send_frame('"pair"', tid, '"\\ud83c\\udf55"'))
    reply = await sam.reply_to("pair")
    assert reply["type"] == "result" and reply["data"]["text"] == "🍕"


@pytest.mark.parametrize("key", ["", "k" * 65], ids=["empty", "65-chars"])
async def test_bad_idempotency_keys_are_refused(
    relay: RunningRelay, chat: tuple[RawClient, RawClient, int], key: str
) -> None:
    """An empty key or one over 64 characters is refused and nothing is stored."""
    sam, _alice, tid = chat
    reply = await sam.call("send", thread_id=tid, text="keyed", key=key)
    assert reply["type"] == "error" and reply["code"] in ("bad_request", "too_large"), reply
    await assert_usable(sam, relay)
    assert (await sam.ok("send", thread_id=tid, text="keyed", key="k" * 64))["text"] == "keyed"


async def test_history_limits_out_of_range_are_refused(
    relay: RunningRelay, chat: tuple[RawClient, RawClient, int]
) -> None:
    """history with limit 0 or 201 is refused; the connection stays usable."""
    sam, _alice, tid = chat
    for limit in (0, 201):
        reply = await sam.call("history", thread_id=tid, limit=limit)
        assert reply["type"] == "error" and reply["code"] == "bad_request", (limit, reply)
    await assert_usable(sam, relay)


async def test_frame_over_64_kib_closes_with_1009(
    relay: RunningRelay, chat: tuple[RawClient, RawClient, int]
) -> None:
    """A frame of 65537 bytes closes the connection with 1009 and stores nothing."""
    sam, alice, tid = chat
    padding = 65537 - len(send_frame("1", tid, '""'))
    frame = send_frame("1", tid, '"' + "x" * padding + '"')
    assert len(frame.encode()) == 65537
    await sam.send_raw(frame)
    assert await wait_closed(sam) == 1009
    assert stored_texts(relay) == ["the only message"]
    await alice.ok("ping")  # the relay itself is fine


async def test_frame_of_exactly_64_kib_is_answered(
    relay: RunningRelay, chat: tuple[RawClient, RawClient, int]
) -> None:
    """A frame of exactly 65536 bytes is read and answered (here: too_large for its text)."""
    sam, _alice, tid = chat
    padding = 65536 - len(send_frame("1", tid, '""'))
    frame = send_frame("1", tid, '"' + "x" * padding + '"')
    assert len(frame.encode()) == 65536
    await sam.send_raw(frame)
    reply = await sam.reply_to(1)
    assert reply["type"] == "error" and reply["code"] == "too_large"
    await assert_usable(sam, relay)


@pytest.mark.parametrize("greeted", [True, False], ids=["after-hello", "first-frame"])
async def test_binary_frame_closes_with_1003(relay: RunningRelay, greeted: bool) -> None:
    """A binary message closes the connection with 1003, before or after hello."""
    client = await raw_connect(relay.url, hello=greeted)
    await client.send_raw(b'{"type":"ping","id":1}')
    assert await wait_closed(client) == 1003


@pytest.fixture
async def slow_relay(tmp_path: Path, schema_template: Path) -> AsyncIterator[RunningRelay]:
    """A relay allowing 5 requests per second with bursts of 5."""
    running = RunningRelay(
        fresh_db(schema_template, tmp_path / "slow.db"), rate_per_second=5, rate_burst=5
    )
    await running.start()
    try:
        yield running
    finally:
        await running.stop()


async def test_requests_over_the_rate_are_rate_limited(slow_relay: RunningRelay) -> None:
    """Past the burst, requests get rate_limited with retry_after; refused sends store nothing;
    after waiting retry_after the connection works again."""
    sam = await raw_user(slow_relay.url, "sam")  # hello and register take 2 of the 5 tokens
    alice = await raw_user(slow_relay.url, "alice")
    tid = (await sam.ok("dm_open", handle="alice"))["id"]
    keys = [new_key() for _ in range(12)]
    for n, key in enumerate(keys):
        frame = {"type": "send", "id": n, "thread_id": tid, "text": f"burst {n}", "key": key}
        await sam.send_raw(json.dumps(frame))
    replies = [await sam.reply_to(n) for n in range(len(keys))]
    limited = [r for r in replies if r["type"] == "error"]
    accepted = [r["data"] for r in replies if r["type"] == "result"]
    assert limited and accepted, replies
    for reply in limited:
        assert reply["code"] == "rate_limited", reply
        assert isinstance(reply["retry_after"], float | int) and 0 < reply["retry_after"] <= 1
    history = (await alice.ok("history", thread_id=tid))["messages"]
    assert history == accepted
    assert [m["seq"] for m in history] == list(range(1, len(accepted) + 1))
    assert db_count(slow_relay.db_path, "messages") == len(accepted)
    await asyncio.sleep(max(r["retry_after"] for r in limited))  # the wait the relay asked for
    assert await sam.ok("ping") == {}


async def test_rate_limit_is_per_connection(slow_relay: RunningRelay) -> None:
    """One connection being throttled does not throttle another connection of the same account."""
    sam = await raw_user(slow_relay.url, "sam")
    for n in range(8):
        await sam.send_raw(json.dumps({"type": "ping", "id": n}))
    replies = [await sam.reply_to(n) for n in range(8)]
    assert any(r["type"] == "error" and r["code"] == "rate_limited" for r in replies)
    other = await raw_connect(slow_relay.url)
    await other.ok("auth", token=sam.token)
    assert await other.ok("ping") == {}


async def test_every_request_gets_exactly_one_reply(
    relay: RunningRelay, chat: tuple[RawClient, RawClient, int]
) -> None:
    """A mixed pipeline of good and bad requests gets one reply per id, none twice."""
    sam, _alice, tid = chat
    frames: list[dict[str, Any]] = [
        {"type": "ping", "id": "a"},
        {"type": "send", "id": "b", "thread_id": tid, "text": "ok", "key": new_key()},
        {"type": "send", "id": "c", "thread_id": tid, "text": "\x00", "key": new_key()},
        {"type": "nope", "id": "d"},
        {"type": "history", "id": "e", "thread_id": tid},
        {"type": "thread", "id": "f", "thread_id": 12345},
        {"type": "edit", "id": "g", "message_id": 12345, "text": "x"},
        {"type": "typing", "id": "h", "thread_id": tid},
    ]
    for frame in frames:
        await sam.send_raw(json.dumps(frame))
    await sam.send_raw(json.dumps({"type": "ping", "id": "last"}))
    replies: list[dict[str, Any]] = []
    while len(replies) < len(frames) + 1:
        received = await sam.recv_frame()
        if received["type"] != "events":
            replies.append(received)
            sam.replies.clear()
    ids = [r["id"] for r in replies]
    assert sorted(ids) == sorted([f["id"] for f in frames] + ["last"])
    codes = {r["id"]: r.get("code") for r in replies}
    assert codes == {
        "a": None,
        "b": None,
        "c": "invalid_text",
        "d": "bad_request",
        "e": None,
        "f": "not_found",
        "g": "not_found",
        "h": None,
        "last": None,
    }
    await sam.ok("ping")
    assert not sam.replies
