"""A brand's customer-service assistant: rule-based answers from the live inventory.

The relay hands it every published event; it looks only at new messages in brand threads
that a customer wrote while no person answers the thread (hand-over mode ``bot``). It reads
the brand's catalogue with live stock, finds the product meant (named in the message, or
the one last shown in the thread) and the size or colour asked for, and answers as the
brand with quick replies: "Yes, 3 left. Buy now?". "I want a person" hands the thread over
to a staff member (``request_person``).

``answer`` is a pure function of the message and the context, easy to test on its own;
``Assistant`` is the relay-side runner.
"""

from __future__ import annotations

import asyncio
import logging
import re
from dataclasses import dataclass, field

import msgspec

from chatshop.protocol.cards import QuickRepliesCard, QuickReply
from chatshop.protocol.errors import ProtocolError
from chatshop.protocol.money import format_money
from chatshop.protocol.shop_models import (
    Order,
    Product,
    Variant,
)
from chatshop_server.events import Publication
from chatshop_server.storage.specs import AssistantContext
from chatshop_server.storage.stores import Stores

log = logging.getLogger("chatshop.server.assistant")

FEW_LEFT = 10  # up to this many left, the answer says how many
_WORD = re.compile(r"[\w']+")
_PERSON = re.compile(
    r"\b(person|human|someone|somebody|agent|operator|representative|staff|real people|"
    r"talk to (?:a|an|some)one|speak to (?:a|an|some)one)\b",
    re.IGNORECASE,
)
_ORDER = re.compile(
    r"\b(my order|order status|tracking|delivery|delivered|parcel|package|shipped)\b", re.IGNORECASE
)
_GREETING = re.compile(r"^\s*(hi|hello|hey|bonjour|good (morning|afternoon|evening))\b", re.I)
_STOP = frozenset(
    [
        "the",
        "a",
        "an",
        "and",
        "or",
        "for",
        "with",
        "you",
        "your",
        "have",
        "has",
        "do",
        "does",
        "is",
        "are",
        "in",
        "it",
        "its",
        "of",
        "to",
        "on",
        "this",
        "that",
        "any",
        "some",
        "size",
        "sizes",
        "colour",
        "color",
        "stock",
        "left",
        "available",
        "still",
        "how",
        "much",
        "many",
        "what",
        "which",
        "please",
        "thanks",
        "thank",
        "can",
        "could",
        "would",
        "i",
        "me",
        "my",
        "we",
        "our",
        "there",
        "one",
        "ones",
    ]
)


@dataclass(frozen=True, slots=True)
class Reply:
    """What the assistant says, or that it hands the thread to a person."""

    text: str = ""
    replies: list[QuickReply] = field(default_factory=list)
    product_id: int | None = None
    handover: bool = False

    @property
    def card(self) -> QuickRepliesCard | None:
        if not self.replies:
            return None
        return QuickRepliesCard(replies=self.replies, product_id=self.product_id)


def _words(text: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(text)]


def _norm(value: str) -> str:
    return re.sub(r"[\s/_-]+", "", value.lower())


def _person_reply() -> QuickReply:
    return QuickReply(label="Talk to a person", text="I want a person", action="handover")


def _pick_product(words: list[str], ctx: AssistantContext) -> Product | None:
    """The product the message names (most title words in common), else the one in focus."""
    wanted = {w for w in words if w not in _STOP and len(w) > 2}
    best: tuple[int, Product] | None = None
    for product in ctx.products:
        title = {w for w in _words(product.title) if w not in _STOP}
        tags = set(product.tags)
        score = 2 * len(wanted & title) + len(wanted & tags)
        if score and (best is None or score > best[0]):
            best = (score, product)
    if best is not None:
        return best[1]
    return next((p for p in ctx.products if p.id == ctx.focus_product_id), None)


