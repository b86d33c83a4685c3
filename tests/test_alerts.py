"""Personal price and stock alerts against a real relay: a watch fires once on the change
that meets it (a cancellation's restock, an import's price drop, a new 30-day low), in the
brand's thread with the watcher alone, never for someone who unfollowed or muted the brand,
and once however many changes race."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from chatshop.protocol.cards import AlertCard
from chatshop_server.rules.alerts import Shelf, WatchRule, fires, holds, lowest, offer_price
from conftest import ManualClock, RunningRelay, make_user, new_key
from payments_support import Person
from shop_support import Shop, coat, open_shop
from waiting import until
from webhook_support import Receiver

DAY = 24 * 3600.0


@pytest.fixture
async def timed(tmp_path: Path) -> AsyncIterator[RunningRelay]:
    """A relay on a clock the test moves, whose webhooks may target loopback."""
    running = RunningRelay(
        tmp_path / "alerts.db", clock=ManualClock(), webhook_private_targets=True
    )
    await running.start()
    yield running
    await running.stop()


def is_alert(alert: str | None = None) -> Any:
    """A predicate: a message event carrying an alert card (of kind ``alert``)."""

    def match(event: dict[str, Any]) -> bool:
        card = event.get("message", {}).get("card") or {} if event["type"] == "message" else {}
        return card.get("kind") == "alert" and alert in (None, card.get("alert"))

    return match


async def alerts_of(person: Person, shop: Shop) -> list[dict[str, Any]]:
    """The alert cards in the person's thread with the brand, oldest first (from history)."""
    thread = await shop.thread_with(person)
    page = await person.ok("history", thread_id=thread, limit=200)
    return [m["card"] for m in page["messages"] if (m.get("card") or {}).get("kind") == "alert"]


async def sell(shop: Shop, buyer: Person, sku: str) -> dict[str, Any]:
    """``buyer`` buys one ``sku``; the order."""
    order: dict[str, Any] = (await shop.order_from(buyer, items=[{"sku": sku}]))["order"]
    return order


async def test_back_in_stock_after_a_cancellation_restocks(relay: RunningRelay) -> None:
    """alice buys the last 44L; sam watches it; alice cancels: sam's brand thread gets one
    alert with the product card, and its message adds the coat to his cart."""
    shop = await open_shop(relay)
    await shop.save(coat())
    alice = await shop.customer("alice", money=100_000)
    order = await sell(shop, alice, "COAT-44L")
    sam = await shop.customer("sam", money=100_000)
    watch = await sam.ok("watch", brand="northwind", sku="COAT-44L", alert="back_in_stock")
    assert watch["active"] and not watch["met"] and watch["sku"] == "COAT-44L"
    await alice.ok("order_cancel", order_id=order["id"])
    event = await sam.wait_event(is_alert("back_in_stock"))
    card = event["message"]["card"]
    assert (card["watch_id"], card["sku"], card["stock"]) == (watch["watch_id"], "COAT-44L", 1)
    assert card["product"]["kind"] == "product" and card["product"]["title"] == "Harbor sport coat"
    assert card["price"] == 19900 and card["lowest_30d"] == 19900
    assert "Back in stock: Harbor sport coat (44L)" in event["message"]["text"]
    assert event["message"]["sender_id"] == shop.brand.id
    cart = await sam.ok("cart_add", message_id=event["message"]["id"], sku="COAT-44L")
    assert [line["sku"] for line in cart["lines"]] == ["COAT-44L"]
    assert len(await alerts_of(sam, shop)) == 1
    listed = await sam.ok("watches")
    assert listed["watches"][0]["met"] and listed["watches"][0]["fired_at"] is not None


async def test_a_price_drop_through_an_import_and_the_library(relay: RunningRelay) -> None:
    """sam (through the client library) asks for the coat under EUR 150; an import at
    149.00 alerts him; a further drop does not (it was already under); a rise and a new
    drop under the line alert him again."""
    shop = await open_shop(relay)
    await shop.save(coat())
    await shop.customer("sam")
    client = await make_user(relay.url, "samlib")
    try:
        watch = await client.alerts.watch(
            "price_below", brand="@northwind", sku="COAT", below=15000
        )
        assert watch.alert == "price_below" and watch.below == 15000 and not watch.met
        for price in (14900, 14500, 16000, 13900):
            report = await shop.staff.ok(
                "catalog_import",
                brand="northwind",
                key=new_key(),
                products=[coat(price=price, compare_at=None)],
            )
            assert report["imported"], report
        thread = (await client.open_direct("northwind")).id
        page = await client.history(thread)
        cards = [m.card for m in page.messages if isinstance(m.card, AlertCard)]
        assert [(c.price, c.previous_price, c.below) for c in cards] == [
            (14900, 19900, 15000),
            (13900, 16000, 15000),
        ]
        assert cards[-1].lowest_30d == 13900 and cards[-1].product.lowest_30d == 13900
        watches = await client.alerts.watches()
        assert [w.watch_id for w in watches] == [watch.watch_id] and watches[0].met
    finally:
        await client.close()


