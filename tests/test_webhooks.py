"""Signed webhooks to a brand's CRM: a real HTTP receiver on a loopback port, the relay's
outbox and dispatcher, retries, ordering, rotation, 410, replay, and a kill -9."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from conftest import (
    ManualClock,
    RelayProcess,
    RunningRelay,
    raw_connect,
    raw_user,
    send_text,
)
from payments_support import Person
from shop_support import Shop, coat, open_shop
from waiting import until
from webhook_support import Receiver, eventually, verify

HOUR = 3600.0


@pytest.fixture
def receiver() -> Any:
    found = Receiver()
    found.start()
    yield found
    found.stop()


@pytest.fixture
async def hooked(tmp_path: Path) -> AsyncIterator[RunningRelay]:
    """A relay whose webhooks may target loopback, on a clock the test moves."""
    running = RunningRelay(tmp_path / "hooks.db", webhook_private_targets=True, clock=ManualClock())
    await running.start()
    yield running
    await running.stop()


async def add_hook(shop: Shop, url: str, kinds: list[str]) -> dict[str, Any]:
    added: dict[str, Any] = await shop.staff.ok(
        "webhook_add", brand="northwind", url=url, kinds=kinds
    )
    return added


def clock_of(relay: RunningRelay) -> ManualClock:
    clock = relay.options["clock"]
    assert isinstance(clock, ManualClock)
    return clock


async def later(relay: RunningRelay, seconds: float) -> None:
    """Move the relay's clock on and let its dispatcher look at once."""
    clock_of(relay).advance(seconds)
    assert relay.relay is not None
    relay.relay.webhooks.wake()


async def test_events_arrive_signed_and_a_tampered_body_does_not_verify(
    hooked: RunningRelay, receiver: Receiver
) -> None:
    shop = await open_shop(hooked)
    await shop.save(coat())
    added = await add_hook(shop, receiver.url, ["message", "order", "payment", "follow"])
    assert added["secret"].startswith("whsec_") and added["endpoint"]["active"]
    sam = await shop.customer("sam", money=50_000)
    await sam.ok("follow", brand="northwind")
    thread = await shop.thread_with(sam)
    await send_text(sam.client, thread, "Hello Northwind")
    await shop.order_from(sam, items=[{"sku": "COAT-42L"}])
    await until(
        lambda: (
            {"message", "order", "payment", "follow"}
            <= {r.payload["type"] for r in receiver.received}
        )
    )
    for got in receiver.received:
        assert verify(added["secret"], got.headers, got.body)
        assert not verify(added["secret"], got.headers, got.body + b" ")
        assert got.payload["id"] == got.event_id and got.payload["brand"] == "northwind"
        assert (
            abs(
                int(got.headers["chatshop-timestamp"])
                - time.time()
                - clock_of(hooked).offset_ms / 1000
            )
            < 60
        )
    hello = next(
        r
        for r in receiver.of_kind("message")
        if r.payload["data"]["message"]["text"] == "Hello Northwind"
    )
    assert hello.payload["data"]["thread_id"] == thread
    payment = receiver.of_kind("payment")[0].payload["data"]
    assert payment["kind"] == "purchase" and payment["customer"]["handle"] == "sam"
    assert receiver.of_kind("follow")[0].payload["data"]["following"] is True
    await sam.refused("forbidden", "webhooks", brand="northwind")
    listed = await shop.staff.ok("webhooks", brand="northwind")
    assert listed["endpoints"][0]["url"] == receiver.url and "secret" not in listed["endpoints"][0]


