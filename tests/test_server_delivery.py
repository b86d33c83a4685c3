"""Relay delivery: commit before ack, cursors, resuming without loss or duplicates (also across a
restart), several sessions, and membership boundaries."""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from chatshop_server.storage.messages import EventLog
from conftest import (
    RawClient,
    RunningRelay,
    all_history,
    db_rows,
    fresh_db,
    marker,
    message_events,
    new_key,
    raw_connect,
    raw_user,
    resume,
    send_many,
    send_text,
    wait_closed,
)


@pytest.fixture
async def open_relay(tmp_path: Path, schema_template: Path) -> AsyncIterator[RunningRelay]:
    """A relay without rate limiting, for tests that send hundreds of requests."""
    running = RunningRelay(fresh_db(schema_template, tmp_path / "open.db"), rate_per_second=0)
    await running.start()
    try:
        yield running
    finally:
        await running.stop()


def cursors(events: list[dict[str, Any]]) -> list[int]:
    """The cursors of the stored events among ``events``."""
    return [e["cursor"] for e in events if e.get("cursor") is not None]


def stored(client: RawClient) -> list[dict[str, Any]]:
    """The stored (cursor-carrying) events a client received."""
    return [e for e in client.events if e.get("cursor") is not None]


def assert_strictly_increasing(values: list[int]) -> None:
    assert all(a < b for a, b in itertools.pairwise(values)), values


async def test_send_is_acknowledged_only_after_commit(relay: RunningRelay) -> None:
    """By the time send answers, the message and its event are in the SQLite file."""
    sam = await raw_user(relay.url, "sam")
    await raw_user(relay.url, "alice")
    tid = (await sam.ok("dm_open", handle="alice"))["id"]
    for n in range(5):
        message = await send_text(sam, tid, f"durable {n}")
        rows = db_rows(
            relay.db_path, "SELECT thread_id, seq, text FROM messages WHERE id = ?", message["id"]
        )
        assert rows == [(tid, n + 1, f"durable {n}")]
        assert (
            db_rows(relay.db_path, "SELECT count(*) FROM events WHERE thread_id = ?", tid)[0][0]
            >= n + 2
        )


async def test_events_come_in_events_frames_with_increasing_cursors(
    open_relay: RunningRelay,
) -> None:
    """Pushed events arrive in events frames, in strictly increasing cursor order."""
    sam = await raw_user(open_relay.url, "sam")
    alice = await raw_user(open_relay.url, "alice")
    bob = await raw_user(open_relay.url, "bob")
    group = await sam.ok("group_create", name="Club", handles=["alice", "bob"])
    await asyncio.gather(
        send_many(sam, group["id"], [f"s{i}" for i in range(40)]),
        send_many(bob, group["id"], [f"b{i}" for i in range(40)]),
    )
    await marker(sam, group["id"], alice, "end")
    raw = await raw_connect(open_relay.url)
    await raw.ok("auth", token=alice.token, since=0)
    frame_types = set()
    while len(message_events(raw)) < 81:
        frame_types.add((await raw.recv_frame())["type"])
    assert frame_types == {"events"}
    assert stored(raw) == stored(alice)
    assert_strictly_increasing(cursors(alice.events))
    assert_strictly_increasing(cursors(raw.events))
    assert len(message_events(alice)) == 81
    texts = [e["message"]["text"] for e in message_events(alice)]
    assert [t for t in texts if t.startswith("s")] == [f"s{i}" for i in range(40)]
    assert [t for t in texts if t.startswith("b")] == [f"b{i}" for i in range(40)]
    seqs = [e["message"]["seq"] for e in message_events(alice)]
    assert seqs == list(range(1, 82))


async def test_resume_replays_everything_missed_in_order(relay: RunningRelay) -> None:
    """auth with since replays every stored event after it, in order, once, before live ones."""
    sam = await raw_user(relay.url, "sam")
    alice = await raw_user(relay.url, "alice")
    tid = (await sam.ok("dm_open", handle="alice"))["id"]
    await marker(sam, tid, alice, "seen")
    since = alice.cursor
    await alice.close()
    sent = [await send_text(sam, tid, f"missed {n}") for n in range(5)]
    edited = await sam.ok("edit", message_id=sent[1]["id"], text="missed 1, edited")
    deleted = await sam.ok("delete", message_id=sent[2]["id"])
    await sam.ok("typing", thread_id=tid)  # ephemeral: never replayed
    await sam.ok("group_create", name="Club", handles=["alice"])
    await sam.ok("friend_request", handle="alice")

    back = await raw_connect(relay.url)
    await back.send_raw(
        json.dumps({"type": "auth", "id": "resume", "token": alice.token, "since": since})
    )
    live = asyncio.create_task(send_text(sam, tid, "live"))
    reply = await back.reply_to("resume")
    assert reply["type"] == "result" and reply["data"]["user"] == alice.user
    await back.wait_event(lambda e: e["type"] == "message" and e["message"]["text"] == "live")
    await live
    kinds = [e["type"] for e in back.events]
    assert kinds == [
        "message", "message", "message", "message", "message",
        "message_edited", "message_deleted", "thread", "contact", "message",
    ]  # fmt: skip
    assert [e["message"] for e in back.events[:5]] == sent
    assert back.events[5]["message"] == edited
    assert back.events[6]["message"] == deleted
    assert back.events[8]["contact"]["status"] == "incoming"
    assert all(e["cursor"] > since for e in back.events)
    assert_strictly_increasing(cursors(back.events))


