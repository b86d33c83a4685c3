"""Attacks an outsider made on the relay from docs/protocol.md alone, each refused.

Every test here failed against the relay before its fix: a real relay, real websocket
clients, nothing of ours mocked.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from chatshop_server.config import RelayConfig
from conftest import (
    SERVER_SCRIPT,
    ManualClock,
    RunningRelay,
    fresh_db,
    marker,
    new_key,
    raw_connect,
    raw_user,
    wait_closed,
)
from payments_support import Person, assert_books
from shop_support import coat, open_shop


async def test_logout_closes_every_connection_of_the_session(relay: RunningRelay) -> None:
    """A second connection authenticated with the same token is closed with 4001 when the
    first logs out: it can neither send nor pay, and receives nothing more."""
    sam = await raw_user(relay.url, "sam")
    bob = await raw_user(relay.url, "bob")
    thread = await sam.ok("dm_open", handle="bob")
    twin = await raw_connect(relay.url)
    await twin.ok("auth", token=sam.token)
    await sam.ok("logout")
    assert await wait_closed(twin) == 4001
    assert (await sam.call("send", thread_id=thread["id"], text="x", key="k1"))[
        "code"
    ] == "unauthorized"
    await bob.ok("send", thread_id=thread["id"], text="still here", key="k2")
    again = await raw_connect(relay.url)
    assert (await again.call("auth", token=sam.token))["code"] == "unauthorized"


async def admin(relay: RunningRelay, *args: str) -> str:
    """Run a ``chatshop-server`` admin command on the running relay's database, as an admin
    would from another terminal; its standard output."""
    process = await asyncio.create_subprocess_exec(
        str(SERVER_SCRIPT),
        "--db",
        str(relay.db_path),
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 0, err.decode()
    return out.decode()


async def test_staff_removed_by_the_admin_lose_the_threads_they_took(
    relay: RunningRelay,
) -> None:
    """nora takes sam's brand thread; the admin removes her from the brand's staff from
    another process: at once she reads no history, gets no live message and cannot post
    there, and sam's thread waits for a person."""
    shop = await open_shop(relay)
    sam = await shop.customer("sam")
    thread = await shop.thread_with(sam)
    await shop.staff.ok("thread_take", thread_id=thread)
    await shop.staff.ok("history", thread_id=thread)
    await admin(relay, "--remove-staff", "northwind", "nora")
    removed = await shop.staff.wait_event(
        lambda e: e["type"] == "member" and e["change"] == "removed" and e["thread_id"] == thread
    )
    assert removed["user"]["handle"] == "nora"
    waiting = await sam.wait_event(
        lambda e: e["type"] == "handover" and e["handover"]["mode"] == "waiting"
    )
    assert waiting["handover"]["thread_id"] == thread
    await shop.staff.refused("forbidden", "history", thread_id=thread)
    await shop.staff.refused("forbidden", "send", thread_id=thread, text="hi", key=new_key())
    await shop.staff.refused("forbidden", "thread_take", thread_id=thread)
    mark = len(shop.staff.events)
    await sam.ok("send", thread_id=thread, text="hello? anyone?", key=new_key())
    direct = (await sam.ok("dm_open", handle="nora"))["id"]
    await marker(sam.client, direct, shop.staff.client, "later")
    assert not [e for e in shop.staff.events[mark:] if e.get("thread_id") == thread]


@pytest.fixture
async def plain_relay(tmp_path: Path, schema_template: Path) -> AsyncIterator[RunningRelay]:
    """A relay as an admin runs it: no demo funding."""
    running = RunningRelay(fresh_db(schema_template, tmp_path / "plain.db"), demo_funding=False)
    await running.start()
    try:
        yield running
    finally:
        await running.stop()