async def test_a_receiver_down_for_a_while_gets_everything_once_in_order(
    hooked: RunningRelay, receiver: Receiver
) -> None:
    """The receiver answers 503 while 20 messages are sent in one thread; it comes back; the
    retries deliver every one exactly once, in the order they were sent."""
    shop = await open_shop(hooked)
    added = await add_hook(shop, receiver.url, ["message"])
    sam = await shop.customer("sam")
    thread = await shop.thread_with(sam)
    receiver.answer = 503
    texts = [f"message {n}" for n in range(20)]
    for text in texts:
        await send_text(sam.client, thread, text)
    endpoint = added["endpoint"]["endpoint_id"]

    async def failed_once() -> bool:
        page = await shop.staff.ok("webhook_deliveries", brand="northwind", endpoint_id=endpoint)
        return any(d["attempts"] >= 1 and d["last_status"] == 503 for d in page["deliveries"])

    await eventually(failed_once)
    receiver.answer = 200

    async def all_delivered() -> bool:
        await later(hooked, HOUR)  # every retry is due now
        return len(receiver.of_kind("message")) >= 20

    await eventually(all_delivered, within=30)
    got = [r.payload["data"]["message"]["text"] for r in receiver.of_kind("message")]
    assert got == texts
    assert len({r.event_id for r in receiver.received}) == 20
    page = await shop.staff.ok(
        "webhook_deliveries", brand="northwind", endpoint_id=endpoint, status="delivered"
    )
    assert len(page["deliveries"]) == 20 and page["deliveries"][-1]["attempts"] >= 2


async def test_410_disables_an_endpoint_dead_letters_and_replay_brings_them_back(
    hooked: RunningRelay, receiver: Receiver
) -> None:
    shop = await open_shop(hooked)
    added = await add_hook(shop, receiver.url, ["message"])
    endpoint = added["endpoint"]["endpoint_id"]
    sam = await shop.customer("sam")
    thread = await shop.thread_with(sam)
    receiver.answer = 410
    await send_text(sam.client, thread, "one")
    await send_text(sam.client, thread, "two")

    async def disabled() -> dict[str, Any]:
        listed = await shop.staff.ok("webhooks", brand="northwind")
        found: dict[str, Any] = listed["endpoints"][0]
        return found

    async def is_disabled() -> bool:
        return not (await disabled())["active"]

    await eventually(is_disabled)
    state = await disabled()
    assert state["disabled_reason"] == "the receiver answered 410 Gone" and state["dead"] == 2
    receiver.answer = 200
    queued = await shop.staff.ok("webhook_replay", brand="northwind", endpoint_id=endpoint, since=0)
    assert queued["queued"] == 2
    await until(lambda: len(receiver.received) == 2)
    assert [r.payload["data"]["message"]["text"] for r in receiver.received] == ["one", "two"]
    event = receiver.received[0].event_id
    again = await shop.staff.ok(
        "webhook_replay", brand="northwind", endpoint_id=endpoint, event_id=event
    )
    assert again["queued"] == 1
    await until(lambda: len(receiver.received) == 3)
    assert receiver.received[2].event_id == event  # the same id: receivers deduplicate
    await shop.staff.refused(
        "not_found", "webhook_replay", brand="northwind", endpoint_id=endpoint, event_id="evt_x"
    )


async def test_a_rotated_secret_signs_with_both_during_the_overlap(
    hooked: RunningRelay, receiver: Receiver
) -> None:
    shop = await open_shop(hooked)
    added = await add_hook(shop, receiver.url, ["message"])
    endpoint = added["endpoint"]["endpoint_id"]
    rotated = await shop.staff.ok(
        "webhook_rotate", brand="northwind", endpoint_id=endpoint, overlap_hours=1
    )
    assert rotated["secret"] != added["secret"] and rotated["previous_valid_until"]
    sam = await shop.customer("sam")
    thread = await shop.thread_with(sam)
    await send_text(sam.client, thread, "during")
    await until(lambda: len(receiver.received) == 1)
    first = receiver.received[0]
    assert verify(rotated["secret"], first.headers, first.body)
    assert verify(added["secret"], first.headers, first.body)
    await later(hooked, HOUR + 1)
    await send_text(sam.client, thread, "after")
    await until(lambda: len(receiver.received) == 2)
    second = receiver.received[1]
    assert verify(rotated["secret"], second.headers, second.body)
    assert not verify(added["secret"], second.headers, second.body)