async def test_resume_without_since_replays_nothing(relay: RunningRelay) -> None:
    """auth without since resumes the session but replays no stored event."""
    sam = await raw_user(relay.url, "sam")
    alice = await raw_user(relay.url, "alice")
    tid = (await sam.ok("dm_open", handle="alice"))["id"]
    await alice.close()
    await send_text(sam, tid, "while away")
    back = await resume(relay.url, alice.token, None)
    await marker(sam, tid, back, "live")
    assert [e["message"]["text"] for e in message_events(back)] == ["live"]


async def test_resume_from_the_latest_cursor_replays_nothing(relay: RunningRelay) -> None:
    """Resuming from the last cursor received replays nothing and duplicates nothing."""
    sam = await raw_user(relay.url, "sam")
    alice = await raw_user(relay.url, "alice")
    tid = (await sam.ok("dm_open", handle="alice"))["id"]
    await marker(sam, tid, alice, "one")
    back = await resume(relay.url, alice.token, alice.cursor)
    await marker(sam, tid, back, "two")
    assert [e["message"]["text"] for e in message_events(back)] == ["two"]


async def test_replay_is_split_into_batches_of_at_most_500(open_relay: RunningRelay) -> None:
    """A long catch-up arrives in events frames of at most 500 events, all in order."""
    sam = await raw_user(open_relay.url, "sam")
    alice = await raw_user(open_relay.url, "alice")
    tid = (await sam.ok("dm_open", handle="alice"))["id"]
    since = alice.cursor
    await alice.close()
    replies = await send_many(sam, tid, [f"m{n}" for n in range(1100)])
    assert all(r["type"] == "result" for r in replies)
    back = await raw_connect(open_relay.url)
    await back.ok("auth", token=alice.token, since=since)
    sizes = []
    while len(message_events(back)) < 1100:
        frame = await back.recv_frame()
        assert frame["type"] == "events"
        sizes.append(len(frame["events"]))
    assert max(sizes) <= 500 and len(sizes) >= 3
    assert [e["message"]["seq"] for e in message_events(back)] == list(range(1, 1101))
    assert_strictly_increasing(cursors(back.events))


async def test_resume_after_relay_restart_loses_nothing(relay: RunningRelay) -> None:
    """A restart closes links with 1001; resuming from the cursor gets just what was missed."""
    sam = await raw_user(relay.url, "sam")
    alice = await raw_user(relay.url, "alice")
    tid = (await sam.ok("dm_open", handle="alice"))["id"]
    before = [await send_text(sam, tid, f"before {n}") for n in range(3)]
    await alice.wait_event(lambda e: e.get("message", {}).get("text") == "before 2")
    await relay.restart()
    assert await wait_closed(alice) == 1001
    assert await wait_closed(sam) == 1001
    sam = await resume(relay.url, sam.token, None)
    after = [await send_text(sam, tid, f"after {n}") for n in range(3)]
    back = await resume(relay.url, alice.token, alice.cursor)
    await marker(sam, tid, back, "live")
    assert [e["message"] for e in message_events(back)][:3] == after
    assert [e["message"]["text"] for e in message_events(back)] == [
        "after 0", "after 1", "after 2", "live",
    ]  # fmt: skip
    history = await all_history(back, tid)
    assert history[:3] == before
    assert [m["seq"] for m in history] == list(range(1, 8))


