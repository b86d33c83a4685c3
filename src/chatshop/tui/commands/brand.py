"""Dealing with a brand in its thread: its profile (``/brand``), who answers (``/bot`` and
``/take`` for its staff), and the verbs on what it posts: use an offer, confirm that an
order arrived, report a problem with an order (which hands the thread to a person with the
order attached). Paying its invoices and checkout cards is money's "pay" verb.
"""

from __future__ import annotations

from chatshop import safetext
from chatshop.protocol.cards import OfferCard, OrderUpdateCard, ReceiptCard
from chatshop.protocol.models import Message, Thread
from chatshop.protocol.shop_models import Handover, Order
from chatshop.tui.commands.chat import failed
from chatshop.tui.commands.context import Context
from chatshop.tui.commands.registry import Args, Command, Offer, Shape, Verb
from chatshop.tui.commands.shop import brand_of
from chatshop.tui.shop.product import ProductScreen, catalog_screen
from chatshop.tui.shop.profile import BrandProfileScreen

BRAND_THREADS = frozenset({"brand"})


def _customer(ctx: Context, message: Message) -> bool:
    """Whether the viewer is the customer of the brand thread ``message`` is in (the
    thread book names a customer only to the brand's staff)."""
    threads = ctx.session.threads
    thread = threads.threads.get(message.thread_id)
    if thread is None or thread.kind != "brand" or message.sender_id == threads.my_id:
        return False
    return threads.customer(thread) is None


def answered_by(handover: Handover) -> str:
    """``Sam Carter answers you now`` and the like, for the hint line."""
    if handover.mode == "staff" and handover.agent is not None:
        name = safetext.clean_line(handover.agent.display_name or handover.agent.handle)
        return f"{name} answers here now."
    if handover.mode == "waiting":
        return "Asked for a person: someone from the team will answer here."
    return "The brand's assistant answers here again."


# --------------------------------------------------------------------------- commands


def brand(ctx: Context, args: Args) -> bool:
    """``/brand [@handle]``: the brand's profile (here: this thread's brand)."""
    handle = args.handles[0] if args.handles else brand_of(ctx, ctx.thread)
    if handle is None:
        ctx.hint("Usage: /brand @handle (or open a brand's thread).", error=True)
        return False
    ctx.push(BrandProfileScreen(handle), lambda opened: _opened(ctx, opened))
    return True


def _opened(ctx: Context, thread: object) -> None:
    """The profile's Message key: open the brand's thread (made if it is new)."""
    if isinstance(thread, Thread):
        ctx.feed.thread_put(thread)
        ctx.open_thread(thread.id)


def _handover(ctx: Context, verb: str) -> bool:
    thread = ctx.thread
    if thread is None or brand_of(ctx, thread) is None:
        ctx.hint(f"/{verb} works in a brand's thread.", error=True)
        return False
    thread_id = thread.id

    def done(handover: Handover) -> None:
        ctx.feed.handover_known(handover)
        ctx.hint(answered_by(handover))

    if verb == "bot":
        ctx.call(lambda c: c.brands.release_thread(thread_id), done, failed(ctx, "/bot"))
    else:
        ctx.call(lambda c: c.brands.take_thread(thread_id), done, failed(ctx, "/take"))
    return True


def person(ctx: Context, _args: Args) -> bool:
    """``/person``: the customer asks for a person."""
    thread = ctx.thread
    if thread is None:
        return False
    thread_id = thread.id

    def asked(handover: Handover) -> None:
        ctx.feed.handover_known(handover)
        ctx.hint(answered_by(handover))

    ctx.call(lambda c: c.shop.ask_for_person(thread_id), asked, failed(ctx, "/person"))
    return True


COMMANDS = [
    Command(
        "brand",
        "/brand [@brand]",
        "a brand's profile: follow, mute, message (here: this brand's)",
        brand,
        Shape.WORDS,
        palette="shop: Brand profile",
        domain="shop",
    ),
    Command(
        "person",
        "/person",
        "in a brand's thread: talk to a person instead of the assistant",
        person,
        scope=BRAND_THREADS,
        palette="shop: Talk to a person",
        domain="shop",
    ),
    Command(
        "take",
        "/take",
        "brand staff: answer this customer yourself (the assistant stays quiet)",
        lambda ctx, _a: _handover(ctx, "take"),
        scope=BRAND_THREADS,
        domain="shop",
    ),
    Command(
        "bot",
        "/bot",
        "brand staff: hand this customer back to the assistant",
        lambda ctx, _a: _handover(ctx, "bot"),
        scope=BRAND_THREADS,
        domain="shop",
    ),
]

# --------------------------------------------------------------------------- verbs


def _offer_offers(ctx: Context, message: Message) -> list[Offer]:
    card = message.card
    if not isinstance(card, OfferCard) or message.sender_id == ctx.session.threads.my_id:
        return []
    return [Offer("use_offer", "Use", "u")]


def _use_offer(ctx: Context, message: Message, _offer: Offer) -> None:
    card = message.card
    if not isinstance(card, OfferCard):
        return
    product_id = card.offer.product_id
    if product_id is not None:
        ctx.push(ProductScreen(lambda c: c.shop.product(product_id)))
    else:
        ctx.push(catalog_screen(card.brand_handle))
    ctx.hint("The offer is applied at checkout by itself: no code to type.")


def _order_of(message: Message) -> int | None:
    card = message.card
    if isinstance(card, OrderUpdateCard | ReceiptCard):
        return card.order_id
    return None


def _received_offers(ctx: Context, message: Message) -> list[Offer]:
    card = message.card
    if not isinstance(card, OrderUpdateCard) or card.status != "delivered" or card.received:
        return []
    return [Offer("received", "It arrived", "c")] if _customer(ctx, message) else []


def _received(ctx: Context, message: Message, _offer: Offer) -> None:
    order_id = _order_of(message)
    if order_id is None:
        return

    def done(order: Order) -> None:
        ctx.feed.order.publish(order)
        ctx.hint(f"Thanks: order {safetext.clean_line(order.number)} marked as arrived.")

    ctx.call(lambda c: c.brands.confirm_receipt(order_id), done, failed(ctx, "it arrived"))


def _problem_offers(ctx: Context, message: Message) -> list[Offer]:
    if _order_of(message) is None or not _customer(ctx, message):
        return []
    return [Offer("problem", "Problem with this order?", "h")]


def _problem(ctx: Context, message: Message, _offer: Offer) -> None:
    order_id = _order_of(message)
    if order_id is None:
        return

    def done(handover: Handover) -> None:
        ctx.feed.handover_known(handover)
        ctx.hint(answered_by(handover) + " Your order is attached: say what went wrong.")

    ctx.call(lambda c: c.brands.report_problem(order_id), done, failed(ctx, "problem"))


VERBS = [
    Verb(
        "use_offer",
        "Use",
        "use this offer: its product or the catalogue (applied by itself)",
        _offer_offers,
        _use_offer,
        key="u",
        domain="shop",
    ),
    Verb(
        "received",
        "It arrived",
        "confirm that this delivered order arrived",
        _received_offers,
        _received,
        key="c",
        domain="shop",
    ),
    Verb(
        "problem",
        "Problem with this order?",
        "something is wrong with this order: a person takes over, the order attached",
        _problem_offers,
        _problem,
        key="h",
        domain="shop",
    ),
]
