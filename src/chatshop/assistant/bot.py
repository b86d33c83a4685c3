"""The brand assistant as a bot: it answers customers in its brand's threads while no person
does, in their language, from the live catalogue, and takes them to a checkout card.

Run it for a brand with a token of scopes ``read``, ``answer`` and ``orders``::

    chatshop bot run chatshop.assistant:assistant --server ws://... --token-file nw.token

What a thread is about (``ThreadState``) is kept in memory and, for a thread first seen
after a restart, read back from the thread itself: the assistant's last quick replies say
what it last offered, the last product card what the thread is about.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from chatshop.assistant.dialogue import Plan, Shop, ThreadState, answer_pick, respond
from chatshop.assistant.language import detect, languages
from chatshop.assistant.understand import read
from chatshop.bot import Bot, BotSession, Turn
from chatshop.protocol.cards import (
    CheckoutCard,
    ProductCard,
    PromotionCard,
    QuickRepliesCard,
)
from chatshop.protocol.frames import GetHistory, GetThread
from chatshop.protocol.models import Message
from chatshop.protocol.shop_frames import GetBrand, GetCatalog, GetHandover, ListOrders
from chatshop.protocol.shop_models import LineSpec, Order

LOOK_BACK = 30  # messages read to find what a thread was about after a restart


@dataclass(slots=True)
class Memory:
    """Everything the assistant keeps between messages."""

    threads: dict[int, ThreadState] = field(default_factory=dict)


def make_assistant(name: str = "assistant") -> Bot:
    """A new assistant bot (each with its own memory)."""
    bot = Bot(name)
    memory = Memory()

    @bot.on_handover
    async def handover_changed(turn: Turn) -> None:
        assert turn.handover is not None
        state = memory.threads.setdefault(turn.thread_id, ThreadState())
        state.mode = turn.handover.mode
        state.customer_id = turn.handover.customer_id

    @bot.on_message
    async def answer(turn: Turn) -> None:
        message = turn.message
        assert message is not None
        if message.card is not None and turn.pick is None:
            return  # a card someone posted: nothing to answer
        state = await _state(turn, memory)
        if state is None or state.mode != "bot" or message.sender_id != state.customer_id:
            return
        if turn.pick is None:
            state.language = detect(message.text, state.language)
        language = languages()[state.language or "en"]
        shop = await _shop(turn.bot)
        if not shop.brand.assistant:
            return  # the brand's staff turned the assistant off: people answer
        if turn.pick is not None:
            plan = answer_pick(turn.pick, state, shop, language)
        else:
            focus = next((p for p in shop.products if p.id == state.product_id), None)
            reading = read(message.text, language, shop.products, focus)
            if reading.intent == "order_status":
                shop = Shop(shop.brand, shop.products, await _orders(turn.bot, message))
            plan = respond(reading, state, shop, language)
        await _carry_out(turn, plan, language.text("checkout_ready"))

    @bot.on_card
    async def card_changed(turn: Turn) -> None:
        card = turn.card
        if not isinstance(card, CheckoutCard) or card.status != "paid" or not card.order_number:
            return
        state = memory.threads.get(turn.thread_id)
        if state is None or state.mode != "bot":
            return
        language = languages()[state.language or "en"]
        await turn.reply(language.text("paid", number=card.order_number))

    return bot


async def _carry_out(turn: Turn, plan: Plan, checkout_text: str) -> None:
    for say in plan.say:
        await turn.reply(say.text, replies=say.replies)
    if plan.checkout_sku is not None:
        await turn.checkout_card(
            [LineSpec(sku=plan.checkout_sku, quantity=plan.quantity)], text=checkout_text
        )
    if plan.handover:
        await turn.hand_to_person()


async def _state(turn: Turn, memory: Memory) -> ThreadState | None:
    """The thread's state; on first sight, from the relay (None: not a brand thread)."""
    state = memory.threads.get(turn.thread_id)
    if state is not None and state.customer_id is not None:
        return state
    try:
        handover = await turn.bot.call(GetHandover(id=0, thread_id=turn.thread_id))
    except Exception:
        return None
    state = state or ThreadState()
    state.mode, state.customer_id = handover.mode, handover.customer_id
    assert turn.message is not None
    await _recall(turn, state, turn.message.id)
    memory.threads[turn.thread_id] = state
    return state


async def _recall(turn: Turn, state: ThreadState, before_id: int) -> None:
    """What the thread was about before this message, read back from its history."""
    history = await turn.bot.call(GetHistory(id=0, thread_id=turn.thread_id, limit=LOOK_BACK))
    me = turn.bot.me.id
    for message in reversed(history.messages):
        if message.id >= before_id or message.sender_id != me:
            continue
        card = message.card
        if isinstance(card, QuickRepliesCard) and state.product_id is None:
            _recall_offer(state, card, message)
        elif isinstance(card, PromotionCard) and card.product is not None:
            state.product_id = state.product_id or card.product.product_id
        elif isinstance(card, ProductCard):
            state.product_id = state.product_id or card.product_id
        if state.product_id is not None and state.language is not None:
            break


def _recall_offer(state: ThreadState, card: QuickRepliesCard, message: Message) -> None:
    buy = next((r for r in card.replies if r.action == "buy_now"), None)
    if buy is not None:
        state.product_id, state.sku, state.offered = buy.product_id, buy.sku, "buy"
    elif card.product_id is not None:
        state.product_id, state.offered = card.product_id, "size"
    if message.text and state.language is None:
        state.language = detect(message.text)


async def _shop(bot: BotSession) -> Shop:
    """The brand now, read for every answer: its profile (is the assistant on, how it ships)
    and its catalogue with live stock."""
    profile = await bot.call(GetBrand(id=0, handle=bot.me.handle))
    page = await bot.call(GetCatalog(id=0, brand=bot.me.handle, limit=200))
    return Shop(brand=profile, products=page.products, orders=[])


async def _orders(bot: BotSession, message: Message) -> list[Order]:
    customer = await _handle_of(bot, message)
    if customer is None:
        return []
    page = await bot.call(
        ListOrders(id=0, role="staff", brand=bot.me.handle, customer=customer, limit=5)
    )
    return page.orders


async def _handle_of(bot: BotSession, message: Message) -> str | None:
    thread = await bot.call(GetThread(id=0, thread_id=message.thread_id))
    return next((u.handle for u in thread.members if u.id == message.sender_id), None)


assistant = make_assistant()
