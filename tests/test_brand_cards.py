"""What a brand posts for a customer to act on: quick replies and their picks, checkout
cards, offers of their own, and the hotline of an order (a problem, a receipt)."""

from __future__ import annotations

from typing import Any

from conftest import RunningRelay, new_key, send_text
from payments_support import Person, assert_books
from shop_support import ADDRESS, Shop, coat, open_shop


async def brand_thread(relay: RunningRelay) -> tuple[Shop, Person, int]:
    shop = await open_shop(relay)
    await shop.save(coat())
    sam = await shop.customer("sam", money=100_000)
    await sam.ok("address_set", address=ADDRESS)
    return shop, sam, await shop.thread_with(sam)


def replies(product_id: int) -> list[dict[str, Any]]:
    def reply(label: str, text: str, action: str) -> dict[str, Any]:
        return {
            "label": label,
            "text": text,
            "action": action,
            "product_id": product_id,
            "sku": "COAT-42L",
        }

    return [
        reply("Buy now", "Buy now", "buy_now"),
        reply("Add to cart", "Add it", "add_to_cart"),
        {"label": "A person", "text": "A person please", "action": "handover"},
    ]


async def offer(shop: Shop, thread: int, product_id: int) -> dict[str, Any]:
    message: dict[str, Any] = await shop.brand.ok(
        "send",
        thread_id=thread,
        text="Yes, 3 left. Buy now?",
        key=new_key(),
        replies=replies(product_id),
    )
    return message


async def test_quick_replies_come_from_the_brand_and_picks_are_checked(relay: RunningRelay) -> None:
    shop, sam, thread = await brand_thread(relay)
    product = (await sam.ok("product", brand="northwind", sku="COAT"))["product"]
    offered = await offer(shop, thread, product["id"])
    assert (
        offered["card"]["kind"] == "quick_replies"
        and offered["card"]["product_id"] == product["id"]
    )
    await sam.refused(
        "bad_request",
        "send",
        thread_id=thread,
        text="x",
        key=new_key(),
        replies=replies(product["id"]),
    )
    alice = await shop.customer("alice")
    direct = (await sam.ok("dm_open", handle="alice"))["id"]
    await sam.refused(
        "bad_request", "send", thread_id=direct, text="x", key=new_key(), replies=replies(1)
    )
    await shop.brand.refused(
        "not_found", "send", thread_id=thread, text="x", key=new_key(), replies=replies(9999)
    )
    pick: dict[str, Any] = {"thread_id": thread, "text": "", "key": new_key()}
    await sam.refused("bad_request", "send", **pick, pick=0)  # no reply_to
    await sam.refused("bad_request", "send", **pick, reply_to=offered["id"], pick=3)
    first = await send_text(sam.client, thread, "hello")
    await sam.refused("bad_request", "send", **pick, reply_to=first["id"], pick=0)
    await shop.brand.refused("bad_request", "send", **pick, reply_to=offered["id"], pick=0)
    await alice.refused("not_found", "send", **pick, reply_to=offered["id"], pick=0)
    picked = await sam.ok("send", **pick, reply_to=offered["id"], pick=1)
    assert picked["text"] == "Add it" and picked["reply_to"] == offered["id"]
    assert picked["card"] == {
        "kind": "pick", "message_id": offered["id"], "index": 1, "label": "Add to cart",
        "action": "add_to_cart", "product_id": product["id"], "sku": "COAT-42L",
    }  # fmt: skip
    again = await sam.ok("send", **pick, reply_to=offered["id"], pick=1)
    assert again["id"] == picked["id"]  # the same key: stored once, and added to the cart once
    cart = await sam.ok("cart", brand="northwind")
    assert [(line["sku"], line["quantity"]) for line in cart["lines"]] == [("COAT-42L", 1)]
    handed = await sam.ok(
        "send", thread_id=thread, text="", key=new_key(), reply_to=offered["id"], pick=2
    )
    assert handed["text"] == "A person please"
    assert (await sam.ok("handover", thread_id=thread))["mode"] == "staff"


async def test_a_bot_is_refused_in_a_thread_a_person_took_over(relay: RunningRelay) -> None:
    shop, _sam, thread = await brand_thread(relay)
    created = await shop.staff.ok(
        "bot_token_create", brand="northwind", name="assistant", scopes=["read", "answer"]
    )
    from conftest import raw_connect

    client = await raw_connect(relay.url)
    await client.ok("auth", token=created["token"])
    bot = Person(client)
    assert (await bot.call("send", thread_id=thread, text="Hi!", key=new_key()))["type"] == "result"
    await shop.staff.ok("thread_take", thread_id=thread)
    refused = await bot.refused(
        "conflict", "send", thread_id=thread, text="Me again", key=new_key()
    )
    assert "a person answers" in refused["message"]
    await shop.brand.ok("send", thread_id=thread, text="(the brand itself may)", key=new_key())


