"""Following brands, promoted posts with offers applied at checkout, and invoices."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from conftest import ManualClock, RunningRelay, new_key
from payments_support import Person, assert_books
from shop_support import ADDRESS, Shop, coat, open_shop, simple

DAY = 24 * 3600


def promotion(e: dict[str, Any]) -> bool:
    return e["type"] == "message" and (e["message"].get("card") or {}).get("kind") == "promotion"


async def shop_with_followers(relay: RunningRelay) -> tuple[Shop, Person, Person, Person]:
    shop = await open_shop(relay)
    await shop.save(coat())
    sam = await shop.customer("sam", money=100_000)
    alice = await shop.customer("alice", money=100_000)
    bob = await shop.customer("bob", money=100_000)
    await sam.ok("follow", brand="northwind")
    await alice.ok("follow", brand="@northwind", promotions=False)
    return shop, sam, alice, bob


async def publish(shop: Shop, **fields: Any) -> dict[str, Any]:
    post: dict[str, Any] = await shop.staff.ok(
        "post_publish",
        brand="northwind",
        text="The Harbor sport coat, 20 % off this week.",
        sku="COAT",
        offer={"kind": "percent", "value": 20, "days": 7, "product_sku": "COAT"},
        key=new_key(),
        **fields,
    )
    return post


async def test_a_post_reaches_followers_who_take_promotions_with_its_offer(
    relay: RunningRelay,
) -> None:
    """sam follows and gets the promotion card in his brand thread; alice opted out, bob does
    not follow, neither gets it; sam's checkout takes 20 % off by itself, bob's does not;
    the staff see it reached one, opened one, bought one."""
    shop, sam, alice, bob = await shop_with_followers(relay)
    post = await publish(shop)
    assert post["reached"] == 1 and post["offer"]["label"] == "20 % off Harbor sport coat"
    event = await sam.wait_event(promotion)
    card = event["message"]["card"]
    assert card["post_id"] == post["post_id"] and card["product"]["title"] == "Harbor sport coat"
    assert card["offer"]["kind"] == "percent" and card["offer"]["value"] == 20
    assert event["message"]["sender_id"] == shop.brand.id
    for person in (alice, bob):
        threads = (await person.ok("threads"))["threads"]
        assert all(t.get("last_message") is None for t in threads)
    await sam.ok("address_set", address=ADDRESS)
    quote = await sam.ok("checkout_preview", brand="northwind", items=[{"sku": "COAT-42L"}])
    assert quote["offer"]["offer_id"] == post["offer"]["offer_id"]
    assert quote["discount"] == 19_900 * 20 // 100 and quote["can_pay"], quote["problems"]
    order = await shop.order_from(sam, items=[{"sku": "COAT-42L"}], expected_total=quote["total"])
    assert order["order"]["discount"] == 3_980
    bob_quote = await bob.ok("checkout_preview", brand="northwind", items=[{"sku": "COAT-42L"}])
    assert bob_quote["discount"] == 0 and bob_quote.get("offer") is None
    thread = event["message"]["thread_id"]
    await sam.ok("read", thread_id=thread, seq=event["message"]["seq"])
    stats = await shop.staff.ok("post_stats", post_id=post["post_id"])
    assert stats == {"post_id": post["post_id"], "reached": 1, "opened": 1, "bought": 1}
    await sam.refused("forbidden", "post_stats", post_id=post["post_id"])
    await assert_books(relay)


async def test_muted_brands_and_daily_limits_keep_posts_from_becoming_spam(
    tmp_path: Path,
) -> None:
    """A muted follower gets nothing; a follower gets one post of a brand a day; a brand
    publishes three a day, then rate_limited with retry_after."""
    clock = ManualClock()
    running = RunningRelay(tmp_path / "posts.db", clock=clock)
    await running.start()
    try:
        shop, sam, _alice, bob = await shop_with_followers(running)
        await bob.ok("follow", brand="northwind")
        await bob.ok("follow_set", brand="northwind", muted=True)
        assert (await publish(shop))["reached"] == 1  # sam only
        assert (await publish(shop))["reached"] == 0  # sam had one today
        await publish(shop)
        refused = await shop.staff.refused(
            "rate_limited", "post_publish", brand="northwind", text="more", key=new_key()
        )
        assert refused["retry_after"] > 0
        clock.advance(DAY + 1)
        assert (await publish(shop))["reached"] == 1
        follows = (await bob.ok("follows"))["follows"]
        assert follows[0]["muted"] is True and follows[0]["brand"]["handle"] == "northwind"
        await sam.ok("unfollow", brand="northwind")
        clock.advance(DAY + 1)
        assert (await publish(shop))["reached"] == 0
    finally:
        await running.stop()


async def test_an_offer_is_used_once_per_customer_under_concurrency_and_expires(
    tmp_path: Path,
) -> None:
    """100 concurrent checkouts by one customer on four terminals: exactly one gets the
    offer; after the expiry nobody does; a cancelled order gives the use back."""
    clock = ManualClock()
    running = RunningRelay(tmp_path / "offers.db", clock=clock)
    await running.start()
    try:
        shop = await open_shop(running)
        await shop.save(simple("SOCKS", "Wool socks", 1_000, 500))
        sam = await shop.customer("sam", money=200_000)
        await sam.ok("follow", brand="northwind")
        await shop.staff.ok(
            "post_publish",
            brand="northwind",
            text="Socks day",
            offer={"kind": "fixed", "value": 300, "days": 1},
            key=new_key(),
        )
        await sam.ok("address_set", address=ADDRESS)
        terminals = [sam] + [Person(await sam_again(running)) for _ in range(3)]
        orders = await asyncio.gather(
            *(
                terminal.ok("checkout", brand="northwind", items=[{"sku": "SOCKS"}], key=new_key())
                for terminal in terminals
                for _ in range(25)
            )
        )
        discounts = sorted(o["order"]["discount"] for o in orders)
        assert discounts == [0] * 99 + [300]
        discounted = next(o for o in orders if o["order"]["discount"] == 300)
        await sam.ok("order_cancel", order_id=discounted["order"]["id"], reason="oops")
        again = await sam.ok("checkout", brand="northwind", items=[{"sku": "SOCKS"}], key=new_key())
        assert again["order"]["discount"] == 300
        await sam.ok("order_cancel", order_id=again["order"]["id"], reason="oops")
        clock.advance(DAY)  # exactly at the expiry: gone
        late = await sam.ok("checkout", brand="northwind", items=[{"sku": "SOCKS"}], key=new_key())
        assert late["order"]["discount"] == 0
        await assert_books(running)
    finally:
        await running.stop()


async def test_an_invoice_is_paid_once_from_two_terminals_and_not_after_it_expires(
    tmp_path: Path,
) -> None:
    """A cab company bills sam; two terminals pay at once: one pays, the other is gone; a
    retry with the first key answers the payment again; an expired invoice cannot be paid
    and its card says so."""
    clock = ManualClock()
    running = RunningRelay(tmp_path / "invoices.db", clock=clock, lucky_sweep_seconds=0.05)
    await running.start()
    try:
        shop = await open_shop(running, handle="citycabs", staff="driver")
        sam = await shop.customer("sam", money=10_000)
        other = Person(await sam_again(running))
        sent = await shop.staff.ok(
            "invoice_send",
            brand="citycabs",
            customer="sam",
            reference="RIDE-1",
            lines=[{"label": "Ride to Vieux Lyon", "amount": 1_450}],
            currency="EUR",
        )
        card = sent["message"]["card"]
        assert card["kind"] == "invoice" and card["total"] == 1_450 and card["status"] == "open"
        again = await shop.staff.ok(
            "invoice_send",
            brand="citycabs",
            customer="sam",
            reference="RIDE-1",
            lines=[{"label": "Ride to Vieux Lyon", "amount": 1_450}],
            currency="EUR",
        )
        assert again["replayed"] is True and again["message"]["id"] == sent["message"]["id"]
        keys = [new_key(), new_key()]
        replies = await asyncio.gather(
            sam.call("invoice_pay", invoice_id=card["invoice_id"], key=keys[0]),
            other.call("invoice_pay", invoice_id=card["invoice_id"], key=keys[1]),
        )
        assert sorted(r["type"] for r in replies) == ["error", "result"]
        assert next(r for r in replies if r["type"] == "error")["code"] == "gone"
        assert await sam.balance() == 10_000 - 1_450
        paid_key = keys[0] if replies[0]["type"] == "result" else keys[1]
        retried = await sam.ok("invoice_pay", invoice_id=card["invoice_id"], key=paid_key)
        assert retried["replayed"] is True and retried["message"]["card"]["status"] == "paid"
        await shop.brand.refused("not_found", "invoice_pay", invoice_id=card["invoice_id"], key="k")
        late = await shop.staff.ok(
            "invoice_send",
            brand="citycabs",
            customer="sam",
            reference="RIDE-2",
            lines=[{"label": "Ride back", "amount": 900}],
            currency="EUR",
            expires_in_hours=1,
        )
        clock.advance(3601)
        expired = await sam.wait_event(
            lambda e: e["type"] == "card" and e["message"]["card"].get("status") == "expired"
        )
        assert expired["message"]["id"] == late["message"]["id"]
        await sam.refused(
            "gone", "invoice_pay", invoice_id=late["message"]["card"]["invoice_id"], key=new_key()
        )
        await assert_books(running)
    finally:
        await running.stop()


async def sam_again(relay: RunningRelay) -> Any:
    """sam's second terminal."""
    from conftest import raw_connect

    client = await raw_connect(relay.url)
    data = await client.ok("login", handle="sam", password="pw-secret")
    client.token, client.user, client.cursor = data["token"], data["user"], data["cursor"]
    return client
