"""Relay checkout and orders: all-or-nothing checkout through the ledger, idempotency, the
order lifecycle advanced by staff with its messages and events, cancellation and refunds."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from conftest import RunningRelay, db_count, db_rows, new_key
from payments_support import Person, assert_books
from shop_support import ADDRESS, Shop, card_message, coat, of_type, open_shop, simple


@pytest.fixture
async def relay(relay: RunningRelay) -> AsyncIterator[RunningRelay]:
    """The shared relay, with its books checked once the test is done."""
    yield relay
    await assert_books(relay)


@pytest.fixture
async def shop(relay: RunningRelay) -> Shop:
    return await open_shop(relay)


def stock_of(shop: Shop, sku: str) -> int:
    [(stock,)] = db_rows(shop.relay.db_path, "SELECT stock FROM variants WHERE sku = ?", sku)
    return int(stock)


def order_event(number: str, status: str) -> Any:
    return lambda e: (
        e["type"] == "order" and e["order"]["number"] == number and e["order"]["status"] == status
    )


async def test_checkout_from_a_shared_card(shop: Shop) -> None:
    """Card, #cart, promo, preview, checkout: the first checkout asks for an address; then
    stock goes down, the wallet pays the brand, the cart empties, a receipt with a unique
    order number is posted in the brand thread, and customer and staff hear of the order."""
    await shop.save(coat())
    await shop.staff.ok("promo_save", brand="northwind", code="WELCOME20", kind="percent",
                        value=20)  # fmt: skip
    sam = await shop.customer("sam", money=50_000)
    thread = await shop.thread_with(sam)
    card = await shop.brand.ok(
        "product_share", thread_id=thread, brand="northwind", sku="COAT", key=new_key()
    )
    await sam.ok("cart_add", message_id=card["id"], sku="COAT-42L")
    await sam.call("cart_promo", brand="northwind", code="WELCOME20")
    quote = await sam.ok("checkout_preview", brand="northwind", shipping="standard")
    assert (quote["subtotal"], quote["discount"], quote["shipping_cost"]) == (19900, 3980, 490)
    assert quote["total"] == 16410 and quote["balance"] == 50_000
    assert [o["code"] for o in quote["shipping_options"]] == ["standard", "express"]
    assert quote["can_pay"] is False and quote["problems"] == ["a shipping address is needed"]
    await sam.refused("address_required", "checkout", brand="northwind", key=new_key())
    await sam.refused(
        "price_changed",
        "checkout",
        brand="northwind",
        key=new_key(),
        address=ADDRESS,
        expected_total=16000,
    )
    assert stock_of(shop, "COAT-42L") == 3
    done = await sam.ok(
        "checkout",
        brand="northwind",
        key=new_key(),
        shipping="standard",
        expected_total=16410,
        address={**ADDRESS, "country": "fr"},
    )
    order = done["order"]
    assert order["number"] == f"NOR-{order['id']:06d}" and order["status"] == "placed"
    assert order["total"] == 16410 and order["promo_code"] == "WELCOME20"
    assert order["address"]["country"] == "FR" and order["thread_id"] == thread
    assert [(x["sku"], x["quantity"], x["unit_price"]) for x in order["lines"]] == [
        ("COAT-42L", 1, 19900)
    ]
    assert done["balance"] == {"currency": "EUR", "amount": 50_000 - 16410}
    receipt = done["message"]
    assert receipt["sender_id"] == shop.brand.id and receipt["thread_id"] == thread
    assert receipt["card"]["kind"] == "receipt" and receipt["card"]["number"] == order["number"]
    assert receipt["card"]["total"] == 16410 and receipt["card"]["short_id"].startswith("T-")
    assert stock_of(shop, "COAT-42L") == 2
    assert await shop.brand.held() == 16410  # in escrow until the return window has passed
    assert await shop.brand.balance() == 0
    assert (await sam.ok("cart", brand="northwind"))["lines"] == []
    assert (await sam.ok("address"))["address"]["city"] == "Lyon"
    await sam.wait_event(card_message(thread, "receipt", number=order["number"]))
    await sam.wait_event(order_event(order["number"], "placed"))
    await shop.staff.wait_event(order_event(order["number"], "placed"))
    purchase = (await sam.transfers())[0]
    assert purchase["kind"] == "purchase" and purchase["note"] == order["number"]
    again = await sam.ok(
        "checkout", brand="northwind", key=new_key(), items=[{"sku": "COAT-42L"}]
    )  # the saved address serves later checkouts; buy now leaves the cart alone
    assert again["order"]["number"] != order["number"] and again["order"]["discount"] == 0


async def test_checkout_is_idempotent(shop: Shop) -> None:
    """The same key twice places one order and charges once ("replayed"); the same key with
    another body is idempotency_mismatch."""
    await shop.save(simple("CAP", "Canvas cap", 1900, 10))
    sam = await shop.customer("sam", money=10_000)
    fields = {"brand": "northwind", "key": new_key(), "items": [{"sku": "CAP"}],
              "address": ADDRESS}  # fmt: skip
    first = await sam.ok("checkout", **fields)
    second = await sam.ok("checkout", **fields)
    assert second["replayed"] is True and first["replayed"] is False
    assert second["order"] == first["order"] and second["message"] == first["message"]
    assert db_count(shop.relay.db_path, "orders") == 1
    assert await sam.balance() == 10_000 - 1900 - 490 and stock_of(shop, "CAP") == 9
    await sam.refused(
        "idempotency_mismatch", "checkout", **{**fields, "items": [{"sku": "CAP", "quantity": 2}]}
    )


async def test_a_refused_checkout_changes_nothing(shop: Shop) -> None:
    """Short of money, or one line sold out: no stock taken (not even of the other lines),
    no promo use counted, no order, no money moved."""
    await shop.save(simple("CAP", "Canvas cap", 1900, 10))
    await shop.save(simple("TOTE", "Tote", 3500, 1))
    await shop.staff.ok("promo_save", brand="northwind", code="ONE", kind="fixed", value=100,
                        max_uses=1)  # fmt: skip
    sam = await shop.customer("sam", money=2000)
    items = [{"sku": "CAP", "quantity": 1}, {"sku": "TOTE", "quantity": 1}]
    await sam.refused(
        "insufficient_funds", "checkout", brand="northwind", key=new_key(), items=items,
        promo="ONE", address=ADDRESS,
    )  # fmt: skip
    await sam.topup(10_000)
    items[1]["quantity"] = 2
    refused = await sam.refused(
        "sold_out", "checkout", brand="northwind", key=new_key(), items=items, address=ADDRESS
    )
    assert "only 1 left of Tote" in refused["message"]
    assert stock_of(shop, "CAP") == 10 and stock_of(shop, "TOTE") == 1
    assert db_count(shop.relay.db_path, "orders") == 0
    assert await sam.balance() == 12_000 and await shop.brand.balance() == 0
    promos = (await shop.staff.ok("promos", brand="northwind"))["promos"]
    assert promos[0]["uses"] == 0
    await sam.refused("bad_request", "checkout", brand="northwind", key=new_key(), address=ADDRESS)
    await sam.refused(
        "bad_request", "checkout", brand="northwind", key=new_key(), items=[{"sku": "CAP"}],
        shipping="teleport", address=ADDRESS,
    )  # fmt: skip


async def advance(staff: Person, order_id: int, status: str, **extra: str) -> dict[str, Any]:
    data: dict[str, Any] = await staff.ok(
        "order_advance", order_id=order_id, status=status, **extra
    )
    return data


async def test_staff_advance_an_order_through_every_state(shop: Shop) -> None:
    """placed -> confirmed -> preparing -> shipped (carrier, tracking) -> delivered: each step
    posts an order update in the brand thread, moves the receipt's status and reaches the
    customer as an order event; skipping, going back and acting without rights are refused."""
    await shop.save(coat())
    sam = await shop.customer("sam", money=50_000)
    placed = (await shop.order_from(sam, items=[{"sku": "COAT-40R"}]))["order"]
    order_id, number, thread = placed["id"], placed["number"], placed["thread_id"]
    staff = shop.staff
    queue = await staff.ok("orders", role="staff", brand="northwind", status=["placed"])
    assert [o["number"] for o in queue["orders"]] == [number]
    await sam.refused("forbidden", "orders", role="staff", brand="northwind")
    await sam.refused("forbidden", "order_advance", order_id=order_id, status="confirmed")
    bob = await shop.customer("bob")
    await bob.refused("not_found", "order", order_id=order_id)
    await bob.refused("not_found", "order_advance", order_id=order_id, status="confirmed")
    await staff.refused("invalid_transition", "order_advance", order_id=order_id, status="shipped")
    await advance(staff, order_id, "confirmed")
    await advance(staff, order_id, "preparing", note="packing now")
    await staff.refused("bad_request", "order_advance", order_id=order_id, status="shipped")
    shipped = await advance(
        staff, order_id, "shipped", carrier="Colissimo", tracking="6A12345678901"
    )
    assert (shipped["carrier"], shipped["tracking"]) == ("Colissimo", "6A12345678901")
    refused = await sam.refused("invalid_transition", "order_cancel", order_id=order_id)
    assert "shipped" in refused["message"]
    delivered = await advance(staff, order_id, "delivered")
    assert [s["status"] for s in delivered["steps"]] == [
        "placed", "confirmed", "preparing", "shipped", "delivered"
    ]  # fmt: skip
    assert delivered["steps"][2]["note"] == "packing now"
    assert delivered["steps"][3]["tracking"] == "6A12345678901"
    for status in ("confirmed", "delivered", "placed"):
        refused = await staff.refused(
            "invalid_transition", "order_advance", order_id=order_id, status=status
        )
    assert "is delivered" in refused["message"]
    for status in ("confirmed", "preparing", "shipped", "delivered"):
        await sam.wait_event(order_event(number, status))
        await sam.wait_event(card_message(thread, "order_update", number=number, status=status))
    await sam.wait_event(
        lambda e: e["type"] == "card" and e["message"]["card"].get("status") == "delivered"
    )
    history = (await sam.ok("history", thread_id=thread))["messages"]
    updates = [
        m["card"]["status"] for m in history if m["card"] and m["card"]["kind"] == "order_update"
    ]
    assert updates == ["confirmed", "preparing", "shipped", "delivered"]
    assert [m["card"]["status"] for m in history if m["card"]["kind"] == "receipt"] == ["delivered"]
    mine = await sam.ok("orders")
    assert [o["status"] for o in mine["orders"]] == ["delivered"]
    assert (await sam.ok("order", order_id=order_id))["status"] == "delivered"


async def test_cancellation_refunds_and_restocks(shop: Shop) -> None:
    """A customer cancels before shipping: the money comes back through the ledger (a
    refund transfer), the stock returns, the promo use is released; cancelling again or
    cancelling someone else's order is refused."""
    await shop.save(coat())
    await shop.staff.ok("promo_save", brand="northwind", code="ONCE", kind="percent", value=10,
                        max_uses_per_customer=1)  # fmt: skip
    sam = await shop.customer("sam", money=50_000)
    done = await shop.order_from(sam, items=[{"sku": "COAT-42L", "quantity": 2}], promo="ONCE")
    order = done["order"]
    assert stock_of(shop, "COAT-42L") == 1 and await sam.balance() == 50_000 - order["total"]
    await advance(shop.staff, order["id"], "confirmed")
    await advance(shop.staff, order["id"], "preparing")
    bob = await shop.customer("bob")
    await bob.refused("not_found", "order_cancel", order_id=order["id"])
    await shop.staff.refused("forbidden", "order_cancel", order_id=order["id"])
    cancelled = await sam.ok("order_cancel", order_id=order["id"], reason="wrong size")
    assert cancelled["status"] == "cancelled" and cancelled["steps"][-1]["note"] == "wrong size"
    assert stock_of(shop, "COAT-42L") == 3
    assert await sam.balance() == 50_000 and await shop.brand.balance() == 0
    refund = (await sam.transfers())[0]
    assert refund["kind"] == "refund" and refund["direction"] == "in"
    assert refund["amount"] == order["total"]
    await sam.wait_event(order_event(order["number"], "cancelled"))
    await sam.wait_event(lambda e: e["type"] == "wallet" and e["transfer"]["kind"] == "refund")
    await sam.refused("invalid_transition", "order_cancel", order_id=order["id"])
    await shop.staff.refused("invalid_transition", "order_refund", order_id=order["id"])
    again = await shop.order_from(sam, items=[{"sku": "COAT-40R"}], promo="ONCE")
    assert again["order"]["promo_code"] == "ONCE"


