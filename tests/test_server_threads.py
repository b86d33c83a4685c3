"""Relay threads: direct and brand threads, groups and their owners, thread list, read markers."""

from __future__ import annotations

from typing import Any

from conftest import (
    RawClient,
    RunningRelay,
    db_count,
    marker,
    new_key,
    nth,
    raw_connect,
    raw_user,
    send_text,
)


def handles(thread: dict[str, Any]) -> set[str]:
    """The member handles of a thread record."""
    return {m["handle"] for m in thread["members"]}


def thread_event(thread_id: int) -> Any:
    """A predicate: a thread event about ``thread_id``."""
    return lambda e: e["type"] == "thread" and e["thread"]["id"] == thread_id


def member_event(thread_id: int, handle: str, change: str) -> Any:
    """A predicate: a member event about ``handle`` in ``thread_id``."""
    return lambda e: (
        e["type"] == "member"
        and e["thread_id"] == thread_id
        and e["user"]["handle"] == handle
        and e["change"] == change
    )


async def group_of(owner: RawClient, name: str, *members: str) -> dict[str, Any]:
    """A group created by ``owner`` with ``members``."""
    thread: dict[str, Any] = await owner.ok("group_create", name=name, handles=list(members))
    return thread


async def test_dm_open_twice_gives_the_same_thread(relay: RunningRelay) -> None:
    """Opening a direct thread twice, from either side, returns one thread; the other side is
    told once with a thread event."""
    sam = await raw_user(relay.url, "sam")
    alice = await raw_user(relay.url, "alice")
    first = await sam.ok("dm_open", handle="alice")
    assert first["kind"] == "direct"
    assert first["owner_id"] is None
    assert handles(first) == {"sam", "alice"}
    assert first["last_seq"] == 0 and first["last_message"] is None
    again = await sam.ok("dm_open", handle="@alice")
    from_alice = await alice.ok("dm_open", handle="SAM")
    assert again["id"] == first["id"] == from_alice["id"]
    event = await alice.wait_event(thread_event(first["id"]))
    assert event["thread"]["kind"] == "direct" and isinstance(event["cursor"], int)
    await marker(sam, first["id"], alice, "marker")
    assert sum(1 for e in alice.events if thread_event(first["id"])(e)) == 1
    assert db_count(relay.db_path, "threads") == 1


async def test_dm_with_a_brand_is_a_brand_thread(relay: RunningRelay) -> None:
    """A direct thread between a person and a brand account has kind brand, from both sides."""
    shop = await raw_connect(relay.url)
    await shop.ok(
        "register", handle="northwind", display_name="Northwind", password="pw-pw", kind="brand"
    )
    sam = await raw_user(relay.url, "sam")
    thread = await shop.ok("dm_open", handle="sam")
    assert thread["kind"] == "brand"
    assert (await sam.ok("dm_open", handle="northwind"))["kind"] == "brand"
    assert (await sam.ok("thread", thread_id=thread["id"]))["kind"] == "brand"


async def test_dm_open_refuses_unknown_handles_and_yourself(relay: RunningRelay) -> None:
    """dm_open with a handle nobody has is not_found; with your own handle it is refused."""
    sam = await raw_user(relay.url, "sam")
    assert (await sam.call("dm_open", handle="nobody"))["code"] == "not_found"
    reply = await sam.call("dm_open", handle="sam")
    assert reply["type"] == "error", reply
    assert db_count(relay.db_path, "threads") == 0


async def test_group_create_makes_you_owner_and_tells_members(relay: RunningRelay) -> None:
    """group_create returns a group owned by its creator; every member gets a thread event."""
    sam = await raw_user(relay.url, "sam")
    alice = await raw_user(relay.url, "alice")
    bob = await raw_user(relay.url, "bob")
    group = await group_of(sam, "Pizza Friday", "alice", "bob")
    assert group["kind"] == "group"
    assert group["name"] == "Pizza Friday"
    assert group["owner_id"] == sam.user["id"]
    assert handles(group) == {"sam", "alice", "bob"}
    for member in (alice, bob):
        event = await member.wait_event(thread_event(group["id"]))
        assert event["thread"]["name"] == "Pizza Friday"
        assert event["thread"]["unread"] == 0 and event["thread"]["read_seq"] == 0
        assert handles(event["thread"]) == {"sam", "alice", "bob"}


