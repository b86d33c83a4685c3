"""The load generator's processes and the W2 round-trip loop, shared by both relays.

``relay_bench.py`` starts each ``*_main`` function in a process of its own (multiprocessing,
spawn) and talks to it over a ``Pipe``: the child says ``("ready", info)`` once its
connections are authenticated, may wait for ``"go"``, says ``("done", stats)``, then waits
for ``"close"`` before closing its connections. Every timestamp is ``time.monotonic_ns()``,
which on Linux reads CLOCK_MONOTONIC and is comparable across processes.

A message text is exactly ``TEXT_BYTES`` ASCII bytes: ``b<send time ns> s<sender> n<seq> ``
padded with ``x``. Receivers find every ``"text":"b<digits>`` in a frame with one compiled
regular expression, so a delivery costs a regex match and an ``int()``, never a JSON decode;
this works unchanged on the relay's ``events`` batches and on the bare relay's one message per
frame.
"""

from __future__ import annotations

import asyncio
import gc
import re
import time
from array import array
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any

from _wsclient import WsClient, open_session

TEXT_BYTES = 100
_STAMP = re.compile(rb'"text":"b(\d+) ')
_RESULT_ID = re.compile(rb'^\{"type":"result","id":(\d+)')
_RESULT = b'{"type":"result"'
_ERROR = b'{"type":"error"'

now_ns = time.monotonic_ns


def message_text(stamp: int, sender: int, seq: int) -> bytes:
    head = b"b%d s%d n%d " % (stamp, sender, seq)
    return head + b"x" * (TEXT_BYTES - len(head))


def send_frame(request_id: int, thread_id: int, sender: int, seq: int, stamp: int) -> bytes:
    """A ``send`` request; the key is 32 hex digits, as long as a client's UUID."""
    return b'{"type":"send","id":%d,"thread_id":%d,"text":"%s","key":"%04x%028x"}' % (
        request_id,
        thread_id,
        message_text(stamp, sender, seq),
        sender,
        seq,
    )


def percentiles(values: array[int] | list[int], scale: float = 1e-6) -> dict[str, float]:
    """p50, p90, p99, max and mean of nanosecond values, in milliseconds by default."""
    if not values:
        return {
            "n": 0,
            "p50": float("nan"),
            "p90": float("nan"),
            "p99": float("nan"),
            "max": float("nan"),
            "mean": float("nan"),
        }
    ordered = sorted(values)
    n = len(ordered)

    def at(q: float) -> float:
        return ordered[min(n - 1, int(q * n))] * scale

    return {
        "n": n,
        "p50": at(0.50),
        "p90": at(0.90),
        "p99": at(0.99),
        "max": ordered[-1] * scale,
        "mean": sum(ordered) / n * scale,
    }


def _expect(pipe: Connection, word: str) -> Any:
    message = pipe.recv()
    if message != word:
        raise RuntimeError(f"expected {word!r} from the bench, got {message!r}")


async def _recv(pipe: Connection, word: str) -> None:
    await asyncio.to_thread(_expect, pipe, word)


# ---------------------------------------------------------------------------------- W1


def subscriber_main(
    host: str,
    port: int,
    tokens: list[str],
    per_connection: int,
    timeout: float,
    pipe: Connection,
) -> None:
    """W1 receivers: count deliveries on every connection and time each one."""
    asyncio.run(_subscribers(host, port, tokens, per_connection, timeout, pipe))


