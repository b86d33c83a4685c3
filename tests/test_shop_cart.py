"""Relay carts: #cart replies to product cards, one server-side cart per person per brand,
stock and price changes since adding, and promo codes with their limits."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from conftest import RunningRelay, new_key, resume
from payments_support import Person, assert_books
from shop_support import ADDRESS, Shop, coat, of_type, open_shop, simple
from shop_support import refused as reject


@pytest.fixture
async def relay(relay: RunningRelay) -> AsyncIterator[RunningRelay]:
    """The shared relay, with its books checked once the test is done."""
    yield relay
    await assert_books(relay)


@pytest.fixture
async def shop(relay: RunningRelay) -> Shop:
    return await open_shop(relay)


async def test_hash_cart_reply_adds_the_card_product_to_the_cart(shop: Shop) -> None:
    """Bob replies #cart (cart_add with the message id) to a scarf card alice forwarded into
    a group: the scarf is in his northwind cart; a product with several variants needs one
    named (variant_required), and a message without a product card is refused."""
    scarf = await shop.save(
        simple(
            "SCARF",
            "Merino scarf",
            3900,
            0,
            variants=[{"sku": "SCARF-GRY", "label": "grey", "stock": 4}],
        )
    )
    jacket = await shop.save(coat())
    alice, bob = await shop.customer("alice"), await shop.customer("bob")
    group = (await alice.ok("group_create", name="Pizza Friday", handles=["bob"]))["id"]
    card = await alice.ok(
        "product_share", thread_id=group, product_id=scarf["id"], text="look", key=new_key()
    )
    cart = await bob.ok("cart_add", message_id=card["id"])
    assert cart["brand"]["handle"] == "northwind"
    assert [(line["sku"], line["quantity"], line["status"]) for line in cart["lines"]] == [
        ("SCARF-GRY", 1, "ok")
    ]
    assert (cart["subtotal"], cart["total"], cart["items"]) == (3900, 3900, 1)
    coat_card = await alice.ok(
        "product_share", thread_id=group, product_id=jacket["id"], key=new_key()
    )
    refused = await bob.refused("variant_required", "cart_add", message_id=coat_card["id"])
    assert "42L (COAT-42L)" in refused["message"]
    cart = await bob.ok("cart_add", message_id=coat_card["id"], sku="COAT-42L", quantity=2)
    assert [line["sku"] for line in cart["lines"]] == ["SCARF-GRY", "COAT-42L"]
    text = await bob.ok("send", thread_id=group, text="nice", key=new_key())
    await bob.refused("bad_request", "cart_add", message_id=text["id"])
    outsider = await shop.customer("eve")
    await outsider.refused("not_found", "cart_add", message_id=card["id"])


async def test_the_cart_lives_on_the_relay(shop: Shop) -> None:
    """Another terminal of the same account gets a cart event for each change and reads the
    same cart; changing and removing lines works from either."""
    product = await shop.save(coat())
    bob = await shop.customer("bob")
    other = Person(await resume(shop.relay.url, bob.client.token, bob.client.cursor))
    cart = await bob.ok("cart_add", product_id=product["id"], sku="COAT-40R")
    event = await other.wait_event(of_type("cart"))
    assert event["cart"] == cart
    assert await other.ok("cart", brand="northwind") == cart
    variant = cart["lines"][0]["variant_id"]
    cart = await other.ok("cart_update", variant_id=variant, quantity=3)
    assert cart["lines"][0]["quantity"] == 3 and cart["subtotal"] == 3 * 19900
    await bob.wait_event(lambda e: e["type"] == "cart" and e["cart"]["items"] == 3)
    listed = await bob.ok("carts")
    assert [c["brand"]["handle"] for c in listed["carts"]] == ["northwind"]
    cart = await bob.ok("cart_remove", variant_id=variant)
    assert cart["lines"] == [] and cart["total"] == 0
    assert (await bob.ok("carts"))["carts"] == []
    await bob.refused("not_found", "cart_update", variant_id=variant, quantity=1)


async def test_stock_is_checked_when_adding(shop: Shop) -> None:
    """Adding more than is left is sold_out (saying how many are left); a sold-out variant
    cannot be added at all; the quantity already in the cart counts."""
    await shop.save(coat())
    sam = await shop.customer("sam")
    refused = await sam.refused("sold_out", "cart_add", brand="northwind", sku="COAT-42R")
    assert "sold out" in refused["message"]
    await sam.ok("cart_add", brand="northwind", sku="COAT-42L", quantity=2)
    refused = await sam.refused(
        "sold_out", "cart_add", brand="northwind", sku="COAT-42L", quantity=2
    )
    assert "only 3 left" in refused["message"]
    await sam.refused("not_found", "cart_add", brand="northwind", sku="NOPE")
    await sam.refused("bad_request", "cart_add", sku="COAT-42L")


async def test_the_cart_says_when_price_or_stock_changed(shop: Shop) -> None:
    """After staff change the price and the stock, the cart line shows the new price with
    price_changed, low_stock or sold_out, and unavailable once the variant is withdrawn."""
    await shop.save(coat())
    sam = await shop.customer("sam")
    await sam.ok("cart_add", brand="northwind", sku="COAT-42L", quantity=2)
    await sam.ok("cart_add", brand="northwind", sku="COAT-40R")
    await shop.save(coat({"40R": 0, "42L": 1, "44L": 1}, price=17900))
    cart = await sam.ok("cart", brand="northwind")
    lines = {line["sku"]: line for line in cart["lines"]}
    assert lines["COAT-42L"]["unit_price"] == 17900
    assert lines["COAT-42L"]["price_when_added"] == 19900
    assert lines["COAT-42L"]["price_changed"] is True
    assert (lines["COAT-42L"]["status"], lines["COAT-42L"]["available"]) == ("low_stock", 1)
    assert lines["COAT-40R"]["status"] == "sold_out"
    await shop.save(coat({"42L": 1}))
    lines = {line["sku"]: line for line in (await sam.ok("cart", brand="northwind"))["lines"]}
    assert lines["COAT-40R"]["status"] == "unavailable"
    quote = await sam.ok("checkout_preview", brand="northwind")
    assert quote["can_pay"] is False
    assert any("no longer sold" in p for p in quote["problems"])


async def test_promo_codes_and_their_limits(shop: Shop) -> None:
    """Percentage and fixed promo codes apply to the basket; unknown, expired, inactive,
    below-minimum, used-up and once-per-customer codes are promo_invalid with the reason."""
    await shop.save(simple("CAP", "Canvas cap", 2000, 50))
    staff = shop.staff
    await staff.ok("promo_save", brand="northwind", code="welcome20", kind="percent", value=20)
    await staff.ok("promo_save", brand="northwind", code="TENOFF", kind="fixed", value=1000,
                   min_basket=5000)  # fmt: skip
    await staff.ok("promo_save", brand="northwind", code="OLD", kind="percent", value=10,
                   expires_at=1)  # fmt: skip
    await staff.ok("promo_save", brand="northwind", code="OFF", kind="percent", value=10,
                   active=False)  # fmt: skip
    await staff.ok("promo_save", brand="northwind", code="ONCE", kind="percent", value=5,
                   max_uses_per_customer=1)  # fmt: skip
    await staff.ok("promo_save", brand="northwind", code="ONE", kind="percent", value=5,
                   max_uses=1)  # fmt: skip
    await reject(staff, "invalid_amount", "promo_save", brand="northwind", code="X",
                        kind="percent", value=120)  # fmt: skip
    sam = await shop.customer("sam", money=100_000)
    await reject(sam, "forbidden", "promo_save", brand="northwind", code="MINE", kind="percent",
                      value=100)  # fmt: skip
    await sam.ok("cart_add", brand="northwind", sku="CAP", quantity=2)
    cart = await sam.ok("cart_promo", brand="northwind", code="Welcome20")
    assert cart["promo"]["code"] == "WELCOME20" and cart["promo"]["valid"] is True
    assert (cart["subtotal"], cart["discount"], cart["total"]) == (4000, 800, 3200)
    for code, reason in (
        ("NOPE", "there is no promo code NOPE"),
        ("TENOFF", "needs a basket of at least EUR 50.00"),
        ("OLD", "has expired"),
        ("OFF", "is no longer valid"),
    ):
        refused = await reject(sam, "promo_invalid", "cart_promo", brand="northwind", code=code)
        assert reason in refused["message"], refused
    await sam.ok("cart_add", brand="northwind", sku="CAP")
    cart = await sam.ok("cart_promo", brand="northwind", code="TENOFF")
    assert (cart["subtotal"], cart["discount"]) == (6000, 1000)
    await sam.ok("cart_promo", brand="northwind", code="ONCE")
    order = await shop.order_from(sam)
    assert order["order"]["promo_code"] == "ONCE" and order["order"]["discount"] == 300
    await sam.ok("cart_add", brand="northwind", sku="CAP")
    refused = await reject(sam, "promo_invalid", "cart_promo", brand="northwind", code="ONCE")
    assert "already used ONCE" in refused["message"]
    bob = await shop.customer("bob", money=100_000)
    await shop.order_from(bob, items=[{"sku": "CAP"}], promo="ONE")
    refused = await sam.refused(
        "promo_invalid", "checkout", brand="northwind", key=new_key(), items=[{"sku": "CAP"}],
        promo="ONE", address=ADDRESS,
    )  # fmt: skip
    assert "used up" in refused["message"]
    promos = {p["code"]: p for p in (await staff.ok("promos", brand="northwind"))["promos"]}
    assert promos["ONE"]["uses"] == 1 and promos["ONCE"]["uses"] == 1
    await sam.ok("cart_promo", brand="northwind", code=None)
    assert (await sam.ok("cart", brand="northwind"))["promo"] is None
