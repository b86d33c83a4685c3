"""A dropped link heals by itself: resume by cursor, offline sends, revoked sessions, close().

Drops are made either by restarting the relay or by cutting a TCP proxy that stands between
one client and the relay, so the other clients stay connected while that one is away.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from chatshop.client import (
    ChatClient,
    ClientClosed,
    ConnectionLost,
    ConnectionState,
    StateChanged,
)
from chatshop.protocol.frames import MessageEvent
from conftest import RunningRelay, make_user
from test_client_helpers import Proxy, Recorder, fast_client, fast_user


@pytest.fixture
async def proxy(relay: RunningRelay) -> AsyncIterator[Proxy]:
    running = Proxy(relay.port)
    await running.start()
    try:
        yield running
    finally:
        await running.stop()


async def _proxied_user(proxy: Proxy, handle: str) -> ChatClient:
    return await fast_user(proxy.url, handle)


def _messages(recorder: Recorder) -> list[str]:
    return [e.message.text for e in recorder.events if isinstance(e, MessageEvent)]


async def _wait_offline_attempt(recorder: Recorder, *, after: int) -> StateChanged:
    """Wait until a reconnect attempt has failed (proof that time passed with no link)."""
    first = await recorder.wait_state(ConnectionState.RECONNECTING, after=after)
    index = recorder.items.index(first) + 1
    return await recorder.wait_state(ConnectionState.RECONNECTING, after=index)


async def test_relay_restart_is_healed(relay: RunningRelay) -> None:
    """After the relay restarts (1001), clients reconnect and requests work again."""
    alice = await make_user(relay.url, "alice")  # default backoff: first retry within 0.25 s
    bob = await fast_user(relay.url, "bob")
    recorder = Recorder(bob)
    await relay.restart()
    reconnecting = await recorder.wait_state(ConnectionState.RECONNECTING)
    assert reconnecting.retry_in is not None and reconnecting.retry_in > 0
    assert reconnecting.error is not None and "1001" in reconnecting.error
    await recorder.wait_state(ConnectionState.CONNECTED, after=recorder.items.index(reconnecting))
    thread = await bob.open_direct("alice")
    sent = await asyncio.wait_for(alice.send(thread.id, "back"), 5)
    await recorder.wait_until(lambda: _messages(recorder) == [sent.text])
    await alice.close()
    await bob.close()
    await recorder.stop()


async def test_resume_after_restart_loses_and_duplicates_nothing(
    relay: RunningRelay, proxy: Proxy
) -> None:
    """Messages sent while bob is away arrive once each, in order, between old and new ones."""
    alice = await fast_user(relay.url, "alice")
    bob = await _proxied_user(proxy, "bob")
    recorder = Recorder(bob)
    thread = await alice.open_direct("bob")
    for i in range(3):
        await alice.send(thread.id, f"before {i}")
    await recorder.wait_until(lambda: len(_messages(recorder)) == 3)

    proxy.refusing = True  # bob stays away once the relay is back
    mark = len(recorder.items)
    await relay.restart()
    await _wait_offline_attempt(recorder, after=mark)
    proxy.upstream_port = relay.port
    for i in range(5):
        await asyncio.wait_for(alice.send(thread.id, f"while away {i}"), 5)

    proxy.refusing = False
    await recorder.wait_state(ConnectionState.CONNECTED, after=mark)
    await alice.send(thread.id, "after")
    await recorder.wait_until(lambda: "after" in _messages(recorder))
    assert _messages(recorder) == [
        *(f"before {i}" for i in range(3)),
        *(f"while away {i}" for i in range(5)),
        "after",
    ]
    cursors = [e.cursor for e in recorder.events]
    assert cursors == sorted(set(cursors))
    assert bob.cursor == cursors[-1]
    await alice.close()
    await bob.close()
    await recorder.stop()


async def test_offline_sends_wait_and_go_out_once(relay: RunningRelay, proxy: Proxy) -> None:
    """Sends made while disconnected are queued in order and delivered once after reconnect;
    other calls fail at once with ConnectionLost."""
    alice = await fast_user(relay.url, "alice")
    alice_events = Recorder(alice)
    bob = await _proxied_user(proxy, "bob")
    recorder = Recorder(bob)
    thread = await bob.open_direct("alice")

    proxy.refusing = True
    mark = len(recorder.items)
    proxy.cut()
    await recorder.wait_state(ConnectionState.RECONNECTING, after=mark)
    pending = [asyncio.create_task(bob.send(thread.id, f"queued {i}")) for i in range(5)]
    with pytest.raises(ConnectionLost):
        await bob.threads()
    await _wait_offline_attempt(recorder, after=mark)
    assert not any(task.done() for task in pending)

    proxy.refusing = False
    sent = await asyncio.wait_for(asyncio.gather(*pending), 5)
    assert [m.text for m in sent] == [f"queued {i}" for i in range(5)]
    assert [m.seq for m in sent] == [1, 2, 3, 4, 5]
    history = await alice.history(thread.id)
    assert [m.text for m in history.messages] == [f"queued {i}" for i in range(5)]
    await alice_events.wait_until(lambda: len(_messages(alice_events)) == 5)
    assert _messages(alice_events) == [f"queued {i}" for i in range(5)]
    for client in (alice, bob):
        await client.close()
    for rec in (alice_events, recorder):
        await rec.stop()


async def test_in_flight_send_is_replayed_with_its_key(relay: RunningRelay, proxy: Proxy) -> None:
    """A send whose reply was lost is written again after reconnect and stored only once;
    other requests in flight fail with ConnectionLost."""
    alice = await fast_user(relay.url, "alice")
    bob = await _proxied_user(proxy, "bob")
    recorder = Recorder(bob)
    thread = await bob.open_direct("alice")
    await bob.send(thread.id, "first")

    proxy.dropping_replies = True  # requests reach the relay, replies never come back
    send = asyncio.create_task(bob.send(thread.id, "lost reply"))
    listing = asyncio.create_task(bob.threads())
    # The relay stored the message: alice sees it although bob never got the reply.
    for _ in range(100):
        if len((await alice.history(thread.id)).messages) == 2:
            break
        await asyncio.sleep(0.01)
    assert not send.done() and not listing.done()

    proxy.dropping_replies = False
    mark = len(recorder.items)
    proxy.cut()
    with pytest.raises(ConnectionLost):
        await listing
    await recorder.wait_state(ConnectionState.CONNECTED, after=mark)
    message = await asyncio.wait_for(send, 5)
    history = await alice.history(thread.id)
    assert [m.text for m in history.messages] == ["first", "lost reply"]
    assert history.messages[-1] == message  # the original, returned again by its key
    await alice.close()
    await bob.close()
    await recorder.stop()


async def test_revoked_session_goes_offline_for_good(relay: RunningRelay) -> None:
    """Close code 4001 (logout_all elsewhere) stops reconnecting and clears the token."""
    sam = await fast_user(relay.url, "sam")
    phone = fast_client(relay.url)
    await phone.connect()
    await phone.login("sam", "pw-secret")
    recorder = Recorder(sam)
    await phone.logout_all()
    offline = await recorder.wait_state(ConnectionState.OFFLINE)
    assert offline.error is not None and "revoked" in offline.error
    assert sam.state is ConnectionState.OFFLINE and sam.token is None
    await phone.ping()
    assert [s.state for s in recorder.states] == [
        ConnectionState.CONNECTING,
        ConnectionState.CONNECTED,
        ConnectionState.OFFLINE,  # and no RECONNECTING after it
    ]
    with pytest.raises(ConnectionLost):
        await sam.send(1, "nobody listens")
    assert phone.token is None and phone.state is ConnectionState.CONNECTED
    await sam.close()
    await phone.close()
    await recorder.stop()


async def test_token_revoked_while_away_fails_the_reconnect(
    relay: RunningRelay, proxy: Proxy
) -> None:
    """A reconnect whose auth is refused goes offline for good and fails queued sends."""
    bob = await _proxied_user(proxy, "bob")
    laptop = fast_client(relay.url)
    await laptop.connect()
    await laptop.login("bob", "pw-secret")
    recorder = Recorder(bob)
    proxy.refusing = True
    proxy.cut()
    await recorder.wait_state(ConnectionState.RECONNECTING)
    queued = asyncio.create_task(bob.send(1, "too late"))
    await laptop.logout_all()  # bob is away: no 4001 reaches him, his token just dies
    proxy.refusing = False
    offline = await recorder.wait_state(ConnectionState.OFFLINE)
    assert offline.error is not None and "unauthorized" in offline.error
    assert bob.token is None and bob.user is None
    with pytest.raises(ConnectionLost):
        await queued
    await bob.close()
    await laptop.close()
    await recorder.stop()


async def test_change_password_revokes_other_sessions(relay: RunningRelay) -> None:
    """change_password keeps this session and sends the others offline."""
    sam = await fast_user(relay.url, "sam")
    laptop = fast_client(relay.url)
    await laptop.connect()
    await laptop.login("sam", "pw-secret")
    recorder = Recorder(laptop)
    await sam.change_password("pw-secret", "new-secret")
    await recorder.wait_state(ConnectionState.OFFLINE)
    assert laptop.token is None
    assert await sam.threads() == []
    await sam.close()
    await laptop.close()
    await recorder.stop()


async def test_close_is_clean(relay: RunningRelay, proxy: Proxy) -> None:
    """close() fails queued sends with ClientClosed, ends the stream and leaves no task."""
    bob = await _proxied_user(proxy, "bob")
    alice = await fast_user(relay.url, "alice")
    thread = await bob.open_direct("alice")
    await alice.close()
    recorder = Recorder(bob)
    proxy.refusing = True
    proxy.cut()
    await recorder.wait_state(ConnectionState.RECONNECTING)
    queued = asyncio.create_task(bob.send(thread.id, "never"))
    await asyncio.sleep(0)
    await bob.close()
    with pytest.raises(ClientClosed):
        await queued
    await asyncio.wait_for(recorder._task, 5)  # the stream ended by itself
    assert recorder.states[-1].state is ConnectionState.CLOSED
    assert bob.state is ConnectionState.CLOSED
    with pytest.raises(ClientClosed):
        await bob.ping()
    await bob.close()  # idempotent
    names = {t.get_name() for t in asyncio.all_tasks()}
    assert not names & {"chatshop-link", "chatshop-reader"}


async def test_close_while_connected_fails_in_flight_calls(
    relay: RunningRelay, proxy: Proxy
) -> None:
    """A request in flight when close() is called raises ClientClosed."""
    bob = await _proxied_user(proxy, "bob")
    proxy.dropping_replies = True
    in_flight = asyncio.create_task(bob.threads())
    await asyncio.sleep(0)
    await bob.close()
    with pytest.raises(ClientClosed):
        await in_flight
