"""What the assistant answers: a pure function of what the customer said, what the thread is
about (``ThreadState``) and the live catalogue, returning a ``Plan`` the bot carries out.

The state remembers the product, variant and quantity under discussion, what was last
offered ("buy" this variant, or pick a "size") and the customer's language, so that "yes",
"oui" or "Buy now" act on exactly what was offered.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from chatshop.assistant.language import Language
from chatshop.assistant.understand import Reading
from chatshop.protocol.cards import PickCard, QuickReply
from chatshop.protocol.money import format_money
from chatshop.protocol.shop_models import BrandProfile, Order, Product, Variant

FEW_LEFT = 10  # up to this many left, the answer says how many
MAX_SIZE_REPLIES = 4
Offered = Literal["buy", "size"]


@dataclass(slots=True)
class ThreadState:
    """What one brand thread is about, as far as the assistant knows."""

    language: str | None = None
    product_id: int | None = None
    sku: str | None = None
    quantity: int = 1
    offered: Offered | None = None
    mode: str = "bot"
    customer_id: int | None = None


@dataclass(frozen=True, slots=True)
class Say:
    text: str
    replies: list[QuickReply] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Plan:
    """What to do: messages to post, a checkout card for ``checkout_sku``, or a hand-over."""

    say: list[Say] = field(default_factory=list)
    checkout_sku: str | None = None
    quantity: int = 1
    handover: bool = False


@dataclass(frozen=True, slots=True)
class Shop:
    """What the assistant knows of the brand at this moment (read live for every answer)."""

    brand: BrandProfile
    products: list[Product]
    orders: list[Order]


def _price(amount: int, currency: str) -> str:
    return format_money(amount, currency)


def _real(product: Product) -> list[Variant]:
    return [v for v in product.variants if v.label]


def _listing(variants: list[Variant], lang: Language) -> str:
    parts = []
    for v in variants[:16]:
        if v.stock == 0:
            parts.append(f"{v.label} ({lang.text('sold_out_suffix')})")
        elif v.stock <= FEW_LEFT:
            parts.append(f"{v.label} ({lang.text('left_suffix', left=v.stock)})")
        else:
            parts.append(v.label)
    return lang.say["list_join"].join(parts)


def person_reply(lang: Language) -> QuickReply:
    return QuickReply(
        label=lang.buttons["person"], text=lang.buttons["person_text"], action="handover"
    )


def buy_replies(product: Product, variant: Variant, lang: Language) -> list[QuickReply]:
    replies = [
        QuickReply(
            label=lang.buttons["buy_now"],
            text=lang.buttons["buy_now_text"],
            action="buy_now",
            product_id=product.id,
            sku=variant.sku,
        ),
        QuickReply(
            label=lang.buttons["add_to_cart"],
            text=lang.buttons["add_to_cart_text"],
            action="add_to_cart",
            product_id=product.id,
            sku=variant.sku,
        ),
    ]
    if len(_real(product)) > 1:
        replies.append(
            QuickReply(
                label=lang.buttons["other_sizes"],
                text=lang.buttons["other_sizes_text"],
                action="sizes",
                product_id=product.id,
            )
        )
    replies.append(person_reply(lang))
    return replies


def size_replies(product: Product, lang: Language) -> list[QuickReply]:
    available = [v for v in _real(product) if v.stock > 0][:MAX_SIZE_REPLIES]
    replies = [
        QuickReply(
            label=v.label,
            text=lang.buttons["size_text"].format(variant=v.label),
            product_id=product.id,
            sku=v.sku,
        )
        for v in available
    ]
    replies.append(person_reply(lang))
    return replies


def offer_variant(product: Product, variant: Variant, state: ThreadState, lang: Language) -> Plan:
    """The answer about one variant, read from live stock: offer it, or say it is gone."""
    state.product_id = product.id
    if variant.stock == 0:
        state.sku, state.offered = None, "size"
        others = [v for v in _real(product) if v.stock > 0]
        what = (
            lang.text("sold_out", product=product.title, variant=variant.label)
            if variant.label
            else lang.text("sold_out_all", product=product.title)
        )
        if others:
            what += lang.text("still_available", sizes=_listing(others, lang))
        return Plan(say=[Say(what, size_replies(product, lang))])
    state.sku, state.offered = variant.sku, "buy"
    price = _price(product.price, product.currency)
    if not variant.label:
        key = "plain_few" if variant.stock <= FEW_LEFT else "plain"
        text = lang.text(key, left=variant.stock, product=product.title, price=price)
    else:
        key = "in_stock_few" if variant.stock <= FEW_LEFT else "in_stock"
        text = lang.text(key, left=variant.stock)
    return Plan(say=[Say(text, buy_replies(product, variant, lang))])


def which_size(product: Product, state: ThreadState, lang: Language, asked: str | None) -> Plan:
    real = _real(product)
    if not real:
        return offer_variant(product, product.variants[0], state, lang)
    if not any(v.stock > 0 for v in real):
        state.product_id, state.sku, state.offered = product.id, None, None
        return Plan(
            say=[Say(lang.text("sold_out_all", product=product.title), [person_reply(lang)])]
        )
    state.product_id, state.sku, state.offered = product.id, None, "size"
    price = _price(product.price, product.currency)
    sizes = _listing(real, lang)
    text = (
        lang.text("no_such_size", product=product.title, asked=asked, sizes=sizes)
        if asked
        else lang.text("which_size", product=product.title, price=price, sizes=sizes)
    )
    return Plan(say=[Say(text, size_replies(product, lang))])


def intro(shop: Shop, lang: Language, greeting: bool) -> Plan:
    example = next((p for p in shop.products if p.stock > 0), None)
    if example is None:
        text = lang.text("intro", brand=shop.brand.brand.display_name, example="?")
        return Plan(say=[Say(text, [person_reply(lang)])])
    sample = next((v.label for v in example.variants if v.label and v.stock > 0), "")
    ask = (
        lang.text("example_variant", product=example.title, variant=sample)
        if sample
        else lang.text("example_plain", product=example.title)
    )
    text = lang.text("intro", brand=shop.brand.brand.display_name, example=ask)
    if greeting:
        text = lang.say["hello"] + text
    first = QuickReply(
        label=example.title[:40], text=ask[:1].upper() + ask[1:], product_id=example.id
    )
    return Plan(say=[Say(text, [first, person_reply(lang)])])


def order_answer(orders: list[Order], lang: Language) -> Plan:
    if not orders:
        return Plan(say=[Say(lang.text("no_orders"), [person_reply(lang)])])
    order = orders[0]
    if order.status == "shipped" and order.carrier and order.tracking:
        text = lang.text(
            "order_shipped", number=order.number, carrier=order.carrier, tracking=order.tracking
        )
    else:
        text = lang.text("order_is", number=order.number, status=lang.status[order.status])
    return Plan(say=[Say(text, [person_reply(lang)])])


def shipping_answer(shop: Shop, lang: Language) -> Plan:
    options = []
    for option in shop.brand.shipping:
        price = _price(option.price, shop.brand.currency)
        key = "shipping_option" if option.days else "shipping_option_no_days"
        options.append(lang.text(key, name=option.name, price=price, days=option.days))
    text = lang.text("shipping_options", options=lang.say["list_join"].join(options))
    return Plan(say=[Say(text)])


def similar_answer(product: Product, shop: Shop, lang: Language) -> Plan:
    tags = set(product.tags)
    alike = [p for p in shop.products if p.id != product.id and p.stock > 0 and tags & set(p.tags)][
        :3
    ]
    if not alike:
        return Plan(say=[Say(lang.text("no_similar"), [person_reply(lang)])])
    names = lang.say["list_join"].join(f"{p.title} ({_price(p.price, p.currency)})" for p in alike)
    replies = [QuickReply(label=p.title[:40], text=p.title, product_id=p.id) for p in alike]
    return Plan(say=[Say(lang.text("similar", products=names), replies)])


def _find(shop: Shop, product_id: int | None) -> Product | None:
    return next((p for p in shop.products if p.id == product_id), None)


def _variant(product: Product, sku: str | None) -> Variant | None:
    return next((v for v in product.variants if v.sku == sku), None)


def answer_pick(pick: PickCard, state: ThreadState, shop: Shop, lang: Language) -> Plan:
    """A quick reply picked: act on its payload."""
    product = _find(shop, pick.product_id) or _find(shop, state.product_id)
    if pick.action == "handover":
        return Plan()  # the relay asked for a person with the pick itself
    if pick.action == "add_to_cart":
        state.offered = None
        return Plan(say=[Say(lang.text("added_to_cart"))])
    if product is None:
        return Plan(say=[Say(lang.text("nothing_offered"))])
    if pick.action == "buy_now" and pick.sku is not None:
        return checkout(product, pick.sku, state)
    if pick.action == "sizes":
        return which_size(product, state, lang, None)
    if pick.action == "similar":
        return similar_answer(product, shop, lang)
    variant = _variant(product, pick.sku)
    if variant is not None:
        return offer_variant(product, variant, state, lang)
    return which_size(product, state, lang, None)


def checkout(product: Product, sku: str, state: ThreadState) -> Plan:
    state.product_id, state.sku, state.offered = product.id, sku, None
    return Plan(checkout_sku=sku, quantity=state.quantity)


def respond(reading: Reading, state: ThreadState, shop: Shop, lang: Language) -> Plan:
    """The answer to one typed message (see the module docstring)."""
    intent = reading.intent
    if reading.quantity is not None:
        state.quantity = reading.quantity
    focus = _find(shop, state.product_id)
    product = reading.product or focus
    if intent == "person":
        return Plan(say=[Say(lang.text("handing_over"))], handover=True)
    if intent == "yes" and not reading.variants and reading.product is None:
        if state.offered == "buy" and state.sku is not None and focus is not None:
            return checkout(focus, state.sku, state)
        return Plan(say=[Say(lang.text("nothing_offered"))])
    if intent == "no" and not reading.variants:
        state.offered = None
        return Plan(say=[Say(lang.text("no_problem"), [person_reply(lang)])])
    if intent == "order_status":
        return order_answer(shop.orders, lang)
    if intent == "returns":
        return Plan(say=[Say(lang.text("returns"), [person_reply(lang)])])
    if intent == "shipping" and not reading.variants:
        return shipping_answer(shop, lang)
    if intent == "thanks" and product is None:
        return Plan(say=[Say(lang.text("welcome"))])
    if product is None:
        return intro(shop, lang, greeting=intent == "greeting")
    if reading.product is not None and reading.product.id != state.product_id:
        state.sku, state.offered = None, None
    if intent == "cart" and state.sku is not None:
        variant = _variant(product, state.sku)
        if variant is not None:
            return offer_variant(product, variant, state, lang)
    if reading.variants:
        if intent == "yes" and state.offered in ("buy", "size"):
            return checkout(product, reading.variants[0].sku, state)
        return offer_variant(product, reading.variants[0], state, lang)
    if reading.unknown_size:
        return which_size(product, state, lang, reading.unknown_size)
    if intent == "price":
        key = "price_was" if product.compare_at else "price_is"
        text = lang.text(
            key,
            product=product.title,
            price=_price(product.price, product.currency),
            compare_at=_price(product.compare_at or 0, product.currency),
        )
        state.product_id = product.id
        return Plan(say=[Say(text, size_replies(product, lang) if _real(product) else [])])
    if intent == "sizes":
        return which_size(product, state, lang, None)
    if intent in ("availability", "stock", "greeting", "cart", "thanks") or reading.product:
        return which_size(product, state, lang, None)
    if intent is None and focus is None:
        return intro(shop, lang, greeting=False)
    return which_size(product, state, lang, None)
