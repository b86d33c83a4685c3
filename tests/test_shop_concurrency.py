"""A flash sale under load: many buyers at once on one variant never oversell, every buyer
gets an answer, and money and stock are conserved."""

from __future__ import annotations

import asyncio

from conftest import RunningRelay, db_rows, new_key, raw_user
from payments_support import Person, assert_books
from shop_support import ADDRESS, open_shop, simple

BUYERS = 200
STOCK = 50
PRICE = 29900
SHIPPING = 490


async def test_two_hundred_buyers_fifty_phones(relay: RunningRelay) -> None:
    """200 buyers check out the same variant at once with 50 in stock: exactly 50 orders,
    150 clear sold_out errors, stock at zero, and every cent accounted for."""
    shop = await open_shop(relay)
    await shop.save(simple("PHONE", "Flash phone", PRICE, STOCK))
    buyers = list(
        await asyncio.gather(*(raw_user(relay.url, f"buyer{n:03d}") for n in range(BUYERS)))
    )
    people = [Person(client) for client in buyers]
    await asyncio.gather(*(p.topup(PRICE + SHIPPING) for p in people))

    async def buy(person: Person) -> dict[str, object]:
        return await person.call(
            "checkout",
            timeout=60.0,
            brand="northwind",
            key=new_key(),
            items=[{"sku": "PHONE"}],
            address=ADDRESS,
            expected_total=PRICE + SHIPPING,
        )

    replies = await asyncio.gather(*(buy(p) for p in people))
    won = [r for r in replies if r["type"] == "result"]
    lost = [r for r in replies if r["type"] == "error"]
    assert len(won) == STOCK
    assert len(lost) == BUYERS - STOCK
    assert {r["code"] for r in lost} == {"sold_out"}
    assert all("sold out" in str(r["message"]) for r in lost)
    numbers = {r["data"]["order"]["number"] for r in won}  # type: ignore[index]
    assert len(numbers) == STOCK
    [(stock,)] = db_rows(relay.db_path, "SELECT stock FROM variants WHERE sku = 'PHONE'")
    assert stock == 0
    [(orders, lines)] = db_rows(
        relay.db_path,
        "SELECT count(*), sum(quantity) FROM orders JOIN order_lines ON id = order_id",
    )
    assert (orders, lines) == (STOCK, STOCK)
    balances = await asyncio.gather(*(p.balance() for p in people))
    assert sorted(balances) == [0] * STOCK + [PRICE + SHIPPING] * (BUYERS - STOCK)
    assert await shop.brand.held() == STOCK * (PRICE + SHIPPING)
    await assert_books(relay)
    await asyncio.gather(*(p.close() for p in people))