async def test_lowest_in_30_days_is_a_fact_of_the_price_history(timed: RunningRelay) -> None:
    """A drop that is not under the month's low stays quiet and the product shows that low;
    once the low is more than 30 days old, the next drop is the lowest and alerts."""
    shop = await open_shop(timed)
    product = await shop.save(coat(price=15000))
    clock = timed.options["clock"]
    assert isinstance(clock, ManualClock)
    clock.advance(DAY)
    await shop.save(coat(price=19900))
    sam = await shop.customer("sam")
    await sam.ok("watch", product_id=product["id"], alert="lowest_30d")
    clock.advance(DAY)
    await shop.save(coat(price=17900))
    shown = await sam.ok("product", product_id=product["id"])
    assert shown["product"]["lowest_30d"] == 15000 and shown["product"]["price"] == 17900
    assert await alerts_of(sam, shop) == []
    clock.advance(30 * DAY)  # 15000 is out of the window; 17900 has held since
    assert (await sam.ok("product", product_id=product["id"]))["product"]["lowest_30d"] == 17900
    await shop.save(coat(price=16900))
    event = await sam.wait_event(is_alert("lowest_30d"))
    card = event["message"]["card"]
    assert (card["price"], card["previous_price"], card["lowest_30d"]) == (16900, 17900, 16900)
    assert "lowest price in 30 days" in event["message"]["text"]


async def test_no_alert_after_unfollowing_or_muting_and_none_for_others(
    relay: RunningRelay,
) -> None:
    """Four people watch the sold-out 42R: sam unfollowed, bob muted the brand, carol and dan
    did neither; only dan did not watch. The restock alerts carol alone, in her thread."""
    shop = await open_shop(relay)
    product = await shop.save(coat())
    sam, bob, carol, dan = [await shop.customer(h) for h in ("sam", "bob", "carol", "dan")]
    for person in (sam, bob, carol, dan):
        await person.ok("follow", brand="northwind")
    for person in (sam, bob, carol):
        await person.ok("watch", product_id=product["id"], sku="COAT-42R", alert="back_in_stock")
    await sam.ok("unfollow", brand="northwind")
    await bob.ok("follow_set", brand="northwind", muted=True)
    paused = (await sam.ok("watches"))["watches"][0]
    assert not paused["active"]
    await shop.save(coat({**{"40R": 6, "42L": 3, "44L": 1}, "42R": 5}))
    await carol.wait_event(is_alert("back_in_stock"))  # committed with anyone else's
    assert len(await alerts_of(carol, shop)) == 1
    for person in (sam, bob, dan):
        assert await alerts_of(person, shop) == []
        assert not any(is_alert()(e) for e in person.events)
    # Following again resumes sam's watch: sold out, then restocked, it fires for him.
    await sam.ok("follow", brand="northwind")
    assert (await sam.ok("watches"))["watches"][0]["active"]
    await shop.save(coat({"40R": 6, "42R": 0, "42L": 3, "44L": 1}))
    await shop.save(coat())
    await shop.save(coat({"40R": 6, "42R": 2, "42L": 3, "44L": 1}))
    await sam.wait_event(is_alert("back_in_stock"))
    assert len(await alerts_of(sam, shop)) == 1 and len(await alerts_of(carol, shop)) == 2


async def test_fifty_concurrent_restocks_and_price_edits_alert_once(relay: RunningRelay) -> None:
    """alice cancels 50 orders of the sold-out 44L at once and staff save 50 prices under
    sam's line at once: each of sam's watches fires exactly once."""
    shop = await open_shop(relay)
    sizes = {"40R": 6, "42R": 0, "42L": 3, "44L": 50}
    await shop.save(coat(sizes))
    alice = await shop.customer("alice", money=1_000_000)
    await alice.topup(100_000)  # 50 coats and their shipping
    orders = [await sell(shop, alice, "COAT-44L") for _ in range(50)]
    sam = await shop.customer("sam")
    await sam.ok("watch", brand="northwind", sku="COAT-44L", alert="back_in_stock")
    await sam.ok("watch", brand="northwind", sku="COAT", alert="price_below", below=18000)
    cancelled = await asyncio.gather(
        *(alice.call("order_cancel", order_id=o["id"]) for o in orders)
    )
    assert all(reply["type"] == "result" for reply in cancelled)
    saved = await asyncio.gather(
        *(
            shop.staff.call("product_save", brand="northwind", product=coat(sizes, price=17000 + n))
            for n in range(50)
        )
    )
    assert all(reply["type"] == "result" for reply in saved)
    cards = await alerts_of(sam, shop)
    assert sorted(c["alert"] for c in cards) == ["back_in_stock", "price_below"], cards
    stock = (await sam.ok("product", brand="northwind", sku="COAT"))["product"]["variants"]
    assert next(v["stock"] for v in stock if v["sku"] == "COAT-44L") == 50


