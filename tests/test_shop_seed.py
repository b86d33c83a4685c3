"""The demo shop: @northwind's seeded catalogue, staff, promo code and sam's orders, and the
60-second purchase (journey 3) and the barcode scan (journey 5) on top of it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from chatshop.assistant import make_assistant
from chatshop_server.app import Relay
from conftest import RunningRelay, all_history, fresh_db, new_key, raw_connect, send_text
from payments_support import Person, assert_books


@pytest.fixture
async def demo(tmp_path: Path, schema_template: Path) -> AsyncIterator[RunningRelay]:
    """A relay on a database seeded with the demo, as ``chatshop-server --seed-demo`` does."""
    from chatshop_server.seed import seed_demo

    running = RunningRelay(fresh_db(schema_template, tmp_path / "demo.db"))
    seeding = Relay(running._config())
    await seeding.stores.db.start()
    assert await seed_demo(seeding.stores, seeding.context.passwords, seeding.context.shop.media)
    await seeding.stores.db.close()
    await running.start()
    yield running
    await assert_books(running)
    await running.stop()


async def login(relay: RunningRelay, handle: str) -> Person:
    client = await raw_connect(relay.url)
    data = await client.ok("login", handle=handle, password="demo")
    client.user, client.token, client.cursor = data["user"], data["token"], data["cursor"]
    return Person(client)


async def test_the_demo_shop_is_seeded(demo: RunningRelay) -> None:
    """A dozen products with pictures and variants (the coat in 38R to 46L, some sold out),
    nora as staff, WELCOME20, and sam's delivered order and his order in transit."""
    sam = await login(demo, "sam")
    products = (await sam.ok("catalog", brand="northwind"))["products"]
    assert len(products) == 12
    assert all(p["images"] and p["variants"] and p["barcode"] for p in products)
    coat = products[0]
    assert coat["title"] == "Harbor sport coat" and coat["compare_at"] > coat["price"]
    labels = [v["label"] for v in coat["variants"]]
    assert labels[0] == "38R" and labels[-1] == "46L" and len(labels) == 10
    assert any(v["stock"] == 0 for v in coat["variants"])
    assert {v["label"]: v["stock"] for v in coat["variants"]}["42L"] == 3
    async with httpx.AsyncClient() as http:
        picture = await http.get(f"http://127.0.0.1:{demo.port}{coat['images'][0]}")
    assert picture.status_code == 200 and picture.content.startswith(b"\x89PNG")
    profile = await sam.ok("brand", handle="northwind")
    assert [s["handle"] for s in profile["staff"]] == ["nora"]
    orders = (await sam.ok("orders"))["orders"]
    assert [o["status"] for o in orders] == ["shipped", "delivered"]
    assert orders[0]["tracking"] and orders[0]["carrier"] == "Colissimo"
    brand_thread = orders[0]["thread_id"]
    history = await all_history(sam.client, brand_thread)
    assert [m["created_at"] for m in history] == sorted(m["created_at"] for m in history)
    promoted = history[-1]["card"]
    assert promoted["kind"] == "promotion" and promoted["product"]["from_brand"]
    kinds = [m["card"]["kind"] for m in history if m["card"]]
    assert kinds.count("receipt") == 2 and kinds.count("order_update") == 7
    nora = await login(demo, "nora")
    queue = await nora.ok("orders", role="staff", brand="northwind", status=["shipped"])
    assert [o["number"] for o in queue["orders"]] == [orders[0]["number"]]
    await sam.ok("cart_add", brand="northwind", sku="NW-BEANIE")
    cart = await sam.ok("cart_promo", brand="northwind", code="WELCOME20")
    assert cart["discount"] == 500


async def test_the_sixty_second_purchase(demo: RunningRelay) -> None:
    """Journey 3 on the seeded demo: sam follows Northwind and its promoted coat post is the
    newest thing in his thread list; he asks about 42L, the assistant (a bot on its own
    connection, as ``--seed-demo`` runs it) answers from live stock, "yes" posts a checkout
    card with the post's 20 % applied (no code typed), and paying it places the order."""
    sam = await login(demo, "sam")
    threads = (await sam.ok("threads"))["threads"]
    top = threads[0]
    assert top["kind"] == "brand" and top["last_message"]["card"]["kind"] == "promotion"
    promoted = top["last_message"]["card"]
    assert promoted["offer"]["label"] == "20 % off Harbor sport coat"
    assert promoted["product"]["title"] == "Harbor sport coat"
    follows = (await sam.ok("follows"))["follows"]
    assert [f["brand"]["handle"] for f in follows] == ["northwind"]
    assert demo.relay is not None
    token = new_key()
    from chatshop_server.passwords import token_hash

    await demo.relay.stores.bots.create(
        None, "northwind", "assistant", ["read", "answer", "orders"], token_hash(token)
    )
    bot = make_assistant()
    ready = asyncio.Event()
    running = asyncio.create_task(bot.run(demo.url, token=token, ready=ready))
    try:
        await asyncio.wait_for(ready.wait(), 10)
        thread = top["id"]
        question = await send_text(sam.client, thread, "do you have it in 42L?")

        def after(kind: str) -> Any:
            def match(e: dict[str, Any]) -> bool:
                m = e.get("message") or {}
                return (
                    e["type"] == "message"
                    and m["id"] > question["id"]
                    and (m.get("card") or {}).get("kind") == kind
                )

            return match

        answer = (await sam.wait_event(after("quick_replies"), timeout=10))["message"]
        assert answer["text"] == "Yes, 3 left. Buy now?"
        await send_text(sam.client, thread, "yes")
        card_message = (await sam.wait_event(after("checkout"), timeout=10))["message"]
        card = card_message["card"]
        assert card["offer_label"] == "20 % off Harbor sport coat" and card["discount"] == 3980
        assert card["total"] == 19900 - 3980 + 490 and card["ship_to"].startswith("Sam Carter")
        done = await sam.ok(
            "checkout",
            brand="northwind",
            card_message_id=card_message["id"],
            expected_total=card["total"],
            key=new_key(),
        )
        assert done["order"]["status"] == "placed" and done["order"]["lines"][0]["label"] == "42L"
        assert (await sam.ok("orders"))["orders"][0]["id"] == done["order"]["id"]
    finally:
        running.cancel()
        await asyncio.gather(running, return_exceptions=True)


async def test_scanning_the_box(demo: RunningRelay) -> None:
    """Journey 5: /scan 4006381333931 shows the merino scarf and similar items."""
    sam = await login(demo, "sam")
    found = await sam.ok("scan", code="4006381333931")
    assert found["product"]["title"] == "Merino wool scarf"
    similar = [p["title"] for p in found["similar"]]
    assert similar[0] == "Wool beanie" and len(similar) == 5