async def _subscribers(
    host: str,
    port: int,
    tokens: list[str],
    per_connection: int,
    timeout: float,
    pipe: Connection,
) -> None:
    clients = list(await asyncio.gather(*(open_session(host, port, t) for t in tokens)))
    expected = per_connection * len(clients)
    latencies: array[int] = array("q")
    counts = [0] * len(clients)
    state = {"total": 0, "first": 0, "last": 0}
    done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
    finditer = _STAMP.finditer
    append = latencies.append

    def receiver(index: int) -> Callable[[bytes], None]:
        def on_text(payload: bytes) -> None:
            now = now_ns()
            got = 0
            for match in finditer(payload):
                append(now - int(match.group(1)))
                got += 1
            if got:
                counts[index] += got
                total = state["total"] + got
                state["total"] = total
                if not state["first"]:
                    state["first"] = now
                state["last"] = now
                if total >= expected and not done.done():
                    done.set_result(None)

        return on_text

    for index, client in enumerate(clients):
        client.on_text = receiver(index)
    gc.collect()
    gc.freeze()
    pipe.send(("ready", {"connections": len(clients)}))
    error = ""
    try:
        await asyncio.wait_for(asyncio.shield(done), timeout)
    except TimeoutError:
        error = f"timed out with {state['total']} of {expected} deliveries"
    stats = {
        "deliveries": state["total"],
        "expected": expected,
        "min_per_connection": min(counts),
        "max_per_connection": max(counts),
        "frames": sum(c.frames_received for c in clients),
        "t_first": state["first"],
        "t_last": state["last"],
        "latency_ms": percentiles(latencies),
        "error": error,
    }
    pipe.send(("done", stats))
    await _recv(pipe, "close")
    for client in clients:
        client.close()
    await asyncio.sleep(0.2)


def sender_main(
    host: str,
    port: int,
    tokens: list[str],
    thread_id: int,
    per_sender: int,
    window: int,
    timeout: float,
    pipe: Connection,
) -> None:
    """W1 senders: each keeps ``window`` sends in flight until it has sent ``per_sender``."""
    asyncio.run(_senders(host, port, tokens, thread_id, per_sender, window, timeout, pipe))


async def _senders(
    host: str,
    port: int,
    tokens: list[str],
    thread_id: int,
    per_sender: int,
    window: int,
    timeout: float,
    pipe: Connection,
) -> None:
    clients = list(await asyncio.gather(*(open_session(host, port, t) for t in tokens)))
    loop = asyncio.get_running_loop()
    acks: array[int] = array("q")
    errors: list[bytes] = []
    finished: list[asyncio.Future[None]] = []

    def drive(index: int, client: WsClient) -> Callable[[], None]:
        sent = 0
        acked = 0
        stamps: dict[int, int] = {}
        done: asyncio.Future[None] = loop.create_future()
        finished.append(done)
        send_text = client.send_text

        def send_one() -> None:
            nonlocal sent
            sent += 1
            stamp = now_ns()
            stamps[sent] = stamp
            send_text(send_frame(sent, thread_id, index, sent, stamp))

        def on_text(payload: bytes) -> None:
            nonlocal acked
            if payload.startswith(_RESULT):
                now = now_ns()
                match = _RESULT_ID.match(payload)
                assert match is not None
                acks.append(now - stamps.pop(int(match.group(1))))
                acked += 1
                if sent < per_sender:
                    send_one()
                elif acked == per_sender and not done.done():
                    done.set_result(None)
            elif payload.startswith(_ERROR):
                errors.append(payload[:300])
                if not done.done():
                    done.set_result(None)
            # anything else is an events frame: the sender's own copy of the group's messages

        def start() -> None:
            for _ in range(min(window, per_sender)):
                send_one()

        client.on_text = on_text
        return start

    starters = [drive(index, client) for index, client in enumerate(clients)]
    gc.collect()
    gc.freeze()
    pipe.send(("ready", {"connections": len(clients)}))
    await _recv(pipe, "go")
    t_go = now_ns()
    for start in starters:
        start()
    error = ""
    try:
        await asyncio.wait_for(asyncio.gather(*finished), timeout)
    except TimeoutError:
        error = f"timed out with {len(acks)} of {per_sender * len(clients)} acknowledgements"
    t_end = now_ns()
    if errors:
        error = f"{len(errors)} error replies, first: {errors[0]!r}"
    stats = {
        "t_go": t_go,
        "t_acked": t_end,
        "acked": len(acks),
        "ack_ms": percentiles(acks),
        "error": error,
    }
    pipe.send(("done", stats))
    await _recv(pipe, "close")
    for client in clients:
        client.close()
    await asyncio.sleep(0.2)


