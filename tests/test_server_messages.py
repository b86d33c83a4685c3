"""Relay messages: sending, seq and timestamps, idempotency, replies, edits, deletes, typing and
history."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from conftest import (
    RawClient,
    RunningRelay,
    db_count,
    db_rows,
    fresh_db,
    marker,
    message_events,
    new_key,
    raw_connect,
    raw_user,
    resume,
    send_text,
)


async def pair(relay: RunningRelay) -> tuple[RawClient, RawClient, int]:
    """sam and alice with their direct thread's id."""
    sam = await raw_user(relay.url, "sam")
    alice = await raw_user(relay.url, "alice")
    thread = await sam.ok("dm_open", handle="alice")
    return sam, alice, thread["id"]


def texts(messages: list[dict[str, Any]]) -> list[str]:
    return [m["text"] for m in messages]


async def test_send_returns_the_stored_message(relay: RunningRelay) -> None:
    """send answers with the stored message: server id, seq 1, sender, server time, exact text."""
    sam, alice, tid = await pair(relay)
    before = int(time.time() * 1000)
    message = await sam.ok("send", thread_id=tid, text="Pizza on Friday?", key=new_key())
    after = int(time.time() * 1000)
    assert isinstance(message["id"], int)
    assert message["thread_id"] == tid
    assert message["seq"] == 1
    assert message["sender_id"] == sam.user["id"]
    assert message["text"] == "Pizza on Friday?"
    assert before - 1000 <= message["created_at"] <= after + 1000
    assert message["reply_to"] is None
    assert message["edited_at"] is None
    assert message["deleted"] is False
    event = await alice.wait_event(lambda e: e["type"] == "message")
    assert event["message"] == message
    assert event["thread_id"] == tid
    assert isinstance(event["cursor"], int)


async def test_seq_counts_per_thread(relay: RunningRelay) -> None:
    """Each thread numbers its messages 1, 2, 3... independently of other threads."""
    sam, _alice, tid = await pair(relay)
    await raw_user(relay.url, "bob")
    other = (await sam.ok("dm_open", handle="bob"))["id"]
    seqs = []
    for i in range(3):
        seqs.append((await send_text(sam, tid, f"a{i}"))["seq"])
        seqs.append((await send_text(sam, other, f"b{i}"))["seq"])
    assert seqs == [1, 1, 2, 2, 3, 3]
    ids = [m["id"] for m in (await sam.ok("history", thread_id=tid))["messages"]]
    assert len(set(ids)) == 3


@pytest.mark.parametrize(
    "text",
    [
        "  padded  ",
        "line one\nline two\r\n",
        "[red]not markup[/red] [@click=app.quit]x[/]",
        "\x1b[31mred\x1b[0m and a bell\x07",
        "\u202eevil bidi\u202c",
        "e\u0301 vs \u00e9, 🍕 and 👩‍👩‍👧",
        "😀" * 4000,
    ],
    ids=["padding", "newlines", "markup", "escapes", "bidi", "unicode", "max-astral"],
)
async def test_text_is_stored_and_delivered_exactly_as_sent(relay: RunningRelay, text: str) -> None:
    """Text is neither trimmed, normalised nor filtered: result, event and history hold it as sent.

    (The relay stores; sanitising for display is the client's job.)
    """
    sam, alice, tid = await pair(relay)
    message = await send_text(sam, tid, text)
    assert message["text"] == text
    event = await alice.wait_event(lambda e: e["type"] == "message")
    assert event["message"]["text"] == text
    assert texts((await alice.ok("history", thread_id=tid))["messages"]) == [text]
    assert db_rows(relay.db_path, "SELECT text FROM messages") == [(text,)]


async def test_text_over_the_limit_is_too_large(relay: RunningRelay) -> None:
    """4001 code points are refused with too_large, and nothing is stored."""
    sam, _alice, tid = await pair(relay)
    reply = await sam.call("send", thread_id=tid, text="x" * 4001, key=new_key())
    assert reply["type"] == "error" and reply["code"] == "too_large"
    await send_text(sam, tid, "x" * 4000)
    assert [len(t) for t in texts((await sam.ok("history", thread_id=tid))["messages"])] == [4000]


async def test_retry_with_the_same_key_returns_the_original(relay: RunningRelay) -> None:
    """A send retried with its key returns the same id and seq; one message, one event."""
    sam, alice, tid = await pair(relay)
    key = new_key()
    first = await sam.ok("send", thread_id=tid, text="once", key=key)
    again = await sam.ok("send", thread_id=tid, text="once", key=key)
    assert again == first
    await marker(sam, tid, alice, "after")
    assert texts([e["message"] for e in message_events(alice)]) == ["once", "after"]
    assert texts((await sam.ok("history", thread_id=tid))["messages"]) == ["once", "after"]