async def test_group_create_refuses_bad_names_and_unknown_members(relay: RunningRelay) -> None:
    """A blank or 65-character name, or an unknown member, is refused and creates nothing."""
    sam = await raw_user(relay.url, "sam")
    assert (await sam.call("group_create", name="  ", handles=[]))["code"] == "bad_request"
    assert (await sam.call("group_create", name="n" * 65, handles=[]))["code"] == "too_large"
    assert (await sam.call("group_create", name="ok", handles=["ghost"]))["code"] == "not_found"
    assert db_count(relay.db_path, "threads") == 0
    assert (await sam.ok("group_create", name="n" * 64))["name"] == "n" * 64


async def test_group_create_refuses_more_than_max_members(relay: RunningRelay) -> None:
    """A group_create naming 256 others (257 members with the owner) is too_large."""
    sam = await raw_user(relay.url, "sam")
    reply = await sam.call("group_create", name="crowd", handles=[f"u{i}" for i in range(256)])
    assert reply["type"] == "error" and reply["code"] == "too_large", reply
    assert db_count(relay.db_path, "threads") == 0


async def test_owner_adds_a_member(relay: RunningRelay) -> None:
    """group_add tells everyone, newcomer included, with member and thread events."""
    sam = await raw_user(relay.url, "sam")
    alice = await raw_user(relay.url, "alice")
    carol = await raw_user(relay.url, "carol")
    group = await group_of(sam, "Club", "alice")
    updated = await sam.ok("group_add", thread_id=group["id"], handle="carol")
    assert handles(updated) == {"sam", "alice", "carol"}
    for member in (alice, carol):
        event = await member.wait_event(member_event(group["id"], "carol", "added"))
        assert event["by"] == sam.user["id"]
        thread = await member.wait_event(nth(thread_event(group["id"]), 1 + (member is alice)))
        assert handles(thread["thread"]) == {"sam", "alice", "carol"}
    assert (await carol.ok("thread", thread_id=group["id"]))["id"] == group["id"]
    reply = await sam.call("group_add", thread_id=group["id"], handle="carol")
    assert reply["code"] == "conflict"


async def test_only_the_owner_manages_a_group(relay: RunningRelay) -> None:
    """A member who is not the owner gets forbidden for add, remove and rename; nothing changes."""
    sam = await raw_user(relay.url, "sam")
    alice = await raw_user(relay.url, "alice")
    await raw_user(relay.url, "bob")
    group = await group_of(sam, "Club", "alice")
    gid = group["id"]
    for request, fields in (
        ("group_add", {"handle": "bob"}),
        ("group_remove", {"handle": "sam"}),
        ("group_rename", {"name": "Mine now"}),
    ):
        reply = await alice.call(request, thread_id=gid, **fields)
        assert reply["type"] == "error" and reply["code"] == "forbidden", (request, reply)
    thread = await sam.ok("thread", thread_id=gid)
    assert thread["name"] == "Club" and handles(thread) == {"sam", "alice"}


async def test_group_management_on_a_direct_thread_is_refused(relay: RunningRelay) -> None:
    """Adding to, renaming or leaving a direct thread is refused."""
    sam = await raw_user(relay.url, "sam")
    await raw_user(relay.url, "alice")
    await raw_user(relay.url, "bob")
    dm = await sam.ok("dm_open", handle="alice")
    for request, fields in (
        ("group_add", {"handle": "bob"}),
        ("group_rename", {"name": "x"}),
        ("group_leave", {}),
    ):
        reply = await sam.call(request, thread_id=dm["id"], **fields)
        assert reply["type"] == "error", (request, reply)
    assert handles(await sam.ok("thread", thread_id=dm["id"])) == {"sam", "alice"}