# ---------------------------------------------------------------------------------- W3


def idle_main(
    host: str, port: int, tokens: list[str], stages: list[int], concurrency: int, pipe: Connection
) -> None:
    """W3: open authenticated connections in stages, then hold them idle until told."""
    asyncio.run(_idle(host, port, tokens, stages, concurrency, pipe))


async def _idle(
    host: str, port: int, tokens: list[str], stages: list[int], concurrency: int, pipe: Connection
) -> None:
    slots = asyncio.Semaphore(concurrency)
    clients: list[WsClient] = []
    connect_times: array[int] = array("q")

    async def one(index: int) -> WsClient:
        async with slots:
            t0 = now_ns()
            client = await open_session(host, port, tokens[index % len(tokens)])
            connect_times.append(now_ns() - t0)
            return client

    opened = 0
    for stage, upto in enumerate(stages):
        if stage:
            await _recv(pipe, "more")
        t0 = now_ns()
        clients += await asyncio.gather(*(one(i) for i in range(opened, upto)))
        elapsed = (now_ns() - t0) / 1e9
        opened = upto
        pipe.send(("ready", {"connections": len(clients), "seconds": elapsed}))
    await _recv(pipe, "close")
    pipe.send(("done", {"connect_ms": percentiles(connect_times)}))
    for client in clients:
        client.close()
    await asyncio.sleep(0.5)


# ---------------------------------------------------------------------------------- W2


async def round_trips(
    host: str, port: int, token_a: str, token_b: str, thread_id: int, count: int, warmup: int
) -> dict[str, Any]:
    """W2: A sends ``warmup + count`` messages one at a time, each after the previous result.

    Round trip: A's send to A's result. Delivery: A's send to the message reaching B.
    """
    a = await open_session(host, port, token_a)
    b = await open_session(host, port, token_b)
    loop = asyncio.get_running_loop()
    done: asyncio.Future[None] = loop.create_future()
    rtts: array[int] = array("q")
    deliveries: array[int] = array("q")
    total = warmup + count
    state = {"seq": 0, "stamp": 0}
    errors: list[bytes] = []

    def send_next() -> None:
        state["seq"] += 1
        stamp = state["stamp"] = now_ns()
        a.send_text(send_frame(state["seq"], thread_id, 0, state["seq"], stamp))

    def on_a(payload: bytes) -> None:
        if payload.startswith(_RESULT):
            now = now_ns()
            if state["seq"] > warmup:
                rtts.append(now - state["stamp"])
            if state["seq"] < total:
                send_next()
            elif not done.done():
                done.set_result(None)
        elif payload.startswith(_ERROR):
            errors.append(payload[:300])
            if not done.done():
                done.set_result(None)

    def on_b(payload: bytes) -> None:
        now = now_ns()
        for match in _STAMP.finditer(payload):
            deliveries.append(now - int(match.group(1)))

    a.on_text = on_a
    b.on_text = on_b
    await asyncio.sleep(0.2)
    gc.collect()
    gc.freeze()
    t0 = now_ns()
    send_next()
    await asyncio.wait_for(asyncio.shield(done), 120)
    elapsed = (now_ns() - t0) / 1e9
    await asyncio.sleep(0.2)  # the last delivery to B
    a.close()
    b.close()
    gc.unfreeze()
    if errors:
        raise RuntimeError(f"W2 error reply: {errors[0]!r}")
    return {
        "messages": count,
        "warmup": warmup,
        "seconds": elapsed,
        "rtt_ms": percentiles(rtts),
        "delivery_ms": percentiles(deliveries[warmup:]),
    }


# ---------------------------------------------------------------------------------- W4