async def test_no_money_is_minted_without_demo_funding(plain_relay: RunningRelay) -> None:
    """On a relay not started for the demo every top-up is refused, in any currency; money
    enters only when the admin credits a wallet from a named source, which --check-ledger
    reports."""
    sam = await raw_user(plain_relay.url, "sam")
    for currency in ("EUR", "USD", "JPY"):
        refused = await sam.call("topup", amount=1_000_000, currency=currency, key=new_key())
        assert refused["code"] == "funding_unavailable", refused
    assert (await sam.ok("wallet"))["balances"] == []
    printed = await admin(
        plain_relay, "--credit", "sam", "25.50", "EUR", "--source", "bank-transfer"
    )
    assert "credited @sam EUR 25.50 from bank-transfer" in printed
    credited = await sam.wait_event(lambda e: e["type"] == "wallet")
    assert credited["transfer"]["kind"] == "credit" and credited["balance"]["amount"] == 2550
    report = await admin(plain_relay, "--check-ledger")
    assert "money in from bank-transfer: EUR 25.50 (1 transfers)" in report
    assert "the books balance" in report


async def test_demo_top_ups_have_limits_per_top_up_and_per_day(tmp_path: Path) -> None:
    """With demo funding (and its documented default limits) a top-up moves at most EUR 500
    and an account takes at most EUR 2,000 a day, counted atomically across concurrent
    top-ups."""
    defaults = RelayConfig()
    running = RunningRelay(
        tmp_path / "demo.db",
        demo_topup_max_major=defaults.demo_topup_max_major,
        demo_topup_daily_major=defaults.demo_topup_daily_major,
    )
    await running.start()
    try:
        await _top_ups_within_limits(running)
    finally:
        await running.stop()


async def _top_ups_within_limits(relay: RunningRelay) -> None:
    sam = await raw_user(relay.url, "sam")
    too_big = await sam.call("topup", amount=50_001, currency="EUR", key=new_key())
    assert too_big["code"] == "limit_exceeded"
    person = Person(sam)
    replies = await asyncio.gather(
        *(person.call("topup", amount=50_000, currency="EUR", key=new_key()) for _ in range(8))
    )
    assert sorted(r["type"] for r in replies) == ["error"] * 4 + ["result"] * 4
    assert all(r["code"] == "limit_exceeded" for r in replies if r["type"] == "error")
    assert await person.balance() == 200_000


async def test_a_brand_cannot_block_refunds_by_emptying_its_wallet(tmp_path: Path) -> None:
    """A customer's payment waits in the brand's escrow: the brand paying its whole wallet
    away does not stop the customer's cancellation or the staff's refund. Once delivered and
    past the return window the money reaches the brand's wallet, and the books balance."""
    clock = ManualClock()
    running = RunningRelay(tmp_path / "escrow.db", clock=clock, lucky_sweep_seconds=0.05)
    await running.start()
    try:
        shop = await open_shop(running)
        await shop.save(coat())
        sam = await shop.customer("sam", money=100_000)
        mallory = await shop.customer("mallory")
        await shop.brand.topup(5_000)  # the brand's own money, which it then pays away
        first = (await shop.order_from(sam, items=[{"sku": "COAT-42L"}]))["order"]
        second = (await shop.order_from(sam, items=[{"sku": "COAT-40R"}]))["order"]
        assert await shop.brand.held() == first["total"] + second["total"]
        everything = await shop.brand.balance()
        direct = (await shop.brand.ok("dm_open", handle="mallory"))["id"]
        await shop.brand.ok(
            "pay", thread_id=direct, to="mallory", amount=everything, currency="EUR", key=new_key()
        )
        assert await shop.brand.balance() == 0
        await sam.ok("order_cancel", order_id=first["id"], reason="changed my mind")
        await shop.staff.ok("order_refund", order_id=second["id"], reason="damaged")
        assert await sam.balance() == 100_000
        assert await shop.brand.held() == 0
        third = (await shop.order_from(sam, items=[{"sku": "COAT-44L"}]))["order"]
        for status, extra in (
            ("confirmed", {}),
            ("preparing", {}),
            ("shipped", {"carrier": "DHL", "tracking": "JD1"}),
            ("delivered", {}),
        ):
            await shop.staff.ok("order_advance", order_id=third["id"], status=status, **extra)
        assert await shop.brand.held() == third["total"]
        clock.advance(15 * 24 * 3600)  # past the 14-day return window
        released = await shop.brand.wait_event(
            lambda e: e["type"] == "wallet" and e["transfer"]["kind"] == "release"
        )
        assert released["balance"]["amount"] == third["total"]
        assert await shop.brand.held() == 0
        assert await mallory.balance() == everything
        await assert_books(running)
    finally:
        await running.stop()
