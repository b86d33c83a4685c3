"""The brand's assistant: rule-based answers from live stock in brand threads, quick replies,
and the hand-over of a thread to a staff member and back."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from chatshop.protocol.models import User
from chatshop.protocol.shop_models import (
    Product,
    Variant,
)
from chatshop_server.assistant import answer
from chatshop_server.storage.specs import AssistantContext
from conftest import RunningRelay, all_history, new_key, send_text
from payments_support import Person, assert_books
from shop_support import Shop, coat, open_shop, simple


@pytest.fixture
async def relay(relay: RunningRelay) -> AsyncIterator[RunningRelay]:
    """The shared relay, with its books checked once the test is done."""
    yield relay
    await assert_books(relay)


@pytest.fixture
async def shop(relay: RunningRelay) -> Shop:
    shop = await open_shop(relay)
    await shop.save(coat())
    await shop.save(simple("BEANIE", "Wool beanie", 2500, 40, tags=["hat"]))
    return shop


async def settle(shop: Shop) -> None:
    assert shop.relay.relay is not None
    await shop.relay.relay.assistant.settle()


async def ask(shop: Shop, person: Person, thread: int, text: str) -> list[dict[str, Any]]:
    """Send ``text`` in the brand thread; the brand's messages that answered it."""
    sent = await send_text(person.client, thread, text)
    await settle(shop)
    history = await all_history(person.client, thread)
    return [m for m in history if m["seq"] > sent["seq"]]


# --------------------------------------------------------------------------- answers


def _context(*products: Product, focus: int | None = None) -> AssistantContext:
    brand = User(id=1, handle="northwind", display_name="Northwind", kind="brand")
    sam = User(id=2, handle="sam", display_name="Sam")
    return AssistantContext(
        thread_id=1,
        brand=brand,
        customer=sam,
        currency="EUR",
        products=list(products),
        focus_product_id=focus,
        orders=[],
    )


def _product(product_id: int, title: str, sizes: dict[str, int], tags: list[str]) -> Product:
    brand = User(id=1, handle="northwind", display_name="Northwind", kind="brand")
    variants = [
        Variant(id=n, sku=f"P{product_id}-{s}", label=s, options={"size": s}, stock=q)
        for n, (s, q) in enumerate(sizes.items())
    ]
    return Product(
        id=product_id,
        brand=brand,
        verified=True,
        sku=f"P{product_id}",
        title=title,
        description="",
        tags=tags,
        price=19900,
        currency="EUR",
        variants=variants,
        stock=sum(sizes.values()),
        active=True,
        updated_at=0,
    )


def test_answers_come_from_the_stock_in_the_context() -> None:
    """The product in focus or named, the size asked, and its stock decide the answer."""
    jacket = _product(7, "Harbor sport coat", {"42R": 0, "42L": 3, "44L": 25}, ["coat"])
    shirt = _product(8, "Oxford shirt", {"M": 4}, ["shirt"])
    ctx = _context(jacket, shirt, focus=7)
    reply = answer("do you have it in 42L?", ctx)
    assert reply.text == "Yes, 3 left. Buy now?"
    assert [(r.action, r.sku) for r in reply.replies][:2] == [
        ("buy_now", "P7-42L"),
        ("add_to_cart", "P7-42L"),
    ]
    assert reply.card is not None and reply.card.product_id == 7
    assert answer("44L please", ctx).text == "Yes, in stock. Buy now?"
    sold = answer("And 42R?", ctx)
    assert sold.text.startswith("Sorry, the Harbor sport coat in 42R is sold out.")
    assert "42L (3 left)" in sold.text and "44L" in sold.text
    assert answer("is the oxford shirt in M?", ctx).text == "Yes, 4 left. Buy now?"
    sizes = answer("what sizes does the coat come in?", ctx)
    assert "42R sold out" in sizes.text and "42L (3 left)" in sizes.text
    assert answer("I want to talk to a person", ctx).handover
    assert answer("can I speak to someone?", ctx).handover
    unknown = answer("hello", _context(jacket, shirt))
    assert unknown.text.startswith("Hello! I'm Northwind's assistant")
    assert [r.action for r in unknown.replies] == ["reply", "handover"]


# --------------------------------------------------------------------------- in a thread