async def test_retry_from_a_new_connection_returns_the_original(relay: RunningRelay) -> None:
    """A retry after reconnecting (auth with the token) still returns the original message."""
    sam, _alice, tid = await pair(relay)
    key = new_key()
    first = await sam.ok("send", thread_id=tid, text="dropped?", key=key)
    await sam.close()
    again = await resume(relay.url, sam.token, None)
    assert await again.ok("send", thread_id=tid, text="dropped?", key=key) == first
    assert db_count(relay.db_path, "messages") == 1


async def test_same_key_with_another_body_is_a_mismatch(relay: RunningRelay) -> None:
    """Reusing a key with another text, thread or reply target is idempotency_mismatch."""
    sam, _alice, tid = await pair(relay)
    await raw_user(relay.url, "bob")
    other = (await sam.ok("dm_open", handle="bob"))["id"]
    key = new_key()
    first = await sam.ok("send", thread_id=tid, text="original", key=key)
    for fields in (
        {"thread_id": tid, "text": "changed"},
        {"thread_id": other, "text": "original"},
        {"thread_id": tid, "text": "original", "reply_to": first["id"]},
    ):
        reply = await sam.call("send", key=key, **fields)
        assert reply["type"] == "error" and reply["code"] == "idempotency_mismatch", reply
    assert db_rows(relay.db_path, "SELECT text FROM messages") == [("original",)]
    assert await sam.ok("send", thread_id=tid, text="original", key=key) == first


async def test_keys_belong_to_their_sender(relay: RunningRelay) -> None:
    """Two accounts using the same key each get their own message."""
    sam, alice, tid = await pair(relay)
    mine = await sam.ok("send", thread_id=tid, text="same key", key="k-1")
    theirs = await alice.ok("send", thread_id=tid, text="same key", key="k-1")
    assert mine["id"] != theirs["id"]
    assert [m["seq"] for m in (await sam.ok("history", thread_id=tid))["messages"]] == [1, 2]


async def test_replies_point_into_the_same_thread(relay: RunningRelay) -> None:
    """reply_to is kept when it names a message of the same thread, else not_found."""
    sam, alice, tid = await pair(relay)
    await raw_user(relay.url, "bob")
    other = (await sam.ok("dm_open", handle="bob"))["id"]
    question = await send_text(sam, tid, "Pizza?")
    elsewhere = await send_text(sam, other, "elsewhere")
    answer = await send_text(alice, tid, "Yes!", reply_to=question["id"])
    assert answer["reply_to"] == question["id"]
    for target in (elsewhere["id"], 9999):
        reply = await alice.call("send", thread_id=tid, text="bad", key=new_key(), reply_to=target)
        assert reply["type"] == "error" and reply["code"] == "not_found", reply
    assert texts((await alice.ok("history", thread_id=tid))["messages"]) == ["Pizza?", "Yes!"]


async def test_edit_own_message_reaches_the_others(relay: RunningRelay) -> None:
    """An author's edit returns the new text with edited_at; members get message_edited."""
    sam, alice, tid = await pair(relay)
    message = await send_text(sam, tid, "Pizza Friday?")
    edited = await sam.ok("edit", message_id=message["id"], text="Pizza Saturday?")
    assert edited["id"] == message["id"] and edited["seq"] == message["seq"]
    assert edited["text"] == "Pizza Saturday?"
    assert isinstance(edited["edited_at"], int) and edited["edited_at"] >= message["created_at"]
    event = await alice.wait_event(lambda e: e["type"] == "message_edited")
    assert event["message"] == edited and isinstance(event["cursor"], int)
    assert (await alice.ok("history", thread_id=tid))["messages"] == [edited]


async def test_delete_own_message_leaves_a_placeholder(relay: RunningRelay) -> None:
    """A deleted message keeps its id and seq with empty text; members get message_deleted."""
    sam, alice, tid = await pair(relay)
    message = await send_text(sam, tid, "oops")
    await send_text(sam, tid, "kept")
    deleted = await sam.ok("delete", message_id=message["id"])
    assert deleted["id"] == message["id"] and deleted["seq"] == 1
    assert deleted["deleted"] is True and deleted["text"] == ""
    event = await alice.wait_event(lambda e: e["type"] == "message_deleted")
    assert event["message"] == deleted and isinstance(event["cursor"], int)
    history = (await alice.ok("history", thread_id=tid))["messages"]
    assert history[0] == deleted and history[1]["text"] == "kept"
    assert db_rows(relay.db_path, "SELECT text FROM messages WHERE id = ?", message["id"]) == [
        ("",)
    ]


async def test_only_the_author_edits_or_deletes(relay: RunningRelay) -> None:
    """Editing or deleting someone else's message is forbidden and changes nothing."""
    sam, alice, tid = await pair(relay)
    message = await send_text(sam, tid, "mine")
    reply = await alice.call("edit", message_id=message["id"], text="hijacked")
    assert reply["type"] == "error" and reply["code"] == "forbidden", reply
    reply = await alice.call("delete", message_id=message["id"])
    assert reply["type"] == "error" and reply["code"] == "forbidden", reply
    assert (await sam.ok("history", thread_id=tid))["messages"] == [message]
    await marker(alice, tid, sam, "marker")
    assert not [e for e in sam.events if e["type"] in ("message_edited", "message_deleted")]


