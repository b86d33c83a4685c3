"""The brand assistant: reading English and French, the dialogue it keeps, and the whole
conversation from a promoted post to a paid order over a real relay, the assistant running
as a bot on its own connection."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import msgspec
import pytest

from chatshop.assistant import make_assistant
from chatshop.assistant.dialogue import Shop as ShopView
from chatshop.assistant.dialogue import ThreadState, respond
from chatshop.assistant.language import detect, languages
from chatshop.assistant.understand import intent_of, read
from chatshop.protocol.shop_models import BrandProfile, Product
from conftest import RunningRelay, new_key, send_text
from payments_support import Person, assert_books
from shop_support import ADDRESS, Shop, coat, open_shop, simple

EN, FR = languages()["en"], languages()["fr"]


def product(**fields: Any) -> Product:
    base: dict[str, Any] = {
        "id": 1,
        "brand": {"id": 9, "handle": "northwind", "display_name": "Northwind", "kind": "brand"},
        "verified": True,
        "sku": "COAT",
        "title": "Harbor sport coat",
        "description": "",
        "tags": ["coat", "men", "wool"],
        "price": 19900,
        "currency": "EUR",
        "variants": [
            {"id": 1, "sku": "COAT-40R", "label": "40R", "options": {"size": "40R"}, "stock": 6},
            {"id": 2, "sku": "COAT-42R", "label": "42R", "options": {"size": "42R"}, "stock": 0},
            {"id": 3, "sku": "COAT-42L", "label": "42L", "options": {"size": "42L"}, "stock": 3},
        ],
        "stock": 9,
        "active": True,
        "updated_at": 0,
    }
    return msgspec.convert({**base, **fields}, Product)


SCARF = product(
    id=2,
    sku="SCARF",
    title="Merino wool scarf",
    tags=["scarf", "wool"],
    price=3900,
    variants=[
        {"id": 4, "sku": "SCARF-GREY", "label": "grey", "options": {"colour": "grey"}, "stock": 12},
        {"id": 5, "sku": "SCARF-NAVY", "label": "navy", "options": {"colour": "navy"}, "stock": 7},
    ],
)
COAT = product()
PROFILE = msgspec.convert(
    {
        "brand": {"id": 9, "handle": "northwind", "display_name": "Northwind", "kind": "brand"},
        "description": "",
        "verified": True,
        "currency": "EUR",
        "shipping": [{"code": "standard", "name": "Standard", "price": 490, "days": "2-3 days"}],
        "staff": [],
        "products": 2,
    },
    BrandProfile,
)
SHOP = ShopView(brand=PROFILE, products=[COAT, SCARF], orders=[])


@pytest.mark.parametrize(
    ("text", "language", "intent"),
    [
        ("do you have it in 42L?", "en", "availability"),
        ("vous l'avez en 42L ?", "fr", "availability"),
        ("a dispo en bleu ?", "fr", "availability"),
        ("is it availble in navy", "en", "availability"),
        ("yes", "en", "yes"),
        ("oui", "fr", "yes"),
        ("je prends", "fr", "yes"),
        ("where is my order?", "en", "order_status"),
        ("où est ma commande ?", "fr", "order_status"),
        ("a person please", "en", "person"),
        ("je veux parler à quelqu'un", "fr", "person"),
        ("how much is it", "en", "price"),
        ("combien ça coûte", "fr", "price"),
        ("no thanks", "en", "no"),
        ("livraison ?", "fr", "shipping"),
        ("I want to return it", "en", "returns"),
    ],
)
def test_what_a_message_says_in_english_and_french(text: str, language: str, intent: str) -> None:
    assert detect(text) == language
    assert intent_of(text, languages()[language]) == intent


def test_a_thread_keeps_its_language_on_short_ambiguous_answers() -> None:
    """ "ok" from a French customer is still French; a real English sentence switches."""
    assert detect("ok", "fr") == "fr"
    assert detect("yes", "fr") == "fr"
    assert detect("could you tell me where my parcel is please", "fr") == "en"


def test_sizes_colours_and_products_are_read_from_the_text() -> None:
    assert [v.sku for v in read("en 42 L ?", FR, [COAT, SCARF], COAT).variants] == ["COAT-42L"]
    scarf = read("l'écharpe, vous l'avez en bleu ?", FR, [COAT, SCARF], COAT)
    assert scarf.product is SCARF and [v.sku for v in scarf.variants] == ["SCARF-NAVY"]
    typo = read("the harbour coat in 40r", EN, [COAT, SCARF], None)
    assert typo.product is COAT and [v.sku for v in typo.variants] == ["COAT-40R"]
    assert read("do you have it in 48L?", EN, [COAT], COAT).unknown_size == "48L"


def test_yes_acts_on_what_was_offered_and_nothing_else() -> None:
    """The assistant remembers it offered the 42L: "oui" posts the checkout for it, not a
    list of sizes; "yes" with nothing offered asks what is wanted."""
    state = ThreadState(language="fr", product_id=COAT.id)
    offered = respond(read("vous l'avez en 42L ?", FR, SHOP.products, COAT), state, SHOP, FR)
    assert offered.say[0].text == "Oui, il en reste 3. Vous le prenez ?"
    assert [r.action for r in offered.say[0].replies] == [
        "buy_now",
        "add_to_cart",
        "sizes",
        "handover",
    ]
    assert state.offered == "buy" and state.sku == "COAT-42L"
    bought = respond(read("oui", FR, SHOP.products, COAT), state, SHOP, FR)
    assert bought.checkout_sku == "COAT-42L" and not bought.say
    fresh = ThreadState(language="en")
    assert respond(read("yes", EN, SHOP.products, None), fresh, SHOP, EN).checkout_sku is None


def test_a_sold_out_size_offers_the_sizes_left() -> None:
    state = ThreadState(product_id=COAT.id)
    plan = respond(read("42R please", EN, SHOP.products, COAT), state, SHOP, EN)
    assert plan.say[0].text == (
        "Sorry, the Harbor sport coat in 42R is sold out. "
        "Still available: 40R (6 left), 42L (3 left)."
    )
    assert [r.label for r in plan.say[0].replies] == ["40R", "42L", "Talk to a person"]


# --------------------------------------------------------------------------- over a relay


@dataclass
class Store:
    relay: RunningRelay
    shop: Shop
    sam: Person
    thread: int
    post: dict[str, Any]


@pytest.fixture
async def store(relay: RunningRelay) -> AsyncIterator[Store]:
    """Northwind with the coat, its promoted post (20 % off) to sam, and the assistant bot
    connected with a token of scopes read, answer and orders."""
    shop = await open_shop(relay)
    await shop.save(coat())
    await shop.save(simple("SOCKS", "Wool socks", 1_200, 40, tags=["socks", "wool"]))
    sam = await shop.customer("sam", money=100_000)
    await sam.ok("address_set", address=ADDRESS)
    await sam.ok("follow", brand="northwind")
    post = await shop.staff.ok(
        "post_publish",
        brand="northwind",
        text="The Harbor sport coat, 20 % off this week.",
        sku="COAT",
        offer={"kind": "percent", "value": 20, "days": 7, "product_sku": "COAT"},
        key=new_key(),
    )
    token = await shop.staff.ok(
        "bot_token_create", brand="northwind", name="assistant", scopes=["read", "answer", "orders"]
    )
    thread = next(t["id"] for t in (await sam.ok("threads"))["threads"] if t["kind"] == "brand")
    bot = make_assistant()
    ready = asyncio.Event()
    running = asyncio.create_task(bot.run(relay.url, token=token["token"], ready=ready))
    await asyncio.wait_for(ready.wait(), 10)
    try:
        yield Store(relay, shop, sam, thread, post)
    finally:
        running.cancel()
        await asyncio.gather(running, return_exceptions=True)
        await assert_books(relay)


def from_brand(
    store: Store, predicate: Callable[[dict[str, Any]], bool]
) -> Callable[[dict[str, Any]], bool]:
    def match(event: dict[str, Any]) -> bool:
        if event["type"] != "message":
            return False
        message = event["message"]
        return message["sender_id"] == store.shop.brand.id and predicate(message)

    return match


def card_kind(kind: str) -> Callable[[dict[str, Any]], bool]:
    return lambda m: (m.get("card") or {}).get("kind") == kind


async def ask(store: Store, text: str, expect: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
    """sam writes ``text``; the first message from the brand after it that ``expect``s."""
    question = await send_text(store.sam.client, store.thread, text)
    later = from_brand(store, lambda m: m["id"] > question["id"] and expect(m))
    event = await store.sam.wait_event(later, timeout=10)
    message: dict[str, Any] = event["message"]
    return message


async def pay_card(store: Store, card_message: dict[str, Any]) -> dict[str, Any]:
    card = card_message["card"]
    paid: dict[str, Any] = await store.sam.ok(
        "checkout",
        brand=card["brand_handle"],
        card_message_id=card_message["id"],
        expected_total=card["total"],
        key=new_key(),
    )
    return paid


async def test_from_the_promoted_post_to_a_paid_order_in_english(store: Store) -> None:
    """ "do you have it in 42L?" about the promoted coat: "Yes, 3 left. Buy now?" with
    quick replies; picking Buy now posts a checkout card with the 20 % applied, shipping to
    the saved address; paying it places the order, the card shows it, the bot thanks."""
    answer = await ask(store, "do you have it in 42L?", card_kind("quick_replies"))
    assert answer["text"] == "Yes, 3 left. Buy now?"
    replies = answer["card"]["replies"]
    assert [r["label"] for r in replies] == [
        "Buy now",
        "Add to cart",
        "Other sizes",
        "Talk to a person",
    ]
    await store.sam.ok(
        "send", thread_id=store.thread, text="", reply_to=answer["id"], pick=0, key=new_key()
    )
    card_message = (
        await store.sam.wait_event(from_brand(store, card_kind("checkout")), timeout=10)
    )["message"]
    card = card_message["card"]
    assert (
        card["lines"][0]["sku"] == "COAT-42L"
        and card["offer_label"] == "20 % off Harbor sport coat"
    )
    assert (
        card["discount"] == 3980 and card["shipping"] == 490 and card["total"] == 19900 - 3980 + 490
    )
    assert card["ship_to"] == "Sam Carter, Lyon (FR)" and card["problems"] == []
    paid = await pay_card(store, card_message)
    assert paid["order"]["discount"] == 3980 and paid["order"]["lines"][0]["label"] == "42L"
    changed = await store.sam.wait_event(
        lambda e: e["type"] == "card" and e["message"]["id"] == card_message["id"]
    )
    assert changed["message"]["card"]["status"] == "paid"
    assert changed["message"]["card"]["order_number"] == paid["order"]["number"]
    thanks = await store.sam.wait_event(
        from_brand(store, lambda m: m["text"].startswith("Thank you!")), timeout=10
    )
    assert paid["order"]["number"] in thanks["message"]["text"]
    again = await store.sam.call(
        "checkout", brand="northwind", card_message_id=card_message["id"], key=new_key()
    )
    assert again["code"] == "gone"
    assert await store.sam.balance() == 100_000 - paid["order"]["total"]


async def test_the_same_in_french_with_oui(store: Store) -> None:
    answer = await ask(store, "vous l'avez en 42L ?", card_kind("quick_replies"))
    assert answer["text"] == "Oui, il en reste 3. Vous le prenez ?"
    assert answer["card"]["replies"][0]["label"] == "Je le prends"
    card_message = await ask(store, "oui", card_kind("checkout"))
    assert card_message["text"].startswith("Voici votre commande")
    paid = await pay_card(store, card_message)
    assert paid["order"]["discount"] == 3980
    thanks = await store.sam.wait_event(
        from_brand(store, lambda m: m["text"].startswith("Merci !")), timeout=10
    )
    assert paid["order"]["number"] in thanks["message"]["text"]


async def test_answers_come_from_live_stock_every_time(store: Store) -> None:
    """Stock changes between two questions: the second answer says so; a sold-out size
    lists the sizes left; a size the coat does not come in is said to be missing."""
    first = await ask(store, "do you have it in 44L?", card_kind("quick_replies"))
    assert first["text"] == "Yes, 1 left. Buy now?"
    await store.shop.staff.ok(
        "product_save",
        brand="northwind",
        product=coat({**{"40R": 6, "42R": 0, "42L": 3}, "44L": 0}),
    )
    gone = await ask(store, "and the 44L?", card_kind("quick_replies"))
    assert gone["text"].startswith("Sorry, the Harbor sport coat in 44L is sold out.")
    missing = await ask(store, "do you have it in 48L?", card_kind("quick_replies"))
    assert missing["text"].startswith("The Harbor sport coat doesn't come in 48L.")


async def test_picking_add_to_cart_fills_the_cart_and_a_person_takes_over_on_request(
    store: Store,
) -> None:
    """Add to cart is done by the pick itself; "je veux parler à quelqu'un" hands the thread
    to nora, the bot stays quiet while she answers and speaks again once she hands it back."""
    answer = await ask(store, "do you have it in 40R?", card_kind("quick_replies"))
    await store.sam.ok(
        "send", thread_id=store.thread, text="", reply_to=answer["id"], pick=1, key=new_key()
    )
    added = await store.sam.wait_event(
        from_brand(store, lambda m: m["text"].startswith("It's in your cart")), timeout=10
    )
    assert added["message"]["text"]
    cart = await store.sam.ok("cart", brand="northwind")
    assert [line["sku"] for line in cart["lines"]] == ["COAT-40R"]
    await send_text(store.sam.client, store.thread, "je veux parler à quelqu'un")
    handed = await store.sam.wait_event(
        lambda e: e["type"] == "handover" and e["handover"]["mode"] == "staff", timeout=10
    )
    assert handed["handover"]["agent"]["handle"] == "nora"
    quiet = await send_text(store.sam.client, store.thread, "do you have it in 42L?")
    await store.shop.staff.ok("thread_release", thread_id=store.thread)
    back = await ask(store, "do you have it in 42L?", card_kind("quick_replies"))
    history = await store.sam.ok("history", thread_id=store.thread, limit=200)
    after_quiet = [m for m in history["messages"] if quiet["id"] < m["id"] < back["id"]]
    assert not any((m.get("card") or {}).get("kind") == "quick_replies" for m in after_quiet)


async def test_order_status_and_shipping_questions(store: Store) -> None:
    order = await store.shop.order_from(store.sam, items=[{"sku": "SOCKS"}])
    status = await ask(store, "where is my order?", lambda m: "order" in m["text"])
    assert status["text"] == f"Your order {order['order']['number']} is placed."
    await store.shop.staff.ok("order_advance", order_id=order["order"]["id"], status="confirmed")
    await store.shop.staff.ok("order_advance", order_id=order["order"]["id"], status="preparing")
    await store.shop.staff.ok(
        "order_advance",
        order_id=order["order"]["id"],
        status="shipped",
        carrier="Colissimo",
        tracking="6A123",
    )
    french = await ask(store, "où est ma commande ?", lambda m: "commande" in m["text"])
    assert french["text"] == (
        f"Votre commande {order['order']['number']} a été expédiée avec Colissimo, suivi 6A123."
    )
    shipping = await ask(store, "how long is delivery?", lambda m: m["text"].startswith("We ship"))
    assert "Standard" in shipping["text"]


async def test_a_person_takes_over_and_the_thread_says_who_answers(store: Store) -> None:
    """ "I want a person": nora joins, a handover event names her, the brand says who
    answers; staff cannot ask for a person, the customer cannot hand back; the staff list
    shows the thread; once nora hands it back, the assistant answers again."""
    sam, shop, thread = store.sam, store.shop, store.thread
    assert (await sam.ok("handover", thread_id=thread))["mode"] == "bot"
    said = await ask(store, "I want a person", lambda m: "taking over" in m["text"])
    assert said["text"] == "Nora from Northwind is taking over from here."
    members = (await sam.ok("thread", thread_id=thread))["members"]
    assert {m["handle"] for m in members} == {"sam", "northwind", "nora"}
    listing = await shop.staff.ok("brand_threads", brand="northwind")
    assert [(t["customer"]["handle"], t["handover"]["mode"]) for t in listing["threads"]] == [
        ("sam", "staff")
    ]
    order = await shop.order_from(sam, items=[{"sku": "SOCKS"}])
    listing = await shop.staff.ok("brand_threads", brand="northwind")
    assert [o["number"] for o in listing["threads"][0]["recent_orders"]] == [
        order["order"]["number"]
    ]
    await shop.staff.refused("forbidden", "handover_request", thread_id=thread)
    await sam.refused("forbidden", "thread_release", thread_id=thread)
    await sam.refused("forbidden", "brand_threads", brand="northwind")
    back = await shop.staff.ok("thread_release", thread_id=thread)
    assert back["mode"] == "bot" and back.get("agent") is None
    again = await ask(store, "do you have the coat in 42L?", card_kind("quick_replies"))
    assert again["text"] == "Yes, 3 left. Buy now?"


async def test_without_staff_the_thread_waits_and_a_brand_may_turn_its_assistant_off(
    store: Store,
) -> None:
    """With no staff, asking for a person leaves the thread waiting and the bot quiet; a
    brand that turns its assistant off gets no bot answers until it turns it back on."""
    sam, shop, thread = store.sam, store.shop, store.thread
    assert store.relay.relay is not None
    await store.relay.relay.stores.staff.set_staff("northwind", "nora", False)
    waiting = await sam.ok("handover_request", thread_id=thread)
    assert waiting["mode"] == "waiting" and waiting.get("agent") is None
    await shop.brand.ok("thread_release", thread_id=thread)
    await shop.brand.ok("brand_update", brand="northwind", assistant=False)
    quiet = await send_text(sam.client, thread, "do you have it in 42L?")
    await shop.brand.ok("brand_update", brand="northwind", assistant=True)
    # One thread's messages are handled in order: once the later one is answered, the
    # quiet one was handled too, and the history between them shows what it said.
    later = await ask(store, "do you have it in 42L?", card_kind("quick_replies"))
    history = await sam.ok("history", thread_id=thread, limit=200)
    between = [m for m in history["messages"] if quiet["id"] < m["id"] < later["id"]]
    assert all(m["sender_id"] == sam.id for m in between)


def test_every_language_file_says_all_that_english_says() -> None:
    """Adding a language is adding a file: it must name every sentence, status and button,
    and its sentences take the same placeholders."""
    import string

    english = languages()["en"]
    for language in languages().values():
        assert set(language.say) == set(english.say), language.code
        assert set(language.status) == set(english.status), language.code
        assert set(language.buttons) == set(english.buttons), language.code
        for key, text in language.say.items():
            fields = {f for _, f, _, _ in string.Formatter().parse(text) if f}
            wanted = {f for _, f, _, _ in string.Formatter().parse(english.say[key]) if f}
            assert fields == wanted, (language.code, key)


BEANIE = product(
    id=3,
    sku="BEANIE",
    title="Wool beanie",
    tags=["hat", "wool"],
    price=2500,
    compare_at=3000,
    variants=[{"id": 6, "sku": "BEANIE", "label": "", "options": {}, "stock": 40}],
)
TOTE = product(
    id=4,
    sku="TOTE",
    title="Canvas tote bag",
    tags=["bag"],
    price=3500,
    variants=[{"id": 7, "sku": "TOTE", "label": "", "options": {}, "stock": 0}],
)
FULL = ShopView(brand=PROFILE, products=[COAT, SCARF, BEANIE, TOTE], orders=[])


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("hello", "en", "Hello! I'm Northwind's assistant"),
        ("bonjour", "fr", "Bonjour ! Je suis l'assistant de Northwind"),
        ("how much is the beanie?", "en", "The Wool beanie is EUR 25.00 (was EUR 30.00)."),
        ("is the wool beanie in stock?", "en", "Yes, in stock: Wool beanie, EUR 25.00. Buy now?"),
        ("the tote bag?", "en", "Sorry, the Canvas tote bag is sold out."),
        (
            "what sizes for the coat",
            "en",
            "The Harbor sport coat is EUR 199.00. Sizes: 40R (6 left)",
        ),
        ("how long is delivery?", "en", "We ship Standard EUR 4.90 (2-3 days)."),
        ("livraison ?", "fr", "Nous livrons en Standard EUR 4.90 (2-3 days)."),
        ("I want to return it", "en", "You can return an item within 14 days"),
        ("thanks!", "en", "You're welcome!"),
        ("no thanks", "en", "No problem."),
        ("where is my order?", "en", "I can't find an order of yours with us yet."),
    ],
)
def test_what_the_assistant_says(text: str, language: str, expected: str) -> None:
    lang = languages()[language]
    state = ThreadState(language=language)
    plan = respond(read(text, lang, FULL.products, None), state, FULL, lang)
    assert plan.say and plan.say[0].text.startswith(expected), plan


def test_picks_act_on_their_payload() -> None:
    from chatshop.assistant.dialogue import answer_pick
    from chatshop.protocol.cards import PickCard, QuickAction

    state = ThreadState(language="en", product_id=COAT.id)

    def pick(action: QuickAction, sku: str | None = None, product_id: int | None = COAT.id) -> Any:
        card = PickCard(
            message_id=1, index=0, label="x", action=action, product_id=product_id, sku=sku
        )
        return answer_pick(card, state, FULL, EN)

    assert pick("buy_now", "COAT-42L").checkout_sku == "COAT-42L"
    assert pick("sizes").say[0].text.startswith("The Harbor sport coat is EUR 199.00. Sizes:")
    assert pick("similar").say[0].text.startswith("You might also like: Merino wool scarf")
    assert pick("add_to_cart", "COAT-42L").say[0].text.startswith("It's in your cart")
    assert pick("handover").say == [] and not pick("handover").handover  # the relay did it
    assert pick("reply", "COAT-40R").say[0].text == "Yes, 6 left. Buy now?"
    assert state.sku == "COAT-40R" and state.offered == "buy"
    assert pick("reply", None, product_id=999).say[0].text.startswith("The Harbor sport coat")