def money_main(
    host: str,
    port: int,
    pairs: list[tuple[str, int, str]],
    per_client: int,
    window: int,
    pipe: Connection,
) -> None:
    """W4: the same clients send ``per_client`` messages, then make ``per_client`` payments
    (one cent each), ``window`` in flight per client; each phase is timed on its own."""
    asyncio.run(_money(host, port, pairs, per_client, window, pipe))


def _send_request(request_id: int, thread_id: int, sender: int) -> bytes:
    return b'{"type":"send","id":%d,"thread_id":%d,"text":"w4 %d %d","key":"m-%d-%d"}' % (
        request_id,
        thread_id,
        sender,
        request_id,
        sender,
        request_id,
    )


def _pay_request(request_id: int, thread_id: int, sender: int, payee: bytes) -> bytes:
    return (
        b'{"type":"pay","id":%d,"thread_id":%d,"to":"%s","amount":1,"currency":"EUR",'
        b'"key":"p-%d-%d"}' % (request_id, thread_id, payee, sender, request_id)
    )


async def _money(
    host: str,
    port: int,
    pairs: list[tuple[str, int, str]],
    per_client: int,
    window: int,
    pipe: Connection,
) -> None:
    clients = list(await asyncio.gather(*(open_session(host, port, t) for t, _, _ in pairs)))
    loop = asyncio.get_running_loop()
    pipe.send(("ready", {"connections": len(clients)}))
    for phase in ("messages", "payments"):
        await _recv(pipe, "go")
        acks: array[int] = array("q")
        errors: list[bytes] = []
        finished: list[asyncio.Future[None]] = []
        for index, (client, (_, thread_id, payee)) in enumerate(zip(clients, pairs, strict=True)):
            done: asyncio.Future[None] = loop.create_future()
            finished.append(done)
            stamps: dict[int, int] = {}
            counts = {"sent": 0, "acked": 0}
            who = payee.encode()

            def send_one(
                client: WsClient = client,
                thread_id: int = thread_id,
                index: int = index,
                stamps: dict[int, int] = stamps,
                counts: dict[str, int] = counts,
                who: bytes = who,
                phase: str = phase,
            ) -> None:
                counts["sent"] += 1
                request_id = counts["sent"]
                stamps[request_id] = now_ns()
                if phase == "messages":
                    client.send_text(_send_request(request_id, thread_id, index))
                else:
                    client.send_text(_pay_request(request_id, thread_id, index, who))

            def on_text(
                payload: bytes,
                send_one: Callable[[], None] = send_one,
                stamps: dict[int, int] = stamps,
                counts: dict[str, int] = counts,
                done: asyncio.Future[None] = done,
                acks: array[int] = acks,
                errors: list[bytes] = errors,
            ) -> None:
                if payload.startswith(_RESULT):
                    match = _RESULT_ID.match(payload)
                    assert match is not None
                    acks.append(now_ns() - stamps.pop(int(match.group(1))))
                    counts["acked"] += 1
                    if counts["sent"] < per_client:
                        send_one()
                    elif counts["acked"] == per_client and not done.done():
                        done.set_result(None)
                elif payload.startswith(_ERROR):
                    errors.append(payload[:300])
                    if not done.done():
                        done.set_result(None)

            client.on_text = on_text
            for _ in range(min(window, per_client)):
                send_one()
        t0 = now_ns()
        error = ""
        try:
            await asyncio.wait_for(asyncio.gather(*finished), 300)
        except TimeoutError:
            error = f"timed out with {len(acks)} acknowledgements"
        elapsed = (now_ns() - t0) / 1e9
        if errors:
            error = f"{len(errors)} error replies, first: {errors[0]!r}"
        pipe.send(
            (
                "done",
                {
                    "phase": phase,
                    "acked": len(acks),
                    "seconds": elapsed,
                    "per_s": len(acks) / elapsed if elapsed else 0.0,
                    "ack_ms": percentiles(acks),
                    "error": error,
                },
            )
        )
    await _recv(pipe, "close")
    for client in clients:
        client.close()
    await asyncio.sleep(0.2)