async def test_a_hanging_receiver_never_slows_chat(
    hooked: RunningRelay, receiver: Receiver
) -> None:
    """While the CRM holds every delivery open, a conversation in a brand thread and one
    between friends go on: 50 messages each are acknowledged, none waiting on the hooks."""
    shop = await open_shop(hooked)
    await add_hook(shop, receiver.url, ["message"])
    sam = await shop.customer("sam")
    alice = await shop.customer("alice")
    thread = await shop.thread_with(sam)
    friends = (await sam.ok("dm_open", handle="alice"))["id"]
    receiver.release.clear()
    await send_text(sam.client, thread, "first")
    await until(lambda: receiver.hanging >= 1)
    latencies = []
    for n in range(50):
        started = time.perf_counter()
        await send_text(sam.client, thread, f"brand {n}")
        await send_text(alice.client, friends, f"friend {n}")
        latencies.append(time.perf_counter() - started)
    latencies.sort()
    p99 = latencies[int(len(latencies) * 0.99) - 1]
    assert p99 < 0.5, f"p99 of two sends {p99 * 1000:.0f} ms while the receiver hangs"
    receiver.release.set()
    await until(lambda: len(receiver.received) >= 51)


async def test_private_targets_are_refused_unless_the_relay_allows_them(
    relay: RunningRelay,
) -> None:
    shop = await open_shop(relay)
    for url in (
        "http://127.0.0.1:9/hook",
        "http://localhost/hook",
        "http://10.1.2.3/x",
        "ftp://example.com/x",
    ):
        await shop.staff.refused(
            "bad_request", "webhook_add", brand="northwind", url=url, kinds=["order"]
        )
    sam = await shop.customer("sam")
    await sam.refused(
        "forbidden", "webhook_add", brand="northwind", url="https://example.com/h", kinds=["order"]
    )


async def test_the_relay_killed_mid_delivery_delivers_the_rest_after_a_restart(
    tmp_path: Path, receiver: Receiver
) -> None:
    """kill -9 while the receiver holds a delivery: after the restart everything queued is
    delivered (a delivery cut off may come twice, with the same event id), none lost."""
    relay = RelayProcess(tmp_path / "relay.db", "--webhook-private-targets")
    await relay.start()
    try:
        brand = await raw_connect(relay.url)
        data = await brand.ok(
            "register", handle="northwind", display_name="Northwind", password="pw-pw", kind="brand"
        )
        brand.token = data["token"]
        northwind = Person(brand)
        added = await northwind.ok(
            "webhook_add", brand="northwind", url=receiver.url, kinds=["message"]
        )
        sam = Person(await raw_user(relay.url, "sam"))
        thread = (await sam.ok("dm_open", handle="northwind"))["id"]
        receiver.release.clear()
        for n in range(5):
            await send_text(sam.client, thread, f"m{n}")
        await until(lambda: receiver.hanging >= 1)
        await relay.kill()
        receiver.release.set()
        await relay.start()
        await until(lambda: len({r.event_id for r in receiver.received}) == 5, within=30)
        texts = [r.payload["data"]["message"]["text"] for r in receiver.received]
        assert sorted(set(texts)) == [f"m{n}" for n in range(5)]
        assert texts == sorted(texts)  # in order, a repeat only of the one cut off
        assert added["endpoint"]["active"]
    finally:
        await relay.kill()


async def test_the_verification_in_the_docs_accepts_a_real_delivery(
    hooked: RunningRelay, receiver: Receiver
) -> None:
    import re

    text = (Path(__file__).parent.parent / "docs" / "webhooks.md").read_text()
    code = re.search(r"## Verifying it.*?```python\n(.*?)```", text, re.S)
    assert code is not None and len(code.group(1).strip().splitlines()) <= 10
    namespace: dict[str, Any] = {}
    exec(code.group(1), namespace)
    shop = await open_shop(hooked)
    added = await add_hook(shop, receiver.url, ["follow"])
    sam = await shop.customer("sam")
    await sam.ok("follow", brand="northwind")
    await until(lambda: len(receiver.received) == 1)
    got = receiver.received[0]
    headers = {
        "Chatshop-Timestamp": got.headers["chatshop-timestamp"],
        "Chatshop-Signature": got.headers["chatshop-signature"],
    }
    assert namespace["verify"](added["secret"], headers, got.body)
    assert not namespace["verify"](added["secret"], headers, got.body + b" ")
    stale = {**headers, "Chatshop-Timestamp": str(int(headers["Chatshop-Timestamp"]) - 301)}
    assert not namespace["verify"](added["secret"], stale, got.body)