def _asked_variants(text: str, words: list[str], product: Product) -> list[Variant]:
    """Variants whose label or option value the message mentions (``42L``, ``navy``)."""
    tokens = {_norm(w) for w in words}
    squeezed = _norm(text)
    found = []
    for variant in product.variants:
        values = [variant.label, *variant.options.values()]
        keys = [_norm(v) for v in values if v]
        if any(k in tokens or (len(k) > 3 and k in squeezed) for k in keys):
            found.append(variant)
    return found


def _option_values(product: Product) -> set[str]:
    return {_norm(v) for variant in product.variants for v in variant.options.values()}


def _stock_words(variant: Variant) -> str:
    if variant.stock == 0:
        return f"{variant.label} sold out"
    if variant.stock <= FEW_LEFT:
        return f"{variant.label} ({variant.stock} left)"
    return variant.label


def _buy_replies(product: Product, variant: Variant) -> list[QuickReply]:
    return [
        QuickReply(
            label="Buy now",
            text=f"Buy now: {product.title} {variant.label}".strip(),
            action="buy_now",
            product_id=product.id,
            sku=variant.sku,
        ),
        QuickReply(
            label="Add to cart",
            text=f"Add {product.title} {variant.label} to my cart".strip(),
            action="add_to_cart",
            product_id=product.id,
            sku=variant.sku,
        ),
        _person_reply(),
    ]


def _size_replies(product: Product, variants: list[Variant]) -> list[QuickReply]:
    replies = [
        QuickReply(label=v.label, text=f"Do you have it in {v.label}?", product_id=product.id)
        for v in variants[:4]
    ]
    replies.append(
        QuickReply(
            label="Similar", text="Show me similar items", action="similar", product_id=product.id
        )
    )
    replies.append(_person_reply())
    return replies


def _order_reply(orders: list[Order]) -> Reply:
    if not orders:
        return Reply(text="I can't find an order of yours with us yet.", replies=[_person_reply()])
    order = orders[0]
    text = f"Your order {order.number} is {order.status}"
    if order.status == "shipped" and order.carrier and order.tracking:
        text += f", with {order.carrier} (tracking {order.tracking})"
    return Reply(text=text + ".", replies=[_person_reply()])


def answer(text: str, ctx: AssistantContext) -> Reply:
    """The assistant's answer to one customer message."""
    if _PERSON.search(text):
        return Reply(handover=True)
    words = _words(text)
    product = _pick_product(words, ctx)
    if _ORDER.search(text) and (product is None or not _asked_variants(text, words, product)):
        return _order_reply(ctx.orders)
    if product is None:
        hello = "Hello! " if _GREETING.match(text) else ""
        example = ctx.products[0]
        sample = next((v.label for v in example.variants if v.label), "")
        ask = (
            f"do you have the {example.title} in {sample}?"
            if sample
            else (f"is the {example.title} in stock?")
        )
        return Reply(
            text=f"{hello}I'm {ctx.brand.display_name}'s assistant: I can check sizes and stock "
            f'for you. Ask me, for example, "{ask}", or say "person" to talk to our team.',
            replies=[
                QuickReply(label=example.title, text=ask.capitalize(), product_id=example.id),
                _person_reply(),
            ],
        )
    price = format_money(product.price, product.currency)
    asked = _asked_variants(text, words, product)
    real = [v for v in product.variants if v.label]
    if not real:  # one variant: no sizes to choose
        only = product.variants[0]
        if only.stock == 0:
            return _sold_out(product, None, [])
        left = f"Yes, {only.stock} left" if only.stock <= FEW_LEFT else "Yes, in stock"
        return Reply(
            text=f"{left}: {product.title}, {price}. Buy now?",
            replies=_buy_replies(product, only),
            product_id=product.id,
        )
    if not asked:
        unknown = [
            w
            for w in words
            if any(c.isdigit() for c in w) and _norm(w) not in _option_values(product)
        ]
        available = [v for v in real if v.stock > 0]
        if not available:
            return _sold_out(product, None, [])
        listing = ", ".join(_stock_words(v) for v in real[:16])
        lead = (
            f"The {product.title} doesn't come in {unknown[0].upper()}. "
            if unknown
            else f"The {product.title} is {price}. "
        )
        return Reply(
            text=f"{lead}Sizes: {listing}. Which one would you like?",
            replies=_size_replies(product, available),
            product_id=product.id,
        )
    variant = asked[0]
    if variant.stock == 0:
        return _sold_out(product, variant, [v for v in real if v.stock > 0])
    left = f"Yes, {variant.stock} left" if variant.stock <= FEW_LEFT else "Yes, in stock"
    return Reply(
        text=f"{left}. Buy now?",
        replies=_buy_replies(product, variant),
        product_id=product.id,
    )


