"""Relay friends and blocks: requests, contact events on both sides, and what a block stops."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from conftest import (
    RawClient,
    RunningRelay,
    db_count,
    marker,
    message_events,
    new_key,
    nth,
    raw_user,
    send_text,
)


def contact_with(handle: str, status: str) -> Callable[[dict[str, Any]], bool]:
    """A predicate: a contact event about ``handle`` with ``status``."""
    return lambda e: (
        e["type"] == "contact"
        and e["contact"]["user"]["handle"] == handle
        and e["contact"]["status"] == status
    )


async def statuses(client: RawClient) -> dict[str, str]:
    """The contacts list as {handle: status}."""
    contacts = (await client.ok("contacts"))["contacts"]
    return {c["user"]["handle"]: c["status"] for c in contacts}


async def test_friend_request_and_accept_reach_both_sides(relay: RunningRelay) -> None:
    """A request shows outgoing/incoming on each side, acceptance makes both friends."""
    alice = await raw_user(relay.url, "alice")
    bob = await raw_user(relay.url, "bob")
    contact = await alice.ok("friend_request", handle="bob")
    assert contact["status"] == "outgoing" and contact["user"]["handle"] == "bob"
    mine = await alice.wait_event(contact_with("bob", "outgoing"))
    theirs = await bob.wait_event(contact_with("alice", "incoming"))
    assert isinstance(mine["cursor"], int) and isinstance(theirs["cursor"], int)
    assert await statuses(alice) == {"bob": "outgoing"}
    assert await statuses(bob) == {"alice": "incoming"}
    accepted = await bob.ok("friend_accept", handle="alice")
    assert accepted["status"] == "friend"
    await alice.wait_event(contact_with("bob", "friend"))
    await bob.wait_event(contact_with("alice", "friend"))
    assert await statuses(alice) == {"bob": "friend"}
    assert await statuses(bob) == {"alice": "friend"}


async def test_crossed_requests_make_friends_at_once(relay: RunningRelay) -> None:
    """Asking someone who already asked you accepts their request."""
    alice = await raw_user(relay.url, "alice")
    bob = await raw_user(relay.url, "bob")
    await alice.ok("friend_request", handle="bob")
    contact = await bob.ok("friend_request", handle="@alice")
    assert contact["status"] == "friend"
    await alice.wait_event(contact_with("bob", "friend"))


async def test_decline_and_withdraw_clear_the_request(relay: RunningRelay) -> None:
    """Declining an incoming request, or withdrawing your own, leaves no relation either side."""
    alice = await raw_user(relay.url, "alice")
    bob = await raw_user(relay.url, "bob")
    await alice.ok("friend_request", handle="bob")
    assert (await bob.ok("friend_decline", handle="alice"))["status"] == "none"
    await alice.wait_event(contact_with("bob", "none"))
    assert await statuses(alice) == {} and await statuses(bob) == {}
    await alice.ok("friend_request", handle="bob")
    assert (await alice.ok("friend_decline", handle="bob"))["status"] == "none"
    await bob.wait_event(nth(contact_with("alice", "none"), 2))
    assert await statuses(alice) == {} and await statuses(bob) == {}


async def test_remove_friend_ends_the_friendship_both_sides(relay: RunningRelay) -> None:
    """friend_remove turns both sides back to none, each told with a contact event."""
    alice = await raw_user(relay.url, "alice")
    bob = await raw_user(relay.url, "bob")
    await alice.ok("friend_request", handle="bob")
    await bob.ok("friend_accept", handle="alice")
    assert (await bob.ok("friend_remove", handle="alice"))["status"] == "none"
    await alice.wait_event(contact_with("bob", "none"))
    assert await statuses(alice) == {} and await statuses(bob) == {}


async def test_contact_mistakes_get_their_codes(relay: RunningRelay) -> None:
    """Repeated requests conflict; accepting or removing what does not exist is not_found."""
    alice = await raw_user(relay.url, "alice")
    await raw_user(relay.url, "bob")
    assert (await alice.call("friend_request", handle="nobody"))["code"] == "not_found"
    assert (await alice.call("friend_accept", handle="bob"))["code"] == "not_found"
    assert (await alice.call("friend_remove", handle="bob"))["code"] == "not_found"
    assert (await alice.call("unblock", handle="bob"))["code"] == "not_found"
    await alice.ok("friend_request", handle="bob")
    assert (await alice.call("friend_request", handle="bob"))["code"] == "conflict"
    assert await statuses(alice) == {"bob": "outgoing"}


async def test_block_is_listed_and_refuses_friend_requests(relay: RunningRelay) -> None:
    """A blocked account shows as blocked, and friend requests either way are refused."""
    alice = await raw_user(relay.url, "alice")
    bob = await raw_user(relay.url, "bob")
    assert (await alice.ok("block", handle="bob"))["status"] == "blocked"
    await alice.wait_event(contact_with("bob", "blocked"))
    assert await statuses(alice) == {"bob": "blocked"}
    assert (await bob.call("friend_request", handle="alice"))["code"] == "blocked"
    assert (await alice.call("friend_request", handle="bob"))["code"] == "blocked"
    assert (await alice.call("block", handle="bob"))["code"] == "conflict"


async def test_blocked_user_cannot_message_you_directly(relay: RunningRelay) -> None:
    """Once alice blocks bob, his direct sends are refused with blocked and nothing is stored."""
    alice = await raw_user(relay.url, "alice")
    bob = await raw_user(relay.url, "bob")
    thread = await bob.ok("dm_open", handle="alice")
    await marker(bob, thread["id"], alice, "before the block")
    await alice.ok("block", handle="bob")
    reply = await bob.call("send", thread_id=thread["id"], text="let me in", key=new_key())
    assert reply["type"] == "error" and reply["code"] == "blocked", reply
    history = await alice.ok("history", thread_id=thread["id"])
    assert [m["text"] for m in history["messages"]] == ["before the block"]
    assert db_count(relay.db_path, "messages") == 1
    assert [e["message"]["text"] for e in message_events(alice)] == ["before the block"]


async def test_blocked_user_cannot_open_a_new_direct_thread(relay: RunningRelay) -> None:
    """A blocked account cannot start a direct thread with the one who blocked it."""
    alice = await raw_user(relay.url, "alice")
    bob = await raw_user(relay.url, "bob")
    await alice.ok("block", handle="bob")
    reply = await bob.call("dm_open", handle="alice")
    assert reply["type"] == "error" and reply["code"] == "blocked", reply
    assert db_count(relay.db_path, "threads") == 0
    assert (await alice.ok("threads"))["threads"] == []


async def test_blocked_user_cannot_add_you_to_groups(relay: RunningRelay) -> None:
    """A blocked account can neither create a group with you nor add you to its group."""
    alice = await raw_user(relay.url, "alice")
    bob = await raw_user(relay.url, "bob")
    await raw_user(relay.url, "carol")
    await alice.ok("block", handle="bob")
    reply = await bob.call("group_create", name="Trap", handles=["alice", "carol"])
    assert reply["type"] == "error" and reply["code"] == "blocked", reply
    assert db_count(relay.db_path, "threads") == 0
    group = await bob.ok("group_create", name="Other", handles=["carol"])
    reply = await bob.call("group_add", thread_id=group["id"], handle="alice")
    assert reply["type"] == "error" and reply["code"] == "blocked", reply
    thread = await bob.ok("thread", thread_id=group["id"])
    assert {m["handle"] for m in thread["members"]} == {"bob", "carol"}
    assert (await alice.ok("threads"))["threads"] == []


async def test_unblock_lets_messages_through_again(relay: RunningRelay) -> None:
    """After unblock, the formerly blocked account can send in the direct thread again."""
    alice = await raw_user(relay.url, "alice")
    bob = await raw_user(relay.url, "bob")
    thread = await bob.ok("dm_open", handle="alice")
    await alice.ok("block", handle="bob")
    assert (await alice.ok("unblock", handle="bob"))["status"] == "none"
    await alice.wait_event(contact_with("bob", "none"))
    assert await statuses(alice) == {}
    await send_text(bob, thread["id"], "thanks")
    await alice.wait_event(lambda e: e["type"] == "message" and e["message"]["text"] == "thanks")


async def test_blocked_user_cannot_rewrite_old_messages_to_you(relay: RunningRelay) -> None:
    """After a block, editing an earlier direct message (new text for the blocker) is refused."""
    alice = await raw_user(relay.url, "alice")
    bob = await raw_user(relay.url, "bob")
    carol = await raw_user(relay.url, "carol")
    thread = await bob.ok("dm_open", handle="alice")
    old = await send_text(bob, thread["id"], "hello")
    await alice.ok("block", handle="bob")
    reply = await bob.call("edit", message_id=old["id"], text="you cannot escape me")
    assert reply["type"] == "error" and reply["code"] == "blocked", reply
    await marker(carol, (await carol.ok("dm_open", handle="alice"))["id"], alice, "marker")
    assert not [e for e in alice.events if e["type"] == "message_edited"]
    history = await alice.ok("history", thread_id=thread["id"])
    assert [m["text"] for m in history["messages"]] == ["hello"]


async def test_blocked_user_typing_does_not_reach_the_blocker(relay: RunningRelay) -> None:
    """Typing notices from a blocked account in the direct thread do not reach the blocker."""
    alice = await raw_user(relay.url, "alice")
    bob = await raw_user(relay.url, "bob")
    carol = await raw_user(relay.url, "carol")
    thread = await bob.ok("dm_open", handle="alice")
    await alice.ok("block", handle="bob")
    await bob.call("typing", thread_id=thread["id"])
    await marker(carol, (await carol.ok("dm_open", handle="alice"))["id"], alice, "marker")
    assert not [e for e in alice.events if e["type"] == "typing"]