async def test_the_assistant_answers_stock_questions_from_live_stock(shop: Shop) -> None:
    """ "do you have it in 42L?" about the coat card in the thread: the brand answers "Yes, 3
    left. Buy now?" with quick replies, in reply to the question; after a sale it says 2."""
    sam = await shop.customer("sam", money=50_000)
    thread = await shop.thread_with(sam)
    await shop.brand.ok("product_share", thread_id=thread, brand="northwind", sku="COAT",
                        key=new_key())  # fmt: skip
    [reply] = await ask(shop, sam, thread, "do you have it in 42L?")
    assert reply["sender_id"] == shop.brand.id and reply["text"] == "Yes, 3 left. Buy now?"
    card = reply["card"]
    assert card["kind"] == "quick_replies" and card["product_id"] is not None
    assert [(r["label"], r["action"], r.get("sku")) for r in card["replies"]] == [
        ("Buy now", "buy_now", "COAT-42L"),
        ("Add to cart", "add_to_cart", "COAT-42L"),
        ("Talk to a person", "handover", None),
    ]
    buy = card["replies"][0]
    await shop.order_from(sam, items=[{"sku": buy["sku"]}])
    [reply] = await ask(shop, sam, thread, "and still in 42L?")
    assert reply["text"] == "Yes, 2 left. Buy now?"
    [sold] = await ask(shop, sam, thread, "what about 42R")
    assert "42R is sold out" in sold["text"] and "40R (6 left)" in sold["text"]
    [beanie] = await ask(shop, sam, thread, "is the wool beanie in stock?")
    assert beanie["text"] == "Yes, in stock: Wool beanie, EUR 25.00. Buy now?"


async def test_asking_for_a_person_hands_the_thread_to_staff(shop: Shop) -> None:
    """ "I want a person": nora joins the thread, everyone gets a handover event naming her,
    the brand says who answers, and the assistant stays quiet until she gives it back."""
    sam = await shop.customer("sam")
    thread = await shop.thread_with(sam)
    assert (await sam.ok("handover", thread_id=thread))["mode"] == "bot"
    said = await ask(shop, sam, thread, "I want a person")
    assert [m["text"] for m in said] == ["Nora from Northwind is taking over from here."]
    event = await sam.wait_event(lambda e: e["type"] == "handover")
    assert event["handover"]["mode"] == "staff"
    assert event["handover"]["agent"]["handle"] == "nora"
    await shop.staff.wait_event(lambda e: e["type"] == "member" and e["thread_id"] == thread)
    members = (await sam.ok("thread", thread_id=thread))["members"]
    assert {m["handle"] for m in members} == {"sam", "northwind", "nora"}
    assert await ask(shop, sam, thread, "do you have it in 42L?") == []
    await send_text(shop.staff.client, thread, "Hi Sam, Nora here. Yes we do!")
    await shop.staff.refused("forbidden", "handover_request", thread_id=thread)
    await sam.refused("forbidden", "thread_release", thread_id=thread)
    back = await shop.staff.ok("thread_release", thread_id=thread)
    assert back["mode"] == "bot" and back.get("agent") is None
    [answer_again] = await ask(shop, sam, thread, "do you have the coat in 42L?")
    assert answer_again["text"] == "Yes, 3 left. Buy now?"
    listing = await shop.staff.ok("brand_threads", brand="northwind")
    assert [(t["customer"]["handle"], t["handover"]["mode"]) for t in listing["threads"]] == [
        ("sam", "bot")
    ]
    await sam.refused("forbidden", "brand_threads", brand="northwind")


async def test_staff_take_a_thread_and_a_brand_without_staff_waits(relay: RunningRelay) -> None:
    """Staff may take a thread themselves; without staff, asking for a person (the explicit
    request) leaves the thread waiting; a brand can turn its assistant off."""
    shop = await open_shop(relay)
    await shop.save(coat())
    sam = await shop.customer("sam")
    thread = await shop.thread_with(sam)
    taken = await shop.staff.ok("thread_take", thread_id=thread)
    assert taken["mode"] == "staff" and taken["agent"]["handle"] == "nora"
    assert await ask(shop, sam, thread, "42L?") == []
    assert relay.relay is not None
    await relay.relay.stores.staff.set_staff("northwind", "nora", False)
    await shop.brand.ok("thread_release", thread_id=thread)
    waiting = await sam.ok("handover_request", thread_id=thread)
    assert waiting["mode"] == "waiting" and waiting.get("agent") is None
    assert await ask(shop, sam, thread, "hello?") == []
    await shop.brand.ok("thread_release", thread_id=thread)
    await shop.brand.ok("brand_update", brand="northwind", assistant=False)
    assert await ask(shop, sam, thread, "do you have it in 42L?") == []


async def test_the_assistant_stays_out_of_other_threads(shop: Shop) -> None:
    """Direct threads, groups, the brand's own messages and staff messages get no answer."""
    sam, alice = await shop.customer("sam"), await shop.customer("alice")
    dm = (await sam.ok("dm_open", handle="alice"))["id"]
    assert await ask(shop, sam, dm, "do you have it in 42L?") == []
    thread = await shop.thread_with(sam)
    await send_text(shop.brand.client, thread, "Welcome!")
    await settle(shop)
    assert [m["text"] for m in await all_history(sam.client, thread)] == ["Welcome!"]
    assert alice.id != sam.id