async def test_owner_renames_a_group(relay: RunningRelay) -> None:
    """group_rename changes the name for everyone, told with a thread event."""
    sam = await raw_user(relay.url, "sam")
    alice = await raw_user(relay.url, "alice")
    group = await group_of(sam, "Pizza Friday", "alice")
    renamed = await sam.ok("group_rename", thread_id=group["id"], name="Pizza Saturday")
    assert renamed["name"] == "Pizza Saturday"
    event = await alice.wait_event(
        lambda e: thread_event(group["id"])(e) and e["thread"]["name"] == "Pizza Saturday"
    )
    assert isinstance(event["cursor"], int)
    assert (await alice.ok("thread", thread_id=group["id"]))["name"] == "Pizza Saturday"
    reply = await sam.call("group_rename", thread_id=group["id"], name="x\x00")
    assert reply["code"] == "invalid_text"


async def test_removed_member_loses_access(relay: RunningRelay) -> None:
    """A removed member is told, then can no longer read, post or see the group in its list."""
    sam = await raw_user(relay.url, "sam")
    alice = await raw_user(relay.url, "alice")
    bob = await raw_user(relay.url, "bob")
    group = await group_of(sam, "Club", "alice", "bob")
    gid = group["id"]
    await send_text(sam, gid, "hello all")
    updated = await sam.ok("group_remove", thread_id=gid, handle="bob")
    assert handles(updated) == {"sam", "alice"}
    event = await bob.wait_event(member_event(gid, "bob", "removed"))
    assert event["by"] == sam.user["id"]
    await alice.wait_event(member_event(gid, "bob", "removed"))
    for request, fields in (
        ("history", {}),
        ("thread", {}),
        ("send", {"text": "still here?", "key": new_key()}),
        ("typing", {}),
        ("read", {"seq": 1}),
    ):
        reply = await bob.call(request, thread_id=gid, **fields)
        assert reply["type"] == "error" and reply["code"] == "not_found", (request, reply)
    assert [t["id"] for t in (await bob.ok("threads"))["threads"]] == []
    assert (await sam.call("group_remove", thread_id=gid, handle="bob"))["code"] == "not_found"


async def test_member_leaves_a_group(relay: RunningRelay) -> None:
    """group_leave tells the members with a left event and ends the leaver's access."""
    sam = await raw_user(relay.url, "sam")
    alice = await raw_user(relay.url, "alice")
    group = await group_of(sam, "Club", "alice")
    assert await alice.ok("group_leave", thread_id=group["id"]) == {}
    event = await sam.wait_event(member_event(group["id"], "alice", "left"))
    assert event["by"] == alice.user["id"]
    await alice.wait_event(member_event(group["id"], "alice", "left"))
    assert (await alice.call("history", thread_id=group["id"]))["code"] == "not_found"
    assert handles(await sam.ok("thread", thread_id=group["id"])) == {"sam"}


async def test_owner_leaving_passes_ownership_to_longest_standing_member(
    relay: RunningRelay,
) -> None:
    """When the owner leaves, the longest-standing member becomes owner and can manage the group."""
    sam = await raw_user(relay.url, "sam")
    alice = await raw_user(relay.url, "alice")
    bob = await raw_user(relay.url, "bob")
    await raw_user(relay.url, "carol")
    group = await group_of(sam, "Club", "alice")
    await sam.ok("group_add", thread_id=group["id"], handle="bob")
    await sam.ok("group_leave", thread_id=group["id"])
    event = await bob.wait_event(
        lambda e: thread_event(group["id"])(e) and e["thread"]["owner_id"] == alice.user["id"]
    )
    assert handles(event["thread"]) == {"alice", "bob"}
    assert (await bob.ok("thread", thread_id=group["id"]))["owner_id"] == alice.user["id"]
    await alice.ok("group_rename", thread_id=group["id"], name="Alice's club")
    await alice.ok("group_add", thread_id=group["id"], handle="carol")
    assert (await bob.call("group_rename", thread_id=group["id"], name="x"))["code"] == "forbidden"


