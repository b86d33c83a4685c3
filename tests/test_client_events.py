"""The event stream: relay events and state notifications, in order, each stored event once."""

from __future__ import annotations

from chatshop.client import ConnectionState, StateChanged
from chatshop.protocol.frames import (
    ContactEvent,
    MessageEdited,
    MessageEvent,
    ReadEvent,
    ThreadEvent,
    TypingEvent,
)
from conftest import RunningRelay
from test_client_helpers import Recorder, fast_client, fast_user


async def test_stream_starts_with_state_changes(relay: RunningRelay) -> None:
    """A fresh client's stream opens with CONNECTING then CONNECTED."""
    client = fast_client(relay.url)
    recorder = Recorder(client)
    await client.connect()
    await recorder.wait_state(ConnectionState.CONNECTED)
    assert [s.state for s in recorder.states] == [
        ConnectionState.CONNECTING,
        ConnectionState.CONNECTED,
    ]
    await client.close()
    await recorder.wait_state(ConnectionState.CLOSED)
    await recorder.stop()


async def test_events_arrive_in_order_and_advance_the_cursor(relay: RunningRelay) -> None:
    """Messages pushed to a member arrive in send order with rising cursors."""
    alice = await fast_user(relay.url, "alice")
    bob = await fast_user(relay.url, "bob")
    recorder = Recorder(bob)
    thread = await alice.open_direct("bob")
    texts = [f"line {i}" for i in range(30)]
    for text in texts:
        await alice.send(thread.id, text)
    edited = await alice.edit((await alice.history(thread.id, limit=1)).messages[0].id, "last!")
    await recorder.wait_for(MessageEdited)
    events = recorder.events
    assert isinstance(events[0], ThreadEvent) and events[0].thread.id == thread.id
    messages = [e for e in events if isinstance(e, MessageEvent)]
    assert [m.message.text for m in messages] == texts
    assert [m.message.seq for m in messages] == list(range(1, 31))
    cursors = [e.cursor for e in events]
    assert all(c is not None for c in cursors)
    assert cursors == sorted(set(cursors))  # strictly increasing: no duplicates
    assert isinstance(events[-1], MessageEdited) and events[-1].message == edited
    assert bob.cursor == cursors[-1]
    await alice.close()
    await bob.close()
    await recorder.stop()


async def test_ephemeral_events_have_no_cursor(relay: RunningRelay) -> None:
    """Typing reaches the other member without a cursor and leaves client.cursor alone."""
    alice = await fast_user(relay.url, "alice")
    bob = await fast_user(relay.url, "bob")
    recorder = Recorder(bob)
    thread = await alice.open_direct("bob")
    await recorder.wait_for(ThreadEvent)
    before = bob.cursor
    await alice.typing(thread.id)
    typing = await recorder.wait_for(TypingEvent)
    assert typing.cursor is None and alice.user is not None and typing.user_id == alice.user.id
    assert bob.cursor == before
    await alice.close()
    await bob.close()
    await recorder.stop()


async def test_social_and_read_events(relay: RunningRelay) -> None:
    """Friend requests and read markers come through the same stream."""
    alice = await fast_user(relay.url, "alice")
    bob = await fast_user(relay.url, "bob")
    recorder = Recorder(bob)
    await alice.friend_request("bob")
    incoming = await recorder.wait_for(ContactEvent)
    assert incoming.contact.user.handle == "alice" and incoming.contact.status == "incoming"
    thread = await alice.open_direct("bob")
    message = await alice.send(thread.id, "read me")
    await bob.mark_read(thread.id, message.seq)
    read = await recorder.wait_for(ReadEvent)
    assert bob.user is not None and read.user_id == bob.user.id and read.seq == message.seq
    await alice.close()
    await bob.close()
    await recorder.stop()


async def test_resume_from_a_saved_cursor_replays_only_what_was_missed(
    relay: RunningRelay,
) -> None:
    """A new client given a token and cursor gets exactly the events after that cursor."""
    alice = await fast_user(relay.url, "alice")
    bob = await fast_user(relay.url, "bob")
    recorder = Recorder(bob)
    thread = await alice.open_direct("bob")
    await alice.send(thread.id, "seen before closing")
    await recorder.wait_for(MessageEvent)
    token, cursor = bob.token, bob.cursor
    await bob.close()
    await recorder.stop()

    missed = [await alice.send(thread.id, f"missed {i}") for i in range(3)]
    resumed = fast_client(relay.url, token=token, cursor=cursor)
    recorder = Recorder(resumed)
    await resumed.connect()
    assert resumed.user is not None and resumed.user.handle == "bob"
    await recorder.wait_until(lambda: len(recorder.events) == 3)
    live = await alice.send(thread.id, "live again")
    await recorder.wait_until(lambda: len(recorder.events) == 4)
    got = [e.message for e in recorder.events if isinstance(e, MessageEvent)]
    assert got == [*missed, live]
    assert isinstance(recorder.items[0], StateChanged)
    await alice.close()
    await resumed.close()
    await recorder.stop()
