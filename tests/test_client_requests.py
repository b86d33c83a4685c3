"""Request/reply through ``ChatClient`` against a real relay: results, errors, sessions."""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path

import pytest

from chatshop.client import (
    ClientClosed,
    ConnectionLost,
    ConnectionState,
    RequestError,
)
from chatshop.protocol import ErrorCode, Message, Thread
from chatshop.protocol.frames import GetUser, ListThreads, ThreadList, UserResult
from conftest import RunningRelay, make_user
from test_client_helpers import fast_client, fast_user, state_of


async def test_register_stores_the_session(relay: RunningRelay) -> None:
    """register() returns the AuthResult and leaves token, user and cursor on the client."""
    client = fast_client(relay.url)
    await client.connect()
    assert client.state is ConnectionState.CONNECTED
    assert client.server is not None and client.server.protocol == 1
    result = await client.register("sam", "Sam Carter", "correct horse")
    assert client.token == result.token
    assert client.user == result.user and result.user.handle == "sam"
    assert client.cursor == result.cursor
    await client.close()


async def test_login_then_generic_request(relay: RunningRelay) -> None:
    """login() starts a second session; request() takes any Request and replaces its id."""
    first = await make_user(relay.url, "sam")
    second = fast_client(relay.url)
    await second.connect()
    result = await second.login("sam", "pw-secret")
    assert result.user == first.user and result.token != first.token
    reply = await second.request(GetUser(id="caller-chosen", handle="sam"))
    assert isinstance(reply, UserResult) and reply.user == first.user
    threads = await second.request(ListThreads(id=0))
    assert threads == ThreadList(threads=[])
    by_class = await second.request(GetUser, handle="sam")
    assert by_class == reply
    assert await second.ping() >= 0
    await first.close()
    await second.close()


async def test_concurrent_requests_get_their_own_replies(relay: RunningRelay) -> None:
    """Many requests in flight at once each resolve with the reply matching their id."""
    handles = [f"user{i}" for i in range(8)]
    users = [await fast_user(relay.url, h) for h in handles]
    client = users[0]
    thread = await client.create_group("crowd", handles[1:])
    lookups = [client.get_user(h) for h in handles * 3]
    sends = [client.send(thread.id, f"message {i}") for i in range(20)]
    found, sent = await asyncio.gather(asyncio.gather(*lookups), asyncio.gather(*sends))
    assert [u.handle for u in found] == handles * 3
    assert [m.text for m in sent] == [f"message {i}" for i in range(20)]
    assert [m.seq for m in sent] == list(range(1, 21))  # arrival order kept by the relay
    for user in users:
        await user.close()


async def test_error_replies_raise_request_error_with_code(relay: RunningRelay) -> None:
    """Error replies surface as RequestError carrying the relay's ErrorCode and message."""
    alice = await fast_user(relay.url, "alice")
    bob = await fast_user(relay.url, "bob")
    carol = await fast_user(relay.url, "carol")
    with pytest.raises(RequestError) as caught:
        await alice.get_user("nobody")
    assert caught.value.code is ErrorCode.NOT_FOUND and caught.value.message

    with pytest.raises(RequestError) as caught:
        await alice.register("bob", "Bob again", "pw-secret")
    assert caught.value.code == "conflict"

    thread = await alice.open_direct("bob")
    with pytest.raises(RequestError) as caught:
        await carol.send(thread.id, "let me in")
    assert caught.value.code in (ErrorCode.FORBIDDEN, ErrorCode.NOT_FOUND)

    with pytest.raises(RequestError) as caught:
        await bob.send(thread.id, "\x00")
    assert caught.value.code is ErrorCode.INVALID_TEXT

    anonymous = fast_client(relay.url)
    await anonymous.connect()
    with pytest.raises(RequestError) as caught:
        await anonymous.login("alice", "wrong password")
    assert caught.value.code is ErrorCode.UNAUTHORIZED
    with pytest.raises(RequestError) as caught:
        await anonymous.threads()
    assert caught.value.code is ErrorCode.UNAUTHORIZED
    assert anonymous.state is ConnectionState.CONNECTED  # errors do not hurt the link
    for client in (alice, bob, carol, anonymous):
        await client.close()


async def test_rate_limited_surfaces_and_send_retries_once(tmp_path: Path) -> None:
    """The relay's rate limit raises rate_limited with retry_after; send() waits it out."""
    running = RunningRelay(tmp_path / "limited.db", rate_per_second=20.0, rate_burst=10)
    await running.start()
    try:
        alice = await fast_user(running.url, "alice")
        bob = await fast_user(running.url, "bob")
        thread = await alice.open_direct("bob")
        pings = await asyncio.gather(*(alice.ping() for _ in range(30)), return_exceptions=True)
        limited = [p for p in pings if isinstance(p, RequestError)]
        assert limited and all(e.code is ErrorCode.RATE_LIMITED for e in limited)
        assert all(e.retry_after is not None and e.retry_after > 0 for e in limited)
        sent = await alice.send(thread.id, "after the burst")  # the bucket is empty now
        history = await bob.history(thread.id)  # bob's connection has its own bucket
        assert history.messages == [sent]
        await alice.close()
        await bob.close()
    finally:
        await running.stop()