async def test_thread_list_orders_by_activity_with_last_message_and_unread(
    relay: RunningRelay,
) -> None:
    """threads lists the most recently active first, with its last message and unread count."""
    sam = await raw_user(relay.url, "sam")
    alice = await raw_user(relay.url, "alice")
    await raw_user(relay.url, "bob")
    with_alice = await sam.ok("dm_open", handle="alice")
    with_bob = await sam.ok("dm_open", handle="bob")
    group = await group_of(sam, "Club", "alice", "bob")
    await send_text(alice, with_alice["id"], "one")
    await send_text(alice, with_alice["id"], "two")
    await send_text(sam, group["id"], "club news")
    last = await send_text(alice, with_alice["id"], "three")
    listed = (await sam.ok("threads"))["threads"]
    assert [t["id"] for t in listed] == [with_alice["id"], group["id"], with_bob["id"]]
    first = listed[0]
    assert first["last_message"] == last
    assert first["last_seq"] == 3
    assert first["unread"] == 3 and first["read_seq"] == 0
    assert listed[1]["unread"] == 0  # sam's own message is not unread for him
    assert listed[2]["last_message"] is None and listed[2]["unread"] == 0
    await sam.ok("read", thread_id=with_alice["id"], seq=2)
    first = (await sam.ok("threads"))["threads"][0]
    assert first["unread"] == 1 and first["read_seq"] == 2
    alice_view = (await alice.ok("threads"))["threads"]
    assert [t["id"] for t in alice_view] == [with_alice["id"], group["id"]]
    assert alice_view[0]["unread"] == 0 and alice_view[1]["unread"] == 1


async def test_read_marker_moves_forward_only(relay: RunningRelay) -> None:
    """read emits a read event to the members; a lower seq changes nothing and emits nothing."""
    sam = await raw_user(relay.url, "sam")
    alice = await raw_user(relay.url, "alice")
    thread = await sam.ok("dm_open", handle="alice")
    tid = thread["id"]
    for i in range(4):
        await send_text(sam, tid, f"m{i}")
    assert await alice.ok("read", thread_id=tid, seq=3) == {}
    event = await sam.wait_event(lambda e: e["type"] == "read")
    assert event["thread_id"] == tid
    assert event["user_id"] == alice.user["id"]
    assert event["seq"] == 3
    assert isinstance(event["cursor"], int)
    assert await alice.ok("read", thread_id=tid, seq=1) == {}
    assert await alice.ok("read", thread_id=tid, seq=3) == {}
    assert (await alice.ok("thread", thread_id=tid))["read_seq"] == 3
    await alice.ok("read", thread_id=tid, seq=4)
    await sam.wait_event(lambda e: e["type"] == "read" and e["seq"] == 4)
    reads = [e["seq"] for e in sam.events if e["type"] == "read"]
    assert reads == [3, 4]
    thread = await alice.ok("thread", thread_id=tid)
    assert thread["read_seq"] == 4 and thread["unread"] == 0


async def test_read_marker_never_passes_the_last_message(relay: RunningRelay) -> None:
    """A read seq beyond the newest message leaves no unread count below zero."""
    sam = await raw_user(relay.url, "sam")
    alice = await raw_user(relay.url, "alice")
    thread = await sam.ok("dm_open", handle="alice")
    await send_text(sam, thread["id"], "one")
    await alice.ok("read", thread_id=thread["id"], seq=99)
    await send_text(sam, thread["id"], "two")
    view = await alice.ok("thread", thread_id=thread["id"])
    assert view["unread"] == 1
    assert view["read_seq"] <= 1


async def test_non_members_cannot_see_a_thread(relay: RunningRelay) -> None:
    """A thread you are not in is answered exactly like one that does not exist (not_found,
    same message): no existence oracle; it is missing from threads too."""
    sam = await raw_user(relay.url, "sam")
    await raw_user(relay.url, "alice")
    eve = await raw_user(relay.url, "eve")
    thread = await sam.ok("dm_open", handle="alice")
    await send_text(sam, thread["id"], "private")
    for request in ("thread", "history"):
        reply = await eve.call(request, thread_id=thread["id"])
        missing = await eve.call(request, thread_id=thread["id"] + 1000)
        assert reply["type"] == "error" and reply["code"] == "not_found", reply
        assert reply["message"].replace(str(thread["id"]), "N") == missing["message"].replace(
            str(thread["id"] + 1000), "N"
        )
        assert "private" not in str(reply)
    assert (await eve.ok("threads"))["threads"] == []
    assert (await eve.call("thread", thread_id=thread["id"] + 100))["code"] == "not_found"