async def test_remove_a_watch_and_the_brand_hears_of_sign_ups(timed: RunningRelay) -> None:
    """A watch is an ``alert`` webhook event for the brand; once removed it is gone from the
    list and fires no more; nobody removes someone else's watch."""
    receiver = Receiver()
    receiver.start()
    try:
        shop = await open_shop(timed)
        product = await shop.save(coat())
        await shop.staff.ok("webhook_add", brand="northwind", url=receiver.url, kinds=["alert"])
        sam, carol = await shop.customer("sam"), await shop.customer("carol")
        mine = await sam.ok(
            "watch", product_id=product["id"], alert="back_in_stock", sku="COAT-42R"
        )
        again = await sam.ok(
            "watch", product_id=product["id"], alert="back_in_stock", sku="COAT-42R"
        )
        assert again["watch_id"] == mine["watch_id"]
        await carol.ok("watch", product_id=product["id"], alert="back_in_stock", sku="COAT-42R")
        await until(lambda: len(receiver.of_kind("alert")) == 2)
        notice = receiver.of_kind("alert")[0].payload["data"]
        assert notice["user"]["handle"] == "sam" and notice["kind"] == "back_in_stock"
        assert notice["sku"] == "COAT-42R" and notice["product_id"] == product["id"]
        await carol.refused("not_found", "unwatch", watch_id=mine["watch_id"])
        await sam.ok("unwatch", watch_id=mine["watch_id"])
        assert (await sam.ok("watches"))["watches"] == []
        await sam.refused("not_found", "unwatch", watch_id=mine["watch_id"])
        await shop.save(coat({"40R": 6, "42R": 4, "42L": 3, "44L": 1}))
        await carol.wait_event(is_alert("back_in_stock"))
        assert await alerts_of(sam, shop) == []
        await sam.refused("bad_request", "watch", product_id=product["id"], alert="price_below")
        await shop.brand.refused("forbidden", "watch", product_id=product["id"], alert="lowest_30d")
    finally:
        receiver.stop()


async def test_an_offer_that_brings_the_price_under_the_line_alerts_its_holder(
    relay: RunningRelay,
) -> None:
    """sam is given 10 % off the coat: with it the coat is under his line, so he gets an
    alert carrying the offer; bob, who watches the same but got no offer, gets none until a
    promoted post gives its followers 15 % off."""
    shop = await open_shop(relay)
    await shop.save(coat())
    sam, bob = await shop.customer("sam"), await shop.customer("bob")
    for person in (sam, bob):
        await person.ok("watch", brand="northwind", sku="COAT", alert="price_below", below=18000)
    offer = {"kind": "percent", "value": 10, "product_sku": "COAT"}
    await shop.staff.ok("offer_send", brand="northwind", customer="sam", offer=offer, key=new_key())
    event = await sam.wait_event(is_alert("price_below"))
    card = event["message"]["card"]
    assert (card["price"], card["previous_price"], card["below"]) == (17910, 19900, 18000)
    assert card["offer"]["kind"] == "percent" and card["offer"]["value"] == 10
    assert await alerts_of(bob, shop) == []
    await bob.ok("follow", brand="northwind")
    post = {"kind": "percent", "value": 15, "product_sku": "COAT"}
    await shop.staff.ok(
        "post_publish", brand="northwind", text="Winter sale", sku="COAT", offer=post, key=new_key()
    )
    cards = await alerts_of(bob, shop)
    assert [(c["price"], c["offer"]["value"]) for c in cards] == [(16915, 15)]
    assert len(await alerts_of(sam, shop)) == 1


def test_the_rules_fire_on_the_change_that_makes_them_true() -> None:
    """Without a database: each kind fires on the change into its condition, never on one
    that finds it already true, and never for a product off sale."""
    empty, some = Shelf(19900, 0, True), Shelf(19900, 2, True)
    back = WatchRule("back_in_stock")
    assert fires(back, empty, some, 19900) and not fires(back, some, Shelf(19900, 5, True), 19900)
    assert not fires(back, empty, Shelf(19900, 2, False), 19900)
    assert fires(back, Shelf(19900, 3, False), Shelf(19900, 3, True), 19900)  # back on sale
    under = WatchRule("price_below", below=15000)
    assert fires(under, some, Shelf(15000, 2, True), 19900)
    assert not fires(under, Shelf(14000, 2, True), Shelf(13000, 2, True), 14000)
    low = WatchRule("lowest_30d")
    assert fires(low, some, Shelf(17900, 2, True), 19900)
    assert not fires(low, some, Shelf(17900, 2, True), 15000)
    assert not fires(low, Shelf(17900, 2, True), Shelf(17900, 9, True), 17900)
    assert holds(under, Shelf(14000, 0, True), 14000) and not holds(back, empty, 19900)
    assert lowest(17900, [19900], 15000) == 15000 and lowest(17900, [], None) == 17900
    assert offer_price(19900, "percent", 10) == 17910 and offer_price(900, "fixed", 1000) == 0