async def test_two_sessions_of_one_account_receive_everything(relay: RunningRelay) -> None:
    """Every stored event reaches both of an account's sessions, with the same cursors."""
    sam = await raw_user(relay.url, "sam")
    phone = await raw_user(relay.url, "alice")
    laptop = await raw_connect(relay.url)
    await laptop.ok("login", handle="alice", password="pw-secret")
    tid = (await sam.ok("dm_open", handle="alice"))["id"]
    first = await send_text(sam, tid, "one")
    await sam.ok("edit", message_id=first["id"], text="one!")
    await phone.ok("read", thread_id=tid, seq=1)
    await send_text(phone, tid, "from the phone")
    await sam.ok("group_create", name="Club", handles=["alice"])
    await sam.ok("friend_request", handle="alice")
    await marker(sam, tid, phone, "end")
    await laptop.wait_event(lambda e: e.get("message", {}).get("text") == "end")
    assert stored(phone) == stored(laptop)
    kinds = [e["type"] for e in stored(laptop)]
    for kind in ("thread", "message", "message_edited", "contact", "read"):
        assert kind in kinds
    own = [e for e in message_events(laptop) if e["message"]["text"] == "from the phone"]
    assert len(own) == 1


class HeldReplay:
    """Holds the replay a starting session runs after subscribing, until released.

    This makes a real race deterministic: work committed by other connections after the
    session read its start cursor and subscribed, but before its replay read the log, reaches
    the session both live (buffered) and from the replay, and must be delivered once.
    """

    def __init__(self, relay: RunningRelay) -> None:
        assert relay.relay is not None
        self.original = EventLog.replay
        self.read = asyncio.Event()
        self.release = asyncio.Event()

    def __enter__(self) -> HeldReplay:
        original, held = self.original, self

        async def replay(log: EventLog, user_id: int, after: int, limit: int) -> list[Any]:
            held.read.set()
            await held.release.wait()
            return await original(log, user_id, after, limit)

        EventLog.replay = replay  # type: ignore[method-assign, assignment]
        return self

    def __exit__(self, *exc: object) -> None:
        EventLog.replay = self.original  # type: ignore[method-assign]
        self.release.set()


async def test_a_new_login_misses_no_event_committed_while_it_starts(
    relay: RunningRelay,
) -> None:
    """A message committed while a login is starting, after its cursor, reaches the new session."""
    sam = await raw_user(relay.url, "sam")
    alice = await raw_user(relay.url, "alice")
    tid = (await sam.ok("dm_open", handle="alice"))["id"]
    laptop = await raw_connect(relay.url)
    with HeldReplay(relay) as held:
        login = asyncio.create_task(laptop.ok("login", handle="alice", password="pw-secret"))
        await asyncio.wait_for(held.read.wait(), 5)
        racing = await send_text(sam, tid, "sent while alice logs in")
        held.release.set()
        data = await login
    await marker(sam, tid, laptop, "after login")
    event = await alice.wait_event(lambda e: e.get("message", {}).get("id") == racing["id"])
    assert event["cursor"] > data["cursor"]  # after the session's start cursor, so it is owed
    got = [e["message"]["text"] for e in message_events(laptop)]
    assert got == ["sent while alice logs in", "after login"]


async def test_a_new_account_misses_no_event_committed_while_it_starts(
    relay: RunningRelay,
) -> None:
    """A thread opened with a just-registered account while its session starts reaches it."""
    sam = await raw_user(relay.url, "sam")
    newbie = await raw_connect(relay.url)
    with HeldReplay(relay) as held:
        register = asyncio.create_task(
            newbie.ok("register", handle="newbie", display_name="New", password="pw-pw")
        )
        await asyncio.wait_for(held.read.wait(), 5)
        thread = await sam.ok("dm_open", handle="newbie")
        held.release.set()
        data = await register
    await marker(sam, thread["id"], newbie, "welcome")
    assert [e["type"] for e in newbie.events] == ["thread", "message"]
    assert newbie.events[0]["cursor"] > data["cursor"]


async def test_removed_member_stops_receiving_the_thread(relay: RunningRelay) -> None:
    """After the removal event nothing of the group reaches the removed member, live or replayed."""
    sam = await raw_user(relay.url, "sam")
    alice = await raw_user(relay.url, "alice")
    bob = await raw_user(relay.url, "bob")
    dm = (await sam.ok("dm_open", handle="bob"))["id"]
    gid = (await sam.ok("group_create", name="Club", handles=["alice", "bob"]))["id"]
    await marker(sam, gid, bob, "before removal")
    since = bob.cursor
    await sam.ok("group_remove", thread_id=gid, handle="bob")
    removal = await bob.wait_event(lambda e: e["type"] == "member" and e["change"] == "removed")
    secret = await send_text(alice, gid, "after bob left")
    await alice.ok("edit", message_id=secret["id"], text="edited after bob left")
    await sam.ok("group_rename", thread_id=gid, name="Club without bob")
    await sam.ok("typing", thread_id=gid)
    await alice.ok("read", thread_id=gid, seq=secret["seq"])
    await marker(sam, dm, bob, "marker in the direct thread")

    def group_events_after_removal(client: RawClient) -> list[dict[str, Any]]:
        return [
            e
            for e in client.events
            if (e.get("thread_id") == gid or e.get("thread", {}).get("id") == gid)
            and (e.get("cursor") is None or e["cursor"] > removal["cursor"])
        ]

    assert group_events_after_removal(bob) == []
    for start in (since, 0):
        replay = await resume(relay.url, bob.token, start)
        await marker(sam, dm, replay, f"replay marker {start}")
        assert group_events_after_removal(replay) == []
        assert removal in replay.events


