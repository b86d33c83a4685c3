"""The client's pure parts: backoff delays, pacing, cursor bookkeeping and errors."""

from __future__ import annotations

import asyncio

import pytest

from chatshop.client import ClientClosed, ConnectionLost, RequestError, StateChanged
from chatshop.client.backoff import Backoff
from chatshop.client.pacing import Pacer
from chatshop.client.state import ConnectionState
from chatshop.client.stream import EventStream
from chatshop.protocol import ErrorCode
from chatshop.protocol.frames import ReadEvent, TypingEvent


def test_backoff_grows_is_capped_and_resets() -> None:
    """Delays double up to the cap, stay within [cap/2, cap], and start over on reset."""
    low = Backoff(0.25, 2.0, rand=lambda: 0.0)
    assert [low.next_delay() for _ in range(6)] == [0.125, 0.25, 0.5, 1.0, 1.0, 1.0]
    high = Backoff(0.25, 2.0, rand=lambda: 1.0)
    assert [high.next_delay() for _ in range(6)] == [0.25, 0.5, 1.0, 2.0, 2.0, 2.0]
    for _ in range(5000):  # no overflow however long the relay stays away
        assert high.next_delay() == 2.0
    high.reset()
    assert high.next_delay() == 0.25


def test_backoff_jitter_spreads_clients() -> None:
    """With the real random source, two clients rarely pick the same delay."""
    delays = {Backoff(1.0, 30.0).next_delay() for _ in range(20)}
    assert len(delays) > 1 and all(0.5 <= d <= 1.0 for d in delays)


async def test_pacer_allows_a_burst_then_the_rate() -> None:
    """A burst goes at once; beyond it, requests are spaced at 1/rate."""
    pacer = Pacer(rate=200.0, burst=5)
    loop = asyncio.get_running_loop()
    started = loop.time()
    for _ in range(5):
        await pacer.wait()
    assert loop.time() - started < 0.02
    for _ in range(10):
        await pacer.wait()
    assert loop.time() - started >= 10 / 200 * 0.9
    await Pacer(rate=0, burst=0).wait()  # unlimited never waits


def _read(cursor: int) -> ReadEvent:
    return ReadEvent(cursor=cursor, thread_id=1, user_id=1, seq=cursor)


async def _take(stream: EventStream, count: int) -> list[object]:
    items: list[object] = []
    async for item in stream:
        items.append(item)
        if len(items) == count:
            break
    return items


async def test_stream_drops_replayed_duplicates() -> None:
    """Stored events at or below the highest cursor seen are dropped; ephemera always pass."""
    stream = EventStream(cursor=10)
    stream.put_events([_read(9), _read(10), _read(11)])
    stream.put_events([_read(11), TypingEvent(thread_id=1, user_id=2), _read(14), _read(12)])
    assert stream.seen == 14
    items = await _take(stream, 3)
    assert items == [_read(11), TypingEvent(thread_id=1, user_id=2), _read(14)]
    assert stream.delivered == 14


async def test_stream_delivered_cursor_follows_the_consumer() -> None:
    """``delivered`` moves only when the caller takes an event out."""
    stream = EventStream()
    stream.put_events([_read(3), _read(5)])
    assert (stream.seen, stream.delivered) == (5, None)
    await _take(stream, 1)
    assert stream.delivered == 3


async def test_stream_new_session_keeps_events_that_beat_the_login_result() -> None:
    """Events queued between a login request and its result are not replayed again."""
    stream = EventStream(cursor=100)
    stream.begin_session()
    stream.put_events([_read(205)])
    stream.reset_cursor(200)
    assert stream.seen == 205
    stream.put_events([_read(205), _read(206)])
    assert await _take(stream, 2) == [_read(205), _read(206)]


async def test_stream_ends_after_finish() -> None:
    """finish() lets the consumer drain what is queued, then stops every iterator."""
    stream = EventStream()
    change = StateChanged(state=ConnectionState.CLOSED)
    stream.put_state(change)
    stream.finish()
    stream.put_events([_read(1)])  # ignored after finish
    assert [item async for item in stream] == [change]
    assert [item async for item in stream] == []


def test_error_hierarchy_and_codes() -> None:
    """Known relay codes become ErrorCode members; link errors are RequestErrors too."""
    assert RequestError("not_found", "x").code is ErrorCode.NOT_FOUND
    assert RequestError("brand_new_code", "x").code == "brand_new_code"
    lost = ConnectionLost()
    closed = ClientClosed()
    assert isinstance(closed, ConnectionLost) and isinstance(lost, RequestError)
    assert (lost.code, closed.code) == ("connection_lost", "client_closed")
    with pytest.raises(RequestError, match="rate_limited"):
        raise RequestError(ErrorCode.RATE_LIMITED, "slow down", retry_after=0.5)