async def test_wrappers_return_protocol_structs(relay: RunningRelay) -> None:
    """The convenience calls unwrap their results into the protocol's structs."""
    alice = await fast_user(relay.url, "alice")
    await fast_user(relay.url, "bob")
    contact = await alice.friend_request("bob")
    assert contact.user.handle == "bob" and contact.status == "outgoing"
    assert [c.user.handle for c in await alice.contacts()] == ["bob"]
    group = await alice.create_group("Pizza", ["bob"])
    assert isinstance(group, Thread) and group.kind == "group"
    renamed = await alice.rename_group(group.id, "Pizza Friday")
    assert renamed.name == "Pizza Friday"
    assert (await alice.thread(group.id)).name == "Pizza Friday"
    first = await alice.send(group.id, "who is in?")
    reply = await alice.send(group.id, "me", reply_to=first.id)
    assert isinstance(reply, Message) and reply.reply_to == first.id
    assert (await alice.edit(reply.id, "me!")).text == "me!"
    assert (await alice.delete(reply.id)).deleted
    await alice.typing(group.id)
    await alice.mark_read(group.id, reply.seq)
    page = await alice.history(group.id, limit=1)
    assert [m.id for m in page.messages] == [reply.id] and page.more
    assert [t.id for t in await alice.threads()] == [group.id]
    await alice.close()


async def test_same_key_is_stored_once(relay: RunningRelay) -> None:
    """Sending twice with one idempotency key returns the original message."""
    alice = await fast_user(relay.url, "alice")
    await fast_user(relay.url, "bob")
    thread = await alice.open_direct("bob")
    first = await alice.send(thread.id, "once", key="k-1")
    again = await alice.send(thread.id, "once", key="k-1")
    assert again == first
    with pytest.raises(RequestError) as caught:
        await alice.send(thread.id, "another body", key="k-1")
    assert caught.value.code is ErrorCode.IDEMPOTENCY_MISMATCH
    await alice.close()


async def test_oversized_frame_is_refused_locally(relay: RunningRelay) -> None:
    """A frame over the relay's announced limit fails before sending; the link stays up."""
    alice = await fast_user(relay.url, "alice")
    await fast_user(relay.url, "bob")
    thread = await alice.open_direct("bob")
    with pytest.raises(RequestError) as caught:
        await alice.send(thread.id, "x" * 2**17)
    assert caught.value.code is ErrorCode.TOO_LARGE
    assert alice.state is ConnectionState.CONNECTED
    assert await alice.ping() >= 0
    await alice.close()


async def test_calls_without_a_link_fail_at_once() -> None:
    """Before connect() nothing is queued: every call, send included, raises ConnectionLost."""
    client = fast_client("ws://127.0.0.1:9")
    assert client.state is ConnectionState.OFFLINE
    with pytest.raises(ConnectionLost):
        await client.ping()
    with pytest.raises(ConnectionLost):
        await client.send(1, "hello")
    await client.close()
    with pytest.raises(ClientClosed):
        await client.ping()


async def test_connect_to_nothing_raises_connection_lost() -> None:
    """connect() reports an unreachable relay instead of retrying forever."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = fast_client(f"ws://127.0.0.1:{port}")
    with pytest.raises(ConnectionLost):
        await client.connect()
    assert client.state is ConnectionState.OFFLINE
    await client.close()
    assert state_of(client) is ConnectionState.CLOSED


async def test_bad_token_is_refused_and_cleared(relay: RunningRelay) -> None:
    """connect() with a token the relay refuses raises unauthorized and forgets the token."""
    client = fast_client(relay.url, token="not-a-token")
    with pytest.raises(RequestError) as caught:
        await client.connect()
    assert caught.value.code is ErrorCode.UNAUTHORIZED
    assert client.token is None and client.state is ConnectionState.OFFLINE
    await client.connect()  # without a token: connected, ready to log in
    await client.register("sam", "Sam", "pw-secret")
    assert client.user is not None
    await client.close()


async def test_logout_keeps_the_link_and_allows_login(relay: RunningRelay) -> None:
    """After logout the token is gone and requests need a login; the link stays up."""
    sam = await fast_user(relay.url, "sam")
    await sam.logout()
    assert sam.token is None and sam.user is None
    assert sam.state is ConnectionState.CONNECTED
    with pytest.raises(RequestError) as caught:
        await sam.threads()
    assert caught.value.code is ErrorCode.UNAUTHORIZED
    await sam.login("sam", "pw-secret")
    assert await sam.threads() == []
    await sam.close()