async def test_member_added_later_gets_no_earlier_events(relay: RunningRelay) -> None:
    """A member added to a group receives its events from the addition on, live or replayed."""
    sam = await raw_user(relay.url, "sam")
    await raw_user(relay.url, "alice")
    carol = await raw_user(relay.url, "carol")
    gid = (await sam.ok("group_create", name="Club", handles=["alice"]))["id"]
    early = await send_text(sam, gid, "before carol")
    await sam.ok("edit", message_id=early["id"], text="before carol, edited")
    await sam.ok("group_rename", thread_id=gid, name="Club 2")
    await sam.ok("group_add", thread_id=gid, handle="carol")
    await marker(sam, gid, carol, "welcome carol")
    expected = ["member", "thread", "message"]
    assert [e["type"] for e in carol.events] == expected
    replay = await resume(relay.url, carol.token, 0)
    await marker(sam, gid, replay, "again")
    assert [e["type"] for e in replay.events] == [*expected, "message"]
    assert [e["message"]["text"] for e in message_events(replay)] == ["welcome carol", "again"]
    history = await carol.ok("history", thread_id=gid)  # history itself stays readable
    assert history["messages"][0]["seq"] == 1


async def test_readded_member_misses_what_was_said_while_out(relay: RunningRelay) -> None:
    """A member removed and added back gets no replayed event from the time out of the group."""
    sam = await raw_user(relay.url, "sam")
    bob = await raw_user(relay.url, "bob")
    gid = (await sam.ok("group_create", name="Club", handles=["bob"]))["id"]
    await marker(sam, gid, bob, "first")
    await sam.ok("group_remove", thread_id=gid, handle="bob")
    await send_text(sam, gid, "while bob was out")
    await sam.ok("group_add", thread_id=gid, handle="bob")
    await marker(sam, gid, bob, "back")
    live = [e["message"]["text"] for e in message_events(bob)]
    assert live == ["first", "back"]
    replay = await resume(relay.url, bob.token, 0)
    await marker(sam, gid, replay, "again")
    assert [e["message"]["text"] for e in message_events(replay)] == ["first", "back", "again"]


async def test_concurrent_senders_get_contiguous_seqs(open_relay: RunningRelay) -> None:
    """Many clients sending at once into one group get seqs 1..N with no gap or repeat."""
    users = [await raw_user(open_relay.url, f"user{i}") for i in range(5)]
    gid = (
        await users[0].ok("group_create", name="Busy", handles=[u.user["handle"] for u in users])
    )["id"]
    batches = await asyncio.gather(
        *(send_many(u, gid, [f"{u.user['handle']} {n}" for n in range(30)]) for u in users)
    )
    acked = [r["data"] for batch in batches for r in batch]
    assert sorted(m["seq"] for m in acked) == list(range(1, 151))
    for batch in batches:  # one connection's sends keep their order
        seqs = [r["data"]["seq"] for r in batch]
        assert seqs == sorted(seqs)
    history = await all_history(users[0], gid)
    assert [m["seq"] for m in history] == list(range(1, 151))
    assert {m["id"] for m in history} == {m["id"] for m in acked}


async def test_retry_after_lost_reply_is_not_posted_twice(relay: RunningRelay) -> None:
    """A send whose connection dropped before the reply, retried with its key, exists once."""
    sam = await raw_user(relay.url, "sam")
    alice = await raw_user(relay.url, "alice")
    tid = (await sam.ok("dm_open", handle="alice"))["id"]
    key = new_key()
    await sam.send_raw(
        json.dumps({"type": "send", "id": 99, "thread_id": tid, "text": "hi", "key": key})
    )
    sam.ws.transport.abort()  # the link drops before the reply can arrive
    again = await resume(relay.url, sam.token, None)
    retried = await again.call("send", thread_id=tid, text="hi", key=key)
    assert retried["type"] == "result"
    await marker(again, tid, alice, "marker")
    assert [m["text"] for m in await all_history(alice, tid)] == ["hi", "marker"]
    assert [e["message"]["text"] for e in message_events(alice)] == ["hi", "marker"]