async def test_the_brand_refunds(shop: Shop) -> None:
    """The brand refunds an order in full at any step; the stock returns only if it had not
    shipped; the customer cannot refund."""
    await shop.save(simple("CAP", "Canvas cap", 1900, 10))
    sam = await shop.customer("sam", money=20_000)
    early = (await shop.order_from(sam, items=[{"sku": "CAP", "quantity": 2}]))["order"]
    late = (await shop.order_from(sam, items=[{"sku": "CAP", "quantity": 3}]))["order"]
    assert stock_of(shop, "CAP") == 5
    await sam.refused("forbidden", "order_refund", order_id=early["id"])
    refunded = await shop.staff.ok("order_refund", order_id=early["id"], reason="out of caps")
    assert refunded["status"] == "refunded" and stock_of(shop, "CAP") == 7
    await advance(shop.staff, late["id"], "confirmed")
    await advance(shop.staff, late["id"], "preparing")
    await advance(shop.staff, late["id"], "shipped", carrier="DHL", tracking="JD0001")
    await shop.brand.ok("order_refund", order_id=late["id"], reason="lost in transit")
    assert stock_of(shop, "CAP") == 7
    assert await sam.balance() == 20_000 and await shop.brand.balance() == 0
    await shop.staff.wait_event(order_event(late["number"], "refunded"))