def _sold_out(product: Product, variant: Variant | None, others: list[Variant]) -> Reply:
    what = f"the {product.title} in {variant.label}" if variant else f"the {product.title}"
    text = f"Sorry, {what} is sold out."
    if others:
        text += " Still available: " + ", ".join(_stock_words(v) for v in others[:6]) + "."
    return Reply(text=text, replies=_size_replies(product, others), product_id=product.id)


# --------------------------------------------------------------------------- the runner


class _PeekMessage(msgspec.Struct):
    id: int
    sender_id: int
    text: str
    card: dict[str, object] | None = None


class _PeekEvent(msgspec.Struct):
    thread_id: int
    message: _PeekMessage


_MESSAGE_EVENT = b'{"type":"message",'
_peek = msgspec.json.Decoder(_PeekEvent)


class Assistant:
    """Answers customers in brand threads; ``observe`` sees every published event.

    Messages of one thread are answered one at a time, in order, by one task per busy
    thread; a thread found not to be a brand thread is remembered and never looked up again,
    so a burst in a group costs one lookup, not one per message.
    """

    def __init__(self, stores: Stores, *, logger: logging.Logger = log) -> None:
        self._stores = stores
        self._log = logger
        self._not_brand: set[int] = set()
        self._waiting: dict[int, list[_PeekEvent]] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self.enabled = False

    def observe(self, publication: Publication) -> None:
        """Called after each commit, on the event loop: queue a new message for an answer."""
        if not self.enabled or publication.cursor is None:
            return
        if not publication.body.startswith(_MESSAGE_EVENT):
            return
        event = _peek.decode(publication.body)
        thread_id = event.thread_id
        if thread_id in self._not_brand or event.message.card is not None:
            return
        if not event.message.text.strip():
            return
        waiting = self._waiting.get(thread_id)
        if waiting is not None:
            waiting.append(event)
            return
        self._waiting[thread_id] = [event]
        task = asyncio.create_task(self._drain(thread_id))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _drain(self, thread_id: int) -> None:
        try:
            while waiting := self._waiting.get(thread_id):
                await self._answer(waiting.pop(0))
                if thread_id in self._not_brand:
                    break
        finally:
            self._waiting.pop(thread_id, None)

    async def _answer(self, event: _PeekEvent) -> None:
        try:
            brand_thread, ctx = await self._stores.handover.assistant_context(
                event.thread_id, event.message.sender_id
            )
            if not brand_thread:
                self._not_brand.add(event.thread_id)
                return
            if ctx is None:
                return
            reply = answer(event.message.text, ctx)
            if reply.handover:
                await self._stores.handover.request_person(ctx.customer.id, ctx.thread_id)
                return
            await self._stores.handover.assistant_reply(
                ctx.thread_id, reply.text, reply.card, event.message.id
            )
        except ProtocolError as exc:
            self._log.info("assistant did not answer in thread %s: %s", event.thread_id, exc)
        except Exception:
            self._log.exception("assistant failed in thread %s", event.thread_id)

    async def settle(self) -> None:
        """Wait until every answer already started is posted (for tests and shutdown)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def close(self) -> None:
        """Stop answering and wait for answers already on their way."""
        self.enabled = False
        await self.settle()