async def test_outsiders_cannot_touch_a_message(relay: RunningRelay) -> None:
    """A non-member editing or deleting a message by id gets an error and changes nothing."""
    sam, _alice, tid = await pair(relay)
    eve = await raw_user(relay.url, "eve")
    message = await send_text(sam, tid, "private")
    for request, fields in (("edit", {"text": "x"}), ("delete", {})):
        reply = await eve.call(request, message_id=message["id"], **fields)
        assert reply["type"] == "error" and reply["code"] in ("forbidden", "not_found"), reply
        assert "private" not in str(reply)
    assert (await sam.ok("history", thread_id=tid))["messages"] == [message]


async def test_non_members_cannot_post_type_or_mark_read(relay: RunningRelay) -> None:
    """send, typing and read in a thread you are not in are not_found (as if it did not
    exist); nothing is stored."""
    sam, alice, tid = await pair(relay)
    eve = await raw_user(relay.url, "eve")
    for request, fields in (
        ("send", {"text": "intruder", "key": new_key()}),
        ("typing", {}),
        ("read", {"seq": 0}),
    ):
        reply = await eve.call(request, thread_id=tid, **fields)
        assert reply["type"] == "error" and reply["code"] == "not_found", (request, reply)
    assert db_count(relay.db_path, "messages") == 0
    await marker(sam, tid, alice, "marker")
    assert [e["type"] for e in alice.events if e["type"] in ("typing", "read")] == []


async def test_typing_reaches_the_others_without_a_cursor(relay: RunningRelay) -> None:
    """typing reaches the other members as an ephemeral event, not the typist, and is not stored."""
    sam, alice, tid = await pair(relay)
    alice_second = await resume(relay.url, alice.token, None)
    stored_events = db_count(relay.db_path, "events")
    assert await sam.ok("typing", thread_id=tid) == {}
    for session in (alice, alice_second):
        event = await session.wait_event(lambda e: e["type"] == "typing")
        assert event == {"type": "typing", "thread_id": tid, "user_id": sam.user["id"]}
    await marker(alice, tid, sam, "marker")
    assert not [e for e in sam.events if e["type"] == "typing"]
    replayed = await resume(relay.url, alice.token, 0)
    await marker(sam, tid, replayed, "after replay")
    assert not [e for e in replayed.events if e["type"] == "typing"]
    assert db_count(relay.db_path, "events") == stored_events + 2  # the two markers only


async def test_history_pages_backwards(relay: RunningRelay) -> None:
    """history gives the newest page first, then older ones by before, with more until the end."""
    sam, _alice, tid = await pair(relay)
    for i in range(1, 8):
        await send_text(sam, tid, f"m{i}")
    page = await sam.ok("history", thread_id=tid, limit=3)
    assert page["thread_id"] == tid
    assert [m["seq"] for m in page["messages"]] == [5, 6, 7] and page["more"] is True
    page = await sam.ok("history", thread_id=tid, before=5, limit=3)
    assert [m["seq"] for m in page["messages"]] == [2, 3, 4] and page["more"] is True
    page = await sam.ok("history", thread_id=tid, before=2, limit=3)
    assert [m["seq"] for m in page["messages"]] == [1] and page["more"] is False
    page = await sam.ok("history", thread_id=tid, before=1)
    assert page["messages"] == [] and page["more"] is False
    page = await sam.ok("history", thread_id=tid, limit=7)
    assert texts(page["messages"]) == [f"m{i}" for i in range(1, 8)] and page["more"] is False
    page = await sam.ok("history", thread_id=tid)
    assert len(page["messages"]) == 7 and page["more"] is False


async def test_history_defaults_to_fifty_and_caps_at_two_hundred(
    tmp_path: Path, schema_template: Path
) -> None:
    """Without limit a page holds 50 messages; a limit over 200 is refused."""
    running = RunningRelay(fresh_db(schema_template, tmp_path / "many.db"), rate_per_second=0)
    await running.start()
    try:
        sam, _alice, tid = await pair(running)
        for i in range(60):
            await send_text(sam, tid, f"m{i}")
        page = await sam.ok("history", thread_id=tid)
        assert len(page["messages"]) == 50 and page["more"] is True
        assert page["messages"][-1]["text"] == "m59"
        reply = await sam.call("history", thread_id=tid, limit=201)
        assert reply["type"] == "error" and reply["code"] == "bad_request", reply
        assert len((await sam.ok("history", thread_id=tid, limit=200))["messages"]) == 60
    finally:
        await running.stop()


async def test_own_messages_reach_your_other_sessions(relay: RunningRelay) -> None:
    """A message sent from one session arrives as a message event in the account's other session."""
    sam, _alice, tid = await pair(relay)
    laptop = await raw_connect(relay.url)
    await laptop.ok("login", handle="sam", password="pw-secret")
    message = await send_text(sam, tid, "from the phone")
    event = await laptop.wait_event(lambda e: e["type"] == "message")
    assert event["message"] == message