async def test_orders_are_private(shop: Shop) -> None:
    """Customers list their own orders only; staff of another brand see none of these."""
    await shop.save(simple("CAP", "Canvas cap", 1900, 10))
    sam = await shop.customer("sam", money=20_000)
    bob = await shop.customer("bob", money=20_000)
    await shop.order_from(sam, items=[{"sku": "CAP"}])
    await shop.order_from(bob, items=[{"sku": "CAP"}])
    assert len((await sam.ok("orders"))["orders"]) == 1
    assert len((await sam.ok("orders", brand="northwind"))["orders"]) == 1
    other = await open_shop(shop.relay, handle="southwind", staff="olaf")
    await other.staff.refused("forbidden", "orders", role="staff", brand="northwind")
    queue = await shop.staff.ok("orders", role="staff", brand="northwind", limit=1)
    assert len(queue["orders"]) == 1 and queue["more"] is True
    older = await shop.staff.ok(
        "orders", role="staff", brand="northwind", before=queue["orders"][0]["id"]
    )
    assert [o["customer"]["handle"] for o in older["orders"]] == ["sam"]
    await shop.staff.refused("bad_request", "orders", role="staff")
    brand_events = [e for e in shop.brand.events if e["type"] == "order"]
    assert brand_events or await shop.brand.wait_event(of_type("order"))
