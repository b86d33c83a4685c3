"""The demo friends settle money cards: a request gets paid, a split share gets paid and a
red packet gets opened, by the real bot process logic against a real relay."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from chatshop.demo_bot import PASSWORD, run_bots
from conftest import RunningRelay, raw_user


async def _friend(url: str, handle: str) -> Any:
    client = await raw_user(url, handle, password=PASSWORD)
    await client.ok("topup", amount=10_000, currency="EUR", key=f"{handle}-topup")
    return client


async def test_demo_friends_pay_requests_splits_and_open_red_packets(relay: RunningRelay) -> None:
    """sam's request, split and red packet are settled by alice and bob without a person."""
    sam = await _friend(relay.url, "sam")
    alice = await _friend(relay.url, "alice")
    bob = await _friend(relay.url, "bob")
    listening = asyncio.Event()
    bots = asyncio.create_task(run_bots(relay.url, delay=(0.01, 0.02), seed=1, ready=listening))
    try:
        await asyncio.wait_for(listening.wait(), 10)
        direct = await sam.ok("dm_open", handle="alice")
        asked = await sam.ok(
            "request_money",
            thread_id=direct["id"],
            payer="alice",
            amount=1500,
            currency="EUR",
            note="cinema",
            key="r-1",
        )
        request_id = asked["message"]["card"]["request_id"]
        await sam.wait_event(
            lambda e: (
                e["type"] == "card"
                and e["message"]["card"].get("request_id") == request_id
                and e["message"]["card"]["status"] == "paid"
            ),
            timeout=10,
        )
        group = await sam.ok("group_create", name="Pizza Friday", handles=["alice", "bob"])
        await sam.ok(
            "split", thread_id=group["id"], total=4800, currency="EUR", note="pizza", key="s-1"
        )
        await sam.wait_event(
            lambda e: (
                e["type"] == "card"
                and e["message"]["card"]["kind"] == "split"
                and all(share["status"] == "paid" for share in e["message"]["card"]["shares"])
            ),
            timeout=10,
        )
        await sam.ok(
            "lucky_send", thread_id=group["id"], total=2000, currency="EUR", count=2, key="l-1"
        )
        await sam.wait_event(
            lambda e: (
                e["type"] == "card"
                and e["message"]["card"]["kind"] == "lucky"
                and e["message"]["card"]["status"] == "finished"
            ),
            timeout=10,
        )
        assert not await relay.relay.stores.ledger.check_books()  # type: ignore[union-attr]
    finally:
        bots.cancel()
        with contextlib.suppress(asyncio.CancelledError, BaseExceptionGroup):
            await bots
        for client in (sam, alice, bob):
            await client.close()