async def test_a_checkout_card_is_priced_for_the_customer_and_paid_once(
    relay: RunningRelay,
) -> None:
    """Staff post it; the customer's offer and saved address are on it; the customer pays it
    with one request (items and total from the card); it is then paid, with the order; a
    second payment is gone; nobody else can pay it or post one in a thread not theirs."""
    shop, sam, thread = await brand_thread(relay)
    await sam.ok("follow", brand="northwind")
    await shop.staff.ok(
        "post_publish",
        brand="northwind",
        text="Coat week",
        offer={"kind": "percent", "value": 10, "days": 3},
        key=new_key(),
    )
    card_message = await shop.staff.ok(
        "checkout_card_send",
        thread_id=thread,
        items=[{"sku": "COAT-42L", "quantity": 2}],
        shipping="express",
        text="Two coats, as asked.",
        key=new_key(),
    )
    card = card_message["card"]
    assert card["customer_id"] == sam.id and card["status"] == "open"
    assert card["subtotal"] == 39800 and card["discount"] == 3980 and card["shipping"] == 1200
    assert card["offer_label"] == "10 % off everything" and card["shipping_name"] == "Express"
    assert card["total"] == 39800 - 3980 + 1200
    await sam.refused(
        "forbidden",
        "checkout_card_send",
        thread_id=thread,
        items=[{"sku": "COAT-42L"}],
        key=new_key(),
    )
    other = await open_shop(relay, handle="southwind", staff="sol")
    await other.staff.refused(
        "not_found",
        "checkout_card_send",
        thread_id=thread,
        items=[{"sku": "COAT-42L"}],
        key=new_key(),
    )
    alice = await shop.customer("alice", money=100_000)
    await alice.refused(
        "not_found",
        "checkout",
        brand="northwind",
        card_message_id=card_message["id"],
        key=new_key(),
    )
    paid = await sam.ok(
        "checkout", brand="northwind", card_message_id=card_message["id"], key=new_key()
    )
    assert paid["order"]["total"] == card["total"] and paid["order"]["shipping"] == "Express"
    assert [(line["sku"], line["quantity"]) for line in paid["order"]["lines"]] == [("COAT-42L", 2)]
    changed = await sam.wait_event(
        lambda e: e["type"] == "card" and e["message"]["id"] == card_message["id"]
    )
    assert changed["message"]["card"]["status"] == "paid"
    assert changed["message"]["card"]["order_id"] == paid["order"]["id"]
    await sam.refused(
        "gone", "checkout", brand="northwind", card_message_id=card_message["id"], key=new_key()
    )
    stale = await shop.staff.ok(
        "checkout_card_send",
        thread_id=thread,
        items=[{"sku": "COAT-42L", "quantity": 2}],
        key=new_key(),
    )
    assert stale["card"]["problems"]  # only 1 left: the card says so up front
    assert stale["card"]["discount"] == 0  # the offer was used once, its limit
    stale_pay = await sam.call(
        "checkout",
        brand="northwind",
        card_message_id=stale["id"],
        key=new_key(),
    )
    assert stale_pay["code"] == "sold_out"  # and the checkout checks again
    await assert_books(relay)


async def test_an_offer_of_its_own_is_granted_and_applied(relay: RunningRelay) -> None:
    shop, sam, thread = await brand_thread(relay)
    key = new_key()
    sent = await shop.staff.ok(
        "offer_send",
        brand="northwind",
        customer="sam",
        offer={"kind": "fixed", "value": 1500, "days": 2, "product_sku": "COAT"},
        text="Sorry for the wait: 15 EUR off the coat.",
        key=key,
    )
    card = sent["card"]
    assert card["kind"] == "offer" and card["offer"]["label"] == "EUR 15.00 off Harbor sport coat"
    assert sent["thread_id"] == thread
    again = await shop.staff.ok(
        "offer_send",
        brand="northwind",
        customer="sam",
        offer={"kind": "fixed", "value": 1500, "days": 2, "product_sku": "COAT"},
        text="Sorry for the wait: 15 EUR off the coat.",
        key=key,
    )
    assert again["id"] == sent["id"]
    await sam.refused(
        "forbidden",
        "offer_send",
        brand="northwind",
        customer="sam",
        offer={"kind": "fixed", "value": 1500},
        key=new_key(),
    )
    quote = await sam.ok("checkout_preview", brand="northwind", items=[{"sku": "COAT-40R"}])
    assert quote["discount"] == 1500 and quote["offer"]["offer_id"] == card["offer"]["offer_id"]


async def test_a_problem_with_an_order_goes_to_a_person_and_receipt_is_confirmed(
    relay: RunningRelay,
) -> None:
    shop, sam, thread = await brand_thread(relay)
    order = (await shop.order_from(sam, items=[{"sku": "COAT-42L"}]))["order"]
    await sam.refused("invalid_transition", "order_received", order_id=order["id"])
    for status in ("confirmed", "preparing"):
        await shop.staff.ok("order_advance", order_id=order["id"], status=status)
    await shop.staff.ok(
        "order_advance", order_id=order["id"], status="shipped", carrier="DHL", tracking="JD01"
    )
    await shop.staff.ok("order_advance", order_id=order["id"], status="delivered")
    received = await sam.ok("order_received", order_id=order["id"])
    assert received["received_at"] is not None
    delivered = await sam.wait_event(
        lambda e: (
            e["type"] == "card"
            and e["message"]["card"]["kind"] == "order_update"
            and e["message"]["card"]["status"] == "delivered"
        )
    )
    assert delivered["message"]["card"]["received"] is True
    alice = await shop.customer("alice")
    await alice.refused("not_found", "order_problem", order_id=order["id"])
    handover = await sam.ok("order_problem", order_id=order["id"], text="One sleeve is torn.")
    assert handover["mode"] == "staff" and handover["agent"]["handle"] == "nora"
    history = await sam.ok("history", thread_id=thread, limit=200)
    problem = next(m for m in history["messages"] if m["text"] == "One sleeve is torn.")
    assert problem["reply_to"] == order["receipt_message_id"] and problem["sender_id"] == sam.id
